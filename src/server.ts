// Builds the HTTP server and Apollo around a given DataSource and config. Importing this file starts nothing.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import type { GraphQLSchema } from "graphql";
import type { DataSource } from "typeorm";
import type { Config } from "./config";
import { createLoaders, type Context, type Services } from "./context";
import { ErrorCode } from "./common/errors";
import { makeFormatError } from "./common/format-error";
import type { Logger } from "./common/logger";
import { loadOrCreateSecret } from "./auth/secrets";
import { PasswordHasher } from "./auth/passwords";
import { SessionTokens } from "./auth/tokens";
import { Transactions } from "./db/transactions";
import { buildAppSchema } from "./schema";
import { landingPagePlugin } from "./landing-page";
import { UserService } from "./user/user.service";
import { ConversationService } from "./conversation/conversation.service";
import { ShareService } from "./share/share.service";
import { ShareLinks } from "./share/share-links";
import { ViewCounter } from "./share/view-counter";
import { DataExportService } from "./user/data-export.service";
import { ModerationService } from "./moderation/moderation.service";
import { MemoryRateLimiter } from "./common/rate-limit";
import { createSharePageHandler } from "./share-page/share-page";

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
  const jwtSecret = loadOrCreateSecret({ envName: "JWT_SECRET", envValue: config.jwtSecret, fileName: "jwt-secret" }, config.dataDir, logger);
  const linkKey = loadOrCreateSecret(
    { envName: "SHARE_LINK_KEY", envValue: config.shareLinkKey, fileName: "share-link-key" },
    config.dataDir,
    logger,
  );
  const transactions = new Transactions(dataSource);
  const tokens = new SessionTokens(jwtSecret, config.tokenTtlSeconds);
  const links = new ShareLinks(config.shareBaseUrl, linkKey);
  const views = new ViewCounter(transactions, logger, config.viewCountFlushMs);
  const conversations = new ConversationService(dataSource, transactions);
  const shares = new ShareService(dataSource, transactions, conversations, links, views, {
    maxLifetimeDays: config.shareMaxLifetimeDays,
    cacheMaxAgeSeconds: config.shareCacheMaxAgeSeconds,
  });
  const services: Services = {
    users: new UserService(dataSource, transactions, new PasswordHasher(config.scryptLogN), tokens),
    conversations,
    shares,
    dataExport: new DataExportService(dataSource, links, views),
    moderation: new ModerationService(dataSource, transactions, shares, new MemoryRateLimiter(config.reportsPerHour, 3600_000)),
  };

  const httpServer = http.createServer();
  const schema = await buildAppSchema();
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: makeFormatError(logger),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), landingPagePlugin(config.landingPage)],
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

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
    const body = req.method === "POST" ? parseBody(req, await readBody(req, config.maxBodyBytes)) : undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers: toHeaderMap(req), search, body },
      context: async () => ({
        viewer: await viewerOf(req.headers.authorization),
        clientIp: req.socket.remoteAddress ?? "unknown",
        loaders: createLoaders(dataSource, services),
        services,
      }),
    });
    await writeGraphQLResponse(res, response);
  }

  const sharePagePrefix = new URL(config.shareBaseUrl).pathname;
  const sharePage = createSharePageHandler({ config, services });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const search = q === -1 ? "" : url.slice(q);
    cors(req, res);
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
      return handleGraphQL(req, res, search);
    }
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      return sendJson(res, 200, { status: "ok" });
    }
    if (path === "/readyz" && (req.method === "GET" || req.method === "HEAD")) {
      try {
        await dataSource.query("SELECT 1");
        return sendJson(res, 200, { status: "ready" });
      } catch (error) {
        logger.warn("readiness check failed", { error: String(error) });
        return sendJson(res, 503, { status: "unavailable" });
      }
    }
    if (path.startsWith(sharePagePrefix) && path.length > sharePagePrefix.length) {
      return sharePage(req, res, path.slice(sharePagePrefix.length));
    }
    sendJson(res, 404, { error: "Not found. GraphQL is served at /graphql." });
  }

  httpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader("connection", "close");
        return sendGraphQLError(res, error.status, error.message);
      }
      logger.error("request failed", { error: error instanceof Error ? error.stack : String(error) });
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
      await views.stop();
    },
  };
}
