// The HTML page a share link opens in a browser. (Placeholder until the page is built: answers 404.)
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "../config";
import type { Services } from "../context";

export interface SharePageOptions {
  config: Config;
  services: Services;
}

/** Handles every request under SHARE_BASE_URL's path; `rest` is what follows that prefix (the token, and more). */
export function createSharePageHandler(_options: SharePageOptions) {
  return async (_req: IncomingMessage, res: ServerResponse, _rest: string): Promise<void> => {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("Not found");
  };
}
