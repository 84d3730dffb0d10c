// Imports nothing of the server, so a file may call it before choosing the database the entities load for.

/**
 * Whether tests that need a service (PostgreSQL, Redis, Chromium) can run. Outside CI a missing one skips them, saying
 * so; under CI=true it fails the file instead, so a run cannot go green by skipping what it was meant to test.
 */
export function requireService(tests: string, available: boolean, missing: string): boolean {
  if (available) return true;
  if (process.env.CI === "true") throw new Error(`CI=true: ${tests} tests cannot run: ${missing}`);
  process.stdout.write(`${tests} tests skipped: ${missing}\n`);
  return false;
}
