// The @cacheControl directive Apollo Server reads: declared here so the schema (and schema.graphql) carries the hints.
import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLEnumType, GraphQLInt } from "graphql";

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
