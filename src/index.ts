// Entry point: read the environment, open and migrate the database, serve until told to stop.
import "reflect-metadata";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./common/logger";
import { createDataSource, QueryCounter } from "./db/data-source";
import { createServer } from "./server";
import { runPendingMigrations } from "./db/migrate";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const dataSource = createDataSource({
    database: config.database,
    logger: new QueryCounter((error, query) => logger.error("query failed", { error: String(error), query })),
  });
  await dataSource.initialize();
  const applied = await runPendingMigrations(dataSource);
  if (applied.length > 0) logger.info("applied migrations", { migrations: applied });

  const server = await createServer({ config, dataSource, logger });
  const url = await server.listen();
  logger.info(`chat-share listening on ${url}/graphql`, { shareBaseUrl: config.shareBaseUrl, database: config.database.type });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn(`second ${signal}: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: finishing in-flight requests`);
    await server.close();
    await dataSource.destroy();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(`chat-share failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
