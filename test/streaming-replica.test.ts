// Read replicas for real: a PostgreSQL primary and a streaming hot standby of it that applies every commit a few
// seconds late. Whatever the lagging replica still holds, a viewer sees what the primary says now.
import type { TestServer } from "./helpers/server";
import { requireService } from "./helpers/require-service";
import { appendMessage, dbId, gql, importShare, ok, ownerWithShare, PASSWORD, revoke, signUp, view } from "./helpers/client";
import { findPgBinaries, startStreamingPair, type StreamingPair } from "./helpers/pg-cluster";

const binaries = findPgBinaries();
const runnable = requireService("streaming-replica", !("missing" in binaries), "missing" in binaries ? binaries.missing : "");

/** The share page a browser opens for a link: its status and text. */
async function sharePage(server: TestServer, link: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}${new URL(link).pathname}`);
  return { status: res.status, text: await res.text() };
}

const SERVERS = [
  // Every view then goes to the replica for the snapshot row, so nothing in front of it hides a wrong read.
  ["with its caches off", { SNAPSHOT_CACHE_SIZE: "0", RESPONSE_CACHE_MAX_BYTES: "0" }],
  ["with its caches on", {}],
] as const;

(runnable ? describe : describe.skip)("a server reading from a real streaming replica that lags", () => {
  let pair: StreamingPair;
  const servers = new Map<string, TestServer>();

  beforeAll(async () => {
    if ("missing" in binaries) return;
    // The replica applies each commit 3 s after the primary made it, as a replica far away or busy would. Where a
    // test must be sure the replica still lags while it looks, it also holds replay: a busy machine may need more
    // than those seconds to send a few requests.
    pair = await startStreamingPair(binaries, "3s");
    // The entities take their column types from DATABASE_URL as they load (src/db/columns.ts), so the server's
    // modules load only now. Jest gives each test file a process.env of its own.
    process.env.DATABASE_URL = pair.primaryUrl;
    const { startTestServer } = await import("./helpers/server");
    for (const [name, caches] of SERVERS) {
      servers.set(name, await startTestServer({ DATABASE_URL: pair.primaryUrl, DATABASE_REPLICA_URLS: pair.replicaUrl, ...caches }));
    }
    // The migrations ran on the primary; the replica has the tables once it has caught up.
    await pair.catchUp();
  }, 60_000);
  afterAll(async () => {
    for (const server of servers.values()) await server.close();
    await pair?.stop();
  }, 60_000);

  describe.each(SERVERS)("%s", (name) => {
    let server: TestServer;
    beforeAll(() => {
      server = servers.get(name)!;
    });

    it("never serves a link revoked, deleted, deactivated, refreshed, re-attributed or restricted on the primary from the replica's older copy", async () => {
      const revoked = await ownerWithShare(server);
      const deleted = await ownerWithShare(server);
      const deactivated = await ownerWithShare(server);
      const refreshed = await ownerWithShare(server);
      const renamed = await ownerWithShare(server, "ANONYMOUS");
      const restricted = await ownerWithShare(server);
      for (const { share } of [revoked, deleted, deactivated, refreshed, renamed, restricted]) expect((await view(server, share.url)).title).toBe("Trip to Lisbon");
      await pair.catchUp();
      await pair.holdReplay();

      ok(await revoke(server, revoked.owner.token, revoked.share.id));
      ok(await gql(server, `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, { input: { conversationId: deleted.conversationId } }, deleted.owner.token));
      ok(await gql(server, `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`, { input: { password: PASSWORD } }, deactivated.owner.token));
      await appendMessage(server, refreshed.owner.token, refreshed.conversationId, "USER", "And a fourth day?");
      ok(await gql(server, `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`, { input: { shareId: refreshed.share.id } }, refreshed.owner.token));
      ok(await gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: renamed.share.id, attribution: "NAMED" } }, renamed.owner.token));
      ok(await gql(server, `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } } }`, { input: { displayName: "Olivia Renamed" } }, renamed.owner.token));
      ok(await gql(server, `mutation($input: SetShareAudienceInput!) { setShareAudience(input: $input) { share { id } } }`, { input: { shareId: restricted.share.id, audience: "SIGNED_IN" } }, restricted.owner.token));

      const lookedAt = await replicaClock();
      for (let round = 0; round < 3; round++) {
        for (const dead of [revoked, deleted, deactivated]) {
          expect(await view(server, dead.share.url)).toBeNull();
          expect((await sharePage(server, dead.share.url)).status).toBe(404);
        }
        const fresh = await view(server, refreshed.share.url);
        expect(fresh.messages.map((m: { content: string }) => m.content)).toEqual(["Plan three days in Lisbon.", "Day 1: Alfama. Day 2: Belém. Day 3: Sintra.", "And a fourth day?"]);
        expect((await sharePage(server, refreshed.share.url)).text).toContain("And a fourth day?");
        expect((await view(server, renamed.share.url)).sharedBy).toBe("Olivia Renamed");
        expect((await sharePage(server, renamed.share.url)).text).toContain("Olivia Renamed");
        expect(await view(server, restricted.share.url)).toBeNull();
        expect((await sharePage(server, restricted.share.url)).status).toBe(401);
      }
      const importer = await signUp(server);
      const imported = ok(await importShare(server, importer.token, refreshed.share.url)).importShare.conversation;
      expect(imported.messages.map((m: { content: string }) => m.content).at(-1)).toBe("And a fourth day?");

      // What makes the above mean something: the server did read the replica, and all along the replica said the
      // links worked as before.
      expect(await linkReadsOnReplicaSince(lookedAt)).toBeGreaterThan(0);
      expect(await replicaCopy(revoked.share.id)).toMatchObject({ revoked_at: null });
      expect(await replicaCopy(deleted.share.id)).toBeDefined();
      expect(await replicaCopy(deactivated.share.id)).toMatchObject({ deactivated_at: null });
      expect((await replicaCopy(refreshed.share.id))?.snapshot).not.toContain("And a fourth day?");
      expect(await replicaCopy(renamed.share.id)).toMatchObject({ attribution: "ANONYMOUS", display_name: "Olivia Owner" });

      await pair.catchUp();
      for (const dead of [revoked, deleted, deactivated]) expect(await view(server, dead.share.url)).toBeNull();
    }, 90_000);

    it("shows a new share at once, with its content, before the replica has it", async () => {
      await pair.holdReplay();
      const { share } = await ownerWithShare(server, "NAMED");
      for (let round = 0; round < 3; round++) {
        expect(await view(server, share.url)).toMatchObject({
          title: "Trip to Lisbon",
          sharedBy: "Olivia Owner",
          messages: [
            { role: "USER", content: "Plan three days in Lisbon." },
            { role: "ASSISTANT", content: "Day 1: Alfama. Day 2: Belém. Day 3: Sintra." },
          ],
        });
        const page = await sharePage(server, share.url);
        expect(page.status).toBe(200);
        expect(page.text).toContain("Day 1: Alfama.");
      }
      expect(await replicaCopy(share.id)).toBeUndefined();

      await pair.catchUp();
      expect(await replicaCopy(share.id)).toBeDefined();
      expect((await view(server, share.url)).title).toBe("Trip to Lisbon");
    }, 60_000);
  });

  // Last, since it takes the replica away from the tests above.
  describe("when the replica is down", () => {
    // A replica is an optimisation a view can do without: on a failed replica read, the primary answers.
    it("still shows links from the primary, and still hides revoked ones", async () => {
      const server = servers.get("with its caches off")!;
      const live = await ownerWithShare(server);
      const revoked = await ownerWithShare(server);
      ok(await revoke(server, revoked.owner.token, revoked.share.id));
      await pair.catchUp();
      await pair.stopReplica();

      expect((await view(server, live.share.url)).title).toBe("Trip to Lisbon");
      expect((await sharePage(server, live.share.url)).status).toBe(200);
      expect(await view(server, revoked.share.url)).toBeNull();
    }, 60_000);
  });

  /** What the replica holds now of a share and its owner; undefined when it has not received the share. */
  async function replicaCopy(shareId: string) {
    const rows = await pair.onReplica<{ revoked_at: Date | null; attribution: string; snapshot: string; display_name: string; deactivated_at: Date | null }>(
      `SELECT s.revoked_at, s.attribution, s.snapshot, u.display_name, u.deactivated_at FROM shares s JOIN users u ON u.id = s.owner_id WHERE s.id = $1`,
      [dbId(shareId)],
    );
    return rows[0];
  }

  /** The replica's clock, to ask afterwards what it was asked since. */
  async function replicaClock(): Promise<Date> {
    const [{ now }] = await pair.onReplica<{ now: Date }>("SELECT clock_timestamp() AS now");
    return now;
  }

  /** The server's connections to the replica whose latest statement, begun since `since`, read a link by its token. */
  async function linkReadsOnReplicaSince(since: Date): Promise<number> {
    const rows = await pair.onReplica(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = 'chat-share' AND query LIKE '%token_hash%' AND query_start >= $1`,
      [since],
    );
    return rows.length;
  }
});
