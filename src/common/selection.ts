// What a query asks for under a field, for resolvers that can read less when it asks for less.
import { Kind, type GraphQLResolveInfo } from "graphql";

/**
 * Whether every field the query selects under this field is one of `names` (or __typename), written as plain fields:
 * a fragment, a directive or any other field answers false, so the caller reads everything.
 */
export function selectsOnly(info: GraphQLResolveInfo, names: ReadonlySet<string>): boolean {
  return info.fieldNodes.every((node) =>
    (node.selectionSet?.selections ?? []).every(
      (selection) =>
        selection.kind === Kind.FIELD && !selection.directives?.length && (selection.name.value === "__typename" || names.has(selection.name.value)),
    ),
  );
}
