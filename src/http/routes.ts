// The route table: the first route whose path and method match answers; anything else gets the fallback.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../common/logger";

export interface RequestInfo {
  path: string;
  /** The query string with its "?", or "". */
  search: string;
  /** For a prefix route, what follows the prefix; "" otherwise. */
  rest: string;
  /** Logger whose lines carry this request's id. */
  log: Logger;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, request: RequestInfo) => Promise<void> | void;

export type Route = ({ path: string } | { prefix: string }) & {
  /** Methods this route answers; any other falls through to the next route. All methods when absent. */
  methods?: readonly string[];
  handle: Handler;
};

export const GET_OR_HEAD = ["GET", "HEAD"] as const;

function matches(route: Route, path: string, method: string): boolean {
  if (route.methods && !route.methods.includes(method)) return false;
  return "path" in route ? path === route.path : path.startsWith(route.prefix) && path.length > route.prefix.length;
}

export function routeTable(routes: Route[], fallback: Handler): Handler {
  return (req, res, request) => {
    const route = routes.find((r) => matches(r, request.path, req.method ?? "GET"));
    if (!route) return fallback(req, res, request);
    return route.handle(req, res, "prefix" in route ? { ...request, rest: request.path.slice(route.prefix.length) } : request);
  };
}
