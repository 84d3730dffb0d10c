// What a query asks for under a field, for resolvers that can read less when it asks for less.
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

/**
 * Whether every field the query selects under this field is one of `names` (or __typename), directly or through
 * fragments, as clients write them (Apollo Client's and codegen's client preset send fragments): a directive anywhere
 * in the selection, or any other field, answers false, so the caller reads everything.
 */
export function selectsOnly(info: GraphQLResolveInfo, names: ReadonlySet<string>): boolean {
  const only = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).every((selection) => {
      if (selection.directives?.length) return false;
      if (selection.kind === Kind.FIELD) return selection.name.value === "__typename" || names.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return only(selection.selectionSet);
      const fragment = info.fragments[selection.name.value];
      return fragment !== undefined && only(fragment.selectionSet);
    });
  return info.fieldNodes.every((node) => only(node.selectionSet));
}
