// Every way a link dies gives the same null; deleting and deactivating take everything with them, but not others' copies.
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, dbId, gql, importShare, ok, ownerWithShare, PASSWORD, revoke, signUp, view, VIEW } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const DELETE = `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`;
const DEACTIVATE = `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`;

type Killer = (ctx: Awaited<ReturnType<typeof ownerWithShare>>) => Promise<unknown>;
const killers: [string, Killer][] = [
  ["revoked", ({ owner, share }) => revoke(server, owner.token, share.id).then(ok)],
  ["its conversation deleted", ({ owner, conversationId }) => gql(server, DELETE, { input: { conversationId } }, owner.token).then(ok)],
  ["its owner's account deactivated", ({ owner }) => gql(server, DEACTIVATE, { input: { password: PASSWORD } }, owner.token).then(ok)],
];

describe("a dead link", () => {
  it.each(killers)("gives null once %s, exactly like a token that never existed", async (_how, kill) => {
    const ctx = await ownerWithShare(server, "NAMED");
    const viewer = await signUp(server);
    await kill(ctx);
    const dead = await gql(server, VIEW, { link: ctx.share.url });
    const never = await gql(server, VIEW, { link: "https://chat.example/share/" + "N".repeat(43) });
    expect(dead.status).toBe(200);
    expect(dead.text).toBe(never.text);
    expect(JSON.parse(dead.text)).toEqual({ data: { sharedConversation: null } });
    expect(await view(server, ctx.share.url, viewer.token)).toBeNull();
  });

  it.each(killers)("cannot be imported once %s", async (_how, kill) => {
    const ctx = await ownerWithShare(server);
    const viewer = await signUp(server);
    await kill(ctx);
    const res = await importShare(server, viewer.token, ctx.share.url);
    expect(codes(res)).toEqual(["NOT_FOUND"]);
    expect(ok(await gql(server, `{ conversations { edges { node { id } } } }`, {}, viewer.token)).conversations.edges).toEqual([]);
  });
});

describe("deleting a conversation", () => {
  it("kills every link to it and removes the snapshots' content from the database", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const second = (await gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url } } }`, { input: { conversationId } }, owner.token).then(ok)).shareConversation.share;
    await gql(server, DELETE, { input: { conversationId } }, owner.token).then(ok);
    expect(await view(server, share.url)).toBeNull();
    expect(await view(server, second.url)).toBeNull();
    const rows = await server.sql<{ n: number }>(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM shares WHERE conversation_id = ? OR snapshot LIKE '%Lisbon%' AND owner_id = ?`, [dbId(conversationId), dbId(owner.id)]);
    expect(rows[0].n).toBe(0);
    expect(ok(await gql(server, `{ myShares { edges { node { id } } } }`, {}, owner.token)).myShares.edges).toEqual([]);
  });

  it("leaves the owner's other conversations' links working", async () => {
    const { owner, share } = await ownerWithShare(server);
    const conv2 = (await gql(server, `mutation { createConversation(input: { title: "Keep me" }) { conversation { id } } }`, {}, owner.token).then(ok)).createConversation.conversation.id;
    await gql(server, DELETE, { input: { conversationId: conv2 } }, owner.token).then(ok);
    expect((await view(server, share.url)).title).toBe("Trip to Lisbon");
  });
});

describe("deactivating an account", () => {
  it("needs the right password, and a wrong one changes nothing", async () => {
    const { owner, share } = await ownerWithShare(server);
    const res = await gql(server, DEACTIVATE, { input: { password: "not my password" } }, owner.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(ok(await gql(server, `{ me { id } }`, {}, owner.token)).me.id).toBe(owner.id);
    expect(await view(server, share.url)).not.toBeNull();
  });

  it("kills every link, every token already issued, and later logins", async () => {
    const { owner, share } = await ownerWithShare(server);
    const secondSession = ok(await gql(server, `mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: owner.email, password: PASSWORD } })).logIn.token;
    const res = ok(await gql(server, DEACTIVATE, { input: { password: PASSWORD } }, owner.token));
    expect(res.deactivateAccount.deactivatedUserId).toBe(owner.id);

    expect(await view(server, share.url)).toBeNull();
    for (const token of [owner.token, secondSession]) {
      expect(ok(await gql(server, `{ me { id } }`, {}, token)).me).toBeNull();
      expect(codes(await gql(server, `{ conversations { edges { cursor } } }`, {}, token))).toEqual(["UNAUTHENTICATED"]);
      expect(codes(await gql(server, `mutation { createConversation(input: { title: "x" }) { conversation { id } } }`, {}, token))).toEqual(["UNAUTHENTICATED"]);
    }
    const login = await gql(server, `mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: owner.email, password: PASSWORD } });
    expect(codes(login)).toEqual(["UNAUTHENTICATED"]);
  });

  it("leaves other users' links alone", async () => {
    const mine = await ownerWithShare(server);
    const theirs = await ownerWithShare(server);
    await gql(server, DEACTIVATE, { input: { password: PASSWORD } }, mine.owner.token).then(ok);
    expect((await view(server, theirs.share.url)).title).toBe("Trip to Lisbon");
  });
});
