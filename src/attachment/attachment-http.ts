// The HTTP doors for files, beside GraphQL: POST /uploads (raw bytes), the owner's GET /files/<id>[/thumbnail], and
// the public files of a share link. GraphQL carries only ids and metadata (see README, "Attachments").
import type { IncomingMessage, ServerResponse } from "node:http";
import { DomainError, ErrorCode, RateLimitedError, UnauthenticatedError } from "../common/errors";
import { isId } from "../common/ids";
import type { User } from "../user/user.entity";
import { AttachmentKind } from "./attachment.entity";
import { freeze, TooLargeError, type AttachmentService, type StoredFile } from "./attachment.service";

/** Files are never documents of ours: no script, no plugin, no same-origin access, even if a browser renders one. */
export const FILE_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

export type ViewerOf = (authorization: string | undefined) => Promise<User | null>;

function sendError(res: ServerResponse, status: number, error: DomainError | { message: string; code: string }, headers: Record<string, string> = {}): void {
  const code = error instanceof DomainError ? error.code : error.code;
  const body = JSON.stringify({ errors: [{ message: error.message, extensions: { code, ...(error instanceof DomainError ? error.details : {}) } }] });
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store", ...headers });
  res.end(body);
}

/** The body, or null once it passed `limit` (then the rest is drained unread, never buffered). */
function readUpTo(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(req.headers["content-length"]) > limit) return Promise.resolve(null);
  // Events rather than `for await`: leaving that loop early destroys the socket before the 413 can be sent.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) resolve(null);
      else chunks.push(chunk);
    });
    req.on("end", () => size <= limit && resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Images (already re-encoded by us) are shown inline; everything else, PDF and text included, only downloads.
 * Thumbnails are WebP.
 */
export function sendFile(res: ServerResponse, file: StoredFile, cacheControl: string, head: boolean): void {
  const { attachment, bytes } = file;
  const image = attachment.kind === AttachmentKind.IMAGE;
  res.writeHead(200, {
    "content-type": file.thumbnail ? "image/webp" : attachment.type,
    "content-length": String(bytes.length),
    "content-disposition": contentDisposition(image ? "inline" : "attachment", attachment.name),
    "content-security-policy": FILE_CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "cross-origin-resource-policy": "same-site",
    "cache-control": cacheControl,
  });
  res.end(head ? undefined : bytes);
}

/** `<id>` or `<id>/thumbnail`, or null for anything else. */
export function parseFilePath(rest: string[]): { id: string; thumbnail: boolean } | null {
  const [id, variant, ...more] = rest;
  if (!id || !isId(id) || more.length > 0 || (variant !== undefined && variant !== "thumbnail")) return null;
  return { id, thumbnail: variant === "thumbnail" };
}

/** Maps what the services throw to HTTP; anything unexpected is the caller's to log as a 500. */
export function sendDomainError(res: ServerResponse, error: unknown): void {
  if (error instanceof TooLargeError) return sendError(res, 413, error, { connection: "close" });
  if (error instanceof RateLimitedError) return sendError(res, 429, error, { "retry-after": String(error.details?.retryAfterSeconds ?? 60) });
  if (error instanceof DomainError) {
    const status = { [ErrorCode.UNAUTHENTICATED]: 401, [ErrorCode.NOT_FOUND]: 404, [ErrorCode.FORBIDDEN]: 403 }[error.code as string] ?? 400;
    return sendError(res, status, error);
  }
  throw error;
}

export function createFileHandlers(attachments: AttachmentService, viewerOf: ViewerOf) {
  async function signedIn(req: IncomingMessage): Promise<User> {
    const viewer = await viewerOf(req.headers.authorization);
    if (!viewer) throw new UnauthenticatedError("Uploads and files need Authorization: Bearer <session token>.");
    return viewer;
  }

  /** POST /uploads?name=<file name>: the raw bytes as the body; answers 201 with the new attachment. */
  async function upload(req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
    try {
      const viewer = await signedIn(req);
      const bytes = await readUpTo(req, attachments.limits.maxFileBytes);
      if (bytes === null) throw new TooLargeError(`The file is larger than the limit of ${attachments.limits.maxFileBytes} bytes.`, { field: "file" });
      const name = new URLSearchParams(search).get("name") ?? undefined;
      const attachment = await attachments.upload(viewer, bytes, name);
      const body = JSON.stringify({ attachment: { ...freeze(attachment), url: attachment.url, thumbnailUrl: attachment.thumbnailUrl } });
      res.writeHead(201, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
      res.end(body);
    } catch (error) {
      sendDomainError(res, error);
    }
  }

  /** GET /files/<id>[/thumbnail] with the owner's bearer token. */
  async function ownFile(req: IncomingMessage, res: ServerResponse, rest: string[]): Promise<void> {
    try {
      const viewer = await signedIn(req);
      const path = parseFilePath(rest);
      if (!path) return sendError(res, 404, { message: "File not found.", code: ErrorCode.NOT_FOUND });
      // Private: only the owner's browser may keep it, and must ask again (a deleted conversation's files must go).
      sendFile(res, await attachments.ownFile(viewer, path.id, path.thumbnail), "private, no-store", req.method === "HEAD");
    } catch (error) {
      sendDomainError(res, error);
    }
  }

  return { upload, ownFile };
}
