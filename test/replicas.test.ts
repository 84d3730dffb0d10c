// PostgreSQL read replicas: views may read snapshots there, but whether a link works is decided on the primary.
import { startTestServer, TEST_DIALECT, type TestServer } from "./helpers/server";
import { gql, ok, ownerWithShare, revoke, view } from "./helpers/client";

(TEST_DIALECT === "postgres" ? describe : describe.skip)("with DATABASE_REPLICA_URLS", () => {
  let server: TestServer;
  beforeAll(async () => {
    // The replica is the primary itself here: this proves the wiring and that every decision goes through the primary.
    server = await startTestServer({ DATABASE_REPLICA_URLS: process.env.TEST_DATABASE_URL! });
  });
  afterAll(() => server?.close());

  it("views work, and a link revoked a moment ago is never served", async () => {
    const { owner, share } = await ownerWithShare(server);
    expect((await view(server, share.url)).title).toBe("Trip to Lisbon");
    ok(await revoke(server, owner.token, share.id));
    expect(await view(server, share.url)).toBeNull();
  });

  it("a refreshed or re-attributed link shows its new state at once", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    await gql(server, `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`, { input: { conversationId, role: "USER", content: "later" } }, owner.token).then(ok);
    ok(await gql(server, `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`, { input: { shareId: share.id } }, owner.token));
    ok(await gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: share.id, attribution: "NAMED" } }, owner.token));
    const seen = await view(server, share.url);
    expect(seen.messages).toHaveLength(3);
    expect(seen.sharedBy).toBe("Olivia Owner");
  });
});
