// The @cacheControl directive Apollo Server reads: declared here so the schema (and schema.graphql) carries the hints.
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLEnumType, GraphQLInt, Kind, OperationTypeNode, type OperationDefinitionNode } from "graphql";

export const CacheControlScope = new GraphQLEnumType({
  name: "CacheControlScope",
  description: "Who may cache a response: any cache (PUBLIC) or only the client that asked (PRIVATE).",
  values: {
    PUBLIC: { description: "Shared caches (CDNs, proxies) may store the response." },
    PRIVATE: { description: "Only the requesting client may store the response." },
  },
});

export const cacheControlDirective = new GraphQLDirective({
  name: "cacheControl",
  description:
    "How long, and by whom, the field's or type's data may be cached; Apollo Server turns the hints of a response into its Cache-Control header.",
  locations: [DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.OBJECT, DirectiveLocation.INTERFACE, DirectiveLocation.UNION],
  args: {
    maxAge: { type: GraphQLInt, description: "Seconds the data stays fresh." },
    scope: { type: CacheControlScope, description: "Who may cache it." },
    inheritMaxAge: { type: GraphQLBoolean, description: "Use the parent field's maxAge instead of the default 0." },
  },
});

/** Hint for every type that belongs to one signed-in user. */
export const PRIVATE = "@cacheControl(scope: PRIVATE)";
/** Hint for the parts of the public snapshot: as cacheable as the field that returned them. */
export const INHERIT = "@cacheControl(inheritMaxAge: true)";

/**
 * Sets every GraphQL response's Cache-Control in one place, in place of Apollo's cache-control plugin (disabled here), which wraps
 * every resolved field to gather hints (about a tenth of an uncached view's CPU). The hints above stay in the schema
 * for tools; this reads the answer off the operation instead: a query whose root fields are all in `publicRootFields`
 * (their types inherit the field's age, as the schema's hints say) is `max-age=<the least of theirs>, public`;
 * anything else, an error, or an age of 0 is `no-store`, as Apollo's plugin answers.
 */
export function cacheControlPlugins(publicRootFields: ReadonlyMap<string, number>): ApolloServerPlugin[] {
  return [ApolloServerPluginCacheControlDisabled(), cacheControlPlugin(publicRootFields)];
}

function cacheControlPlugin(publicRootFields: ReadonlyMap<string, number>): ApolloServerPlugin {
  const maxAgeOf = (operation: OperationDefinitionNode | undefined): number => {
    if (operation?.operation !== OperationTypeNode.QUERY) return 0;
    let maxAge = Infinity;
    for (const selection of operation.selectionSet.selections) {
      // A fragment at the root could select anything: not worth reading for a public answer.
      const age = selection.kind === Kind.FIELD ? publicRootFields.get(selection.name.value) : undefined;
      if (age === undefined) return 0;
      maxAge = Math.min(maxAge, age);
    }
    return Number.isFinite(maxAge) ? maxAge : 0;
  };
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, operation }) {
          const maxAge = response.body.kind === "single" && !response.body.singleResult.errors ? maxAgeOf(operation) : 0;
          response.http.headers.set("cache-control", maxAge > 0 ? `max-age=${maxAge}, public` : "no-store");
        },
      };
    },
  };
}
