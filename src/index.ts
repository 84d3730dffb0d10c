// Entry point: read the environment, open and migrate the database, serve until told to stop.
import "reflect-metadata";
import { ConfigError, loadConfig, type Config } from "./config";
import { createLogger } from "./common/logger";
import { createDataSource, QueryCounter } from "./db/data-source";
import { createServer } from "./server";
import { runPendingMigrations } from "./db/migrate";
import { explainStartupFailure, type StartupStep } from "./startup-errors";

/** Exit code of a start-up that the operator can fix by changing a variable, as for a bad value. */
const EXIT_FIX_CONFIGURATION = 2;

/** Runs one step of start-up; a failure it can explain ends the process with one line instead of a stack trace. */
async function step<T>(name: StartupStep, config: Config, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const explanation = explainStartupFailure(name, error, config);
    if (explanation === undefined) throw error;
    process.stderr.write(`chat-share cannot start: ${explanation}\n`);
    process.exit(EXIT_FIX_CONFIGURATION);
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(EXIT_FIX_CONFIGURATION);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const dataSource = createDataSource({
    database: config.database,
    logger: new QueryCounter((error, query) => logger.error("query failed", { error: String(error), query })),
  });
  const applied = await step("database", config, async () => {
    await dataSource.initialize();
    return runPendingMigrations(dataSource);
  });
  if (applied.length > 0) logger.info("applied migrations", { migrations: applied });

  const server = await step("redis", config, () => createServer({ config, dataSource, logger }));
  const url = await step("listen", config, () => server.listen());
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
