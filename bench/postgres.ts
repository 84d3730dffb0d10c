// The PostgreSQL side of a benchmark run: a schema of the run's own (dropped at the end, or by the next run if this
// one was killed), the real migrations applied by the built `npm run migrate`, and what the report says about it.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { Client } from "pg";
import { isAlive } from "./processes";

const SCHEMA_PREFIX = "bench_";

export interface PostgresTarget {
  url: string;
  schema: string;
  /** e.g. "PostgreSQL 15.14", from the server itself. */
  version: string;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `bench_<pid>_<n>` in the database at `url`. Schemas of earlier runs on this machine whose process is gone
 * (killed outright, with no chance to clean up) are dropped first: a full run leaves about a gigabyte.
 */
export async function createBenchSchema(url: string): Promise<PostgresTarget> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE $1`, [`${SCHEMA_PREFIX}%`]);
    for (const { name } of rows) {
      const pid = Number(/^bench_(\d+)_/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) await client.query(`DROP SCHEMA "${name}" CASCADE`);
    }
    const schema = `${SCHEMA_PREFIX}${process.pid}_${Date.now().toString(36)}`;
    await client.query(`CREATE SCHEMA "${schema}"`);
    const version = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
    return { url, schema, version: `PostgreSQL ${version.split(" ")[0]}` };
  });
}

export async function dropBenchSchema(target: PostgresTarget): Promise<void> {
  await withClient(target.url, (client) => client.query(`DROP SCHEMA IF EXISTS "${target.schema}" CASCADE`));
}

/** The server's environment for this schema. */
export function postgresEnv(target: PostgresTarget): Record<string, string> {
  return { DATABASE_URL: target.url, DATABASE_SCHEMA: target.schema };
}

/**
 * Applies the PostgreSQL migrations with the built `npm run migrate` in a process of its own: the entities pick
 * their column types from DATABASE_URL as they load, and this process has loaded them for SQLite.
 */
export function migratePostgres(buildDir: string, target: PostgresTarget): void {
  const script = path.join(buildDir, "src", "cli", "migrate.js");
  const result = spawnSync(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...postgresEnv(target) },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`migrating ${target.schema} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
}

/** Bytes of the schema's tables, indexes and TOAST included. */
export async function schemaBytes(target: PostgresTarget): Promise<number> {
  return withClient(target.url, async (client) => {
    const { rows } = await client.query<{ bytes: string }>(
      `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [target.schema],
    );
    return Number(rows[0].bytes);
  });
}
