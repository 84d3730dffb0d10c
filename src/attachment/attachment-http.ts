// The HTTP doors for files, beside GraphQL: POST /uploads (raw bytes), the owner's GET /files/<id>[/thumbnail], and
// the public files of a share link. GraphQL carries only ids and metadata (see README, "Attachments").
import type { IncomingMessage, ServerResponse } from "node:http";
import { NotFoundError, UnauthenticatedError } from "../common/errors";
import { isId } from "../common/ids";
import type { User } from "../user/user.entity";
import { readBodyBytes } from "../http/body";
import { sendPreflight } from "../http/cors";
import { HttpError, sendDomainError, sendJson } from "../http/errors";
import { GET_OR_HEAD, type Route } from "../http/routes";
import { FILE_SECURITY_HEADERS } from "../http/security-headers";
import { AttachmentKind } from "./attachment.entity";
import { freeze, TooLargeError, type AttachmentService, type StoredFile } from "./attachment.service";

export type ViewerOf = (authorization: string | undefined) => Promise<User | null>;

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
    ...FILE_SECURITY_HEADERS,
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

/** POST /uploads and the owner's GET|HEAD /files/<id>[/thumbnail], with their CORS preflights. */
export function fileRoutes(attachments: AttachmentService, viewerOf: ViewerOf): Route[] {
  async function signedIn(req: IncomingMessage): Promise<User> {
    const viewer = await viewerOf(req.headers.authorization);
    if (!viewer) throw new UnauthenticatedError("Uploads and files need Authorization: Bearer <session token>.");
    return viewer;
  }

  /**
   * POST /uploads?name=<file name>: the raw bytes as the body; answers 201 with the new attachment. What the services
   * refuse is answered by the route table (http/errors.ts); a file over the cap also closes the connection.
   */
  async function upload(req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
    try {
      const viewer = await signedIn(req);
      const bytes = await readBodyBytes(req, attachments.limits.maxFileBytes).catch((error: unknown) => {
        if (!(error instanceof HttpError && error.status === 413)) throw error;
        throw new TooLargeError(`The file is larger than the limit of ${attachments.limits.maxFileBytes} bytes (MAX_UPLOAD_BYTES).`, { field: "file" });
      });
      const name = new URLSearchParams(search).get("name") ?? undefined;
      const attachment = await attachments.upload(viewer, bytes, name);
      sendJson(res, 201, { attachment: { ...freeze(attachment), url: attachment.url, thumbnailUrl: attachment.thumbnailUrl } }, { "cache-control": "no-store" });
    } catch (error) {
      if (!(error instanceof TooLargeError)) throw error;
      sendDomainError(res, error, 413, { connection: "close" });
    }
  }

  /** GET /files/<id>[/thumbnail] with the owner's bearer token. */
  async function ownFile(req: IncomingMessage, res: ServerResponse, rest: string[]): Promise<void> {
    const viewer = await signedIn(req);
    const path = parseFilePath(rest);
    if (!path) throw new NotFoundError("File");
    // Private: only the owner's browser may keep it, and must ask again (a deleted conversation's files must go).
    sendFile(res, await attachments.ownFile(viewer, path.id, path.thumbnail), "private, no-store", req.method === "HEAD");
  }

  return [
    { path: "/uploads", methods: ["POST"], handle: (req, res, { search }) => upload(req, res, search) },
    { prefix: "/files/", methods: GET_OR_HEAD, handle: (req, res, { rest }) => ownFile(req, res, rest.split("/")) },
    // Browser clients on other origins (CORS_ORIGINS) send the bearer token, so they ask first.
    { path: "/uploads", methods: ["OPTIONS"], handle: (_req, res) => sendPreflight(res) },
    { prefix: "/files/", methods: ["OPTIONS"], handle: (_req, res) => sendPreflight(res) },
  ];
}
