// Reads a small urlencoded form body, refusing anything else or anything bigger without buffering it.
import type { IncomingMessage } from "node:http";
import { mediaTypeOf, readBody } from "../http/body";
import { HttpError } from "../http/errors";

export type FormBody = { ok: true; fields: URLSearchParams } | { ok: false; status: 413 | 415 };

export async function readFormBody(req: IncomingMessage, maxBytes: number): Promise<FormBody> {
  if (mediaTypeOf(req) !== "application/x-www-form-urlencoded") return { ok: false, status: 415 };
  try {
    return { ok: true, fields: new URLSearchParams(await readBody(req, maxBytes)) };
  } catch (error) {
    if (error instanceof HttpError && error.status === 413) return { ok: false, status: 413 };
    throw error;
  }
}
