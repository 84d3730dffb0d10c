// Structured JSON logs (pino) on stderr: one object a line, with the request id on every line of a request.
import pino, { type DestinationStream } from "pino";
import type { Config } from "../config";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `bindings` (such as the request id) to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

function wrap(base: pino.Logger): Logger {
  return {
    debug: (msg, fields) => base.debug(fields ?? {}, msg),
    info: (msg, fields) => base.info(fields ?? {}, msg),
    warn: (msg, fields) => base.warn(fields ?? {}, msg),
    error: (msg, fields) => base.error(fields ?? {}, msg),
    child: (bindings) => wrap(base.child(bindings)),
  };
}

export function createLogger(level: Config["logLevel"], write?: (line: string) => void): Logger {
  const destination: DestinationStream = write ? { write } : pino.destination(2);
  return wrap(
    pino(
      {
        level,
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        // Defence in depth: whatever a caller passes, these never reach a log line.
        redact: { paths: ["password", "token", "authorization", "*.password", "*.token", "*.authorization", "link", "*.link"], censor: "[redacted]" },
      },
      destination,
    ),
  );
}
