// Owners hide what they did not mean to publish before sharing: chosen spans and whole kinds of detected data.
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { startTestServer, TEST_DIALECT, type TestServer } from "./helpers/server";
import { appendMessage, codes, createConversation, dbId, gql, importShare, ok, signUp, type Account } from "./helpers/client";

// PostgreSQL's files belong to a shared server (and keep dead row versions until VACUUM): there the stored copies are
// searched with SQL only, and the search of the database's bytes runs on SQLite.
if (TEST_DIALECT === "postgres") process.stdout.write("redaction: the search of the database files runs on SQLite only\n");

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const WARNING = `warnings { kind messageIndex messageId start end redacted }`;
const MESSAGES = `messages { role content redactions { start end kind } }`;
const PREVIEW = `query($conversationId: ID!, $upToMessageId: ID, $redactions: RedactionsInput) {
  sharePreview(conversationId: $conversationId, upToMessageId: $upToMessageId, redactions: $redactions) {
    conversation { title ${MESSAGES} } ${WARNING} } }`;
const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) {
  share { id url title messageCount } ${WARNING} } }`;
const REFRESH = `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id messageCount } ${WARNING} } }`;
const VIEW = `query($link: String!) { sharedConversation(link: $link) { title ${MESSAGES} } }`;

const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);

async function page(shareUrl: string): Promise<string> {
  const res = await fetch(`${server.url}/share/${tokenOf(shareUrl)}`);
  expect(res.status).toBe(200);
  return res.text();
}

/** A conversation whose second message holds an email address, an API key and a home address, all with `marker`. */
async function conversationWithSecrets(marker: string) {
  const owner = await signUp(server, { displayName: "Rey" });
  const id = await createConversation(server, owner.token, "Deploy help");
  const first = await appendMessage(server, owner.token, id, "USER", "How do I deploy?");
  const email = `ops.${marker}@example.org`;
  const apiKey = `sk-proj-${marker}Q7wZ3kLm9PbR2xT`;
  const home = `12 ${marker} Road`;
  const content = `Mail ${email} and use key ${apiKey}. I live at ${home}.`;
  const second = await appendMessage(server, owner.token, id, "USER", content);
  const at = (text: string) => ({ start: content.indexOf(text), end: content.indexOf(text) + text.length });
  return { owner, id, first, second, content, email, apiKey, home, at };
}

const EVERY_SECRET = (s: Awaited<ReturnType<typeof conversationWithSecrets>>) => ({
  kinds: ["EMAIL", "API_KEY_OR_SECRET"],
  spans: [{ messageId: s.second.id, ...s.at(s.home) }],
});

describe("sharePreview", () => {
  it("reports each warning's exact span in the owner's text, by message id", async () => {
    const s = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const preview = ok(await gql(server, PREVIEW, { conversationId: s.id }, s.owner.token)).sharePreview;
    expect(preview.warnings).toEqual([
      { kind: "EMAIL", messageIndex: 1, messageId: s.second.id, ...s.at(s.email), redacted: false },
      { kind: "API_KEY_OR_SECRET", messageIndex: 1, messageId: s.second.id, ...s.at(s.apiKey), redacted: false },
    ]);
    expect(preview.conversation.messages[1]).toEqual({ role: "USER", content: s.content, redactions: [] });
  });

  it("previews exactly what others will see with the given redactions, and creates nothing", async () => {
    const s = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const preview = ok(await gql(server, PREVIEW, { conversationId: s.id, redactions: EVERY_SECRET(s) }, s.owner.token)).sharePreview;
    const masked = "Mail [email address removed] and use key [API key or secret removed]. I live at [removed].";
    expect(preview.conversation.messages[1].content).toBe(masked);
    expect(preview.conversation.messages[1].redactions).toEqual([
      { start: 5, end: 28, kind: "EMAIL" },
      { start: 41, end: 68, kind: "API_KEY_OR_SECRET" },
      { start: 80, end: 89, kind: null },
    ]);
    for (const r of preview.conversation.messages[1].redactions) expect(masked.slice(r.start, r.end)).toMatch(/^\[.*removed\]$/);
    expect(preview.warnings.map((w: any) => w.redacted)).toEqual([true, true]);
    expect(ok(await gql(server, `{ myShares { edges { node { id } } } }`, {}, s.owner.token)).myShares.edges).toEqual([]);

    const shared = ok(await gql(server, SHARE, { input: { conversationId: s.id, redactions: EVERY_SECRET(s) } }, s.owner.token)).shareConversation;
    expect(shared.warnings).toEqual(preview.warnings);
    expect(ok(await gql(server, VIEW, { link: shared.share.url })).sharedConversation.messages).toEqual(preview.conversation.messages);
  });

  it("names a span by the kind the owner gives it, and merges it with a detection it overlaps", async () => {
    const s = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const { start, end } = s.at(s.email);
    const redactions = { kinds: ["EMAIL"], spans: [{ messageId: s.second.id, start: start - 5, end: start + 3, kind: "EMAIL" }] };
    const preview = ok(await gql(server, PREVIEW, { conversationId: s.id, redactions }, s.owner.token)).sharePreview;
    expect(preview.conversation.messages[1].content).toBe(s.content.slice(0, start - 5) + "[email address removed]" + s.content.slice(end));
  });
});

describe("the redacted text reaches nothing public or copied", () => {
  let s: Awaited<ReturnType<typeof conversationWithSecrets>>;
  let marker: string;
  let viewer: Account;
  const responses: string[] = [];
  const record = async <T extends { text: string }>(response: Promise<T>): Promise<T> => {
    const done = await response;
    responses.push(done.text);
    return done;
  };

  beforeAll(async () => {
    marker = randomBytes(8).toString("hex");
    s = await conversationWithSecrets(marker);
    viewer = await signUp(server, { displayName: "Vi" });
    const shared = ok(await record(gql(server, SHARE, { input: { conversationId: s.id, redactions: EVERY_SECRET(s) } }, s.owner.token))).shareConversation;
    const url: string = shared.share.url;
    await record(gql(server, PREVIEW, { conversationId: s.id, redactions: EVERY_SECRET(s) }, s.owner.token));
    await record(gql(server, VIEW, { link: url }));
    await record(gql(server, VIEW, { link: url })); // the second one from the cache
    await record(gql(server, `{ myShares { edges { node { title url } } } }`, {}, s.owner.token));
    await record(gql(server, REFRESH, { input: { shareId: shared.share.id } }, s.owner.token));
    await record(gql(server, VIEW, { link: url }));
    const copy = ok(await record(importShare(server, viewer.token, url))).importShare.conversation;
    await record(gql(server, `query($id: ID!) { conversation(id: $id) { title messages { content } } }`, { id: copy.id }, viewer.token));
    await record(gql(server, `{ exportMyData { data } }`, {}, viewer.token));
    responses.push(await page(url));
  });

  it("is in no response: previews, shares, views, lists, refreshes, the page and its tags, imports, the importer's export", () => {
    expect(responses).toHaveLength(11);
    for (const text of responses) expect(text).not.toContain('"errors"');
    for (const text of responses) expect(text).not.toContain(marker);
    expect(responses.join("\n")).toContain("[email address removed]");
  });

  it(`is in no stored copy on ${TEST_DIALECT}: not in the share's row, not in the importer's conversation`, async () => {
    const shares = await server.sql(`SELECT title, snapshot FROM shares WHERE owner_id = ?`, [dbId(s.owner.id)]);
    expect(shares).toHaveLength(1);
    expect(JSON.stringify(shares)).not.toContain(marker);
    expect(JSON.stringify(shares)).toContain("[API key or secret removed]");
    const copies = await server.sql(`SELECT m.content FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.owner_id = ?`, [dbId(viewer.id)]);
    expect(copies).toHaveLength(2);
    expect(JSON.stringify(copies)).not.toContain(marker);
  });

  it("leaves the owner's own conversation untouched", async () => {
    const mine = ok(await gql(server, `query($id: ID!) { conversation(id: $id) { messages { content } } }`, { id: s.id }, s.owner.token)).conversation;
    expect(mine.messages[1].content).toBe(s.content);
  });

  // On SQLite the database's bytes can be searched too, once the only unmasked copy (the owner's) is deleted.
  (TEST_DIALECT === "sqlite" ? it : it.skip)("is nowhere in the SQLite files once the owner deletes the original", async () => {
    ok(await gql(server, `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`, { input: { conversationId: s.id } }, s.owner.token));
    await server.sql(`PRAGMA wal_checkpoint(TRUNCATE)`);
    const file = (server.config.database as { path: string }).path;
    const bytes = [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f));
    expect(bytes.length).toBeGreaterThan(0);
    for (const b of bytes) expect(b.includes(Buffer.from(marker))).toBe(false);
    expect(Buffer.concat(bytes).includes(Buffer.from("[email address removed]"))).toBe(true); // the importer's copy
  });
});

describe("spans that are refused", () => {
  async function refused(s: Awaited<ReturnType<typeof conversationWithSecrets>>, spans: object[], upToMessageId?: string) {
    const res = await gql(server, SHARE, { input: { conversationId: s.id, upToMessageId, redactions: { spans } } }, s.owner.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    return res.errors![0].message;
  }

  it("refuses overlapping spans, empty or reversed ones, and ones outside the message", async () => {
    const s = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const m = s.second.id;
    expect(await refused(s, [{ messageId: m, start: 0, end: 10 }, { messageId: m, start: 9, end: 12 }])).toMatch(/overlap/);
    expect(await refused(s, [{ messageId: m, start: 3, end: 6 }, { messageId: m, start: 3, end: 6 }])).toMatch(/overlap/);
    expect(await refused(s, [{ messageId: m, start: 4, end: 4 }])).toMatch(/start < end/);
    expect(await refused(s, [{ messageId: m, start: 6, end: 2 }])).toMatch(/start < end/);
    expect(await refused(s, [{ messageId: m, start: -1, end: 2 }])).toMatch(/start < end/);
    expect(await refused(s, [{ messageId: m, start: 0, end: s.content.length + 1 }])).toMatch(/start < end/);
    expect(await refused(s, [{ messageId: "not-an-id", start: 0, end: 1 }])).toMatch(/messageId/);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ messageId: m, start: i % 50, end: (i % 50) + 1 }));
    expect(await refused(s, tooMany)).toMatch(/at most 1000/);
    expect(ok(await gql(server, `{ myShares { edges { node { id } } } }`, {}, s.owner.token)).myShares.edges).toEqual([]);
  });

  it("refuses a message of another conversation, of another user, or past upToMessageId, exactly alike", async () => {
    const s = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const elsewhere = await createConversation(server, s.owner.token, "Elsewhere", [{ role: "USER", content: "another conversation" }]);
    const mine = ok(await gql(server, `query($id: ID!) { conversation(id: $id) { messages { id } } }`, { id: elsewhere }, s.owner.token)).conversation.messages[0].id;
    const other = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const span = (messageId: string) => [{ messageId, start: 0, end: 2 }];
    const messages = [
      await refused(s, span(mine)),
      await refused(s, span(other.second.id)),
      await refused(s, span(s.second.id), s.first.id),
    ];
    expect(new Set(messages).size).toBe(1);
    const onPreview = await gql(server, PREVIEW, { conversationId: s.id, redactions: { spans: span(other.second.id) } }, s.owner.token);
    expect(codes(onPreview)).toEqual(["BAD_USER_INPUT"]);
    expect(onPreview.errors![0].message).toBe(messages[0]);
  });
});

describe("text with multi-byte characters", () => {
  const content = "猫🐱 lives in 東京 🗼, café";

  async function withEmoji() {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Unicode");
    const message = await appendMessage(server, owner.token, id, "USER", content);
    return { owner, id, message };
  }

  it("masks exactly the chosen characters, counted in UTF-16 code units", async () => {
    const { owner, id, message } = await withEmoji();
    const cat = { start: content.indexOf("🐱"), end: content.indexOf("🐱") + "🐱".length };
    const city = { start: content.indexOf("東京"), end: content.indexOf("東京") + 2 };
    expect(cat.end - cat.start).toBe(2);
    const spans = [{ messageId: message.id, ...cat }, { messageId: message.id, ...city, kind: "IP_ADDRESS" }];
    const shared = ok(await gql(server, SHARE, { input: { conversationId: id, redactions: { spans } } }, owner.token)).shareConversation;
    const seen = ok(await gql(server, VIEW, { link: shared.share.url })).sharedConversation.messages[0];
    expect(seen.content).toBe("猫[removed] lives in [IP address removed] 🗼, café");
    expect(seen.redactions).toEqual([
      { start: 1, end: 10, kind: null },
      { start: 20, end: 40, kind: "IP_ADDRESS" },
    ]);
  });

  it("refuses a span that cuts an emoji in half", async () => {
    const { owner, id, message } = await withEmoji();
    const half = content.indexOf("🐱") + 1;
    for (const span of [{ start: 0, end: half }, { start: half, end: half + 5 }]) {
      const res = await gql(server, SHARE, { input: { conversationId: id, redactions: { spans: [{ messageId: message.id, ...span }] } } }, owner.token);
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(res.errors![0].message).toMatch(/surrogate pair/);
    }
  });
});

describe("refreshShare", () => {
  it("applies the link's redactions again, to new messages too, unless given new ones", async () => {
    const s = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const shared = ok(await gql(server, SHARE, { input: { conversationId: s.id, redactions: EVERY_SECRET(s) } }, s.owner.token)).shareConversation;
    const later = await appendMessage(server, s.owner.token, s.id, "USER", "Also try backup@example.net");
    const again = ok(await gql(server, REFRESH, { input: { shareId: shared.share.id } }, s.owner.token)).refreshShare;
    expect(again.share.messageCount).toBe(3);
    expect(again.warnings.map((w: any) => [w.kind, w.messageId, w.redacted])).toEqual([
      ["EMAIL", s.second.id, true],
      ["API_KEY_OR_SECRET", s.second.id, true],
      ["EMAIL", later.id, true],
    ]);
    const seen = ok(await gql(server, VIEW, { link: shared.share.url })).sharedConversation.messages;
    expect(seen[1].content).toContain("I live at [removed].");
    expect(seen[2].content).toBe("Also try [email address removed]");

    const onlySpan = { spans: [{ messageId: later.id, start: 0, end: 4 }] };
    const replaced = ok(await gql(server, REFRESH, { input: { shareId: shared.share.id, redactions: onlySpan } }, s.owner.token)).refreshShare;
    expect(replaced.warnings.every((w: any) => !w.redacted)).toBe(true);
    const now = ok(await gql(server, VIEW, { link: shared.share.url })).sharedConversation.messages;
    expect(now[1].content).toBe(s.content);
    expect(now[2].content).toBe("[removed] try backup@example.net");
  });

  it("refuses spans of messages past its upToMessageId", async () => {
    const s = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const shared = ok(await gql(server, SHARE, { input: { conversationId: s.id } }, s.owner.token)).shareConversation;
    const input = { shareId: shared.share.id, upToMessageId: s.first.id, redactions: { spans: [{ messageId: s.second.id, start: 0, end: 4 }] } };
    expect(codes(await gql(server, REFRESH, { input }, s.owner.token))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("the share page", () => {
  it("shows real redactions distinctly, and a placeholder typed by hand, an entity or a code block as plain text", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Page");
    const content = [
      "Write to ana@example.com, not [email address removed] (typed by hand) nor &#xE000;.",
      "",
      "```",
      "EMAIL=ops@example.com",
      "```",
      "",
      "[email address removed]: https://evil.example/",
    ].join("\n");
    await appendMessage(server, owner.token, id, "USER", content);
    const shared = ok(await gql(server, SHARE, { input: { conversationId: id, redactions: { kinds: ["EMAIL"] } } }, owner.token)).shareConversation;
    const body = await page(shared.share.url);
    // Only the two real ones are styled; the real one is not read as a link reference either, the typed one may be.
    expect(body.match(/<span class="redacted">/g)).toHaveLength(2);
    expect(body).toContain('Write to <span class="redacted">[email address removed]</span>, not ');
    expect(body).toContain('<code>EMAIL=<span class="redacted">[email address removed]</span>\n</code>');
    expect(body).not.toContain("ana@example.com");
    expect(body).not.toContain("ops@example.com");
  });
});

describe("retrying shareConversation with the same idempotencyKey", () => {
  it("returns the same warnings, from the messages the first request shared", async () => {
    const s = await conversationWithSecrets(randomBytes(6).toString("hex"));
    const input = { conversationId: s.id, idempotencyKey: `redact-${randomBytes(4).toString("hex")}`, redactions: { kinds: ["EMAIL"] } };
    const first = ok(await gql(server, SHARE, { input }, s.owner.token)).shareConversation;
    const retry = ok(await gql(server, SHARE, { input }, s.owner.token)).shareConversation;
    expect(retry).toEqual(first);
    expect(first.warnings.map((w: any) => w.redacted)).toEqual([true, false]);
  });
});
