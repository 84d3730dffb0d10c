// Links that expire during a test. The server reads the real clock, so the window is generous: a request on a
// loaded 2-core machine can take seconds, and the expiry must still be in the future when it arrives.
const EXPIRY_MARGIN_MS = 5_000;

/** An `expiresAt` a few seconds ahead: still the future when the share request is handled, however slow. */
export function expiringSoon(): string {
  return new Date(Date.now() + EXPIRY_MARGIN_MS).toISOString();
}

/** Resolves once `iso` is in the past, so a link with that expiry has expired. */
export async function untilPast(iso: string): Promise<void> {
  const wait = Date.parse(iso) - Date.now() + 50;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
