// Every environment variable the server reads, parsed and validated once, with its default.
import path from "node:path";
import { loadManifest, type TrustedDocuments } from "./trusted-documents/manifest";
import proxyAddr from "proxy-addr";

export interface SqliteConfig {
  type: "sqlite";
  path: string;
}

export interface PostgresConfig {
  type: "postgres";
  url: string;
  /** Read replicas; the view path reads snapshots there but decides liveness on the primary. */
  replicaUrls: string[];
  /** Schema to use instead of public (each test run makes its own). */
  schema?: string;
  poolSize: number;
  statementTimeoutMs: number;
}

export type DatabaseConfig = SqliteConfig | PostgresConfig;

export interface Config {
  nodeEnv: string;
  port: number;
  host: string;
  database: DatabaseConfig;
  /** Folder for the SQLite file's neighbours: generated secrets live here. */
  dataDir: string;
  /** Redis shared by every instance (rate limits, cache invalidation); null for a single instance. */
  redisUrl: string | null;
  /** When set, /metrics answers only requests with `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** Prefix of every Redis key and channel, so deployments (and test runs) can share one Redis. */
  redisKeyPrefix: string;
  /** Public prefix of every share link; always ends with "/". */
  shareBaseUrl: string;
  /** HS256 keys for session tokens, newest first (it signs, all verify); empty means "generate and keep one in dataDir". */
  jwtSecrets: string[];
  /** Keys that seal link tokens at rest, newest first (it seals, all unseal); empty means "generate and keep one in dataDir". */
  shareLinkKeys: string[];
  /**
   * Which peers may tell the client's address in X-Forwarded-For: false (none: the TCP peer is the client), a number
   * of proxy hops, or addresses and CIDR ranges (proxy-addr's names such as "loopback" too).
   */
  trustProxy: false | number | string[];
  /** Lifetime of a session token, in seconds. */
  tokenTtlSeconds: number;
  /** log2 of scrypt's cost parameter N for new password hashes. */
  scryptLogN: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Origins allowed by CORS: "*" or a comma-separated list. */
  corsOrigins: string[] | "*";
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Longest lifetime an owner may give a link with expiresAt, in days. */
  shareMaxLifetimeDays: number;
  /** How often batched view counts are written to the database, in milliseconds. */
  viewCountFlushMs: number;
  /**
   * How long an idle kept-alive connection stays open, in seconds. Longer than the proxies in front keep theirs
   * (60 s for nginx and AWS's load balancers), so the server never closes one a proxy or client is about to reuse.
   */
  keepAliveTimeoutSeconds: number;
  /** Reports one client (a signed-in user, or else an IP address) may file per hour. */
  reportsPerHour: number;
  /** Where "Continue this conversation" on a share page sends people (with `token=<token>` added); null hides the button. */
  appImportUrl: string | null;
  /** Working links kept in memory with their snapshots (0 turns the cache off). */
  snapshotCacheSize: number;
  /** Bytes of snapshots kept in that cache; one larger than an eighth of it is not cached. */
  snapshotCacheMaxBytes: number;
  /** Bytes of whole public view responses kept in memory (0 turns that cache off). */
  responseCacheMaxBytes: number;
  /** Seconds shared caches (CDNs) may keep a public shared-link view: the longest a revoked link can still be served from them. */
  shareCacheMaxAgeSeconds: number;
  /** What a browser opening /graphql gets: Apollo Sandbox, a plain page, or nothing. */
  landingPage: "sandbox" | "plain" | "off";
  /** Whether the schema may be introspected (and suggested in error messages). */
  introspection: boolean;
  limits: RequestLimits;
  rateLimits: RateLimits;
  conversationLimits: ConversationLimits;
  attachmentLimits: AttachmentLimits;
  /** The operations the deployment's own clients were built with; null accepts any document (as before). */
  trustedDocuments: { file: string; documents: TrustedDocuments; only: boolean } | null;
  /** The apps that open share links (empty lists serve no association files). */
  appLinks: AppLinks;
}

/** Apps that may open share links instead of the browser: iOS universal links and Android App Links. */
export interface AppLinks {
  /** `<Team ID>.<bundle id>` of each iOS app. */
  appleAppIds: string[];
  androidApps: { packageName: string; sha256CertFingerprints: string[] }[];
}

/** What one conversation may hold (and so any snapshot of it); BAD_USER_INPUT beyond. */
export interface ConversationLimits {
  maxMessages: number;
  /** UTF-8 bytes of all message contents together. */
  maxBytes: number;
}

/** What uploads may cost: per file, per user, and how long an upload may wait to be attached. */
export interface AttachmentLimits {
  /** Bytes of one uploaded file; HTTP 413 beyond. */
  maxFileBytes: number;
  /** Bytes of all of one user's files together (uploads and attachments); HTTP 413 beyond. */
  maxBytesPerUser: number;
  /** Uploads never attached to a message are deleted after this many hours. */
  unattachedTtlHours: number;
}

/** Per-request limits, checked before any resolver runs. */
export interface RequestLimits {
  maxDepth: number;
  /** Depth of an introspection (__schema, __type) subtree, measured apart from maxDepth. */
  maxIntrospectionDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
  maxTokens: number;
}

/** Allowances per client; 0 turns a limit off. */
export interface RateLimits {
  loginsPerAccountPerHour: number;
  loginsPerIpPerHour: number;
  signupsPerIpPerHour: number;
  sharesPerUserPerHour: number;
  importsPerUserPerHour: number;
  viewsPerIpPerMinute: number;
  conversationsPerUserPerHour: number;
  messagesPerUserPerHour: number;
  uploadsPerUserPerHour: number;
  /** Bytes each in-memory limiter may hold (without Redis, or while Redis is down). */
  memoryMaxBytes: number;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** The one place a DATABASE_URL is read: `sqlite:<path>` or `postgres://…` (also `postgresql://`). */
export function parseDatabaseUrl(url: string, env: NodeJS.ProcessEnv = {}): DatabaseConfig {
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (!file) throw new ConfigError("DATABASE_URL: sqlite: needs a file path, e.g. sqlite:data/chat-share.sqlite");
    return { type: "sqlite", path: file };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const replicaUrls = listOf(env.DATABASE_REPLICA_URLS);
    for (const replica of replicaUrls) {
      if (!/^postgres(ql)?:\/\//.test(replica)) throw new ConfigError(`DATABASE_REPLICA_URLS: "${replica}" is not a postgres:// URL`);
    }
    return {
      type: "postgres",
      url,
      replicaUrls,
      schema: env.DATABASE_SCHEMA || undefined,
      poolSize: integer(env, "DATABASE_POOL_SIZE", 10, 1, 1000),
      statementTimeoutMs: integer(env, "DATABASE_STATEMENT_TIMEOUT_MS", 5000, 0, 3_600_000),
    };
  }
  // A bare file path is the commonest slip: say what to write instead.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) throw new ConfigError(`DATABASE_URL: "${url}" has no scheme; for a SQLite file write sqlite:${url}`);
  throw new ConfigError(`DATABASE_URL: unsupported scheme in "${url.split(":")[0]}:" (supported: sqlite:<path>, postgres://…)`);
}

const DEFAULT_DATABASE_URL = "sqlite:data/chat-share.sqlite";

/** Just the database, for command-line tools (migrate, user:role) that serve nothing and hold no keys. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return parseDatabaseUrl(env.DATABASE_URL || DEFAULT_DATABASE_URL, env);
}

/** Which SQL dialect a DATABASE_URL speaks, without validating the rest. */
export function dialectOf(url: string | undefined): DatabaseConfig["type"] {
  return url && /^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite";
}

/**
 * The dialect the entities are declared in, from DATABASE_URL as it is when they load: entity decorators run at
 * import, before loadConfig, so this is read on its own (db/columns.ts).
 */
export function entityDialect(env: NodeJS.ProcessEnv = process.env): DatabaseConfig["type"] {
  return dialectOf(env.DATABASE_URL);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function landingPage(raw: string | undefined, production: boolean): Config["landingPage"] {
  const value = raw || (production ? "plain" : "sandbox");
  if (value !== "sandbox" && value !== "plain" && value !== "off") throw new ConfigError(`LANDING_PAGE must be sandbox, plain or off, got "${value}"`);
  return value;
}

/** The items of a list variable (comma-separated unless said), trimmed, empty ones dropped. */
function listOf(raw: string | undefined, separator = ","): string[] {
  return (raw ?? "").split(separator).map((item) => item.trim()).filter(Boolean);
}

function httpUrl(name: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${raw}"`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new ConfigError(`${name} must be an http(s) URL`);
  return raw;
}

const NODE_ENVS = ["development", "production", "test"];

function nodeEnv(raw: string | undefined): string {
  const value = raw || "development";
  // "prod" taken as development would start a production server with generated keys and Sandbox.
  if (!NODE_ENVS.includes(value)) throw new ConfigError(`NODE_ENV must be one of ${NODE_ENVS.join(", ")}, got "${raw}"`);
  return value;
}

/** Browser origins are matched exactly against the Origin header, so each entry must be one: scheme://host[:port]. */
function corsOrigins(raw: string | undefined): Config["corsOrigins"] {
  const value = (raw ?? "*").trim();
  if (value === "*") return "*";
  return listOf(value).map((entry) => {
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== entry || !/^https?:/.test(entry)) {
      throw new ConfigError(`CORS_ORIGINS: "${entry}" is not an origin; write it as a browser sends it, e.g. https://app.example.com`);
    }
    return entry;
  });
}

const LOCAL_HOST = /^(localhost|.*\.localhost|127(\.\d+){3}|0\.0\.0\.0|\[::1?\])$/i;

/**
 * Production refuses what development generates or assumes: keys made up on one machine (other instances and a
 * restored backup would not share them) and share links that point at localhost.
 */
function requireProductionSettings(env: NodeJS.ProcessEnv): void {
  const missing = ["JWT_SECRET", "SHARE_LINK_KEY", "SHARE_BASE_URL"].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(`NODE_ENV=production needs ${missing.join(", ")} set explicitly (see the README's Configuration)`);
  }
  if (LOCAL_HOST.test(new URL(env.SHARE_BASE_URL!).hostname)) {
    throw new ConfigError(`SHARE_BASE_URL points at this machine ("${env.SHARE_BASE_URL}"); in production it must be the public prefix people open`);
  }
}

function shareBaseUrl(raw: string): string {
  const parsed = new URL(httpUrl("SHARE_BASE_URL", raw));
  if (!raw.endsWith("/")) throw new ConfigError(`SHARE_BASE_URL must end with "/", got "${raw}"`);
  if (parsed.search || parsed.hash) throw new ConfigError("SHARE_BASE_URL must not have a query or fragment");
  return raw;
}

function trustedDocuments(env: NodeJS.ProcessEnv): Config["trustedDocuments"] {
  const only = boolean(env, "TRUSTED_DOCUMENTS_ONLY", false);
  const file = env.TRUSTED_DOCUMENTS || "";
  if (!file) {
    if (only) throw new ConfigError("TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS, the path of a trusted-documents manifest");
    return null;
  }
  try {
    return { file, documents: loadManifest(file), only };
  } catch (error) {
    throw new ConfigError(`TRUSTED_DOCUMENTS: "${file}" ${(error as Error).message}`);
  }
}

const APPLE_APP_ID = /^[A-Z0-9]{10}\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
const ANDROID_PACKAGE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
const SHA256_FINGERPRINT = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/;

/** APPLE_APP_IDS=`TEAMID.bundle.id,…`; ANDROID_APP_PACKAGES=`package=FINGERPRINT,FINGERPRINT;package=FINGERPRINT`. */
function appLinks(env: NodeJS.ProcessEnv): AppLinks {
  const appleAppIds = listOf(env.APPLE_APP_IDS);
  for (const id of appleAppIds) {
    if (!APPLE_APP_ID.test(id)) throw new ConfigError(`APPLE_APP_IDS: "${id}" is not <10-character Team ID>.<bundle id>, e.g. ABCDE12345.com.example.chat`);
  }
  const androidApps = listOf(env.ANDROID_APP_PACKAGES, ";").map((entry) => {
    const [packageName, fingerprints = ""] = entry.split("=").map((part) => part.trim());
    if (!ANDROID_PACKAGE.test(packageName)) throw new ConfigError(`ANDROID_APP_PACKAGES: "${packageName}" is not an Android package name, e.g. com.example.chat`);
    const sha256CertFingerprints = listOf(fingerprints).map((f) => f.toUpperCase());
    if (sha256CertFingerprints.length === 0) throw new ConfigError(`ANDROID_APP_PACKAGES: ${packageName} needs its signing certificate's SHA-256 fingerprint after "="`);
    for (const f of sha256CertFingerprints) {
      if (!SHA256_FINGERPRINT.test(f)) throw new ConfigError(`ANDROID_APP_PACKAGES: "${f}" is not a SHA-256 fingerprint (32 hex pairs separated by colons, as keytool prints it)`);
    }
    return { packageName, sha256CertFingerprints };
  });
  return { appleAppIds, androidApps };
}

/** A comma-separated list of keys, newest first, each long enough to be a key. */
function keyList(env: NodeJS.ProcessEnv, name: string): string[] {
  const keys = listOf(env[name]);
  if (keys.some((key) => Buffer.byteLength(key) < 32)) {
    throw new ConfigError(`${name} must be at least 32 bytes long (each key, when a comma separates several)`);
  }
  return keys;
}

function trustProxy(raw: string | undefined): Config["trustProxy"] {
  const value = (raw ?? "").trim();
  if (value === "" || value === "false" || value === "0") return false;
  if (/^\d+$/.test(value)) return Math.min(Number(value), 100);
  if (value === "true") throw new ConfigError("TRUST_PROXY=true would let any client choose its address: give a hop count or the proxies' addresses");
  const list = listOf(value);
  try {
    proxyAddr.compile(list);
  } catch (error) {
    throw new ConfigError(`TRUST_PROXY: ${(error as Error).message} (expected a hop count, or addresses, CIDR ranges, loopback, linklocal, uniquelocal)`);
  }
  return list;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const environment = nodeEnv(env.NODE_ENV);
  const port = integer(env, "PORT", 4000, 0, 65535);
  const database = loadDatabaseConfig(env);
  const logLevel = (env.LOG_LEVEL || "info") as Config["logLevel"];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  const baseUrl = shareBaseUrl(env.SHARE_BASE_URL || "http://localhost:4000/share/");
  if (environment === "production") requireProductionSettings(env);
  return {
    nodeEnv: environment,
    port,
    host: env.HOST || "127.0.0.1",
    database,
    dataDir: env.DATA_DIR || (database.type === "sqlite" ? path.dirname(database.path) : "data"),
    redisUrl: env.REDIS_URL || null,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || "chat-share",
    metricsToken: env.METRICS_TOKEN || null,
    shareBaseUrl: baseUrl,
    jwtSecrets: keyList(env, "JWT_SECRET"),
    shareLinkKeys: keyList(env, "SHARE_LINK_KEY"),
    trustProxy: trustProxy(env.TRUST_PROXY),
    tokenTtlSeconds: integer(env, "TOKEN_TTL_SECONDS", 7 * 24 * 3600, 60, 365 * 24 * 3600),
    scryptLogN: integer(env, "SCRYPT_LOG_N", 17, 10, 20),
    maxBodyBytes: integer(env, "MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    logLevel,
    shareMaxLifetimeDays: integer(env, "SHARE_MAX_LIFETIME_DAYS", 365, 1, 3650),
    viewCountFlushMs: integer(env, "VIEW_COUNT_FLUSH_MS", 5000, 100, 3_600_000),
    keepAliveTimeoutSeconds: integer(env, "KEEP_ALIVE_TIMEOUT_SECONDS", 65, 1, 3600),
    reportsPerHour: integer(env, "REPORTS_PER_HOUR", 10, 0, 1_000_000),
    appImportUrl: env.APP_IMPORT_URL ? httpUrl("APP_IMPORT_URL", env.APP_IMPORT_URL) : null,
    shareCacheMaxAgeSeconds: integer(env, "SHARE_CACHE_MAX_AGE_SECONDS", 30, 0, 86_400),
    snapshotCacheSize: integer(env, "SNAPSHOT_CACHE_SIZE", 10_000, 0, 10_000_000),
    snapshotCacheMaxBytes: integer(env, "SNAPSHOT_CACHE_MAX_BYTES", 64 * 1024 * 1024, 0, 8 * 1024 * 1024 * 1024),
    responseCacheMaxBytes: integer(env, "RESPONSE_CACHE_MAX_BYTES", 64 * 1024 * 1024, 0, 8 * 1024 * 1024 * 1024),
    landingPage: landingPage(env.LANDING_PAGE, env.NODE_ENV === "production"),
    introspection: boolean(env, "INTROSPECTION", env.NODE_ENV !== "production"),
    limits: {
      maxDepth: integer(env, "MAX_QUERY_DEPTH", 12, 2, 100),
      maxIntrospectionDepth: integer(env, "MAX_INTROSPECTION_DEPTH", 20, 2, 100),
      maxAliases: integer(env, "MAX_QUERY_ALIASES", 30, 0, 1000),
      maxDirectives: integer(env, "MAX_QUERY_DIRECTIVES", 20, 0, 1000),
      maxCost: integer(env, "MAX_QUERY_COST", 10_000, 10, 10_000_000),
      maxTokens: integer(env, "MAX_QUERY_TOKENS", 2_000, 100, 1_000_000),
    },
    rateLimits: {
      loginsPerAccountPerHour: integer(env, "LOGINS_PER_ACCOUNT_PER_HOUR", 20, 0, 1_000_000),
      loginsPerIpPerHour: integer(env, "LOGINS_PER_IP_PER_HOUR", 200, 0, 1_000_000),
      signupsPerIpPerHour: integer(env, "SIGNUPS_PER_IP_PER_HOUR", 20, 0, 1_000_000),
      sharesPerUserPerHour: integer(env, "SHARES_PER_USER_PER_HOUR", 300, 0, 1_000_000),
      importsPerUserPerHour: integer(env, "IMPORTS_PER_USER_PER_HOUR", 300, 0, 1_000_000),
      viewsPerIpPerMinute: integer(env, "VIEWS_PER_IP_PER_MINUTE", 600, 0, 100_000_000),
      conversationsPerUserPerHour: integer(env, "CONVERSATIONS_PER_USER_PER_HOUR", 300, 0, 1_000_000),
      messagesPerUserPerHour: integer(env, "MESSAGES_PER_USER_PER_HOUR", 1_000, 0, 1_000_000),
      uploadsPerUserPerHour: integer(env, "UPLOADS_PER_USER_PER_HOUR", 100, 0, 1_000_000),
      memoryMaxBytes: integer(env, "RATE_LIMIT_MEMORY_MAX_BYTES", 4 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    },
    conversationLimits: {
      maxMessages: integer(env, "MAX_MESSAGES_PER_CONVERSATION", 5_000, 1, 1_000_000),
      maxBytes: integer(env, "MAX_CONVERSATION_BYTES", 10_000_000, 1_000, 1024 * 1024 * 1024),
    },
    attachmentLimits: {
      maxFileBytes: integer(env, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxBytesPerUser: integer(env, "MAX_UPLOAD_BYTES_PER_USER", 1024 * 1024 * 1024, 1024, 1024 * 1024 * 1024 * 1024),
      unattachedTtlHours: integer(env, "UNATTACHED_UPLOAD_TTL_HOURS", 24, 1, 24 * 365),
    },
    trustedDocuments: trustedDocuments(env),
    appLinks: appLinks(env),
  };
}
