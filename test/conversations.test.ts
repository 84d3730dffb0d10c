// Conversations and messages: creating, continuing, listing, and refusing what is not yours or not valid.
import { startTestServer, type TestServer } from "./helpers/server";
import { appendMessage, codes, createConversation, dbId, gql, missingId, ok, signUp } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CREATE = `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { id title createdAt messages { id } shares { id } } } }`;
const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id role content createdAt } } }`;
const GET = `query($id: ID!) { conversation(id: $id) { id title messages { role content } } }`;
const MISSING_ID = missingId("Conversation");

describe("a conversation", () => {
  it("starts empty with the given title, trimmed", async () => {
    const me = await signUp(server);
    const data = ok(await gql(server, CREATE, { input: { title: "  Recipes  " } }, me.token));
    expect(data.createConversation.conversation).toEqual({ id: expect.any(String), title: "Recipes", createdAt: expect.any(String), messages: [], shares: [] });
  });

  it("keeps its messages in the order they were appended", async () => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Ordered");
    const added = await appendMessage(server, me.token, id, "SYSTEM", "Be brief.");
    expect(added).toEqual({ id: expect.any(String), role: "SYSTEM", content: "Be brief.", createdAt: expect.any(String) });
    await appendMessage(server, me.token, id, "USER", "Hi");
    await appendMessage(server, me.token, id, "ASSISTANT", "Hello!");
    expect(ok(await gql(server, GET, { id }, me.token)).conversation.messages).toEqual([
      { role: "SYSTEM", content: "Be brief." },
      { role: "USER", content: "Hi" },
      { role: "ASSISTANT", content: "Hello!" },
    ]);
  });

  it("lists newest first and pages with first/after", async () => {
    const me = await signUp(server);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await createConversation(server, me.token, `Chat ${i}`));
    const LIST = `query($first: Int, $after: String) { conversations(first: $first, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const first = ok(await gql(server, LIST, { first: 3 }, me.token)).conversations;
    expect(first.edges.map((e: any) => e.node.title)).toEqual(["Chat 4", "Chat 3", "Chat 2"]);
    expect(first.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0].cursor, endCursor: first.edges[2].cursor });
    const second = ok(await gql(server, LIST, { first: 3, after: first.pageInfo.endCursor }, me.token)).conversations;
    expect(second.edges.map((e: any) => e.node.id)).toEqual([ids[1], ids[0]]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(ok(await gql(server, `{ conversations { edges { node { id } } } }`, {}, me.token)).conversations.edges).toHaveLength(5);
  });

  it.each([
    ["first: 0", { first: 0 }],
    ["first: 101", { first: 101 }],
    ["a cursor this API never issued", { after: "bm90LWEtY3Vyc29y" }],
  ])("refuses a page with %s", async (_label, variables) => {
    const me = await signUp(server);
    const res = await gql(server, `query($first: Int, $after: String) { conversations(first: $first, after: $after) { edges { cursor } } }`, variables, me.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("invalid input", () => {
  it.each([
    ["an empty title", { title: "" }, /title/],
    ["a blank title", { title: " \n\t " }, /title/],
    ["a title over 200 characters", { title: "t".repeat(201) }, /title/],
  ])("createConversation refuses %s", async (_label, input, pattern) => {
    const me = await signUp(server);
    const res = await gql(server, CREATE, { input }, me.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(pattern);
    expect(ok(await gql(server, `{ conversations { edges { node { id } } } }`, {}, me.token)).conversations.edges).toEqual([]);
  });

  it.each([
    ["empty content", { content: "" }, /content/],
    ["blank content", { content: "   " }, /content/],
    ["content over 100000 characters", { content: "c".repeat(100_001) }, /content/],
    ["a malformed conversation id", { conversationId: "42" }, /conversationId/],
    ["an SQL-shaped id", { conversationId: "' OR '1'='1" }, /conversationId/],
    ["an unknown role", { role: "ROBOT" }, /ROBOT|role/],
  ])("appendMessage refuses %s and stores nothing", async (_label, override, pattern) => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Strict");
    const res = await gql(server, APPEND, { input: { conversationId: id, role: "USER", content: "ok", ...override } }, me.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(pattern);
    expect(ok(await gql(server, GET, { id }, me.token)).conversation.messages).toEqual([]);
  });

  it("accepts content of exactly 100000 characters", async () => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Long");
    expect((await appendMessage(server, me.token, id, "ASSISTANT", "x".repeat(100_000))).content).toHaveLength(100_000);
  });

  it("refuses an unknown enum value written into the query", async () => {
    const me = await signUp(server);
    const res = await gql(server, `mutation { appendMessage(input: { conversationId: "${MISSING_ID}", role: ROBOT, content: "x" }) { message { id } } }`, {}, me.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
  });

  it("refuses a malformed id in conversation(id:)", async () => {
    const me = await signUp(server);
    expect(codes(await gql(server, GET, { id: "not-an-id" }, me.token))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("someone else's conversation", () => {
  async function setUp() {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Private", [{ role: "USER", content: "my secret" }]);
    const stranger = await signUp(server);
    return { owner, id, stranger };
  }

  it("cannot be read: NOT_FOUND, exactly like an id that does not exist", async () => {
    const { id, stranger } = await setUp();
    const theirs = await gql(server, GET, { id }, stranger.token);
    const missing = await gql(server, GET, { id: MISSING_ID }, stranger.token);
    expect(codes(theirs)).toEqual(["NOT_FOUND"]);
    expect(theirs.data).toEqual({ conversation: null });
    expect(theirs.errors![0].message).toBe(missing.errors![0].message);
    expect(theirs.text).not.toContain("my secret");
  });

  it("cannot be appended to, and nothing changes", async () => {
    const { owner, id, stranger } = await setUp();
    const res = await gql(server, APPEND, { input: { conversationId: id, role: "USER", content: "intruder" } }, stranger.token);
    expect(codes(res)).toEqual(["NOT_FOUND"]);
    expect(ok(await gql(server, GET, { id }, owner.token)).conversation.messages).toEqual([{ role: "USER", content: "my secret" }]);
  });

  it("cannot be deleted, and nothing changes", async () => {
    const { owner, id, stranger } = await setUp();
    const res = await gql(server, `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, { input: { conversationId: id } }, stranger.token);
    expect(codes(res)).toEqual(["NOT_FOUND"]);
    expect(ok(await gql(server, GET, { id }, owner.token)).conversation.title).toBe("Private");
  });

  it("does not show up in the stranger's list", async () => {
    const { id, stranger } = await setUp();
    const list = ok(await gql(server, `{ conversations { edges { node { id } } } }`, {}, stranger.token)).conversations.edges;
    expect(list).not.toContainEqual({ node: { id } });
  });
});

describe("without a token", () => {
  const operations: [string, string, Record<string, unknown>][] = [
    ["conversation", GET, { id: MISSING_ID }],
    ["conversations", `{ conversations { edges { cursor } } }`, {}],
    ["myShares", `{ myShares { edges { cursor } } }`, {}],
    ["createConversation", CREATE, { input: { title: "x" } }],
    ["appendMessage", APPEND, { input: { conversationId: MISSING_ID, role: "USER", content: "x" } }],
    ["deleteConversation", `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, { input: { conversationId: MISSING_ID } }],
    ["deactivateAccount", `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`, { input: { password: "whatever-password" } }],
    ["shareConversation", `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id } } }`, { input: { conversationId: MISSING_ID } }],
    ["setShareAttribution", `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: MISSING_ID, attribution: "NAMED" } }],
    ["revokeShare", `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { id } } }`, { input: { shareId: MISSING_ID } }],
    ["importShare", `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id } } }`, { input: { link: "A".repeat(43) } }],
  ];

  it.each(operations)("%s is UNAUTHENTICATED", async (_name, query, variables) => {
    const res = await gql(server, query, variables);
    expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("deleting a conversation", () => {
  it("removes it and its messages from the owner's history", async () => {
    const me = await signUp(server);
    const id = await createConversation(server, me.token, "Doomed", [{ role: "USER", content: "bye" }]);
    const res = ok(await gql(server, `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, { input: { conversationId: id } }, me.token));
    expect(res.deleteConversation.deletedConversationId).toBe(id);
    expect(codes(await gql(server, GET, { id }, me.token))).toEqual(["NOT_FOUND"]);
    const rows = await server.sql<{ n: number }>(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM messages WHERE conversation_id = ?`, [dbId(id)]);
    expect(rows[0].n).toBe(0);
  });
});
