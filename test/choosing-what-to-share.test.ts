// Owners choose what they share: part of a conversation, a lifetime, and a preview with sensitive-data warnings.
import { expiringSoon, untilPast } from "./helpers/clock";
import { startTestServer, type TestServer } from "./helpers/server";
import { appendMessage, codes, createConversation, gql, importShare, ok, signUp, view } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SHARE_MAX_LIFETIME_DAYS: "30" });
});
afterAll(() => server.close());

const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) {
  share { id url expiresAt messageCount status } warnings { kind messageIndex start end } } }`;
const PREVIEW = `query($conversationId: ID!, $upToMessageId: ID, $attribution: ShareAttribution) {
  sharePreview(conversationId: $conversationId, upToMessageId: $upToMessageId, attribution: $attribution) {
    conversation { title sharedBy sharedAt messages { role content } } warnings { kind messageIndex start end } } }`;

async function threeMessages() {
  const me = await signUp(server, { displayName: "Pat" });
  const id = await createConversation(server, me.token, "Three steps");
  const m1 = await appendMessage(server, me.token, id, "USER", "Step one");
  const m2 = await appendMessage(server, me.token, id, "ASSISTANT", "Step two");
  await appendMessage(server, me.token, id, "USER", "Step three: my card is 4111 1111 1111 1111");
  return { me, id, m1, m2 };
}

describe("sharing part of a conversation", () => {
  it("shares only up to and including the chosen message", async () => {
    const { me, id, m2 } = await threeMessages();
    const res = ok(await gql(server, SHARE, { input: { conversationId: id, upToMessageId: m2.id } }, me.token)).shareConversation;
    expect(res.share.messageCount).toBe(2);
    expect(res.warnings).toEqual([]);
    expect((await view(server, res.share.url)).messages.map((m: any) => m.content)).toEqual(["Step one", "Step two"]);
  });

  it("refuses a message of another conversation, or of another user, exactly alike", async () => {
    const { me, id } = await threeMessages();
    const elsewhere = await createConversation(server, me.token, "Elsewhere");
    const mine = await appendMessage(server, me.token, elsewhere, "USER", "not in that conversation");
    const other = await threeMessages();
    const a = await gql(server, SHARE, { input: { conversationId: id, upToMessageId: mine.id } }, me.token);
    const b = await gql(server, SHARE, { input: { conversationId: id, upToMessageId: other.m1.id } }, me.token);
    expect(codes(a)).toEqual(["BAD_USER_INPUT"]);
    expect(a.errors![0].message).toBe(b.errors![0].message);
    expect(ok(await gql(server, `{ myShares { edges { node { id } } } }`, {}, me.token)).myShares.edges).toEqual([]);
  });
});

describe("an expiring link", () => {
  it("works until expiresAt", async () => {
    const { me, id } = await threeMessages();
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const res = ok(await gql(server, SHARE, { input: { conversationId: id, expiresAt } }, me.token)).shareConversation;
    expect(res.share).toMatchObject({ expiresAt, status: "ACTIVE" });
    expect(await view(server, res.share.url)).not.toBeNull();
  });

  it("behaves exactly like a revoked one once expired", async () => {
    const { me, id } = await threeMessages();
    const expiresAt = expiringSoon();
    const res = ok(await gql(server, SHARE, { input: { conversationId: id, expiresAt } }, me.token)).shareConversation;
    await untilPast(expiresAt);
    const dead = await gql(server, `query($l: String!) { sharedConversation(link: $l) { title } }`, { l: res.share.url });
    expect(JSON.parse(dead.text)).toEqual({ data: { sharedConversation: null } });
    const viewer = await signUp(server);
    expect(codes(await importShare(server, viewer.token, res.share.url))).toEqual(["NOT_FOUND"]);
    expect(ok(await gql(server, `{ myShares { edges { node { status } } } }`, {}, me.token)).myShares.edges[0].node.status).toBe("EXPIRED");
  });

  it.each([
    ["in the past", () => new Date(Date.now() - 1000).toISOString(), /future/],
    ["beyond the maximum lifetime", () => new Date(Date.now() + 31 * 24 * 3600_000).toISOString(), /30 days/],
    ["not a date", () => "next tuesday", /DateTime|date/i],
  ])("is refused when expiresAt is %s", async (_label, expiresAt, message) => {
    const { me, id } = await threeMessages();
    const res = await gql(server, SHARE, { input: { conversationId: id, expiresAt: expiresAt() } }, me.token);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(message);
  });
});

describe("sharePreview", () => {
  it("returns exactly what viewers would see, creates nothing, and warns about sensitive data", async () => {
    const { me, id } = await threeMessages();
    const preview = ok(await gql(server, PREVIEW, { conversationId: id, attribution: "NAMED" }, me.token)).sharePreview;
    expect(preview.warnings).toEqual([{ kind: "PAYMENT_CARD", messageIndex: 2, start: 23, end: 42 }]);
    expect(preview.conversation.messages[2].content.slice(23, 42)).toBe("4111 1111 1111 1111");
    expect(ok(await gql(server, `{ myShares { edges { node { id } } } }`, {}, me.token)).myShares.edges).toEqual([]);

    const shared = ok(await gql(server, SHARE, { input: { conversationId: id, attribution: "NAMED" } }, me.token)).shareConversation;
    expect(shared.warnings).toEqual(preview.warnings);
    const seen = await view(server, shared.share.url);
    expect({ ...seen, sharedAt: null }).toEqual({ ...preview.conversation, sharedAt: null });
    expect(seen.sharedBy).toBe("Pat");
  });

  it("honours upToMessageId and is anonymous by default", async () => {
    const { me, id, m1 } = await threeMessages();
    const preview = ok(await gql(server, PREVIEW, { conversationId: id, upToMessageId: m1.id }, me.token)).sharePreview;
    expect(preview.conversation).toMatchObject({ sharedBy: null, messages: [{ role: "USER", content: "Step one" }] });
    expect(preview.warnings).toEqual([]);
  });

  it("is NOT_FOUND for someone else's conversation and UNAUTHENTICATED without login", async () => {
    const { id } = await threeMessages();
    const stranger = await signUp(server);
    expect(codes(await gql(server, PREVIEW, { conversationId: id }, stranger.token))).toEqual(["NOT_FOUND"]);
    expect(codes(await gql(server, PREVIEW, { conversationId: id }))).toEqual(["UNAUTHENTICATED"]);
  });
});
