// The one place that turns any error into a client-facing code from the closed set, masking the unexpected.
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ArgumentValidationError, AuthenticationError, AuthorizationError } from "type-graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { ValidationError as ClassValidatorError } from "class-validator";
import { DomainError, ErrorCode, ForbiddenError, UnauthenticatedError } from "./errors";
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

function validationDetails(errors: ClassValidatorError[], prefix = ""): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...validationDetails(e.children ?? [], field)];
  });
}

/**
 * Apollo's formatError: every error leaves with a code from the closed set and a message a person can act on.
 * Anything unexpected is logged with its stack and masked.
 */
export function makeFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = validationDetails(original.extensions.validationErrors as ClassValidatorError[]);
      const message = fields.map((f) => f.problems.join("; ")).join("; ") || "Invalid input.";
      return { ...base, message, extensions: { code: ErrorCode.BAD_USER_INPUT, fields } };
    }
    if (original instanceof AuthenticationError) {
      return { ...base, message: new UnauthenticatedError().message, extensions: { code: ErrorCode.UNAUTHENTICATED } };
    }
    if (original instanceof AuthorizationError) {
      return { ...base, message: new ForbiddenError().message, extensions: { code: ErrorCode.FORBIDDEN } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === "string" && PASSTHROUGH_CODES.has(code)) {
      return { ...base, extensions: { code } };
    }
    // Errors GraphQL itself raises before resolvers run (syntax, validation, variable coercion).
    if (typeof code === "string" && CLIENT_CODES.has(code)) {
      return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    if (!(original instanceof GraphQLError) || original.path) {
      logger.error("unexpected error", { error: original instanceof Error ? original.stack : String(original) });
    }
    return {
      message: "Something went wrong on our side. It has been logged.",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
