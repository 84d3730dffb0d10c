// Reads a request body up to a limit, for every door that takes one (/graphql, the report form, /uploads).
import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors";

/** The media type a request declares, without parameters, lower-cased; "" when it declares none. */
export function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

/** The body as UTF-8 text; see readBodyBytes. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return (await readBodyBytes(req, maxBytes)).toString("utf8");
}

/**
 * The body's bytes, or an HttpError 413 as soon as it passes `maxBytes` (declared or streamed), without buffering a
 * byte past the limit. Events rather than `for await`: leaving that loop early destroys the socket before the 413 can
 * be sent; here the rest is drained and dropped.
 */
export function readBodyBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `The request body is larger than the limit of ${maxBytes} bytes.`);
  if (Number(req.headers["content-length"]) > maxBytes) {
    // Drain what arrives while the 413 is written: unread bytes left at close make the kernel reset the connection,
    // and a client still sending then loses the answer.
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size > maxBytes) return; // already refused
      size += chunk.length;
      if (size > maxBytes) reject(tooLarge());
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (size <= maxBytes) resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}
