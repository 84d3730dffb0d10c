// Apollo Server as this API runs it: the limits, the error masking and the plugins, in the order they must run.
import type http from "node:http";
import { cacheControlPlugins } from "../common/cache-control";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import type { GraphQLSchema } from "graphql";
import type { Config } from "../config";
import type { Context } from "../context";
import { errorLoggingPlugin, formatError, formatErrorHidingSchema } from "../common/format-error";
import type { Logger } from "../common/logger";
import { costLimitPlugin, limitRules, textSafetyPlugin } from "../common/request-limits";
import { legacyJsonStatusPlugin } from "../common/response-status";
import { landingPagePlugin } from "../landing-page";
import type { Metrics } from "../metrics";

export interface ApolloOptions {
  config: Config;
  schema: GraphQLSchema;
  httpServer: http.Server;
  logger: Logger;
  metrics: Metrics;
}

/** Built and started: ready for executeHTTPGraphQLRequest. */
export async function startApollo({ config, schema, httpServer, logger, metrics }: ApolloOptions): Promise<ApolloServer<Context>> {
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
      // One Cache-Control per response, read off the operation, instead of Apollo's per-field hint gathering.
      ...cacheControlPlugins(new Map([["sharedConversation", config.shareCacheMaxAgeSeconds]])),
    ],
  });
  await apollo.start();
  return apollo;
}
