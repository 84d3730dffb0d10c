// Reads a small urlencoded form body, refusing anything else or anything bigger without buffering it.
import type { IncomingMessage } from "node:http";

export type FormBody = { ok: true; fields: URLSearchParams } | { ok: false; status: 413 | 415 };

export function readFormBody(req: IncomingMessage, maxBytes: number): Promise<FormBody> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return Promise.resolve({ ok: false, status: 415 });
  if (Number(req.headers["content-length"]) > maxBytes) return Promise.resolve({ ok: false, status: 413 });
  // Events rather than `for await`: leaving that loop early destroys the socket before the 413 can be sent.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size > maxBytes) return; // already answered; the rest is drained and dropped
      size += chunk.length;
      if (size > maxBytes) resolve({ ok: false, status: 413 });
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (size <= maxBytes) resolve({ ok: true, fields: new URLSearchParams(Buffer.concat(chunks).toString("utf8")) });
    });
    req.on("error", reject);
  });
}
