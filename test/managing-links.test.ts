// Owners manage their links: filter and search, revoke all, refresh a snapshot behind the same URL, see views.
import { startTestServer, TEST_DIALECT, type TestServer } from "./helpers/server";
import { appendMessage, codes, createConversation, dbId, DELETE_CONVERSATION, gql, ok, ownerWithShare, revoke, shareConversation, signUp, view } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const MY_SHARES = `query($status: ShareStatus, $search: String, $first: Int) {
  myShares(status: $status, search: $search, first: $first) { edges { node { id title status messageCount } } } }`;
const REFRESH = `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id url attribution expiresAt snapshotAt messageCount status } warnings { kind } } }`;
const REVOKE_ALL = `mutation($input: RevokeAllSharesInput) { revokeAllShares(input: $input) { revokedCount shares { id revokedAt status } } }`;

async function expire(shareId: string) {
  await server.sql(`UPDATE shares SET expires_at = '2000-01-01 00:00:00.000' WHERE id = ?`, [dbId(shareId)]);
}

/** Waits (up to two seconds) until a flush's statement waits for a row lock, so a race is met, not hoped for. */
async function untilAFlushWaitsForALock(): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const [{ n }] = await server.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND (query LIKE '%FOR KEY SHARE%' OR query LIKE '%INTO share_view_totals%')`,
    );
    if (n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("myShares", () => {
  it("shows each link's title, message count and status, and filters by status", async () => {
    const me = await signUp(server);
    const a = await createConversation(server, me.token, "Alpha plans", [{ role: "USER", content: "1" }]);
    const b = await createConversation(server, me.token, "Beta notes", [{ role: "USER", content: "1" }, { role: "ASSISTANT", content: "2" }]);
    const active = await shareConversation(server, me.token, a);
    const revoked = await shareConversation(server, me.token, b);
    const expired = await shareConversation(server, me.token, b);
    await revoke(server, me.token, revoked.id).then(ok);
    await expire(expired.id);

    const all = ok(await gql(server, MY_SHARES, {}, me.token)).myShares.edges.map((e: any) => e.node);
    expect(all).toEqual([
      { id: expired.id, title: "Beta notes", status: "EXPIRED", messageCount: 2 },
      { id: revoked.id, title: "Beta notes", status: "REVOKED", messageCount: 2 },
      { id: active.id, title: "Alpha plans", status: "ACTIVE", messageCount: 1 },
    ]);
    const only = async (status: string) => ok(await gql(server, MY_SHARES, { status }, me.token)).myShares.edges.map((e: any) => e.node.id);
    expect(await only("ACTIVE")).toEqual([active.id]);
    expect(await only("REVOKED")).toEqual([revoked.id]);
    expect(await only("EXPIRED")).toEqual([expired.id]);
    expect(await only("DISABLED")).toEqual([]);
  });

  it("searches conversation titles, ignoring case and treating % and _ literally", async () => {
    const me = await signUp(server);
    for (const title of ["Lisbon trip", "Tax return 2024", "100% honest review", "snake_case names"]) {
      await shareConversation(server, me.token, await createConversation(server, me.token, title));
    }
    const titles = async (search: string) => ok(await gql(server, MY_SHARES, { search }, me.token)).myShares.edges.map((e: any) => e.node.title);
    expect(await titles("LISBON")).toEqual(["Lisbon trip"]);
    expect(await titles("%")).toEqual(["100% honest review"]);
    expect(await titles("_")).toEqual(["snake_case names"]);
    expect(await titles("nothing like it")).toEqual([]);
  });

  it("shows view counts and the last view time to the owner", async () => {
    const { owner, share } = await ownerWithShare(server);
    const stats = async () => ok(await gql(server, `{ myShares { edges { node { viewCount lastViewedAt } } } }`, {}, owner.token)).myShares.edges[0].node;
    expect(await stats()).toEqual({ viewCount: 0, lastViewedAt: null });
    await view(server, share.url);
    await view(server, share.url);
    await view(server, share.url.split("/").pop()!);
    const after = await stats();
    expect(after.viewCount).toBe(3);
    expect(Date.parse(after.lastViewedAt)).toBeGreaterThan(Date.now() - 60_000);

    await server.app.services.shares.views.flush();
    const [row] = await server.sql<{ view_count: number }>(`SELECT view_count FROM share_view_totals WHERE share_id = ?`, [dbId(share.id)]);
    expect(row.view_count).toBe(3);
    const flushed = await stats();
    expect(flushed.viewCount).toBe(3);
    expect(Date.parse(flushed.lastViewedAt)).toBe(Date.parse(after.lastViewedAt));
  });

  it("writes the counts of many links in one flush, adding to what is stored, and loses none to a flush running at once", async () => {
    const owner = await signUp(server);
    const conversationId = await createConversation(server, owner.token, "Counted", [{ role: "USER", content: "Count me." }]);
    const shares = [];
    for (let i = 0; i < 3; i++) shares.push(await shareConversation(server, owner.token, conversationId));
    for (const [i, share] of shares.entries()) for (let n = 0; n <= i; n++) await view(server, share.url);
    await server.app.services.shares.views.flush();
    // A second batch flushed while a third is already being written.
    for (const share of shares) await view(server, share.url);
    const second = server.app.services.shares.views.flush();
    await view(server, shares[0].url);
    await Promise.all([second, server.app.services.shares.views.flush()]);
    const rows = await server.sql<{ id: string; view_count: number; last_viewed_at: unknown }>(
      `SELECT t.share_id AS id, t.view_count, t.last_viewed_at FROM share_view_totals t JOIN shares s ON s.id = t.share_id WHERE s.conversation_id = ?`,
      [dbId(conversationId)],
    );
    const counts = Object.fromEntries(rows.map((r) => [r.id, r.view_count]));
    expect(shares.map((s) => counts[dbId(s.id)])).toEqual([3, 3, 4]);
    expect(rows.every((r) => r.last_viewed_at !== null)).toBe(true);
    const listed = ok(await gql(server, `{ myShares(first: 10) { edges { node { id viewCount } } } }`, {}, owner.token)).myShares.edges;
    expect(Object.fromEntries(listed.map((e: { node: { id: string; viewCount: number } }) => [e.node.id, e.node.viewCount]))).toEqual({
      [shares[0].id]: 3,
      [shares[1].id]: 3,
      [shares[2].id]: 4,
    });
  });

  // Instances flush on their own timers, so on PostgreSQL one may write views older than another's already stored.
  it("a flush carrying older views adds its count but never moves the last view time back", async () => {
    const { owner, share } = await ownerWithShare(server);
    await view(server, share.url);
    await server.app.services.shares.views.flush();
    const stats = async () => ok(await gql(server, `{ myShares { edges { node { viewCount lastViewedAt } } } }`, {}, owner.token)).myShares.edges[0].node;
    const latest = (await stats()).lastViewedAt;
    server.app.services.shares.views.record(dbId(share.id), new Date(Date.now() - 3_600_000));
    await server.app.services.shares.views.flush();
    expect(await stats()).toEqual({ viewCount: 2, lastViewedAt: latest });
  });

  it("a flush skips the views of a link deleted before they were written, and writes the others", async () => {
    const owner = await signUp(server);
    const gone = await createConversation(server, owner.token, "Gone", [{ role: "USER", content: "Bye." }]);
    const kept = await createConversation(server, owner.token, "Kept", [{ role: "USER", content: "Hi." }]);
    const [goneShare, keptShare] = [await shareConversation(server, owner.token, gone), await shareConversation(server, owner.token, kept)];
    await view(server, goneShare.url);
    await view(server, keptShare.url);
    ok(await gql(server, DELETE_CONVERSATION, { input: { conversationId: gone } }, owner.token));
    const logged = server.logs.length;
    await server.app.services.shares.views.flush();
    expect(server.logs.slice(logged).filter((line) => line.msg === "could not write view counts")).toEqual([]);
    const ids = [dbId(goneShare.id), dbId(keptShare.id)];
    expect(await server.sql(`SELECT share_id, view_count FROM share_view_totals WHERE share_id IN (?, ?)`, ids)).toEqual([{ share_id: ids[1], view_count: 1 }]);
  });

  // Another connection (an instance's delete) may remove a link while a flush writes its views.
  if (TEST_DIALECT === "postgres") {
    it("a flush that meets a link being deleted waits for the delete, skips that link and writes the others", async () => {
      const owner = await signUp(server);
      const conversationId = await createConversation(server, owner.token, "Raced", [{ role: "USER", content: "Hi." }]);
      const [goneShare, keptShare] = [await shareConversation(server, owner.token, conversationId), await shareConversation(server, owner.token, conversationId)];
      await view(server, goneShare.url);
      await view(server, keptShare.url);
      const deleter = server.dataSource.createQueryRunner();
      await deleter.startTransaction();
      await deleter.query(`DELETE FROM shares WHERE id = $1`, [dbId(goneShare.id)]);
      const logged = server.logs.length;
      const flushed = server.app.services.shares.views.flush();
      await untilAFlushWaitsForALock();
      await deleter.commitTransaction();
      await deleter.release();
      await flushed;
      expect(server.logs.slice(logged).filter((line) => line.msg === "could not write view counts")).toEqual([]);
      const ids = [dbId(goneShare.id), dbId(keptShare.id)];
      expect(await server.sql(`SELECT share_id, view_count FROM share_view_totals WHERE share_id IN (?, ?)`, ids)).toEqual([{ share_id: ids[1], view_count: 1 }]);
    });
  }

  it("does not count views of a dead link", async () => {
    const { owner, share } = await ownerWithShare(server);
    await revoke(server, owner.token, share.id).then(ok);
    await view(server, share.url);
    expect(ok(await gql(server, `{ myShares { edges { node { viewCount } } } }`, {}, owner.token)).myShares.edges[0].node.viewCount).toBe(0);
  });
});

describe("revokeAllShares", () => {
  it("revokes every working link of the viewer at once and says how many", async () => {
    const me = await signUp(server);
    const id1 = await createConversation(server, me.token, "One");
    const id2 = await createConversation(server, me.token, "Two");
    const links = [await shareConversation(server, me.token, id1), await shareConversation(server, me.token, id2), await shareConversation(server, me.token, id2)];
    await revoke(server, me.token, links[0].id).then(ok);
    const other = await ownerWithShare(server);

    const res = ok(await gql(server, REVOKE_ALL, {}, me.token)).revokeAllShares;
    expect(res.revokedCount).toBe(2);
    expect(res.shares.map((s: any) => s.id)).toEqual([links[2].id, links[1].id]);
    expect(res.shares.every((s: any) => s.status === "REVOKED" && s.revokedAt)).toBe(true);
    for (const link of links) expect(await view(server, link.url)).toBeNull();
    expect(await view(server, other.share.url)).not.toBeNull();
    expect(ok(await gql(server, REVOKE_ALL, {}, me.token)).revokeAllShares.revokedCount).toBe(0);
  });

  it("can be limited to one conversation", async () => {
    const me = await signUp(server);
    const keep = await shareConversation(server, me.token, await createConversation(server, me.token, "Keep"));
    const target = await createConversation(server, me.token, "Target");
    const gone = await shareConversation(server, me.token, target);
    expect(ok(await gql(server, REVOKE_ALL, { input: { conversationId: target } }, me.token)).revokeAllShares.revokedCount).toBe(1);
    expect(await view(server, gone.url)).toBeNull();
    expect(await view(server, keep.url)).not.toBeNull();
  });

  it("refuses someone else's conversation", async () => {
    const { conversationId, share } = await ownerWithShare(server);
    const stranger = await signUp(server);
    expect(codes(await gql(server, REVOKE_ALL, { input: { conversationId } }, stranger.token))).toEqual(["NOT_FOUND"]);
    expect(await view(server, share.url)).not.toBeNull();
  });
});

describe("refreshShare", () => {
  it("shows the conversation as it is now behind the same URL, keeping attribution and expiry", async () => {
    const owner = await signUp(server, { displayName: "Rita" });
    const id = await createConversation(server, owner.token, "Evolving", [{ role: "USER", content: "first" }]);
    const expiresAt = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const created = ok(await gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url snapshotAt } } }`, { input: { conversationId: id, attribution: "NAMED", expiresAt } }, owner.token)).shareConversation.share;
    await appendMessage(server, owner.token, id, "ASSISTANT", "second, with a key AKIAIOSFODNN7EXAMPLE");

    const res = ok(await gql(server, REFRESH, { input: { shareId: created.id } }, owner.token)).refreshShare;
    expect(res.share).toMatchObject({ id: created.id, url: created.url, attribution: "NAMED", expiresAt, messageCount: 2, status: "ACTIVE" });
    expect(Date.parse(res.share.snapshotAt)).toBeGreaterThanOrEqual(Date.parse(created.snapshotAt));
    expect(res.warnings).toEqual([{ kind: "API_KEY_OR_SECRET" }]);
    const shown = await view(server, created.url);
    expect(shown.messages.map((m: any) => m.content)).toEqual(["first", "second, with a key AKIAIOSFODNN7EXAMPLE"]);
    expect(shown.sharedBy).toBe("Rita");
    expect(Date.parse(shown.sharedAt)).toBe(Date.parse(res.share.snapshotAt));
  });

  it("refuses a revoked or expired link, and someone else's", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const expired = await shareConversation(server, owner.token, conversationId);
    await expire(expired.id);
    await revoke(server, owner.token, share.id).then(ok);
    expect(codes(await gql(server, REFRESH, { input: { shareId: share.id } }, owner.token))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await gql(server, REFRESH, { input: { shareId: expired.id } }, owner.token))).toEqual(["BAD_USER_INPUT"]);
    const live = await shareConversation(server, owner.token, conversationId);
    const stranger = await signUp(server);
    expect(codes(await gql(server, REFRESH, { input: { shareId: live.id } }, stranger.token))).toEqual(["NOT_FOUND"]);
  });
});
