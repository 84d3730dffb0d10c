// Builds the HTTP server and Apollo around a given DataSource and config. Importing this file starts nothing.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import type { GraphQLSchema } from "graphql";
import type { DataSource } from "typeorm";
import { createHash, randomUUID } from "node:crypto";
import type { Config } from "./config";
import { createLoaders, type Context, type Services } from "./context";
import { ErrorCode } from "./common/errors";
import { errorLoggingPlugin, formatError, formatErrorHidingSchema } from "./common/format-error";
import type { Logger } from "./common/logger";
import { costLimitPlugin, limitRules, textSafetyPlugin } from "./common/request-limits";
import { cacheControlPlugins } from "./common/cache-control";
import { legacyJsonStatusPlugin } from "./common/response-status";
import { buildAppSchema } from "./schema";
import { landingPagePlugin } from "./landing-page";
import { createServices } from "./services";
import { connectRedis, within } from "./common/redis";
import { Metrics } from "./metrics";
import { operationKey, PublicResponseCache, type OperationRequest } from "./share/public-response-cache";
import { createSharePageHandler } from "./share-page/share-page";
import { resolveTrustedDocument } from "./trusted-documents/trusted-documents";
import { appLinkFiles } from "./app-links/app-links";
import { clientAddressOf } from "./common/client-address";

export interface AppServer {
  httpServer: http.Server;
  schema: GraphQLSchema;
  services: Services;
  /** Starts listening; resolves with the base URL (useful with port 0). */
  listen(): Promise<string>;
  /** Stops taking requests, lets in-flight ones finish, then stops Apollo. The DataSource is the caller's. */
  close(): Promise<void>;
}

export interface ServerOptions {
  config: Config;
  dataSource: DataSource;
  logger: Logger;
}

const READY_TIMEOUT_MS = 1000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendGraphQLError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) throw new HttpError(413, `The request body is larger than the limit of ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `The request body is larger than the limit of ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(req: IncomingMessage, raw: string): unknown {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json" && type !== "application/graphql-response+json") return raw;
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, "The request body is not valid JSON.");
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A GET's operation, as Apollo reads it from the query string; undefined variables when they are not JSON. */
function searchParams(search: string): OperationRequest {
  const params = new URLSearchParams(search);
  const json = (name: string): unknown => {
    const text = params.get(name);
    if (text === null) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return Symbol("not JSON"); // never a key: canonical JSON has no symbols
    }
  };
  return { query: params.get("query") ?? undefined, operationName: params.get("operationName") ?? undefined, variables: json("variables"), extensions: json("extensions") };
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

async function writeGraphQLResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

export async function createServer({ config, dataSource, logger }: ServerOptions): Promise<AppServer> {
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const { services, tokens, linkCache, bus, stop: stopServices } = createServices(config, dataSource, logger, redis);
  const metrics = new Metrics(dataSource);
  linkCache.onLookup = (hit) => metrics.cacheLookups.inc({ result: hit ? "hit" : "miss" });
  const responses = new PublicResponseCache(config.responseCacheMaxBytes);
  linkCache.onInvalidate = () => responses.clear();

  const clientAddress = clientAddressOf(config.trustProxy);
  const httpServer = http.createServer();
  const schema = await buildAppSchema();
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: config.introspection ? formatError : formatErrorHidingSchema,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: !config.introspection,
    allowBatchedHttpRequests: false,
    // index.ts owns the signals: drain, close the database, exit 0.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    // With trusted documents only, nothing may register a new document, so Apollo's APQ cache is not even kept.
    ...(config.trustedDocuments?.only ? { persistedQueries: false as const } : {}),
    validationRules: limitRules(config.limits),
    parseOptions: { maxTokens: config.limits.maxTokens },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      landingPagePlugin(config.landingPage),
      // Text first: the cost estimator coerces variables, which must not be hostile by then.
      textSafetyPlugin(),
      costLimitPlugin(config.limits.maxCost),
      errorLoggingPlugin(logger),
      legacyJsonStatusPlugin(),
      metrics.plugin(),
      ...cacheControlPlugins(new Map([["sharedConversation", config.shareCacheMaxAgeSeconds]])),
    ],
  });
  await apollo.start();

  async function viewerOf(authorization: string | undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    const claims = match ? tokens.verify(match[1]) : null;
    return claims ? services.users.viewerFor(claims) : null;
  }

  function cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (config.corsOrigins === "*") res.setHeader("access-control-allow-origin", "*");
    else if (origin && config.corsOrigins.includes(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "Origin");
    }
  }

  /**
   * The key of a request whose response may come from the public response cache: the operation it asks for (see
   * operationKey), how it came and what the client accepts, which changes the response's type. GETs count only with
   * the preflight header, as Apollo's CSRF prevention requires. The body is the one already parsed for Apollo.
   */
  function responseCacheKey(req: IncomingMessage, body: unknown, search: string): string | undefined {
    if (!responses.enabled) return undefined;
    let operation: string | undefined;
    if (req.method === "POST" && (req.headers["content-type"] ?? "").startsWith("application/json") && isObject(body)) operation = operationKey(body);
    else if (req.method === "GET" && search && req.headers["apollo-require-preflight"]) operation = operationKey(searchParams(search));
    return operation && `${req.method} ${req.headers.accept ?? ""}\n${operation}`;
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, search: string, log: Logger): Promise<void> {
    const raw = req.method === "POST" ? await readBody(req, config.maxBodyBytes) : undefined;
    let request = { method: req.method ?? "GET", search, body: raw === undefined ? undefined : parseBody(req, raw) };
    if (config.trustedDocuments) {
      const resolution = resolveTrustedDocument(request, config.trustedDocuments);
      if ("refusal" in resolution) {
        const { status, code, message, headers } = resolution.refusal;
        // As Apollo answers: clients that accept the GraphQL media type read errors of a 400 only when it is used.
        const type = (req.headers.accept ?? "").includes("application/graphql-response+json") ? { "content-type": "application/graphql-response+json; charset=utf-8" } : undefined;
        return sendJson(res, status, { errors: [{ message, extensions: { code } }] }, { ...headers, ...type });
      }
      request = resolution.request;
    }
    const clientIp = clientAddress(req);
    // Keyed on the resolved document, so a view by documentId and by its text share one entry.
    const key = responseCacheKey(req, request.body, request.search);
    const hit = key ? responses.get(key) : undefined;
    if (hit && (await services.shareReader.countCachedView(clientIp, hit.shareIds))) {
      metrics.responseCacheHits.inc();
      // Only what is left of the freshness it was cached with, so shared caches downstream never add a second max-age.
      const remaining = Math.max(0, Math.floor((hit.staleAt - Date.now()) / 1000));
      res.writeHead(hit.status, { ...Object.fromEntries(hit.headers), "cache-control": remaining > 0 ? `max-age=${remaining}, public` : "no-store" });
      res.end(hit.body);
      return;
    }
    const generation = responses.generation;
    const publicViews: Context["publicViews"] = [];
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { ...request, headers: toHeaderMap(req) },
      context: async () => ({
        viewer: await viewerOf(req.headers.authorization),
        clientIp,
        loaders: createLoaders(dataSource, services),
        services,
        log,
        publicViews,
      }),
    });
    if (key) remember(key, response, publicViews, generation);
    await writeGraphQLResponse(res, response);
  }

  /**
   * Keeps a response that Apollo found publicly cacheable (and error-free) and that showed a working link, for as
   * long as it may be cached, and no longer than the links it shows are trusted (their cache age bound). Answers about dead or unknown links are not kept: random tokens must not be able to
   * push the hot links out.
   */
  function remember(key: string, response: HTTPGraphQLResponse, shown: Context["publicViews"], generation: number): void {
    if (shown.length === 0) return;
    const maxAge = /^max-age=(\d+), public$/.exec(response.headers.get("cache-control") ?? "");
    if (!maxAge || (response.status ?? 200) !== 200 || response.body.kind !== "complete") return;
    let staleAt = Date.now() + Number(maxAge[1]) * 1000;
    for (const { freshUntil } of shown) staleAt = Math.min(staleAt, freshUntil.getTime());
    if (staleAt <= Date.now()) return;
    responses.set(key, { status: 200, headers: [...response.headers], body: response.body.string, shareIds: shown.map((s) => s.shareId), staleAt }, generation);
  }

  const sharePagePrefix = new URL(config.shareBaseUrl).pathname;
  const appLinks = appLinkFiles(config.appLinks, config.shareBaseUrl);
  const sharePage = createSharePageHandler({ config, services, clientAddress });

  /**
   * Every dependency this instance was configured with, and whether it answers now, each within a second (a paused
   * Redis must not hang the probe). `subscriber` is the cache invalidation subscription: while it is down the
   * instance still answers correctly, but from the database alone.
   */
  async function readiness(): Promise<Record<string, boolean>> {
    const answers = (check: Promise<unknown>) => within(check, READY_TIMEOUT_MS).then((ok) => ok !== false, () => false);
    const [database, commands, subscriber] = await Promise.all([
      answers(dataSource.query("SELECT 1")),
      redis && answers(redis.commands.ping().then((pong) => pong === "PONG")),
      bus?.healthy(READY_TIMEOUT_MS),
    ]);
    return { database, ...(redis ? { redis: commands!, subscriber: subscriber ?? false } : {}) };
  }

  /** The path as it may be logged: a share link's token is replaced by a prefix of its hash. */
  function loggablePath(path: string): string {
    if (!path.startsWith(sharePagePrefix) || path.length === sharePagePrefix.length) return path;
    const [token, ...rest] = path.slice(sharePagePrefix.length).split("/");
    const digest = createHash("sha256").update(token).digest("hex").slice(0, 8);
    return [`${sharePagePrefix}<token ${digest}>`, ...rest].join("/");
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, search: string, log: Logger): Promise<void> {
    cors(req, res);
    // Responses may carry share links: never leak them to other sites, never index them.
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("x-robots-tag", "noindex");
    res.setHeader("x-content-type-options", "nosniff");
    if (path === "/graphql") {
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers": "content-type, authorization, apollo-require-preflight, x-apollo-operation-name",
          "access-control-max-age": "600",
        });
        res.end();
        return;
      }
      return handleGraphQL(req, res, search, log);
    }
    if (path === "/metrics" && req.method === "GET") {
      if (config.metricsToken && req.headers.authorization !== `Bearer ${config.metricsToken}`) return sendJson(res, 401, { error: "A metrics token is required." });
      const body = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      res.end(body);
      return;
    }
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      return sendJson(res, 200, { status: "ok" });
    }
    if (path === "/readyz" && (req.method === "GET" || req.method === "HEAD")) {
      const checks = await readiness();
      const ready = Object.values(checks).every((ok) => ok);
      if (!ready) log.warn("readiness check failed", { checks });
      return sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", checks });
    }
    if (appLinks.has(path) && (req.method === "GET" || req.method === "HEAD")) {
      // Fetched by Apple's and Google's crawlers from the share host; an hour keeps a new app ID's wait short.
      return sendJson(res, 200, appLinks.get(path), { "cache-control": "public, max-age=3600" });
    }
    if (path.startsWith(sharePagePrefix) && path.length > sharePagePrefix.length) {
      return sharePage(req, res, path.slice(sharePagePrefix.length));
    }
    sendJson(res, 404, { error: "Not found. GraphQL is served at /graphql." });
  }

  httpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const offered = req.headers["x-request-id"];
    const requestId = typeof offered === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(offered) ? offered : randomUUID();
    res.setHeader("x-request-id", requestId);
    const log = logger.child({ requestId });
    // Read now: once the response has finished, the socket may already be gone.
    const client = clientAddress(req);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.httpRequests.inc({ method: req.method ?? "", route: Metrics.route(path, sharePagePrefix), status: String(res.statusCode) });
      log.info("request", { method: req.method, path: loggablePath(path), status: res.statusCode, ms: Math.round(ms * 10) / 10, client });
    });
    handle(req, res, path, q === -1 ? "" : url.slice(q), log).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader("connection", "close");
        return sendGraphQLError(res, error.status, error.message);
      }
      log.error("request failed", { error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal server error.", extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
      else res.destroy();
    });
  });

  return {
    httpServer,
    schema,
    services,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(config.port, config.host, () => {
          const { port } = httpServer.address() as AddressInfo;
          const host = config.host.includes(":") ? `[${config.host}]` : config.host;
          resolve(`http://${host}:${port}`);
        });
      }),
    close: async () => {
      await apollo.stop();
      await stopServices();
      await redis?.close();
    },
  };
}
