// Domain errors thrown by services: they carry a client-facing code but know nothing of GraphQL (see format-error.ts).

export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  RATE_LIMITED: "RATE_LIMITED",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A failure the client caused and can act on; services throw these and know nothing of GraphQL. */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = ErrorCode.UNAUTHENTICATED;
  constructor(message = "You must be signed in to do this.") {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = ErrorCode.FORBIDDEN;
  constructor(message = "You are not allowed to do this.") {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = ErrorCode.NOT_FOUND;
  constructor(what: string) {
    super(`${what} not found.`);
  }
}

/** The one shape of `extensions.fields`: each input at fault, with what is wrong with it (see format-error.ts). */
export interface FieldProblems {
  field: string;
  problems: string[];
}

export class BadInputError extends DomainError {
  readonly code = ErrorCode.BAD_USER_INPUT;
  /** `where.field` names the input at fault; clients read it in `extensions.fields`, as for every validation error. */
  constructor(message: string, where?: { field: string }) {
    const fields: FieldProblems[] | undefined = where && [{ field: where.field, problems: [message] }];
    super(message, fields && { fields });
  }
}

export class RateLimitedError extends DomainError {
  readonly code = ErrorCode.RATE_LIMITED;
  constructor(
    what: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`Too many ${what}. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
  }
}

/** What a client is told of a domain error, through GraphQL or beside it: its message, code and details. */
export function clientFacing(error: DomainError): { message: string; extensions: Record<string, unknown> } {
  return { message: error.message, extensions: { code: error.code, ...error.details } };
}
