// Wires the parts together: services, Apollo, the route table and the request log. Each handler lives with its
// owner; adding a route is one line in `routes` below. Importing this file starts nothing.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { GraphQLSchema } from "graphql";
import type { DataSource } from "typeorm";
import type { Config } from "./config";
import type { Services } from "./context";
import type { Logger } from "./common/logger";
import { connectRedis } from "./common/redis";
import { clientAddressOf } from "./common/client-address";
import { buildAppSchema } from "./schema";
import { createServices } from "./services";
import { Metrics } from "./metrics";
import { bearerViewer } from "./auth/bearer";
import { startApollo } from "./graphql/apollo";
import { createGraphQLHandler } from "./graphql/graphql-handler";
import { healthRoutes } from "./http/health";
import { corsFor } from "./http/cors";
import { sendJson } from "./http/errors";
import { requestListener } from "./http/requests";
import { routeTable, type Route } from "./http/routes";
import { appLinkRoutes } from "./app-links/app-links";
import { loggablePathFor, sharePageRoute } from "./share-page/share-page";
import { fileRoutes } from "./attachment/attachment-http";

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

export async function createServer({ config, dataSource, logger }: ServerOptions): Promise<AppServer> {
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const metrics = new Metrics(dataSource);
  const { services, tokens, responses, bus, stop: stopServices } = createServices(config, dataSource, logger, metrics, redis);
  const clientAddress = clientAddressOf(config.trustProxy);
  const httpServer = http.createServer({ keepAliveTimeout: config.keepAliveTimeoutSeconds * 1000 });
  const schema = await buildAppSchema();
  const apollo = await startApollo({ config, schema, httpServer, logger, metrics });
  const viewerOf = bearerViewer(tokens, services.users);

  // First match wins; a route with methods lets the others fall through to the next one.
  const routes: Route[] = [
    { path: "/graphql", handle: createGraphQLHandler({ config, dataSource, apollo, services, viewerOf, clientAddress, responses }) },
    metrics.route(config.metricsToken),
    ...healthRoutes({ dataSource, redis, bus }),
    ...fileRoutes(services.attachments, viewerOf),
    ...appLinkRoutes(config.appLinks, config.shareBaseUrl),
    sharePageRoute({ config, services, clientAddress, signedIn: async (req) => (await viewerOf(req.headers.authorization)) !== null }),
  ];
  const sharePagePrefix = new URL(config.shareBaseUrl).pathname;
  httpServer.on(
    "request",
    requestListener({
      logger,
      clientAddress,
      cors: corsFor(config.corsOrigins),
      loggablePath: loggablePathFor(config.shareBaseUrl),
      finished: (method, path, status) => metrics.httpRequests.inc({ method, route: Metrics.route(path, sharePagePrefix), status: String(status) }),
      handle: routeTable(routes, (_req, res) => sendJson(res, 404, { error: "Not found. GraphQL is served at /graphql." })),
    }),
  );

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
