// Which browser origins may read our answers (CORS_ORIGINS), and what their preflights are told.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "../config";

export function corsFor(origins: Config["corsOrigins"]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const origin = req.headers.origin;
    if (origins === "*") res.setHeader("access-control-allow-origin", "*");
    else if (origin && origins.includes(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "Origin");
    }
  };
}

/** The answer to a CORS preflight of an API door (/graphql, /uploads, /files/): what a browser client may send. */
export function sendPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": "content-type, authorization, apollo-require-preflight, x-apollo-operation-name",
    "access-control-max-age": "600",
  });
  res.end();
}
