// The headers every share page is sent with, and the one function that sends a page.
import type { ServerResponse } from "node:http";
import type { Html } from "./html";
import { STYLESHEET_CSP_HASH } from "./styles";

/**
 * A working link: the same rule as the GraphQL view (SHARE_CACHE_MAX_AGE_SECONDS, public), so a CDN may absorb a
 * viral link, and a revoked one disappears from caches within that many seconds.
 */
export function cacheControlLive(maxAgeSeconds: number): string {
  return maxAgeSeconds > 0 ? `max-age=${maxAgeSeconds}, public` : "no-store";
}
/** Everything a SIGNED_IN link answers: what it shows depends on who asks, so no cache may keep it for anyone. */
export const CACHE_CONTROL_SIGNED_IN = "private, no-store";
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

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  // A share link is private to whoever was given it: keep it out of search engines and out of Referer headers.
  "x-robots-tag": "noindex",
  "referrer-policy": "no-referrer",
  // For browsers that predate frame-ancestors.
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

export function sendPage(res: ServerResponse, status: number, page: Html, cacheControl: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(page.value)),
    "cache-control": cacheControl,
    ...headers,
  });
  res.end(page.value);
}
