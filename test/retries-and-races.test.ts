// Retried and racing mutations: an idempotencyKey makes a retry create nothing new, and concurrent writes never tear.
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, createConversation, dbId, gql, ok, PASSWORD, shareConversation, signUp, type Account, type GraphQLResult } from "./helpers/client";

// Fifty sign-ups or imports at once take a while on a busy machine; no test here asserts how long anything takes.
jest.setTimeout(60_000);

let server: TestServer;
beforeAll(async () => {
  // The per-user hourly allowances are off: this file sends hundreds of shares and imports on purpose.
  server = await startTestServer({ SHARES_PER_USER_PER_HOUR: "0", IMPORTS_PER_USER_PER_HOUR: "0" });
});
afterAll(() => server.close());

const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id content } conversation { id } } }`;
const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url messageCount } } }`;
const IMPORT = `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id title messages { role content } } } }`;
const REFRESH = `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id url messageCount } } }`;
const MESSAGES = `query($id: ID!) { conversation(id: $id) { messages { content } } }`;
const VIEW_CONTENTS = `query($link: String!) { sharedConversation(link: $link) { messages { content } } }`;

type Role = "USER" | "ASSISTANT";
const script = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ role: (i % 2 ? "ASSISTANT" : "USER") as Role, content: `${tag} message ${i}` }));

let keys = 0;
/** A fresh, well-formed idempotency key. */
const newKey = (what: string) => `${what}:${process.pid}.${Date.now()}-${++keys}`;

/** One row's number from either dialect (PostgreSQL's COUNT is a bigint, which arrives as a string). */
async function count(sql: string, params: unknown[]): Promise<number> {
  const [row] = await server.sql<{ n: number | string }>(sql, params);
  return Number(row.n);
}
const conversationsOf = (account: Account) => count(`SELECT COUNT(*) AS n FROM conversations WHERE owner_id = ?`, [dbId(account.id)]);
const messagesIn = (conversationId: string) => count(`SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?`, [dbId(conversationId)]);
const sharesOf = (conversationId: string) => count(`SELECT COUNT(*) AS n FROM shares WHERE conversation_id = ?`, [dbId(conversationId)]);
const keysOf = (account: Account) => count(`SELECT COUNT(*) AS n FROM idempotency_keys WHERE user_id = ?`, [dbId(account.id)]);

/** Every message of the owner's conversations as stored, per conversation in position order. */
async function storedContents(owner: Account): Promise<Map<string, { position: number; content: string }[]>> {
  const rows = await server.sql<{ conversation_id: string; position: number | string; content: string }>(
    `SELECT conversation_id, position, content FROM messages WHERE owner_id = ? ORDER BY conversation_id, position`,
    [dbId(owner.id)],
  );
  const byConversation = new Map<string, { position: number; content: string }[]>();
  for (const row of rows) {
    const list = byConversation.get(row.conversation_id) ?? [];
    list.push({ position: Number(row.position), content: row.content });
    byConversation.set(row.conversation_id, list);
  }
  return byConversation;
}

function appendWithKey(account: Account, conversationId: string, content: string, idempotencyKey?: string) {
  return gql(server, APPEND, { input: { conversationId, role: "USER", content, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) } }, account.token);
}
function shareWithKey(account: Account, conversationId: string, idempotencyKey?: string) {
  return gql(server, SHARE, { input: { conversationId, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) } }, account.token);
}
function importWithKey(account: Account, link: string, idempotencyKey?: string) {
  return gql(server, IMPORT, { input: { link, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) } }, account.token);
}

/** An owner with a conversation of `length` messages, shared once. */
async function sharedConversationOf(length: number, tag: string) {
  const owner = await signUp(server, { displayName: `Owner ${tag}` });
  const messages = script(length, tag);
  const conversationId = await createConversation(server, owner.token, `Conversation ${tag}`, messages);
  const share = await shareConversation(server, owner.token, conversationId);
  return { owner, conversationId, share, messages };
}

describe("simultaneous imports of one share", () => {
  it("50 simultaneous imports by one user make 50 complete, distinct copies, each with every message in order", async () => {
    const { share, messages } = await sharedConversationOf(12, "one-importer");
    const viewer = await signUp(server);

    const results = await Promise.all(Array.from({ length: 50 }, () => importWithKey(viewer, share.url)));

    expect(results.flatMap(codes)).toEqual([]);
    const copies = results.map((r) => ok(r).importShare.conversation);
    expect(new Set(copies.map((c) => c.id)).size).toBe(50);
    for (const copy of copies) expect(copy.messages).toEqual(messages);
    expect(await conversationsOf(viewer)).toBe(50);
    const stored = await storedContents(viewer);
    expect([...stored.keys()].sort()).toEqual(copies.map((c) => dbId(c.id)).sort());
    for (const rows of stored.values()) {
      expect(rows.map((r) => r.position)).toEqual(messages.map((_, i) => i));
      expect(rows.map((r) => r.content)).toEqual(messages.map((m) => m.content));
    }
  });

  it("50 simultaneous imports by 50 different users give each of them one complete copy", async () => {
    const { share, messages } = await sharedConversationOf(12, "many-importers");
    const viewers = await Promise.all(Array.from({ length: 50 }, (_, i) => signUp(server, { displayName: `Importer ${i}` })));

    const results = await Promise.all(viewers.map((viewer) => importWithKey(viewer, share.url)));

    expect(results.flatMap(codes)).toEqual([]);
    const copies = results.map((r) => ok(r).importShare.conversation);
    expect(new Set(copies.map((c) => c.id)).size).toBe(50);
    for (const [i, viewer] of viewers.entries()) {
      expect(copies[i].messages).toEqual(messages);
      expect(await conversationsOf(viewer)).toBe(1);
      const stored = await storedContents(viewer);
      expect([...stored.keys()]).toEqual([dbId(copies[i].id)]);
      expect(stored.get(dbId(copies[i].id))!.map((r) => r.content)).toEqual(messages.map((m) => m.content));
    }
  });
});

describe("retries with an idempotencyKey", () => {
  it("shareConversation sent 10 times at once and again later with one key makes one share, with the same id and url every time", async () => {
    const owner = await signUp(server);
    const conversationId = await createConversation(server, owner.token, "Retried share", script(3, "retried-share"));
    const key = newKey("share");

    const burst = await Promise.all(Array.from({ length: 10 }, () => shareWithKey(owner, conversationId, key)));
    const later = await shareWithKey(owner, conversationId, key);

    const shares = [...burst, later].map((r) => ok(r).shareConversation.share);
    expect(new Set(shares.map((s) => s.id)).size).toBe(1);
    expect(new Set(shares.map((s) => s.url)).size).toBe(1);
    for (const share of shares) expect(share.messageCount).toBe(3);
    expect(await sharesOf(conversationId)).toBe(1);
    expect(await keysOf(owner)).toBe(1);
  });

  it("importShare sent 10 times at once and again later with one key makes one copy", async () => {
    const { share, messages } = await sharedConversationOf(4, "retried-import");
    const viewer = await signUp(server);
    const key = newKey("import");

    const burst = await Promise.all(Array.from({ length: 10 }, () => importWithKey(viewer, share.url, key)));
    const later = await importWithKey(viewer, share.url, key);

    const copies = [...burst, later].map((r) => ok(r).importShare.conversation);
    expect(new Set(copies.map((c) => c.id)).size).toBe(1);
    for (const copy of copies) expect(copy.messages).toEqual(messages);
    expect(await conversationsOf(viewer)).toBe(1);
    expect(await messagesIn(copies[0].id)).toBe(4);
  });

  it("appendMessage sent 10 times at once and again later with one key adds one message", async () => {
    const owner = await signUp(server);
    const conversationId = await createConversation(server, owner.token, "Retried append", script(2, "retried-append"));
    const key = newKey("append");

    const burst = await Promise.all(Array.from({ length: 10 }, () => appendWithKey(owner, conversationId, "Sent once, retried ten times.", key)));
    const later = await appendWithKey(owner, conversationId, "Sent once, retried ten times.", key);

    const messages = [...burst, later].map((r) => ok(r).appendMessage.message);
    expect(new Set(messages.map((m) => m.id)).size).toBe(1);
    expect(await messagesIn(conversationId)).toBe(3);
    const stored = ok(await gql(server, MESSAGES, { id: conversationId }, owner.token)).conversation.messages;
    expect(stored.map((m: { content: string }) => m.content)).toEqual(["retried-append message 0", "retried-append message 1", "Sent once, retried ten times."]);
  });

  it("a key reused for a different mutation is refused with BAD_USER_INPUT and creates nothing", async () => {
    const { owner, conversationId, share } = await sharedConversationOf(2, "key-reuse");
    const key = newKey("reused");
    ok(await appendWithKey(owner, conversationId, "First use of the key.", key));
    const sharesBefore = await sharesOf(conversationId);
    const conversationsBefore = await conversationsOf(owner);

    const asShare = await shareWithKey(owner, conversationId, key);
    const asImport = await importWithKey(owner, share.url, key);

    expect(codes(asShare)).toEqual(["BAD_USER_INPUT"]);
    expect(codes(asImport)).toEqual(["BAD_USER_INPUT"]);
    expect(await sharesOf(conversationId)).toBe(sharesBefore);
    expect(await conversationsOf(owner)).toBe(conversationsBefore);
    expect(await messagesIn(conversationId)).toBe(3);
  });

  it("one key used by two different users gives each of them their own, independent result", async () => {
    const { share } = await sharedConversationOf(3, "two-users");
    const [ada, bob] = await Promise.all([signUp(server), signUp(server)]);
    const [adaConversation, bobConversation] = await Promise.all([
      createConversation(server, ada.token, "Ada's"),
      createConversation(server, bob.token, "Bob's"),
    ]);
    const key = newKey("shared-by-two");

    const [adaMessage, bobMessage] = (
      await Promise.all([appendWithKey(ada, adaConversation, "Ada's message", key), appendWithKey(bob, bobConversation, "Bob's message", key)])
    ).map((r) => ok(r).appendMessage.message);
    const otherKey = newKey("import-by-two");
    const [adaCopy, bobCopy] = (await Promise.all([importWithKey(ada, share.url, otherKey), importWithKey(bob, share.url, otherKey)])).map(
      (r) => ok(r).importShare.conversation,
    );

    expect(adaMessage.id).not.toBe(bobMessage.id);
    expect([adaMessage.content, bobMessage.content]).toEqual(["Ada's message", "Bob's message"]);
    expect(adaCopy.id).not.toBe(bobCopy.id);
    expect(await messagesIn(adaConversation)).toBe(1);
    expect(await messagesIn(bobConversation)).toBe(1);
    expect(await conversationsOf(ada)).toBe(2);
    expect(await conversationsOf(bob)).toBe(2);
  });

  it("without a key, every call creates something new", async () => {
    const { owner, conversationId, share } = await sharedConversationOf(2, "no-key");
    const viewer = await signUp(server);

    const shares = await Promise.all(Array.from({ length: 3 }, () => shareWithKey(owner, conversationId)));
    const appends = await Promise.all(Array.from({ length: 3 }, () => appendWithKey(owner, conversationId, "Same text each time.")));
    const imports = await Promise.all(Array.from({ length: 3 }, () => importWithKey(viewer, share.url)));
    const nullKey = await gql(server, APPEND, { input: { conversationId, role: "USER", content: "A null key is no key.", idempotencyKey: null } }, owner.token);

    expect(new Set(shares.map((r) => ok(r).shareConversation.share.id)).size).toBe(3);
    expect(new Set(appends.map((r) => ok(r).appendMessage.message.id)).size).toBe(3);
    expect(new Set(imports.map((r) => ok(r).importShare.conversation.id)).size).toBe(3);
    ok(nullKey);
    expect(await sharesOf(conversationId)).toBe(1 + 3);
    expect(await messagesIn(conversationId)).toBe(2 + 3 + 1);
    expect(await conversationsOf(viewer)).toBe(3);
    expect(await keysOf(owner)).toBe(0);
  });

  it("a malformed key (too long, with spaces, empty, non-ASCII) is refused with BAD_USER_INPUT and creates nothing", async () => {
    const { owner, conversationId, share } = await sharedConversationOf(2, "malformed-key");
    const viewer = await signUp(server);
    const malformed = ["k".repeat(101), "has spaces", " padded ", "", "clé-unique", "new\nline", "semi;colon"];

    for (const key of malformed) {
      const attempts: [string, GraphQLResult][] = [
        ["appendMessage", await appendWithKey(owner, conversationId, "Must not be stored.", key)],
        ["shareConversation", await shareWithKey(owner, conversationId, key)],
        ["importShare", await importWithKey(viewer, share.url, key)],
      ];
      for (const [mutation, result] of attempts) {
        expect({ mutation, key, codes: codes(result) }).toEqual({ mutation, key, codes: ["BAD_USER_INPUT"] });
        expect(JSON.stringify(result.errors?.[0]?.extensions?.fields ?? result.errors?.[0]?.message)).toMatch(/idempotencyKey/);
      }
    }

    expect(await messagesIn(conversationId)).toBe(2);
    expect(await sharesOf(conversationId)).toBe(1);
    expect(await conversationsOf(viewer)).toBe(0);
    expect(await keysOf(owner)).toBe(0);
    expect(await keysOf(viewer)).toBe(0);
  });

  it("the longest well-formed key (100 of letters, digits and . _ : -) is accepted and remembered", async () => {
    const owner = await signUp(server);
    const conversationId = await createConversation(server, owner.token, "Long key");
    const key = `${newKey("long")}.${"Az09._:-".repeat(20)}`.slice(0, 100);
    expect(key).toHaveLength(100);

    const first = ok(await appendWithKey(owner, conversationId, "Once.", key)).appendMessage.message;
    const again = ok(await appendWithKey(owner, conversationId, "Once.", key)).appendMessage.message;

    expect(again.id).toBe(first.id);
    expect(await messagesIn(conversationId)).toBe(1);
  });

  // The key names the first request, so a retry carrying other arguments must not be answered half from each.
  it("a retry that names another conversation adds nothing there and never pairs the message with a conversation it is not in", async () => {
    const owner = await signUp(server);
    const [first, other] = await Promise.all([createConversation(server, owner.token, "First"), createConversation(server, owner.token, "Other")]);
    const key = newKey("moved-retry");
    ok(await appendWithKey(owner, first, "Belongs to the first conversation.", key));

    const retry = await appendWithKey(owner, other, "Belongs to the first conversation.", key);

    expect(await messagesIn(other)).toBe(0);
    expect(await messagesIn(first)).toBe(1);
    if (retry.errors) expect(codes(retry)).toEqual(["BAD_USER_INPUT"]);
    else expect(retry.data.appendMessage.conversation.id).toBe(first);
  });
});

describe("retries when the hourly allowance is spent", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ SHARES_PER_USER_PER_HOUR: "1", IMPORTS_PER_USER_PER_HOUR: "1" });
  });
  afterAll(() => limited.close());

  // A client whose response was lost retries with its key: it must learn what it already created, not be refused.
  it("a retry of a share or import that already happened returns its first result even once the user's allowance is used up", async () => {
    const owner = await signUp(limited);
    const viewer = await signUp(limited);
    const conversationId = await createConversation(limited, owner.token, "Limited", script(2, "limited"));
    const shareKey = newKey("limited-share");
    const importKey = newKey("limited-import");
    const share = ok(await gql(limited, SHARE, { input: { conversationId, idempotencyKey: shareKey } }, owner.token)).shareConversation.share;
    const copy = ok(await gql(limited, IMPORT, { input: { link: share.url, idempotencyKey: importKey } }, viewer.token)).importShare.conversation;

    const shareRetry = await gql(limited, SHARE, { input: { conversationId, idempotencyKey: shareKey } }, owner.token);
    const importRetry = await gql(limited, IMPORT, { input: { link: share.url, idempotencyKey: importKey } }, viewer.token);

    expect(codes(shareRetry)).toEqual([]);
    expect(codes(importRetry)).toEqual([]);
    expect(shareRetry.data?.shareConversation.share.id).toBe(share.id);
    expect(importRetry.data?.importShare.conversation.id).toBe(copy.id);
  });
});

describe("appends racing snapshots", () => {
  it("30 concurrent appends from two clients, interleaved with refreshShare and shareConversation, leave every snapshot a prefix of the final conversation", async () => {
    const first = await signUp(server, { displayName: "Two Devices" });
    const second = ok(
      await gql(server, `mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: first.email, password: PASSWORD } }),
    ).logIn.token as string;
    const clients = [first.token, second];
    const conversationId = await createConversation(server, first.token, "Racing snapshots", script(5, "start"));
    const refreshed = await shareConversation(server, first.token, conversationId);

    const appends: Promise<GraphQLResult>[] = [];
    const shares: Promise<GraphQLResult>[] = [];
    const refreshes: Promise<GraphQLResult>[] = [];
    const views: Promise<GraphQLResult>[] = [];
    for (let i = 0; i < 30; i++) {
      const token = clients[i % 2];
      appends.push(gql(server, APPEND, { input: { conversationId, role: i % 2 ? "ASSISTANT" : "USER", content: `race ${i}` } }, token));
      if (i % 3 === 0) shares.push(gql(server, SHARE, { input: { conversationId } }, clients[(i + 1) % 2]));
      if (i % 3 === 1) refreshes.push(gql(server, REFRESH, { input: { shareId: refreshed.id } }, clients[(i + 1) % 2]));
      if (i % 3 === 2) views.push(gql(server, VIEW_CONTENTS, { link: refreshed.url }));
    }
    const [appended, shared, refreshResults, viewed] = await Promise.all([appends, shares, refreshes, views].map((list) => Promise.all(list)));

    expect([...appended, ...shared, ...refreshResults, ...viewed].flatMap(codes)).toEqual([]);
    const final: string[] = ok(await gql(server, MESSAGES, { id: conversationId }, first.token)).conversation.messages.map((m: { content: string }) => m.content);
    expect(final).toHaveLength(35);
    expect(final.slice(0, 5)).toEqual(script(5, "start").map((m) => m.content));
    expect([...final.slice(5)].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `race ${i}`).sort());
    const positions = await server.sql<{ position: number | string }>(`SELECT position FROM messages WHERE conversation_id = ? ORDER BY position`, [dbId(conversationId)]);
    expect(positions.map((r) => Number(r.position))).toEqual(final.map((_, i) => i));

    // Every snapshot stored, and every view served while the appends ran, is exactly the first n messages.
    const rows = await server.sql<{ id: string; message_count: number | string; snapshot: string }>(
      `SELECT id, message_count, snapshot FROM shares WHERE conversation_id = ?`,
      [dbId(conversationId)],
    );
    expect(rows).toHaveLength(1 + shared.length);
    for (const row of rows) {
      const snapshot = JSON.parse(row.snapshot) as { messages: { content: string }[] };
      const contents = snapshot.messages.map((m) => m.content);
      expect(contents.length).toBe(Number(row.message_count));
      expect(contents).toEqual(final.slice(0, contents.length));
    }
    for (const result of shared) {
      const share = result.data.shareConversation.share;
      const row = rows.find((r) => r.id === dbId(share.id))!;
      expect(Number(row.message_count)).toBe(share.messageCount);
    }
    // Refreshes commit one after another on a growing conversation, so the last one holds the most messages.
    const lastRefresh = Math.max(...refreshResults.map((r) => r.data.refreshShare.share.messageCount as number));
    expect(Number(rows.find((r) => r.id === dbId(refreshed.id))!.message_count)).toBe(lastRefresh);
    for (const result of viewed) {
      const contents = result.data.sharedConversation.messages.map((m: { content: string }) => m.content);
      expect(contents).toEqual(final.slice(0, contents.length));
      expect(contents.length).toBeGreaterThanOrEqual(5);
    }
  });
});
