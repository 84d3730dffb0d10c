// How a request that fails outside GraphQL's own error handling is answered: JSON, the closed set of codes, no stack.
import type { ServerResponse } from "node:http";
import { clientFacing, DomainError, ErrorCode, RateLimitedError } from "../common/errors";
import type { Logger } from "../common/logger";

/** A refusal at the HTTP level (a body too large, not JSON), answered with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The GraphQL error shape, for refusals that happen before GraphQL sees the request. */
export function sendGraphQLError(res: ServerResponse, status: number, message: string, code: string = ErrorCode.BAD_USER_INPUT, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}

const STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.RATE_LIMITED]: 429,
};

/**
 * A service's refusal outside GraphQL, in the GraphQL error shape with its code and details as formatError gives
 * them, never cached: the status its code implies (400 for bad input), or `status`.
 */
export function sendDomainError(res: ServerResponse, error: DomainError, status = STATUS_OF_CODE[error.code] ?? 400, headers: Record<string, string> = {}): void {
  const retry: Record<string, string> = error instanceof RateLimitedError ? { "retry-after": String(error.retryAfterSeconds) } : {};
  sendJson(res, status, { errors: [clientFacing(error)] }, { "cache-control": "no-store", ...retry, ...headers });
}

/**
 * The last word on a request whose handler threw: an HttpError or a service's refusal as they say, anything else as
 * a logged 500.
 */
export function answerFailure(res: ServerResponse, error: unknown, log: Logger): void {
  if (error instanceof HttpError) {
    if (error.status === 413) res.setHeader("connection", "close");
    return sendGraphQLError(res, error.status, error.message);
  }
  if (error instanceof DomainError && !res.headersSent) return sendDomainError(res, error);
  log.error("request failed", { error: error instanceof Error ? error.stack : String(error) });
  if (!res.headersSent) sendGraphQLError(res, 500, "Internal server error.", ErrorCode.INTERNAL_SERVER_ERROR);
  else res.destroy();
}
