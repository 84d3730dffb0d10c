// Importing a share: a private copy in the viewer's history that they can continue and that outlives the original.
import { startTestServer, type TestServer } from "./helpers/server";
import { appendMessage, codes, gql, importShare, ok, ownerWithShare, PASSWORD, revoke, signUp } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const GET = `query($id: ID!) { conversation(id: $id) { id title messages { role content } shares { id } } }`;
const LISBON = [
  { role: "USER", content: "Plan three days in Lisbon." },
  { role: "ASSISTANT", content: "Day 1: Alfama. Day 2: Belém. Day 3: Sintra." },
];

async function importAs(token: string, link: string): Promise<string> {
  return ok(await importShare(server, token, link)).importShare.conversation.id;
}

describe("importing a share", () => {
  it("creates a new conversation of the viewer's with the snapshot's title and messages", async () => {
    const { conversationId, share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    const res = ok(await importShare(server, viewer.token, share.url));
    const copy = res.importShare.conversation;
    expect(copy).toEqual({ id: expect.any(String), title: "Trip to Lisbon", messages: LISBON });
    expect(copy.id).not.toBe(conversationId);
    const list = ok(await gql(server, `{ conversations { edges { node { id title } } } }`, {}, viewer.token)).conversations.edges;
    expect(list).toEqual([{ node: { id: copy.id, title: "Trip to Lisbon" } }]);
  });

  it("works with the bare token", async () => {
    const { share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    const id = await importAs(viewer.token, share.url.split("/").pop()!);
    expect(ok(await gql(server, GET, { id }, viewer.token)).conversation.messages).toEqual(LISBON);
  });

  it("can be continued by the importer, without touching the original or its link", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    const id = await importAs(viewer.token, share.url);
    await appendMessage(server, viewer.token, id, "USER", "Make it four days.");
    expect(ok(await gql(server, GET, { id }, viewer.token)).conversation.messages).toHaveLength(3);
    expect(ok(await gql(server, GET, { id: conversationId }, owner.token)).conversation.messages).toEqual(LISBON);
    expect(ok(await gql(server, `query($l: String!) { sharedConversation(link: $l) { messages { content } } }`, { l: share.url })).sharedConversation.messages).toHaveLength(2);
  });

  it("is private to the importer: the original owner cannot read the copy", async () => {
    const { owner, share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    const id = await importAs(viewer.token, share.url);
    expect(codes(await gql(server, GET, { id }, owner.token))).toEqual(["NOT_FOUND"]);
  });

  it("of one's own share is allowed and makes a separate copy", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const id = await importAs(owner.token, share.url);
    expect(id).not.toBe(conversationId);
    expect(ok(await gql(server, GET, { id }, owner.token)).conversation).toMatchObject({ title: "Trip to Lisbon", messages: LISBON, shares: [] });
  });

  it("copies the snapshot, not later messages of the original", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    await appendMessage(server, owner.token, conversationId, "USER", "added after sharing");
    const viewer = await signUp(server);
    const id = await importAs(viewer.token, share.url);
    expect(ok(await gql(server, GET, { id }, viewer.token)).conversation.messages).toEqual(LISBON);
  });

  it("needs a login", async () => {
    const { share } = await ownerWithShare(server);
    expect(codes(await importShare(server, undefined, share.url))).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a look-alike link with BAD_USER_INPUT and an unknown token with NOT_FOUND", async () => {
    const { share } = await ownerWithShare(server);
    const viewer = await signUp(server);
    const token = share.url.split("/").pop()!;
    expect(codes(await importShare(server, viewer.token, `https://evil.example/share/${token}`))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await importShare(server, viewer.token, "Z".repeat(43)))).toEqual(["NOT_FOUND"]);
  });
});

describe("an imported copy survives", () => {
  it.each([
    ["the link being revoked", (o: any) => revoke(server, o.owner.token, o.share.id)],
    ["the original being deleted", (o: any) => gql(server, `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, { input: { conversationId: o.conversationId } }, o.owner.token)],
    ["the owner deactivating their account", (o: any) => gql(server, `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`, { input: { password: PASSWORD } }, o.owner.token)],
  ])("%s", async (_what, act) => {
    const original = await ownerWithShare(server);
    const viewer = await signUp(server);
    const id = await importAs(viewer.token, original.share.url);
    ok(await act(original));
    expect(ok(await gql(server, GET, { id }, viewer.token)).conversation).toMatchObject({ title: "Trip to Lisbon", messages: LISBON });
    await appendMessage(server, viewer.token, id, "USER", "still mine");
  });
});
