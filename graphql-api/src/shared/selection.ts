import { Kind } from 'graphql';
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * True when the field being resolved selects `name` directly on its result (through inline
 * fragments and fragment spreads too), so a resolver can skip work nobody asked for, e.g. a
 * connection's count. `@skip`/`@include` are not evaluated: a conditionally selected field
 * counts as selected, which only costs the work, never a wrong answer.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode | undefined): boolean => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (visit(selection.selectionSet)) return true;
      } else {
        const fragmentName = selection.name.value;
        if (seen.has(fragmentName)) continue;
        seen.add(fragmentName);
        if (visit(info.fragments[fragmentName]?.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
