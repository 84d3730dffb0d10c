// Turns the usual reasons a server cannot start (a busy port, a database that does not answer or does not exist)
// into one line naming the cause and the variable to change, instead of a stack trace among the JSON logs.
import type { Config, DatabaseConfig } from "./config";

/** What start-up was doing when it failed: each step has its own variables to blame. */
export type StartupStep = "database" | "redis" | "listen";

interface ErrorFacts {
  code?: string;
  syscall?: string;
}

/** Node's net errors carry `code`; a connection tried on several addresses fails with an AggregateError of them. */
function facts(error: unknown): ErrorFacts {
  const e = error as { code?: unknown; syscall?: unknown; errors?: unknown[] };
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (!code && Array.isArray(e?.errors) && e.errors.length > 0) return facts(e.errors[0]);
  return { code, syscall: typeof e?.syscall === "string" ? e.syscall : undefined };
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET"]);
const UNKNOWN_HOST = new Set(["ENOTFOUND", "EAI_AGAIN"]);

/** host:port and database name of a PostgreSQL URL, never its password. */
function describePostgres(url: string): { where: string; database: string; user: string } {
  const parsed = new URL(url);
  return {
    where: `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`,
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || "postgres",
    user: decodeURIComponent(parsed.username) || "(default user)",
  };
}

function databaseProblem(database: DatabaseConfig, { code }: ErrorFacts): string | undefined {
  if (database.type === "sqlite") {
    if (code && /^(SQLITE_CANTOPEN|SQLITE_READONLY|EACCES|EROFS|ENOTDIR|EISDIR|EPERM)/.test(code)) {
      return `cannot open the SQLite file ${database.path} (${code}): set DATABASE_URL to a file in a writable folder`;
    }
    return undefined;
  }
  const { where, database: name, user } = describePostgres(database.url);
  if (code && UNREACHABLE.has(code)) return `PostgreSQL at ${where} does not answer (${code}): start it, or set DATABASE_URL to one that runs`;
  if (code && UNKNOWN_HOST.has(code)) return `PostgreSQL host of DATABASE_URL (${where}) is not found (${code}): check the host name in DATABASE_URL`;
  if (code === "3D000") return `PostgreSQL at ${where} has no database "${name}": create it (createdb ${name}) or set DATABASE_URL to an existing one`;
  if (code === "3F000") return `PostgreSQL database "${name}" has no schema "${database.schema}": create it or set DATABASE_SCHEMA`;
  if (code === "28P01" || code === "28000") return `PostgreSQL at ${where} refused user "${user}" (${code}): check the user and password in DATABASE_URL`;
  return undefined;
}

function redisProblem(url: string, { code }: ErrorFacts, message: string): string | undefined {
  const parsed = new URL(url);
  const where = `${parsed.hostname}:${parsed.port || "6379"}`;
  // ioredis rejects connect() with "Connection is closed." and logs the cause (ECONNREFUSED, ...) as a "redis error".
  if (message === "Connection is closed.") return `Redis at ${where} does not answer (see "redis error" above): start it, or set REDIS_URL to one that runs (or unset it for a single instance)`;
  if (code && UNREACHABLE.has(code)) return `Redis at ${where} does not answer (${code}): start it, or set REDIS_URL to one that runs (or unset it for a single instance)`;
  if (code && UNKNOWN_HOST.has(code)) return `Redis host of REDIS_URL (${where}) is not found (${code}): check the host name in REDIS_URL`;
  return undefined;
}

function listenProblem(config: Config, { code }: ErrorFacts): string | undefined {
  const at = `${config.host}:${config.port}`;
  if (code === "EADDRINUSE") return `port ${config.port} is already in use on ${config.host} (EADDRINUSE): stop what holds it, or set PORT to a free port`;
  if (code === "EACCES") return `no permission to listen on ${at} (EACCES): set PORT to 1024 or above`;
  if (code === "EADDRNOTAVAIL") return `${config.host} is not an address of this machine (EADDRNOTAVAIL): set HOST, e.g. 127.0.0.1 or 0.0.0.0`;
  return undefined;
}

/** One line for a failure we can explain, or undefined for anything else (which keeps its stack trace). */
export function explainStartupFailure(step: StartupStep, error: unknown, config: Config): string | undefined {
  const found = facts(error);
  if (step === "database") return databaseProblem(config.database, found);
  if (step === "redis") return config.redisUrl ? redisProblem(config.redisUrl, found, error instanceof Error ? error.message : "") : undefined;
  return listenProblem(config, found);
}
