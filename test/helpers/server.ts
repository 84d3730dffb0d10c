// Starts the real server on a fresh temporary SQLite file and a random port, as a client would meet it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DataSource } from "typeorm";
import { loadConfig, type Config } from "../../src/config";
import { createDataSource, QueryCounter } from "../../src/db/data-source";
import { createLogger } from "../../src/common/logger";
import { createServer, type AppServer } from "../../src/server";

export interface TestServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  config: Config;
  dataSource: DataSource;
  app: AppServer;
  /** Every SQL statement the server sent so far. */
  queries: QueryCounter;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * Environment for tests. scrypt runs at a lower cost only so the suite stays fast, and the per-address rate limits
 * are off because every test client shares 127.0.0.1; the tests of those limits turn them back on.
 */
export function testEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: `sqlite:${path.join(dir, "test.sqlite")}`,
    PORT: "0",
    SCRYPT_LOG_N: "12",
    LOG_LEVEL: "debug",
    SHARE_BASE_URL: "https://chat.example/share/",
    SIGNUPS_PER_IP_PER_HOUR: "0",
    LOGINS_PER_IP_PER_HOUR: "0",
    VIEWS_PER_IP_PER_MINUTE: "0",
    ...extra,
  };
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-test-"));
  const config = loadConfig(testEnv(dir, env));
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.logLevel, (line) => logs.push(JSON.parse(line)));
  const queries = new QueryCounter();
  const dataSource = createDataSource({ database: config.database, logger: queries });
  await dataSource.initialize();
  await dataSource.runMigrations();
  const app = await createServer({ config, dataSource, logger });
  const url = await app.listen();
  return {
    url,
    config,
    dataSource,
    app,
    queries,
    logs,
    async close() {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
