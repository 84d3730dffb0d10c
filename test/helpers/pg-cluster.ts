// A PostgreSQL primary and a real streaming replica of it, started in a temp dir on free ports for one test file:
// initdb, pg_basebackup -R, and a hot standby that applies the primary's commits only after a delay.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { freePort } from "../../bench/processes";

const BINARIES = ["initdb", "pg_ctl", "pg_basebackup", "postgres"];
const exec = promisify(execFile);

/** Where the PostgreSQL binaries are, as whom they run, or why they cannot run here. */
export type PgBinaries = { dir: string; user?: { uid: number; gid: number } } | { missing: string };

/**
 * One directory holding all four binaries, so their versions agree: the real directory behind `pg_ctl` on PATH,
 * else Debian's /usr/lib/postgresql/<version>/bin, newest first.
 */
export function findPgBinaries(): PgBinaries {
  const onPath = (process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "pg_ctl")).filter((file) => fs.existsSync(file));
  const debian = "/usr/lib/postgresql";
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)) : [];
  const dirs = [...onPath.map((file) => path.dirname(fs.realpathSync(file))), ...versions.map((v) => path.join(debian, v, "bin"))];
  const dir = dirs.find((d) => BINARIES.every((name) => fs.existsSync(path.join(d, name))));
  if (!dir) return { missing: `no directory on PATH or in ${debian}/*/bin holds all of ${BINARIES.join(", ")}` };
  if (process.getuid?.() !== 0) return { dir };
  // PostgreSQL refuses to run as root: run it as the system's postgres user.
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { dir, user: { uid: id("-u"), gid: id("-g") } };
  } catch {
    return { missing: "running as root, and there is no postgres user to run PostgreSQL as" };
  }
}

export interface StreamingPair {
  primaryUrl: string;
  replicaUrl: string;
  /** Runs SQL on the replica: read-only, and as of what it has replayed. */
  onReplica<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Stops replay: the replica keeps answering, from what it had applied, until `catchUp`. */
  holdReplay(): Promise<void>;
  /** Lets replay go on and waits until the replica has applied every commit the primary had made. */
  catchUp(): Promise<void>;
  /** Stops the replica at once, as a crash would; the primary stays up. */
  stopReplica(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a primary and a hot standby that applies each commit `applyDelay` (a PostgreSQL interval) after it. */
export async function startStreamingPair(bin: Exclude<PgBinaries, { missing: string }>, applyDelay: string): Promise<StreamingPair> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-pg-"));
  if (bin.user) fs.chownSync(root, bin.user.uid, bin.user.gid);
  const run = (name: string, args: string[]) =>
    exec(path.join(bin.dir, name), args, { cwd: root, env: { PATH: process.env.PATH, LC_ALL: "C" }, ...bin.user }).catch((error) => {
      throw new Error(`${name} ${args.join(" ")} failed: ${error.stderr || error.message}\n${logs()}`);
    });
  const dataDir = (name: string) => path.join(root, name);
  const logs = () =>
    ["primary", "replica"]
      .map((name) => path.join(root, `${name}.log`))
      .filter((file) => fs.existsSync(file))
      .map((file) => `--- ${file}\n${fs.readFileSync(file, "utf8").slice(-4000)}`)
      .join("\n");
  const started: string[] = [];
  const clients: Client[] = [];

  const stop = async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    // Immediate: nothing here needs a clean shutdown, and the files are removed next.
    for (const name of started.reverse()) await run("pg_ctl", ["stop", "-D", dataDir(name), "-m", "immediate"]).catch(() => {});
    fs.rmSync(root, { recursive: true, force: true });
  };

  try {
    const primaryPort = await freePort();
    const settings = (port: number, extra: string[] = []) =>
      [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${root}'`, ...extra].join("\n") + "\n";
    await run("initdb", ["-D", dataDir("primary"), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
    // initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
    fs.appendFileSync(
      path.join(dataDir("primary"), "postgresql.conf"),
      settings(primaryPort, ["wal_level = replica", "max_wal_senders = 4", "fsync = off", "shared_buffers = '32MB'"]),
    );
    await run("pg_ctl", ["start", "-w", "-D", dataDir("primary"), "-l", path.join(root, "primary.log")]);
    started.push("primary");

    // Chosen once the primary listens, so the two can never be handed the same port.
    const replicaPort = await freePort();
    await run("pg_basebackup", ["-D", dataDir("replica"), "-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-R", "-X", "stream", "-c", "fast", "--no-sync"]);
    // The copied postgresql.conf names the primary's port: later lines win.
    fs.appendFileSync(path.join(dataDir("replica"), "postgresql.conf"), settings(replicaPort, ["hot_standby = on", `recovery_min_apply_delay = '${applyDelay}'`]));
    await run("pg_ctl", ["start", "-w", "-D", dataDir("replica"), "-l", path.join(root, "replica.log")]);
    started.push("replica");

    const urlOf = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
    const connect = async (port: number) => {
      const client = new Client({ connectionString: urlOf(port) });
      // A server that goes away fails the next query with its reason; unheard, the event would end the test run.
      client.on("error", () => {});
      clients.push(client);
      await client.connect();
      return client;
    };
    const [primary, replica] = [await connect(primaryPort), await connect(replicaPort)];
    const [{ in_recovery }] = (await replica.query("SELECT pg_is_in_recovery() AS in_recovery")).rows;
    if (!in_recovery) throw new Error(`the replica is not in recovery:\n${logs()}`);

    return {
      primaryUrl: urlOf(primaryPort),
      replicaUrl: urlOf(replicaPort),
      onReplica: async (sql, params = []) => (await replica.query(sql, params)).rows,
      holdReplay: async () => void (await replica.query("SELECT pg_wal_replay_pause()")),
      async catchUp() {
        const [{ lsn }] = (await primary.query("SELECT pg_current_wal_flush_lsn()::text AS lsn")).rows;
        await replica.query("SELECT pg_wal_replay_resume()");
        // Generous: the replica waits out its apply delay first, on a machine that may be busy.
        for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
          const [{ done }] = (await replica.query("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done", [lsn])).rows;
          if (done) return;
        }
        throw new Error(`the replica did not reach ${lsn} within 30 s:\n${logs()}`);
      },
      async stopReplica() {
        await run("pg_ctl", ["stop", "-D", dataDir("replica"), "-m", "immediate"]);
        started.splice(started.indexOf("replica"), 1);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
