// Reports and moderation: anyone may report a link (rate-limited); only moderators read reports and disable links.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, gql, missingId, importShare, ok, ownerWithShare, PASSWORD, signUp, view } from "./helpers/client";
import { setUserRole } from "../src/user/user-admin";
import { UserRole } from "../src/user/user.entity";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ REPORTS_PER_HOUR: "3" });
});
afterAll(() => server.close());

const REPORT = `mutation($input: ReportShareInput!) { reportShare(input: $input) { reportId } }`;
const REPORTS = `{ shareReports(first: 50) { edges { node { id reason details createdAt shareId shareStatus sharedConversation { title sharedBy messages { content } } } } } }`;
const MODERATE = `mutation($input: ModerateShareInput!) { moderateShare(input: $input) { shareId disabledAt disabledReason } }`;

async function admin() {
  const account = await signUp(server, { displayName: "Mod" });
  await setUserRole(server.dataSource, account.email, UserRole.ADMIN);
  return account;
}

describe("reporting a link", () => {
  it("works without login and reaches the moderators with what the link shows", async () => {
    const { share } = await ownerWithShare(server, "NAMED");
    const reporter = await signUp(server);
    const res = ok(await gql(server, REPORT, { input: { link: share.url, reason: "SPAM", details: "  selling things  " } }, reporter.token));
    const mod = await admin();
    const reports = ok(await gql(server, REPORTS, {}, mod.token)).shareReports.edges.map((e: any) => e.node);
    expect(reports).toContainEqual({
      id: res.reportShare.reportId,
      reason: "SPAM",
      details: "selling things",
      createdAt: expect.any(String),
      shareId: share.id,
      shareStatus: "ACTIVE",
      sharedConversation: { title: "Trip to Lisbon", sharedBy: "Olivia Owner", messages: [{ content: "Plan three days in Lisbon." }, { content: "Day 1: Alfama. Day 2: Belém. Day 3: Sintra." }] },
    });
  });

  it("is rate-limited per client, with a retry hint", async () => {
    const { share } = await ownerWithShare(server);
    const reporter = await signUp(server);
    for (let i = 0; i < 3; i++) ok(await gql(server, REPORT, { input: { link: share.url, reason: "OTHER" } }, reporter.token));
    const limited = await gql(server, REPORT, { input: { link: share.url, reason: "OTHER" } }, reporter.token);
    expect(codes(limited)).toEqual(["RATE_LIMITED"]);
    expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // Another signed-in user has their own allowance.
    ok(await gql(server, REPORT, { input: { link: share.url, reason: "OTHER" } }, (await signUp(server)).token));
  });

  it("anonymous reports share one allowance per address", async () => {
    const fresh = await startTestServer({ REPORTS_PER_HOUR: "2" });
    try {
      const shared = await ownerWithShare(fresh);
      ok(await gql(fresh, REPORT, { input: { link: shared.share.url, reason: "HATE" } }));
      ok(await gql(fresh, REPORT, { input: { link: shared.share.url, reason: "HATE" } }));
      expect(codes(await gql(fresh, REPORT, { input: { link: shared.share.url, reason: "HATE" } }))).toEqual(["RATE_LIMITED"]);
    } finally {
      await fresh.close();
    }
  });

  it("refuses a dead link, a look-alike, an unknown reason and oversized details", async () => {
    const { owner, share } = await ownerWithShare(server);
    const reporter = await signUp(server);
    await gql(server, `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { id } } }`, { input: { shareId: share.id } }, owner.token).then(ok);
    expect(codes(await gql(server, REPORT, { input: { link: share.url, reason: "SPAM" } }, reporter.token))).toEqual(["NOT_FOUND"]);
    const other = await ownerWithShare(server);
    const token = other.share.url.split("/").pop();
    expect(codes(await gql(server, REPORT, { input: { link: `https://evil.example/share/${token}`, reason: "SPAM" } }, reporter.token))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(server, REPORT, { input: { link: other.share.url, reason: "BORING" } }, reporter.token))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(server, REPORT, { input: { link: other.share.url, reason: "OTHER", details: "d".repeat(2001) } }, reporter.token))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("moderating", () => {
  it("a disabled link behaves like a revoked one for viewers, and its owner sees why", async () => {
    const { owner, share } = await ownerWithShare(server);
    const mod = await admin();
    const res = ok(await gql(server, MODERATE, { input: { shareId: share.id, reason: "Spam campaign" } }, mod.token)).moderateShare;
    expect(res).toEqual({ shareId: share.id, disabledAt: expect.any(String), disabledReason: "Spam campaign" });
    expect(await view(server, share.url)).toBeNull();
    expect(codes(await importShare(server, (await signUp(server)).token, share.url))).toEqual(["NOT_FOUND"]);
    const mine = ok(await gql(server, `{ myShares(status: DISABLED) { edges { node { id status disabledAt disabledReason } } } }`, {}, owner.token)).myShares.edges;
    expect(mine).toEqual([{ node: { id: share.id, status: "DISABLED", disabledAt: res.disabledAt, disabledReason: "Spam campaign" } }]);
    // The owner cannot undo a moderator's decision by refreshing.
    expect(codes(await gql(server, `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`, { input: { shareId: share.id } }, owner.token))).toEqual(["BAD_USER_INPUT"]);
  });

  it("is FORBIDDEN to everyone but moderators, and reports are unreadable to them", async () => {
    const { owner, share } = await ownerWithShare(server);
    for (const token of [owner.token, (await signUp(server)).token]) {
      expect(codes(await gql(server, MODERATE, { input: { shareId: share.id, reason: "mine now" } }, token))).toEqual(["FORBIDDEN"]);
      expect(codes(await gql(server, REPORTS, {}, token))).toEqual(["FORBIDDEN"]);
    }
    expect(codes(await gql(server, REPORTS))).toEqual(["UNAUTHENTICATED"]);
    expect(await view(server, share.url)).not.toBeNull();
  });

  it("NOT_FOUND for a share that does not exist", async () => {
    const mod = await admin();
    expect(codes(await gql(server, MODERATE, { input: { shareId: missingId("Share"), reason: "x" } }, mod.token))).toEqual(["NOT_FOUND"]);
  });
});

describe("the ADMIN role", () => {
  it("cannot be claimed through the API", async () => {
    const res = await gql(server, `mutation($input: SignUpInput!) { signUp(input: $input) { user { role } } }`, {
      input: { email: `sneaky-${Date.now()}@example.com`, password: PASSWORD, displayName: "Sneaky", role: "ADMIN" },
    });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    const me = await signUp(server);
    expect(ok(await gql(server, `{ me { role } }`, {}, me.token)).me.role).toBe("USER");
  });

  // Run without blocking: a spawnSync would stall this process's server, whose idle keep-alive sockets then close
  // under the next request (ECONNRESET).
  async function userRole(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    const command = [process.execPath, "-r", "ts-node/register/transpile-only", "src/cli/user-role.ts", ...args] as const;
    const options = { cwd: path.join(__dirname, ".."), env: { PATH: process.env.PATH, ...server.databaseEnv }, encoding: "utf8" as const };
    try {
      const { stdout, stderr } = await promisify(execFile)(command[0], command.slice(1), options);
      return { status: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { status: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
  }

  it("is granted from the command line", async () => {
    const account = await signUp(server);
    const run = await userRole(account.email.toUpperCase(), "admin");
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/is now ADMIN/);
    expect(ok(await gql(server, `{ me { role } }`, {}, account.token)).me.role).toBe("ADMIN");
    const unknown = await userRole("nobody@example.com", "ADMIN");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/No account has the email nobody@example.com/);
  }, 30_000);
});
