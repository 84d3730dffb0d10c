// The HTTP status of a GraphQL request that failed before execution, by the GraphQL-over-HTTP spec's media types.
import type { ApolloServerPlugin } from "@apollo/server";
import Negotiator from "negotiator";

// Failures of a well-formed request: its document does not parse or validate (limits included), or its variables do
// not coerce. Apollo answers these 400 whatever the client accepts.
const REQUEST_ERROR_CODES = new Set(["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "OPERATION_RESOLUTION_FAILURE"]);

/** Whether Apollo answers this Accept header with application/json (its choice, including no header at all). */
export function answersWithLegacyJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return new Negotiator({ headers: { accept } }).mediaType(["application/json", "application/graphql-response+json"]) === "application/json";
}

/**
 * application/json is the spec's legacy watershed: its clients read errors from the body of a 200, so request errors
 * answer 200 for them, while application/graphql-response+json clients keep the 4xx the spec requires.
 */
export function legacyJsonStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, errors }) {
          if (response.http.status !== 400 || response.body.kind !== "single" || response.body.singleResult.data !== undefined) return;
          if (!errors?.length || !errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))) return;
          if (answersWithLegacyJson(request.http?.headers.get("accept"))) response.http.status = 200;
        },
      };
    },
  };
}
