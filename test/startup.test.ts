// The server as `npm start` runs it: a real process, configured from the environment, on a fresh data folder.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gql, ok, signUp } from "./helpers/client";
import { requireService } from "./helpers/server";

const ROOT = path.join(__dirname, "..");

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<number | null>;
}

function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "src/index.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: "0", SCRYPT_LOG_N: "12", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^/\s]+)\/graphql/.exec(output);
      if (match) resolve({ child, url: match[1], output: () => output, exit });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    exit.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-start-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("starting the server", () => {
  it("creates the data folder, migrates, keeps a generated JWT secret owner-only, serves, and stops cleanly on SIGTERM", async () => {
    const env = { DATABASE_URL: `sqlite:${path.join(dir, "data", "chat-share.sqlite")}` };
    const first = await start(env);
    expect(first.output()).toMatch(/JWT_SECRET is not set.*Production must set JWT_SECRET/);
    const secretFile = path.join(dir, "data", "jwt-secret");
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    const account = await signUp(first);

    first.child.kill("SIGTERM");
    expect(await first.exit).toBe(0);

    // A restart keeps the data and the secret: the old session token still works.
    const second = await start(env);
    try {
      expect(second.output()).not.toMatch(/applied migrations/);
      expect(ok(await gql(second, `{ me { id } }`, {}, account.token)).me.id).toBe(account.id);
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.exit).toBe(0);
    }
  }, 60_000);

  it("uses JWT_SECRET and SHARE_BASE_URL from the environment", async () => {
    const running = await start({
      DATABASE_URL: `sqlite:${path.join(dir, "db.sqlite")}`,
      JWT_SECRET: "s".repeat(40),
      SHARE_LINK_KEY: "k".repeat(40),
      SHARE_BASE_URL: "https://share.example.org/c/",
    });
    try {
      expect(running.output()).not.toMatch(/JWT_SECRET is not set/);
      expect(fs.existsSync(path.join(dir, "jwt-secret"))).toBe(false);
      const me = await signUp(running);
      const id = ok(await gql(running, `mutation { createConversation(input: { title: "x" }) { conversation { id } } }`, {}, me.token)).createConversation.conversation.id;
      const share = ok(await gql(running, `mutation($id: ID!) { shareConversation(input: { conversationId: $id }) { share { url } } }`, { id }, me.token)).shareConversation.share;
      expect(share.url).toMatch(/^https:\/\/share\.example\.org\/c\/[A-Za-z0-9_-]{43}$/);
    } finally {
      running.child.kill("SIGTERM");
      await running.exit;
    }
  }, 60_000);

  it("refuses to start on invalid configuration, saying what is wrong", async () => {
    const failed = await failToStart({ SHARE_BASE_URL: "https://share.example.org/no-slash", DATABASE_URL: `sqlite:${path.join(dir, "x.sqlite")}` });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/SHARE_BASE_URL must end with "\/"/);
  }, 60_000);
});

/** Starts the entry point expecting it to give up; what it printed and how it exited. */
async function failToStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "src/index.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, SCRYPT_LOG_N: "12", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stderr };
}

/** A TCP port nothing listens on: one the kernel just handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("a start-up that cannot go on says why in one line, and exits 2 as for a bad value", () => {
  /** The one line the operator reads: the cause and the variable to change, no stack trace, no JSON. */
  function expectOneClearLine(failed: { code: number | null; stderr: string }, cause: RegExp, variable: string) {
    expect(failed.code).toBe(2);
    const lines = failed.stderr.split("\n").filter((line) => line.startsWith("chat-share cannot start:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(cause);
    expect(lines[0]).toContain(variable);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
  }

  it("when the port is taken", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    try {
      const port = String((holder.address() as net.AddressInfo).port);
      const failed = await failToStart({ PORT: port, HOST: "127.0.0.1", DATABASE_URL: `sqlite:${path.join(dir, "db.sqlite")}` });
      expectOneClearLine(failed, new RegExp(`port ${port} is already in use`), "set PORT");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);

  it("when PostgreSQL does not answer", async () => {
    const port = await closedPort();
    const failed = await failToStart({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/chat`, DATA_DIR: dir });
    expectOneClearLine(failed, new RegExp(`PostgreSQL at 127.0.0.1:${port} does not answer \\(ECONNREFUSED\\)`), "DATABASE_URL");
  }, 60_000);

  // Needs a PostgreSQL that answers, to be told the database is missing.
  const withPostgres = requireService("missing-database start-up", Boolean(process.env.TEST_DATABASE_URL), "it needs TEST_DATABASE_URL (.ci/run sets it)");
  (withPostgres ? it : it.skip)("when the PostgreSQL database does not exist", async () => {
    const url = Object.assign(new URL(process.env.TEST_DATABASE_URL!), { pathname: "/does_not_exist_xyz" }).toString();
    const failed = await failToStart({ DATABASE_URL: url, DATA_DIR: dir });
    expectOneClearLine(failed, /has no database "does_not_exist_xyz": create it \(createdb does_not_exist_xyz\)/, "DATABASE_URL");
  }, 60_000);

  it("when Redis does not answer", async () => {
    const port = await closedPort();
    const failed = await failToStart({ DATABASE_URL: `sqlite:${path.join(dir, "db.sqlite")}`, REDIS_URL: `redis://127.0.0.1:${port}` });
    expectOneClearLine(failed, new RegExp(`Redis at 127.0.0.1:${port} does not answer`), "REDIS_URL");
  }, 60_000);
});

describe("production", () => {
  it("refuses to start with generated keys or a localhost share prefix", async () => {
    const database = `sqlite:${path.join(dir, "db.sqlite")}`;
    const bare = await failToStart({ NODE_ENV: "production", DATABASE_URL: database });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/NODE_ENV=production needs JWT_SECRET, SHARE_LINK_KEY, SHARE_BASE_URL set explicitly/);
    const local = await failToStart({ NODE_ENV: "production", DATABASE_URL: database, JWT_SECRET: "j".repeat(40), SHARE_LINK_KEY: "k".repeat(40), SHARE_BASE_URL: "http://localhost:4000/share/" });
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/SHARE_BASE_URL points at this machine/);
    expect(fs.existsSync(path.join(dir, "jwt-secret"))).toBe(false);
  }, 60_000);

  it("refuses an unknown NODE_ENV instead of running as development", async () => {
    const failed = await failToStart({ NODE_ENV: "prod", DATABASE_URL: `sqlite:${path.join(dir, "db.sqlite")}` });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/NODE_ENV must be one of development, production, test, got "prod"/);
  }, 60_000);
});
