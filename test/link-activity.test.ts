// What happened to my link: its history and its views per day, for its owner only, with nothing about who.
import { startTestServer, TEST_DIALECT, type TestServer } from "./helpers/server";
import { appendMessage, codes, dbId, DELETE_CONVERSATION, gql, importShare, ok, ownerWithShare, revoke, signUp, view } from "./helpers/client";
import { setUserRole } from "../src/user/user-admin";
import { UserRole } from "../src/user/user.entity";

let server: TestServer;
beforeAll(async () => {
  // Views are flushed by hand here, so a test sees both the batched and the written counts.
  server = await startTestServer({ VIEW_COUNT_FLUSH_MS: "3600000" });
});
afterAll(() => server.close());

const ENTRY = "kind at day count messageCount newValue reason";
const ACTIVITY = `query($first: Int, $after: String) { myShares(first: 5) { edges { node { id activity(first: $first, after: $after) {
  edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage endCursor } } } } } }`;
const VIEWS_BY_DAY = `query($days: Int) { myShares { edges { node { viewCount viewsByDay(days: $days) { day views } } } } }`;
const REPORT = `mutation($input: ReportShareInput!) { reportShare(input: $input) { reportId } }`;
const MODERATE = `mutation($input: ModerateShareInput!) { moderateShare(input: $input) { shareId } }`;
const REENABLE = `mutation($input: ReenableShareInput!) { reenableShare(input: $input) { shareId status } }`;

async function activityOf(token: string, page: { first?: number; after?: string } = {}) {
  return ok(await gql(server, ACTIVITY, { first: 50, ...page }, token)).myShares.edges[0].node.activity;
}
async function kindsOf(token: string): Promise<string[]> {
  return (await activityOf(token)).edges.map((e: any) => e.node.kind);
}
async function moderator() {
  const account = await signUp(server, { displayName: "Mod" });
  await setUserRole(server.dataSource, account.email, UserRole.ADMIN);
  return account;
}
const today = () => new Date().toISOString().slice(0, 10);

describe("a link's history", () => {
  it("lists everything that happened to it, newest first, with counts and public reasons but never who", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    ok(await gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: share.id, attribution: "NAMED" } }, owner.token));
    await appendMessage(server, owner.token, conversationId, "USER", "And a fourth day?");
    ok(await gql(server, `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`, { input: { shareId: share.id } }, owner.token));
    const importers = [await signUp(server, { displayName: "Ivy Importer" }), await signUp(server, { displayName: "Ian Importer" })];
    for (const importer of importers) ok(await importShare(server, importer.token, share.url));
    const reporter = await signUp(server, { displayName: "Rita Reporter" });
    ok(await gql(server, REPORT, { input: { link: share.url, reason: "SPAM" } }, reporter.token));
    ok(await gql(server, REPORT, { input: { link: share.url, reason: "OTHER" } }));
    const mod = await moderator();
    ok(await gql(server, MODERATE, { input: { shareId: share.id, reason: "Looks like spam" } }, mod.token));
    expect(ok(await gql(server, REENABLE, { input: { shareId: share.id, reason: "Checked: it is fine" } }, mod.token)).reenableShare.status).toBe("ACTIVE");
    ok(await revoke(server, owner.token, share.id));

    const activity = await activityOf(owner.token);
    const none = { day: null, count: null, messageCount: null, newValue: null, reason: null, at: expect.any(String) };
    expect(activity.edges.map((e: any) => e.node)).toEqual([
      { ...none, kind: "REVOKED" },
      { ...none, kind: "REENABLED", reason: "Checked: it is fine" },
      { ...none, kind: "DISABLED", reason: "Looks like spam" },
      { ...none, kind: "REPORTED", day: today(), count: 2 },
      { ...none, kind: "IMPORTED", day: today(), count: 2 },
      { ...none, kind: "REFRESHED", messageCount: 3 },
      { ...none, kind: "ATTRIBUTION_CHANGED", newValue: "NAMED" },
      { ...none, kind: "CREATED", messageCount: 2 },
    ]);
    expect(activity.pageInfo.hasNextPage).toBe(false);
    const text = JSON.stringify(activity);
    for (const who of [...importers, reporter, mod]) {
      expect(text).not.toContain(who.displayName);
      expect(text).not.toContain(who.id);
    }
  });

  it("counts concurrent imports of one link without losing any (one row per day, incremented in place)", async () => {
    const { owner, share } = await ownerWithShare(server);
    const importers = await Promise.all(Array.from({ length: 6 }, () => signUp(server)));
    await Promise.all(importers.map(async (importer) => ok(await importShare(server, importer.token, share.url))));
    expect((await activityOf(owner.token)).edges.map((e: any) => [e.node.kind, e.node.count])).toEqual([["IMPORTED", 6], ["CREATED", null]]);
  });

  it("pages with cursors that stay valid as new events arrive", async () => {
    const { owner, share } = await ownerWithShare(server);
    for (const attribution of ["NAMED", "ANONYMOUS", "NAMED"]) {
      ok(await gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: share.id, attribution } }, owner.token));
    }
    const first = await activityOf(owner.token, { first: 2 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    ok(await revoke(server, owner.token, share.id));
    const second = await activityOf(owner.token, { first: 2, after: first.pageInfo.endCursor });
    expect([...first.edges, ...second.edges].map((e: any) => e.node.newValue ?? e.node.kind)).toEqual(["NAMED", "ANONYMOUS", "NAMED", "CREATED"]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(codes(await gql(server, ACTIVITY, { after: "bm90IGEgY3Vyc29y" }, owner.token))).toEqual(["BAD_USER_INPUT"]);
  });

  it("shows EXPIRED at expiresAt once it has passed, in order and on its own page", async () => {
    const { owner, share } = await ownerWithShare(server);
    // The expiry goes a millisecond before the change below, which must then be after the creation's millisecond.
    await new Promise((resolve) => setTimeout(resolve, 5));
    ok(await gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: share.id, attribution: "NAMED" } }, owner.token));
    expect(await kindsOf(owner.token)).toEqual(["ATTRIBUTION_CHANGED", "CREATED"]);
    // Moving the expiry to just before the attribution change stands in for a clock an hour ahead.
    const changedAt = new Date((await activityOf(owner.token)).edges[0].node.at);
    const between = new Date(changedAt.getTime() - 1);
    await server.sql(`UPDATE shares SET expires_at = ? WHERE id = ?`, [TEST_DIALECT === "sqlite" ? between.toISOString().replace("T", " ").replace("Z", "") : between, dbId(share.id)]);
    const all = await activityOf(owner.token);
    expect(all.edges.map((e: any) => e.node.kind)).toEqual(["ATTRIBUTION_CHANGED", "EXPIRED", "CREATED"]);
    expect(all.edges[1].node.at).toBe(between.toISOString());
    const pages: string[] = [];
    let after: string | undefined;
    do {
      const page = await activityOf(owner.token, { first: 1, after });
      pages.push(...page.edges.map((e: any) => e.node.kind));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
    } while (after);
    expect(pages).toEqual(["ATTRIBUTION_CHANGED", "EXPIRED", "CREATED"]);
  });

  it("a change that fails records nothing", async () => {
    const { owner, share } = await ownerWithShare(server);
    ok(await revoke(server, owner.token, share.id));
    ok(await revoke(server, owner.token, share.id)); // revoking twice changes nothing, so records nothing
    const refresh = await gql(server, `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`, { input: { shareId: share.id } }, owner.token);
    expect(codes(refresh)).toEqual(["BAD_USER_INPUT"]);
    expect(await kindsOf(owner.token)).toEqual(["REVOKED", "CREATED"]);
  });

  it("revoking every link records one REVOKED per link", async () => {
    const { owner, conversationId } = await ownerWithShare(server);
    ok(await gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id } } }`, { input: { conversationId } }, owner.token));
    ok(await gql(server, `mutation { revokeAllShares { revokedCount } }`, {}, owner.token));
    const shares = ok(await gql(server, ACTIVITY, { first: 5 }, owner.token)).myShares.edges;
    expect(shares.map((s: any) => s.node.activity.edges.map((e: any) => e.node.kind))).toEqual([["REVOKED", "CREATED"], ["REVOKED", "CREATED"]]);
  });

  it("is in the data export, and goes when the conversation is deleted", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    await view(server, share.url);
    await server.app.services.shares.views.flush();
    ok(await revoke(server, owner.token, share.id));
    const exported = ok(await gql(server, `{ exportMyData { data } }`, {}, owner.token)).exportMyData.data.shares[0];
    expect(exported.activity.map((e: any) => e.kind)).toEqual(["REVOKED", "CREATED"]);
    expect(exported.viewCount).toBe(1);
    expect(exported.activity[1]).toEqual({ kind: "CREATED", at: expect.any(String), day: null, count: null, messageCount: 2, newValue: null, reason: null });
    ok(await gql(server, DELETE_CONVERSATION, { input: { conversationId } }, owner.token));
    for (const table of ["share_events", "share_view_days", "share_view_totals"]) {
      expect(await server.sql(`SELECT share_id FROM ${table} WHERE share_id = ?`, [dbId(share.id)])).toEqual([]);
    }
  });
});

describe("who may read it", () => {
  it("another user cannot reach a link's activity; anonymous callers are asked to sign in", async () => {
    const { share } = await ownerWithShare(server);
    const other = await signUp(server);
    expect(ok(await gql(server, ACTIVITY, {}, other.token)).myShares.edges).toEqual([]);
    const byId = await gql(server, `query($id: ID!) { node(id: $id) { ... on Share { activity { edges { node { kind } } } } } }`, { id: share.id }, other.token);
    expect(byId.data?.node ?? null).toBeNull();
    expect(codes(await gql(server, ACTIVITY, {}))).toEqual(["UNAUTHENTICATED"]);
  });

  it("moderators see a reported link's moderation events only, through the report", async () => {
    const { owner, share } = await ownerWithShare(server);
    ok(await gql(server, REPORT, { input: { link: share.url, reason: "HATE" } }));
    const mod = await moderator();
    ok(await gql(server, MODERATE, { input: { shareId: share.id, reason: "Hateful" } }, mod.token));
    const REPORTS = `{ shareReports(first: 20) { edges { node { shareId moderationActivity { edges { node { kind count reason } } } } } } }`;
    const report = ok(await gql(server, REPORTS, {}, mod.token)).shareReports.edges.find((e: any) => e.node.shareId === share.id).node;
    expect(report.moderationActivity.edges.map((e: any) => e.node)).toEqual([
      { kind: "DISABLED", count: null, reason: "Hateful" },
      { kind: "REPORTED", count: 1, reason: null },
    ]);
    expect(codes(await gql(server, REPORTS, {}, owner.token))).toEqual(["FORBIDDEN"]);
  });
});

describe("views per day", () => {
  it("gives one entry per UTC day, oldest first, zeros included, today with views not yet written", async () => {
    const { owner, share } = await ownerWithShare(server);
    for (let i = 0; i < 3; i++) await view(server, share.url);
    const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10);
    await server.sql(`INSERT INTO share_view_days (share_id, day, views) VALUES (?, ?, ?)`, [dbId(share.id), yesterday, 5]);
    const read = async (days?: number) => ok(await gql(server, VIEWS_BY_DAY, days === undefined ? {} : { days }, owner.token)).myShares.edges[0].node;
    const before = await read(3);
    expect(before.viewsByDay.map((d: any) => d.views)).toEqual([0, 5, 3]);
    expect(before.viewsByDay.map((d: any) => d.day).slice(1)).toEqual([yesterday, today()]);
    await server.app.services.shares.views.flush();
    expect(await read(3)).toEqual(before);
    expect((await read()).viewsByDay).toHaveLength(30);
    expect((await read(365)).viewsByDay).toHaveLength(365);
    for (const days of [0, 366]) expect(codes(await gql(server, VIEWS_BY_DAY, { days }, owner.token))).toEqual(["BAD_USER_INPUT"]);
  });

  it("stores nothing about viewers: a share, a day and a count", async () => {
    const { share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    await view(server, share.url, viewer.token);
    await server.app.services.shares.views.flush();
    const rows = await server.sql(`SELECT * FROM share_view_days WHERE share_id = ?`, [dbId(share.id)]);
    expect(rows).toEqual([{ share_id: dbId(share.id), day: today(), views: 1 }]);
  });
});
