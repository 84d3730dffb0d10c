// The headers every share page is sent with, and the one function that sends a page.
import type { ServerResponse } from "node:http";
import { pageSecurityHeaders } from "../http/security-headers";
import type { Html } from "./html";
import { STYLESHEET_CSP_HASH } from "./styles";

/**
 * A working link: the same rule as the GraphQL view (SHARE_CACHE_MAX_AGE_SECONDS, public), so a CDN may absorb a
 * viral link, and a revoked one disappears from caches within that many seconds.
 */
export function cacheControlLive(maxAgeSeconds: number): string {
  return maxAgeSeconds > 0 ? `max-age=${maxAgeSeconds}, public` : "no-store";
}
/** Dead links, report forms and their answers: never stored, so a link that comes back is not shown as dead. */
export const CACHE_CONTROL_DEAD = "no-store";

/**
 * No script at all, only our own stylesheet (by hash), no images but the inline icon, forms only to us,
 * and nobody may frame the page. Message content is sanitized too; this is what holds if that ever fails.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${STYLESHEET_CSP_HASH}`,
  "img-src data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = pageSecurityHeaders(CONTENT_SECURITY_POLICY);

export function sendPage(res: ServerResponse, status: number, page: Html, cacheControl: string, headers: Record<string, string> = {}): void {
  send(res, status, page.value, cacheControl, { "content-type": "text/html; charset=utf-8", ...headers });
}

/** A link's preview card: the same headers and cache rule as its page. */
export function sendPng(res: ServerResponse, png: Buffer, cacheControl: string): void {
  send(res, 200, png, cacheControl, { "content-type": "image/png" });
}

function send(res: ServerResponse, status: number, body: string | Buffer, cacheControl: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": cacheControl,
    ...headers,
  });
  res.end(body);
}
