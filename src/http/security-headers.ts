// The security headers of every response, the stricter set of every HTML page, and those of every stored file.
import type { ServerResponse } from "node:http";

/** Responses may carry share links: never leak them to other sites, never index them, never sniff their type. */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex",
  "x-content-type-options": "nosniff",
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) res.setHeader(name, value);
}

/** An HTML page's headers: the base set, its content security policy, and no framing or opener access. */
export function pageSecurityHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy,
    ...BASE_SECURITY_HEADERS,
    // For browsers that predate frame-ancestors.
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
  };
}

/**
 * A stored file's headers (an upload, a snapshot's copy): the base set, and a policy under which a file is never a
 * document of ours even if a browser renders one: no script, no plugin, no same-origin access; no other site embeds it.
 */
export const FILE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...BASE_SECURITY_HEADERS,
  "content-security-policy": "default-src 'none'; sandbox",
  "cross-origin-resource-policy": "same-site",
};
