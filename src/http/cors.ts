// Which browser origins may read our answers (CORS_ORIGINS).
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
