// The security headers of every response, and the stricter set of every HTML page.
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
