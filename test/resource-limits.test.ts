// No one user can exhaust the server: caps on what a conversation holds, and per-user limits on making more.
import { randomUUID } from "node:crypto";
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, createConversation, dbId, gql, importShare, ok, PASSWORD, shareConversation, signUp, type GraphQLResult } from "./helpers/client";

const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`;
const CREATE = `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { id } } }`;
const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url } } }`;
const COUNT = `query($id: ID!) { conversation(id: $id) { messagesConnection(first: 100) { edges { cursor } } } }`;

const append = (server: TestServer, token: string, conversationId: string, content: string, idempotencyKey?: string) =>
  gql(server, APPEND, { input: { conversationId, role: "USER", content, ...(idempotencyKey ? { idempotencyKey } : {}) } }, token);
const messageCount = async (server: TestServer, token: string, id: string) => ok(await gql(server, COUNT, { id }, token)).conversation.messagesConnection.edges.length;
const refusal = (result: GraphQLResult) => ({ codes: codes(result), message: result.errors?.[0]?.message });

describe("caps on one conversation", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MAX_MESSAGES_PER_CONVERSATION: "4", MAX_CONVERSATION_BYTES: "1000" });
  });
  afterAll(() => server.close());

  it("refuses the message past MAX_MESSAGES_PER_CONVERSATION, and keeps the ones before", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Long chat");
    for (let i = 0; i < 4; i++) ok(await append(server, owner.token, id, `message ${i}`));
    expect(refusal(await append(server, owner.token, id, "one too many"))).toEqual({
      codes: ["BAD_USER_INPUT"],
      message: "This conversation would hold more than the limit of 4 messages; start a new conversation.",
    });
    expect(await messageCount(server, owner.token, id)).toBe(4);
  });

  it("counts MAX_CONVERSATION_BYTES in UTF-8 bytes, not characters", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Accents");
    ok(await append(server, owner.token, id, "é".repeat(250))); // 500 bytes
    ok(await append(server, owner.token, id, "a".repeat(400)));
    expect(refusal(await append(server, owner.token, id, "é".repeat(60)))).toEqual({
      codes: ["BAD_USER_INPUT"],
      message: "This conversation would hold more than the limit of 1000 bytes of messages; start a new conversation.",
    });
    ok(await append(server, owner.token, id, "b".repeat(100))); // exactly 1000: allowed
    expect(await messageCount(server, owner.token, id)).toBe(3);
  });

  it("lets concurrent appends fill the conversation exactly to the cap, never past it", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Racing");
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => append(server, owner.token, id, `racer ${i}`)));
    expect(results.filter((r) => !r.errors).length).toBe(4);
    expect(new Set(results.flatMap(codes))).toEqual(new Set(["BAD_USER_INPUT"]));
    expect(await messageCount(server, owner.token, id)).toBe(4);
  });

  describe("a conversation made before the caps, and over them", () => {
    let owner: Awaited<ReturnType<typeof signUp>>;
    let id: string;
    let withinCaps: string;
    let share: { id: string; url: string };
    beforeAll(async () => {
      owner = await signUp(server);
      id = await createConversation(server, owner.token, "Old and long");
      for (let i = 0; i < 4; i++) withinCaps = ok(await append(server, owner.token, id, `old ${i}`)).appendMessage.message.id;
      share = await shareConversation(server, owner.token, id);
      // As if written before the caps existed: a fifth message and a snapshot of five.
      await server.sql(
        `INSERT INTO messages (id, conversation_id, owner_id, position, role, content, created_at)
         SELECT ?, conversation_id, owner_id, position + 1, role, 'old 4', created_at FROM messages WHERE id = ?`,
        [randomUUID(), dbId(withinCaps)],
      );
      const snapshot = { title: "Old and long", messages: Array.from({ length: 5 }, (_, i) => ({ role: "USER", content: `old ${i}` })) };
      await server.sql(`UPDATE shares SET snapshot = ?, message_count = 5 WHERE id = ?`, [JSON.stringify(snapshot), dbId(share.id)]);
    });

    it("can still be read, but cannot grow", async () => {
      expect(await messageCount(server, owner.token, id)).toBe(5);
      expect(codes(await append(server, owner.token, id, "more"))).toEqual(["BAD_USER_INPUT"]);
    });

    it("can be shared only up to a message within the caps", async () => {
      expect(refusal(await gql(server, SHARE, { input: { conversationId: id } }, owner.token))).toEqual({
        codes: ["BAD_USER_INPUT"],
        message: "A snapshot of this conversation would hold more than the limit of 4 messages; start a new conversation.",
      });
      ok(await gql(server, SHARE, { input: { conversationId: id, upToMessageId: withinCaps } }, owner.token));
    });

    it("cannot be imported from a snapshot over the caps", async () => {
      const viewer = await signUp(server);
      expect(refusal(await importShare(server, viewer.token, share.url))).toEqual({
        codes: ["BAD_USER_INPUT"],
        message: "The imported conversation would hold more than the limit of 4 messages; start a new conversation.",
      });
      expect(ok(await gql(server, `{ conversations(first: 10) { edges { node { id } } } }`, {}, viewer.token)).conversations.edges).toEqual([]);
    });
  });
});

describe("per-user rate limits", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CONVERSATIONS_PER_USER_PER_HOUR: "2", MESSAGES_PER_USER_PER_HOUR: "3", LOGINS_PER_ACCOUNT_PER_HOUR: "3" });
  });
  afterAll(() => server.close());

  it("createConversation: CONVERSATIONS_PER_USER_PER_HOUR per user, with a retry hint", async () => {
    const [ada, bob] = [await signUp(server), await signUp(server)];
    for (let i = 0; i < 2; i++) ok(await gql(server, CREATE, { input: { title: `c${i}` } }, ada.token));
    const refused = await gql(server, CREATE, { input: { title: "third" } }, ada.token);
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    ok(await gql(server, CREATE, { input: { title: "someone else's" } }, bob.token));
  });

  it("appendMessage: MESSAGES_PER_USER_PER_HOUR per user; a retry of a done append is not counted", async () => {
    const ada = await signUp(server);
    const id = await createConversation(server, ada.token, "Chatty");
    const first = ok(await append(server, ada.token, id, "one", "key-1")).appendMessage.message.id;
    ok(await append(server, ada.token, id, "two"));
    ok(await append(server, ada.token, id, "three"));
    const refused = await append(server, ada.token, id, "four");
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(ok(await append(server, ada.token, id, "one", "key-1")).appendMessage.message.id).toBe(first);
  });

  it("deactivateAccount's password check spends logIn's allowance for the account", async () => {
    const ada = await signUp(server);
    const DEACTIVATE = `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`;
    for (let i = 0; i < 2; i++) expect(codes(await gql(server, DEACTIVATE, { input: { password: `wrong guess ${i}` } }, ada.token))).toEqual(["BAD_USER_INPUT"]);
    ok(await gql(server, `mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: ada.email, password: PASSWORD } }));
    const refused = await gql(server, DEACTIVATE, { input: { password: PASSWORD } }, ada.token);
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(ok(await gql(server, `{ me { id } }`, {}, ada.token)).me).not.toBeNull();
  });
});

describe("the in-memory rate-limit store under a flood of addresses", () => {
  let server: TestServer;
  beforeAll(async () => {
    // 64 KiB holds about 550 addresses; forwarded addresses let one test client be thousands of them.
    server = await startTestServer({ TRUST_PROXY: "loopback", VIEWS_PER_IP_PER_MINUTE: "1", RATE_LIMIT_MEMORY_MAX_BYTES: String(64 * 1024) });
  });
  afterAll(() => server.close());

  const VIEW = `query($link: String!) { sharedConversation(link: $link) { title } }`;
  const viewFrom = async (address: string) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": address },
      body: JSON.stringify({ query: VIEW, variables: { link: "A".repeat(43) } }),
    });
    return codes((await res.json()) as GraphQLResult);
  };

  it("stays within RATE_LIMIT_MEMORY_MAX_BYTES by forgetting the windows closest to their end first", async () => {
    const first = "10.0.0.1";
    expect(await viewFrom(first)).toEqual([]);
    expect(await viewFrom(first)).toEqual(["RATE_LIMITED"]);
    for (let i = 0; i < 2000; i++) await viewFrom(`10.1.${i >> 8}.${i & 255}`);
    // The first address's window was the oldest, so it went to make room; the last one's is still there.
    expect(await viewFrom(first)).toEqual([]);
    expect(await viewFrom(`10.1.${1999 >> 8}.${1999 & 255}`)).toEqual(["RATE_LIMITED"]);
  }, 60_000);
});
