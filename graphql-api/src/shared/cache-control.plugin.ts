import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { getNamedType, isAbstractType, isCompositeType, isObjectType, Kind } from 'graphql';
import type {
  DirectiveNode,
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLResolveInfo,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';

/** Apollo's cache scope and hint (`@apollo/cache-control-types`). */
export type CacheScope = 'PUBLIC' | 'PRIVATE';

/** A cache hint: what a field or a type allows, or what a resolver says about its value. */
export interface CacheHint {
  maxAge?: number;
  scope?: CacheScope;
}

interface Annotation extends CacheHint {
  inheritMaxAge?: true;
}

/** Apollo's CachePolicy: `restrict` keeps the stricter of two hints, `replace` overrides. */
interface Policy extends CacheHint {
  restrict(hint: CacheHint): void;
  replace(hint: CacheHint): void;
}

function newPolicy(): Policy {
  return {
    maxAge: undefined,
    scope: undefined,
    restrict(hint) {
      if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge)) {
        this.maxAge = hint.maxAge;
      }
      if (hint.scope !== undefined && this.scope !== 'PRIVATE') this.scope = hint.scope;
    },
    replace(hint) {
      if (hint.maxAge !== undefined) this.maxAge = hint.maxAge;
      if (hint.scope !== undefined) this.scope = hint.scope;
    },
  };
}

const isRestricted = (hint: CacheHint): boolean =>
  hint.maxAge !== undefined || hint.scope !== undefined;

/** `@cacheControl(...)` among a definition's directives, read as Apollo's plugin reads it. */
function annotationFromDirectives(
  directives: readonly DirectiveNode[] | undefined,
): Annotation | undefined {
  const directive = directives?.find((node) => node.name.value === 'cacheControl');
  if (!directive?.arguments) return undefined;
  const argument = (name: string) => directive.arguments?.find((arg) => arg.name.value === name);
  const maxAge = argument('maxAge')?.value;
  const scopeValue = argument('scope')?.value;
  const inheritMaxAge = argument('inheritMaxAge')?.value;
  const scopeName = scopeValue?.kind === Kind.ENUM ? scopeValue.value : undefined;
  const scope = scopeName === 'PUBLIC' || scopeName === 'PRIVATE' ? scopeName : undefined;
  if (inheritMaxAge?.kind === Kind.BOOLEAN && inheritMaxAge.value) {
    return { inheritMaxAge: true, scope };
  }
  return { maxAge: maxAge?.kind === Kind.INT ? parseInt(maxAge.value, 10) : undefined, scope };
}

const typeAnnotations = new WeakMap<GraphQLCompositeType, Annotation>();
const fieldAnnotations = new WeakMap<GraphQLField<unknown, unknown>, Annotation>();

function typeAnnotation(type: GraphQLCompositeType): Annotation {
  let annotation = typeAnnotations.get(type);
  if (!annotation) {
    annotation =
      annotationFromDirectives(type.astNode?.directives) ??
      type.extensionASTNodes
        .map((node) => annotationFromDirectives(node.directives))
        .find((hint) => hint !== undefined) ??
      {};
    typeAnnotations.set(type, annotation);
  }
  return annotation;
}

function fieldAnnotation(field: GraphQLField<unknown, unknown>): Annotation {
  let annotation = fieldAnnotations.get(field);
  if (!annotation) {
    annotation = annotationFromDirectives(field.astNode?.directives) ?? {};
    fieldAnnotations.set(field, annotation);
  }
  return annotation;
}

/** One field's policy while it resolves, as Apollo's `willResolveField` starts it. */
interface FieldPolicy {
  policy: Policy;
  composite: boolean;
  inheritMaxAge: boolean;
  root: boolean;
}

function startFieldPolicy(field: GraphQLField<unknown, unknown>, root: boolean): FieldPolicy {
  const policy = newPolicy();
  let inheritMaxAge = false;
  const target = getNamedType(field.type);
  const composite = isCompositeType(target);
  if (composite) {
    const annotation = typeAnnotation(target);
    policy.replace(annotation);
    inheritMaxAge = annotation.inheritMaxAge === true;
  }
  const annotation = fieldAnnotation(field);
  if (annotation.inheritMaxAge && policy.maxAge === undefined) {
    inheritMaxAge = true;
    if (annotation.scope) policy.replace({ scope: annotation.scope });
  } else {
    policy.replace(annotation);
  }
  return { policy, composite, inheritMaxAge, root };
}

/** What Apollo does once the field resolved: no maxAge on a root or object field means 0. */
function finishFieldPolicy({ policy, composite, inheritMaxAge, root }: FieldPolicy): Policy {
  if (policy.maxAge === undefined && ((composite && !inheritMaxAge) || root)) {
    policy.restrict({ maxAge: 0 });
  }
  return policy;
}

/**
 * A document's root fields (by response key), when they are all that can restrict its policy:
 * no field below them carries or defaults to a hint, and nothing makes a root field conditional.
 * Null otherwise: then every field is followed as it resolves, as Apollo's plugin does.
 */
type Plan = { key: string; field: GraphQLField<unknown, unknown> }[] | null;

function planFor(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Plan {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const roots = new Map<string, GraphQLField<unknown, unknown>>();

  // Whether no field under `set` (read on `parent`) can restrict the policy, whether it runs or not.
  const quiet = (
    parent: GraphQLNamedType | undefined,
    set: SelectionSetNode | undefined,
  ): boolean => {
    if (!set) return true;
    if (!parent || !isCompositeType(parent)) return false;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        // Meta fields (__typename, __schema, __type) and introspection types are not followed.
        if (selection.name.value.startsWith('__')) continue;
        const types: readonly GraphQLObjectType[] = isAbstractType(parent)
          ? schema.getPossibleTypes(parent)
          : isObjectType(parent)
            ? [parent]
            : [];
        for (const type of types) {
          const field = type.getFields()[selection.name.value];
          if (!field) continue;
          if (isRestricted(finishFieldPolicy(startFieldPolicy(field, false)))) return false;
          if (!quiet(getNamedType(field.type), selection.selectionSet)) return false;
        }
      } else {
        const fragment =
          selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment) return false;
        const condition = fragment.typeCondition?.name.value;
        if (!quiet(condition ? schema.getType(condition) : parent, fragment.selectionSet)) {
          return false;
        }
      }
    }
    return true;
  };

  const collect = (set: SelectionSetNode): boolean => {
    for (const selection of set.selections) {
      // @skip/@include (or anything else) on a root selection: it may not run.
      if (selection.directives?.length) return false;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const field = rootType.getFields()[name];
        if (!field || !quiet(getNamedType(field.type), selection.selectionSet)) return false;
        roots.set(selection.alias?.value ?? name, field);
      } else {
        const fragment =
          selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment) return false;
        const condition = fragment.typeCondition?.name.value;
        if (condition !== undefined && condition !== rootType.name) return false;
        if (!collect(fragment.selectionSet)) return false;
      }
    }
    return true;
  };
  if (!collect(operation.selectionSet)) return null;
  return [...roots].map(([key, field]) => ({ key, field }));
}

/** A request's hints from resolvers (by response path), when its plan needs no per-field hook. */
interface PlannedRequest {
  /** Apollo's rule: a policy restricted before execution is kept, and hints are ignored. */
  ignoreHints: boolean;
  hints: Map<string, FieldPolicy>;
}

const plannedRequests = new WeakMap<object, PlannedRequest>();

/**
 * A resolver's hint for its own field (`info.cacheControl.setCacheHint`, which exists only
 * when fields are followed one by one): recorded for the request whose context this is.
 */
export function recordCacheHint(context: object, info: GraphQLResolveInfo, hint: CacheHint): void {
  const request = plannedRequests.get(context);
  if (!request || request.ignoreHints) return;
  let key = String(info.path.key);
  for (let at = info.path.prev; at; at = at.prev) key = `${String(at.key)}.${key}`;
  let field = request.hints.get(key);
  if (!field) {
    const definition = info.parentType.getFields()[info.fieldName];
    if (!definition) return;
    field = startFieldPolicy(definition, info.path.prev === undefined);
    request.hints.set(key, field);
  }
  field.policy.replace(hint);
}

const HEADER_CACHEABLE = /^max-age=(\d+), (public|private)$/;
const HEADER_UNCACHEABLE = 'no-store';

/**
 * Apollo's cache-control plugin (`ApolloServerPluginCacheControl` with its defaults:
 * `defaultMaxAge` 0, `Cache-Control` header computed), with the same policies and headers, but
 * computed once per document instead of by a hook around every field: when only the root
 * fields can restrict a document's policy (the catalog's reads: their types inherit the root
 * field's maxAge), their policies are combined after execution with the hints their resolvers
 * set ({@link recordCacheHint}, via shared/cache.ts). Any other document is followed field by
 * field exactly as Apollo does. Install it with `ApolloServerPluginCacheControlDisabled()`.
 */
export function cacheControlPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  const plans = new WeakMap<DocumentNode, Map<OperationDefinitionNode, Plan>>();
  const planOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
  ): Plan => {
    let byOperation = plans.get(document);
    if (!byOperation) plans.set(document, (byOperation = new Map()));
    let plan = byOperation.get(operation);
    if (plan === undefined)
      byOperation.set(operation, (plan = planFor(schema, document, operation)));
    return plan;
  };

  return {
    async requestDidStart(): Promise<GraphQLRequestListener<TContext>> {
      return {
        async executionDidStart({ schema, document, operation, contextValue, overallCachePolicy }) {
          const ignoreHints = isRestricted(overallCachePolicy);
          // No operation (an unknown operation name): nothing runs, execute only reports it.
          const plan = (operation as OperationDefinitionNode | undefined)
            ? planOf(schema, document, operation)
            : null;
          if (plan) {
            const request: PlannedRequest = { ignoreHints, hints: new Map() };
            plannedRequests.set(contextValue, request);
            return {
              async executionDidEnd() {
                plannedRequests.delete(contextValue);
                if (ignoreHints) return;
                for (const { key, field } of plan) {
                  if (!request.hints.has(key)) {
                    overallCachePolicy.restrict(finishFieldPolicy(startFieldPolicy(field, true)));
                  }
                }
                for (const field of request.hints.values()) {
                  overallCachePolicy.restrict(finishFieldPolicy(field));
                }
              },
            };
          }
          if (ignoreHints) {
            const ignored = newPolicy();
            return {
              willResolveField({ info }) {
                Object.assign(info, {
                  cacheControl: { setCacheHint: (hint: CacheHint) => ignored.replace(hint) },
                });
              },
            };
          }
          return {
            willResolveField({ info }) {
              const definition = info.parentType.getFields()[info.fieldName];
              if (!definition) return;
              const field = startFieldPolicy(definition, info.path.prev === undefined);
              Object.assign(info, {
                cacheControl: { setCacheHint: (hint: CacheHint) => field.policy.replace(hint) },
              });
              return () => {
                overallCachePolicy.restrict(finishFieldPolicy(field));
              };
            },
          };
        },

        async willSendResponse({ response, overallCachePolicy }) {
          const existing = response.http.headers.get('cache-control');
          const policy = newPolicy();
          policy.replace(overallCachePolicy);
          let uncacheable = false;
          if (existing) {
            if (existing === HEADER_UNCACHEABLE) uncacheable = true;
            else {
              const match = HEADER_CACHEABLE.exec(existing);
              // A header Apollo cannot read is left as it is.
              if (!match) return;
              policy.restrict({
                maxAge: Number(match[1]),
                scope: match[2] === 'public' ? 'PUBLIC' : 'PRIVATE',
              });
            }
          }
          const cacheable =
            policy.maxAge !== undefined &&
            policy.maxAge !== 0 &&
            !uncacheable &&
            response.body.kind === 'single' &&
            !response.body.singleResult.errors;
          response.http.headers.set(
            'cache-control',
            cacheable
              ? `max-age=${policy.maxAge}, ${(policy.scope ?? 'PUBLIC').toLowerCase()}`
              : HEADER_UNCACHEABLE,
          );
        },
      };
    },
  };
}
