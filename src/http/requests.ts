// What every request goes through before and after its route: an id, the security and CORS headers, one log line
// and one metric when it finishes, and the answer to a handler that threw.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { Logger } from "../common/logger";
import type { ClientAddress } from "../common/client-address";
import { answerFailure } from "./errors";
import type { Handler } from "./routes";
import { setSecurityHeaders } from "./security-headers";

export interface RequestListenerOptions {
  logger: Logger;
  clientAddress: ClientAddress;
  /** Sets the CORS headers a request's origin gets. */
  cors: (req: IncomingMessage, res: ServerResponse) => void;
  /** The path as it may be logged: no secrets (share tokens) in it. */
  loggablePath: (path: string) => string;
  /** Told of every finished request (metrics). */
  finished: (method: string, path: string, status: number) => void;
  handle: Handler;
}

function requestIdOf(req: IncomingMessage): string {
  const offered = req.headers["x-request-id"];
  return typeof offered === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(offered) ? offered : randomUUID();
}

export function requestListener(options: RequestListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, clientAddress, cors, loggablePath, finished, handle } = options;
  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    const log = logger.child({ requestId });
    // Read now: once the response has finished, the socket may already be gone.
    const client = clientAddress(req);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      finished(req.method ?? "", path, res.statusCode);
      log.info("request", { method: req.method, path: loggablePath(path), status: res.statusCode, ms: Math.round(ms * 10) / 10, client });
    });
    cors(req, res);
    setSecurityHeaders(res);
    Promise.resolve()
      .then(() => handle(req, res, { path, search: q === -1 ? "" : url.slice(q), rest: "", log }))
      .catch((error: unknown) => answerFailure(res, error, log));
  };
}
