// The server as `npm start` runs it: a real process, configured from the environment, on a fresh data folder.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gql, ok, signUp } from "./helpers/client";

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
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "src/index.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, SHARE_BASE_URL: "https://share.example.org/no-slash", DATABASE_URL: `sqlite:${path.join(dir, "x.sqlite")}` },
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/SHARE_BASE_URL must end with "\/"/);
  }, 60_000);
});
