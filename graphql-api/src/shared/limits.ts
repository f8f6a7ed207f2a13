/** Query shape limits enforced before execution. */
export const QUERY_LIMITS = {
  /** Deepest selection allowed (introspection exempt in development, where Sandbox needs it). */
  maxDepth: 10,
  /** Most aliases per operation: aliases could otherwise multiply expensive fields. */
  maxAliases: 15,
  // Limits checked before validation's expensive rules (shared/document-limits.rule.ts;
  // the token limit by graphql-js's parser). The render server's largest documents, with
  // `first: 100`: about 80 tokens, 31 fields, 3 root fields, a field at most twice in one
  // selection set (`__typename`), no directives, cost 343 (MyList; 333 before the header's
  // myListCount); introspection about 200 tokens and 230 fields.
  /**
   * Lexical tokens per document (graphql-armor's default too), as graphql-js's own parse option:
   * the parser stops at the limit, so parsing costs at most this. graphql-armor's max-tokens
   * would need Apollo to parse with its parser, which Apollo has no hook for (a second parse).
   */
  maxTokens: 1000,
  /** Directives per operation (fragments included). */
  maxDirectives: 20,
  /** Distinct root fields (response names) per operation; the alias limit allows 15 aliases. */
  maxRootFields: 15,
  /**
   * Times one response name may be selected in one selection set (fragments merged in):
   * OverlappingFieldsCanBeMerged compares each pair, so its work grows with the square (at 10,
   * a 750-token document took 8 ms to validate; at 5, about 3 ms).
   */
  maxFieldRepetition: 5,
  /** Field selections per operation with fragments expanded (bounds the walk and execution's). */
  maxFields: 2000,
  /**
   * Estimated cost (shared/cost-limit.ts): 1.2× the render server's largest document with
   * `first: 100` at first (MyList, 333; 343 with the header's list count; the render server
   * itself asks for 12), e.g. one page of 100
   * movies with everything around it (211), or several pages of 20. At 1,000 (four pages of 100
   * in one document) two clients more than doubled the catalog's p50 (bench P9), at 500 about
   * 2.1×, at 350 1.5×.
   */
  maxCost: 400,
} as const;
