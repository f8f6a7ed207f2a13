import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
} from '@apollo/server-gateway-interface';
import {
  execute,
  getNamedType,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  isSpecifiedScalarType,
  typeFromAST,
} from 'graphql';
import type {
  DocumentNode,
  ExecutionResult,
  GraphQLInputType,
  GraphQLSchema,
  OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';

/** Options of {@link jitExecutor}. */
export interface JitExecutorOptions {
  /**
   * The execution of a document (and operation) at which it is compiled: 1 compiles at its
   * first execution, 10 (the default) at its tenth, so documents seen a few times never pay for
   * a compilation (tens of milliseconds for a large one, hundreds of KiB kept) and a client
   * cannot make the server compile more often than once per `threshold` requests. 0: never.
   */
  threshold?: number;
  /**
   * Compiled operations kept, most recently used (default 100): the rest run on graphql-js
   * until they are compiled again. A compiled document can hold several hundred KiB.
   */
  maxCompiled?: number;
  /** Called once per document that graphql-jit cannot compile (it then stays on graphql-js). */
  onCompileFailure?: (operationName: string | null, reason: unknown) => void;
}

/**
 * The description of the symbol Apollo Server puts on a request's context when a plugin has
 * `willResolveField` (its schema's resolvers, wrapped in place, call the hook through it).
 * Apollo wraps resolvers only when such a plugin first runs, possibly after an operation was
 * compiled with the unwrapped ones, so those requests run on graphql-js, which reads the
 * wrapped resolvers from the schema. `jit-executor.test.ts` fails if Apollo renames it.
 */
const WILL_RESOLVE_FIELD = 'apolloServerExecutionDispatcherWillResolveField';

function followsFields(context: object): boolean {
  return Object.getOwnPropertySymbols(context).some(
    (symbol) => symbol.description === WILL_RESOLVE_FIELD,
  );
}

/** What is known about one operation of one parsed document. */
type OperationState =
  | { kind: 'counting'; uses: number }
  | { kind: 'compiled'; query: CompiledQuery['query'] }
  | { kind: 'interpreted' };

/**
 * Whether graphql-jit reads this operation's variables exactly as graphql-js: only built-in
 * scalars, enums and input objects (recursively) without `@oneOf`. graphql-jit does not enforce
 * `@oneOf`, and hands a custom scalar's default value to resolvers unparsed.
 */
function variablesCompileAlike(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  const seen = new Set<GraphQLInputType>();
  const alike = (type: GraphQLInputType): boolean => {
    const named = getNamedType(type);
    if (seen.has(named)) return true;
    seen.add(named);
    if (isInputObjectType(named)) {
      if ((named as { isOneOf?: boolean }).isOneOf) return false;
      return Object.values(named.getFields()).every((field) => alike(field.type));
    }
    return 'getValues' in named || isSpecifiedScalarType(named);
  };
  return (operation.variableDefinitions ?? []).every((definition) => {
    const type = typeFromAST(schema, definition.type);
    return type !== undefined && alike(type as GraphQLInputType);
  });
}

/** Counts of how operations ran, for tests and logs. */
export interface JitExecutorStats {
  compiled: number;
  interpreted: number;
  /** Compiled runs whose variables graphql-jit refused, run again by graphql-js for its errors. */
  variableFallbacks: number;
}

/** The executor function with its counters. */
export interface JitExecutor {
  executor: GatewayExecutor;
  stats: JitExecutorStats;
}

/**
 * Executes operations with graphql-jit once they have been seen `threshold` times, with
 * graphql-js before that and for anything graphql-jit cannot compile, answering exactly what
 * graphql-js would (the API's tests run under both; `jit-executor.test.ts` compares them).
 *
 * - **Keyed by the parsed document**: Apollo's document store hands the same `DocumentNode`
 *   object to every request with the same text, so the counts live in a WeakMap on it and go
 *   with the store's LRU eviction; hostile unique documents never reach the threshold.
 * - **Variables**: graphql-js coerces them first (graphql-jit accepts some values graphql-js
 *   refuses, and words its refusals differently); refused variables run on graphql-js, which
 *   answers its own errors. Operations with custom-scalar or `@oneOf` variables are never
 *   compiled (see `variablesCompileAlike`).
 * - **Bounded**: at most `maxCompiled` compiled operations are kept (least recently used out).
 * - **Queries only**: mutations run on graphql-js. graphql-jit runs a mutation's root fields
 *   one after another too, but goes on after one fails in a non-null field, where graphql-js
 *   stops: eleven aliased sign-ins would then all check a password.
 * - **Field hooks**: a request whose plugins follow fields one by one (`willResolveField`) runs
 *   on graphql-js (see {@link WILL_RESOLVE_FIELD}).
 * - **Errors**: graphql-jit keeps each error's message, locations, path, `originalError` and
 *   `extensions`; they are made again as graphql-js errors (see `asGraphQLJsError`), so Apollo and
 *   the API's error masking (shared/format-error.ts) see the same errors.
 */
export function jitExecutor(schema: GraphQLSchema, options: JitExecutorOptions = {}): JitExecutor {
  const threshold = options.threshold ?? 10;
  const maxCompiled = options.maxCompiled ?? 100;
  const states = new WeakMap<DocumentNode, Map<string, OperationState>>();
  // The compiled operations, least recently used first (a Map keeps insertion order).
  const compiledLru = new Map<string, { operations: Map<string, OperationState>; name: string }>();
  let nextDocumentId = 0;
  const documentIds = new WeakMap<DocumentNode, number>();
  const touch = (document: DocumentNode, operations: Map<string, OperationState>, name: string) => {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = nextDocumentId += 1));
    const key = `${id}\u0000${name}`;
    compiledLru.delete(key);
    compiledLru.set(key, { operations, name });
    if (compiledLru.size > maxCompiled) {
      const oldest = compiledLru.entries().next();
      if (!oldest.done) {
        compiledLru.delete(oldest.value[0]);
        // Back to counting: compiled again only after `threshold` more executions.
        oldest.value[1].operations.set(oldest.value[1].name, { kind: 'counting', uses: 0 });
      }
    }
  };
  const stats: JitExecutorStats = { compiled: 0, interpreted: 0, variableFallbacks: 0 };

  const interpret = (
    context: GatewayGraphQLRequestContext,
  ): Promise<ExecutionResult> | ExecutionResult => {
    stats.interpreted += 1;
    return execute({
      schema,
      document: context.document,
      contextValue: context.context,
      variableValues: context.request.variables,
      // The name the client sent (Apollo's `operationName` is null when it names no operation
      // of the document, and graphql-js must say so).
      operationName: context.request.operationName,
    });
  };

  const stateOf = (context: GatewayGraphQLRequestContext): OperationState => {
    let operations = states.get(context.document);
    if (!operations) {
      operations = new Map();
      states.set(context.document, operations);
    }
    const name = context.request.operationName ?? '';
    const state = operations.get(name) ?? { kind: 'counting', uses: 0 };
    if (state.kind === 'counting') {
      state.uses += 1;
      if (threshold === 0 || state.uses < threshold) {
        operations.set(name, state);
        return state;
      }
      const compiled = compile(context);
      operations.set(name, compiled);
      if (compiled.kind === 'compiled') touch(context.document, operations, name);
      return compiled;
    }
    if (state.kind === 'compiled') touch(context.document, operations, name);
    return state;
  };

  const compile = (context: GatewayGraphQLRequestContext): OperationState => {
    if (!variablesCompileAlike(schema, context.operation)) return { kind: 'interpreted' };
    try {
      const compiled = compileQuery(schema, context.document, context.request.operationName);
      if (isCompiledQuery(compiled)) return { kind: 'compiled', query: compiled.query };
      options.onCompileFailure?.(context.request.operationName ?? null, compiled.errors);
    } catch (error) {
      options.onCompileFailure?.(context.request.operationName ?? null, error);
    }
    return { kind: 'interpreted' };
  };

  const executor: GatewayExecutor = async (context) => {
    // No operation (the document has none by the name asked for): graphql-js reports it.
    const operation = context.operation as OperationDefinitionNode | undefined;
    if (operation?.operation !== 'query' || followsFields(context.context)) {
      return (await interpret(context)) as GatewayExecutionResult;
    }
    const state = stateOf(context);
    if (state.kind !== 'compiled') return (await interpret(context)) as GatewayExecutionResult;
    // graphql-js judges the variables first: graphql-jit accepts some it refuses (a list where
    // an input object is expected, say), and its messages differ.
    if (operation.variableDefinitions?.length) {
      const coerced = getVariableValues(
        schema,
        operation.variableDefinitions,
        context.request.variables ?? {},
      );
      if (coerced.errors) {
        stats.variableFallbacks += 1;
        return (await interpret(context)) as GatewayExecutionResult;
      }
    }
    stats.compiled += 1;
    const result = await state.query(undefined, context.context, context.request.variables);
    if (result.errors && result.errors.length > 0 && !('data' in result)) {
      // Refused while coercing variables (nothing ran): graphql-js's words for it.
      stats.variableFallbacks += 1;
      return (await interpret(context)) as GatewayExecutionResult;
    }
    if (result.errors) return { ...result, errors: result.errors.map(asGraphQLJsError) };
    return result as GatewayExecutionResult;
  };

  return { executor, stats };
}

/**
 * graphql-jit's errors pass `instanceof GraphQLError` but are not graphql-js's: without an
 * original error's extensions they have none at all, where Apollo (and the API's formatError)
 * expect an object, and Apollo then answers "Internal server error" for what graphql-js reports
 * as, say, a null in a non-null field. Made again as graphql-js makes them, with the same
 * message, locations, path, original error and extensions.
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
  // graphql-js computes locations from AST nodes; graphql-jit has already computed them.
  (rebuilt as { locations: GraphQLError['locations'] }).locations = error.locations;
  return rebuilt;
}

/**
 * The schema and executor as Apollo Server's `gateway` option: the documented hook through
 * which Apollo Server 5 lets something other than graphql-js execute operations. Apollo still
 * parses, validates, runs every plugin, applies `formatError` and serialises the result.
 */
export function executorGateway(
  schema: GraphQLSchema,
  executor: GatewayExecutor,
): GatewayInterface {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}
