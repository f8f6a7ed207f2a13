/** Query shape limits enforced before execution. */
export const QUERY_LIMITS = {
  /** Deepest selection allowed (introspection exempt in development, where Sandbox needs it). */
  maxDepth: 10,
  /** Most aliases per operation: aliases could otherwise multiply expensive fields. */
  maxAliases: 15,
} as const;
