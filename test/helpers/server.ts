// Starts the real server on a fresh database (a temporary SQLite file, or a schema of its own in the PostgreSQL of
// TEST_DATABASE_URL when the postgres Jest project runs) and a random port, as a client would meet it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { DataSource } from "typeorm";
import { loadConfig, type Config } from "../../src/config";
import { createDataSource, QueryCounter } from "../../src/db/data-source";
import { createLogger } from "../../src/common/logger";
import { createServer, type AppServer } from "../../src/server";

export { requireService } from "./require-service";

/** The database this Jest project runs against (see jest.config.js). */
export const TEST_DIALECT: "sqlite" | "postgres" = process.env.TEST_DIALECT === "postgres" ? "postgres" : "sqlite";

export interface TestServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  config: Config;
  dataSource: DataSource;
  app: AppServer;
  /** How many SQL statements the server sent so far, and the latest of them. */
  queries: StatementLog;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The environment that reaches this server's database (for child processes such as the CLI). */
  databaseEnv: Record<string, string>;
  /** Runs SQL with `?` placeholders on either dialect. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Counts statements as the server's own logger does, and keeps the text of the latest thousand or so. */
export class StatementLog extends QueryCounter {
  readonly statements: string[] = [];
  logQuery(query?: string): void {
    super.logQuery();
    if (this.statements.push(query ?? "") > 2000) this.statements.splice(0, 1000);
  }

  /** The statements `run` sent (the server must send no more than a thousand of them meanwhile). */
  async during(run: () => Promise<unknown>): Promise<string[]> {
    const before = this.count;
    const from = this.statements.length;
    await run();
    const sent = this.count - before;
    if (this.statements.length - from !== sent) throw new Error(`${sent} statements sent, more than the log keeps`);
    return this.statements.slice(from);
  }
}

/**
 * Environment for tests. scrypt runs at a lower cost only so the suite stays fast, and the per-address rate limits
 * are off because every test client shares 127.0.0.1; the tests of those limits turn them back on.
 */
export function testEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: `sqlite:${path.join(dir, "test.sqlite")}`,
    DATA_DIR: dir,
    PORT: "0",
    SCRYPT_LOG_N: "12",
    LOG_LEVEL: "debug",
    SHARE_BASE_URL: "https://chat.example/share/",
    SIGNUPS_PER_IP_PER_HOUR: "0",
    LOGINS_PER_IP_PER_HOUR: "0",
    VIEWS_PER_IP_PER_MINUTE: "0",
    // Production refuses to generate its keys; development (every other test) keeps generating them in `dir`.
    ...(extra.NODE_ENV === "production" ? { JWT_SECRET: randomBytes(32).toString("hex"), SHARE_LINK_KEY: randomBytes(32).toString("hex") } : {}),
    ...extra,
  };
}

/** A fresh, empty database for this project's dialect: a temporary SQLite file, or a PostgreSQL schema of its own. */
export async function freshDatabase(dir: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (TEST_DIALECT === "sqlite") return { env: { DATABASE_URL: `sqlite:${path.join(dir, "test.sqlite")}` }, drop: async () => {} };
  return createSchema();
}

/** A schema of its own in the test PostgreSQL, so parallel test files and runs never meet. */
export async function createSchema(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  return {
    env: { DATABASE_URL: url, DATABASE_SCHEMA: schema },
    drop: async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-test-"));
  const fresh = await freshDatabase(dir);
  const databaseEnv = fresh.env;
  const pg = TEST_DIALECT === "postgres";
  const config = loadConfig(testEnv(dir, { ...databaseEnv, ...env }));
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.logLevel, (line) => logs.push(JSON.parse(line)));
  const queries = new StatementLog();
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
    databaseEnv,
    sql: (text, params = []) => {
      let n = 0;
      return dataSource.query(pg ? text.replace(/\?/g, () => `$${++n}`) : text, params);
    },
    async close() {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
