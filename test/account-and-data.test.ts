// Profile changes, where imported copies came from, and exporting one's data.
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, createConversation, dbId, gql, importShare, ok, ownerWithShare, signUp, view } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id displayName email } } }`;

describe("updateProfile", () => {
  it("changes the display name, and NAMED links show the new one at once while anonymous ones stay anonymous", async () => {
    const named = await ownerWithShare(server, "NAMED");
    const anonymous = await shareAnonymously(named.owner.token, named.conversationId);
    const res = ok(await gql(server, UPDATE, { input: { displayName: "  Olivia O.  " } }, named.owner.token)).updateProfile.user;
    expect(res).toEqual({ id: named.owner.id, displayName: "Olivia O.", email: named.owner.email });
    expect((await view(server, named.share.url)).sharedBy).toBe("Olivia O.");
    expect((await view(server, anonymous)).sharedBy).toBeNull();
  });

  it.each([["blank", "   "], ["too long", "x".repeat(81)]])("refuses a %s name", async (_label, displayName) => {
    const me = await signUp(server);
    expect(codes(await gql(server, UPDATE, { input: { displayName } }, me.token))).toEqual(["BAD_USER_INPUT"]);
    expect(ok(await gql(server, `{ me { displayName } }`, {}, me.token)).me.displayName).toBe("Test User");
  });

  it("needs a login", async () => {
    expect(codes(await gql(server, UPDATE, { input: { displayName: "x" } }))).toEqual(["UNAUTHENTICATED"]);
  });
});

async function shareAnonymously(token: string, conversationId: string): Promise<string> {
  return ok(await gql(server, `mutation($id: ID!) { shareConversation(input: { conversationId: $id }) { share { url } } }`, { id: conversationId }, token)).shareConversation.share.url;
}

describe("importedFrom", () => {
  it("tells the importer the original title and share time, and nothing about the owner", async () => {
    const { owner, share } = await ownerWithShare(server, "NAMED");
    const viewer = await signUp(server);
    const shown = await view(server, share.url);
    const id = ok(await importShare(server, viewer.token, share.url)).importShare.conversation.id;
    const res = await gql(server, `query($id: ID!) { conversation(id: $id) { importedFrom { title sharedAt } } }`, { id }, viewer.token);
    expect(ok(res).conversation.importedFrom).toEqual({ title: "Trip to Lisbon", sharedAt: shown.sharedAt });
    for (const secret of [owner.id, dbId(owner.id), owner.email, "Olivia", share.id, dbId(share.id)]) expect(res.text).not.toContain(secret);
  });

  it("is null for a conversation the viewer started", async () => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Mine");
    expect(ok(await gql(server, `query($id: ID!) { conversation(id: $id) { importedFrom { title } } }`, { id }, me.token)).conversation.importedFrom).toBeNull();
  });
});

describe("exportMyData", () => {
  it("returns the viewer's profile, conversations with messages, and shares with URLs and snapshots", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const other = await ownerWithShare(server);
    const res = await gql(server, `{ exportMyData { exportedAt data } }`, {}, owner.token);
    const { exportedAt, data } = ok(res).exportMyData;
    expect(Date.parse(exportedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(data.formatVersion).toBe(1);
    expect(data.user).toMatchObject({ id: owner.id, email: owner.email, displayName: "Olivia Owner", role: "USER" });
    expect(data.conversations).toEqual([
      expect.objectContaining({
        id: conversationId,
        title: "Trip to Lisbon",
        importedFrom: null,
        messages: [expect.objectContaining({ role: "USER", content: "Plan three days in Lisbon." }), expect.objectContaining({ role: "ASSISTANT" })],
      }),
    ]);
    expect(data.shares).toEqual([
      expect.objectContaining({ id: share.id, url: share.url, conversationId, status: "ACTIVE", attribution: "ANONYMOUS", audience: "PUBLIC", snapshot: { title: "Trip to Lisbon", messages: expect.any(Array) } }),
    ]);
    for (const foreign of [other.owner.id, dbId(other.owner.id), other.share.url, other.conversationId, dbId(other.conversationId)]) expect(res.text).not.toContain(foreign);
    expect(res.text).not.toMatch(/passwordHash|password_hash|tokenHash|tokenSealed/);
  });

  it("needs a login", async () => {
    expect(codes(await gql(server, `{ exportMyData { data } }`))).toEqual(["UNAUTHENTICATED"]);
  });
});
