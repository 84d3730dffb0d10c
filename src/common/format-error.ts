// The one place that turns any error into a client-facing code from the closed set, masking the unexpected.
import type { GraphQLFormattedError } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";
import { ArgumentValidationError, AuthenticationError, AuthorizationError } from "type-graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { ValidationError as ClassValidatorError } from "class-validator";
import { clientFacing, DomainError, ErrorCode, ForbiddenError, UnauthenticatedError, type FieldProblems } from "./errors";
import type { Logger } from "./logger";

// Apollo's protocol-level codes that clients act on by name (APQ retries), kept as they are.
const PASSTHROUGH_CODES = new Set(["PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED"]);
// Apollo's request-level codes, all of them the client's fault.
const CLIENT_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
]);

function validationDetails(errors: ClassValidatorError[] | unknown, prefix = ""): FieldProblems[] {
  // type-graphql passes whatever the validator threw; a validator that crashed on odd text did not throw a list.
  if (!Array.isArray(errors)) return [];
  return (errors as ClassValidatorError[]).flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...validationDetails(e.children ?? [], field)];
  });
}

/** What the client sees for an error: a code from the closed set, and a message; null means "unexpected". */
function clientView(original: unknown, formatted: GraphQLFormattedError): { message: string; extensions: Record<string, unknown> } | null {
  if (original instanceof DomainError) return clientFacing(original);
  if (original instanceof ArgumentValidationError) {
    const fields = validationDetails(original.extensions.validationErrors as ClassValidatorError[]);
    return { message: fields.map((f) => f.problems.join("; ")).join("; ") || "Invalid input.", extensions: { code: ErrorCode.BAD_USER_INPUT, fields } };
  }
  if (original instanceof AuthenticationError) return { message: new UnauthenticatedError().message, extensions: { code: ErrorCode.UNAUTHENTICATED } };
  if (original instanceof AuthorizationError) return { message: new ForbiddenError().message, extensions: { code: ErrorCode.FORBIDDEN } };
  const code = formatted.extensions?.code;
  if (typeof code === "string" && PASSTHROUGH_CODES.has(code)) return { message: formatted.message, extensions: { code } };
  // Errors raised before resolvers run (syntax, validation, limits, variable coercion) are the client's.
  if (typeof code === "string" && CLIENT_CODES.has(code)) return { message: formatted.message, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  // Apollo's own request errors without a code (a persisted query whose hash does not match, an unknown version).
  const status = (original as { extensions?: { http?: { status?: number } } })?.extensions?.http?.status;
  if (typeof status === "number" && status >= 400 && status < 500) return { message: formatted.message, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  return null;
}

const MASKED = "Something went wrong on our side. It has been logged.";

/** Apollo's formatError: every error leaves with a code from the closed set; anything unexpected is masked. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const view = clientView(unwrapResolverError(error), formatted);
  const base = { locations: formatted.locations, path: formatted.path };
  return view ? { ...base, ...view } : { ...base, message: MASKED, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

/**
 * formatError for a server whose schema is not public (introspection off): graphql's "Did you mean …?" hints would
 * reveal field, type and enum names, in variable errors too, which Apollo's own setting does not cover.
 */
export function formatErrorHidingSchema(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const result = formatError(formatted, error);
  return result.extensions?.code === ErrorCode.BAD_USER_INPUT ? { ...result, message: result.message.replace(/ ?Did you mean [^?]*\?/g, "") } : result;
}

/** Logs every unexpected error with its stack and the request id; clients only ever see it masked. */
export function errorLoggingPlugin(fallback: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          const log = contextValue?.log ?? fallback;
          for (const error of errors) {
            const original = unwrapResolverError(error);
            const formatted = { message: error.message, extensions: error.extensions };
            if (clientView(original, formatted)) continue;
            log.error("unexpected error", { error: original instanceof Error ? original.stack : String(original), path: error.path });
          }
        },
      };
    },
  };
}
