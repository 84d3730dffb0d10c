// Sharing a conversation: the snapshot, the link, and what anyone with the link sees.
import { startTestServer, type TestServer } from "./helpers/server";
import { appendMessage, codes, createConversation, dbId, gql, missingId, ok, ownerWithShare, shareConversation, signUp, view, VIEW } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("a new share", () => {
  it("returns a URL under SHARE_BASE_URL ending in a 256-bit URL-safe token", async () => {
    const { share } = await ownerWithShare(server);
    expect(share.url.startsWith("https://chat.example/share/")).toBe(true);
    expect(share.url.slice("https://chat.example/share/".length)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(share.attribution).toBe("ANONYMOUS");
  });

  it("gets a different token every time, unrelated to any id", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Same conversation", [{ role: "USER", content: "hi" }]);
    const a = await shareConversation(server, owner.token, id);
    const b = await shareConversation(server, owner.token, id);
    expect(a.url).not.toBe(b.url);
    for (const s of [a, b]) for (const part of [id, owner.id, s.id].map(dbId)) expect(s.url).not.toContain(part.replace(/-/g, ""));
  });

  it("shows anyone signed out the title, the messages in order and the snapshot time", async () => {
    const before = Date.now();
    const { share } = await ownerWithShare(server);
    const shared = await view(server, share.url);
    expect(shared).toEqual({
      title: "Trip to Lisbon",
      sharedBy: null,
      sharedAt: expect.any(String),
      messages: [
        { role: "USER", content: "Plan three days in Lisbon." },
        { role: "ASSISTANT", content: "Day 1: Alfama. Day 2: Belém. Day 3: Sintra." },
      ],
    });
    expect(Date.parse(shared.sharedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(shared.sharedAt)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("shows the same to a signed-in stranger", async () => {
    const { share } = await ownerWithShare(server);
    const stranger = await signUp(server);
    expect((await view(server, share.url, stranger.token)).title).toBe("Trip to Lisbon");
  });

  it("opens with the bare token as well as the full URL", async () => {
    const { share } = await ownerWithShare(server);
    const token = share.url.split("/").pop()!;
    expect(await view(server, token)).toEqual(await view(server, share.url));
  });
});

describe("a snapshot", () => {
  it("never shows messages added after the link was made", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    await appendMessage(server, owner.token, conversationId, "USER", "And a fourth day?");
    expect((await view(server, share.url)).messages).toHaveLength(2);
  });

  it("sharing again gives a new link with the newer snapshot, and the old link keeps its own", async () => {
    const { owner, conversationId, share: first } = await ownerWithShare(server);
    await appendMessage(server, owner.token, conversationId, "USER", "And a fourth day?");
    const second = await shareConversation(server, owner.token, conversationId);
    expect((await view(server, first.url)).messages).toHaveLength(2);
    expect((await view(server, second.url)).messages.map((m: { content: string }) => m.content)).toEqual([
      "Plan three days in Lisbon.",
      "Day 1: Alfama. Day 2: Belém. Day 3: Sintra.",
      "And a fourth day?",
    ]);
  });

  it("of an empty conversation shows its title and no messages", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Nothing yet");
    const share = await shareConversation(server, owner.token, id);
    expect(await view(server, share.url)).toMatchObject({ title: "Nothing yet", messages: [] });
  });

  it("keeps content exactly, including unicode and markup", async () => {
    const owner = await signUp(server);
    const content = "Ünïcödé 🚀 <script>alert(1)</script> ' OR 1=1 --\n\ttabs";
    const id = await createConversation(server, owner.token, "Ωmega ✓", [{ role: "SYSTEM", content }]);
    const share = await shareConversation(server, owner.token, id);
    expect(await view(server, share.url)).toMatchObject({ title: "Ωmega ✓", messages: [{ role: "SYSTEM", content }] });
  });
});

describe("the public view", () => {
  it("has no path to the owner's id, email, other conversations or the live conversation", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server, "NAMED");
    const res = await gql(server, VIEW, { link: share.url });
    for (const secret of [owner.id, dbId(owner.id), owner.email, conversationId, dbId(conversationId), share.id, dbId(share.id)]) expect(res.text).not.toContain(secret);
    const probe = await gql(server, `query($link: String!) { sharedConversation(link: $link) { owner { id } conversation { id } id } }`, { link: share.url });
    expect(codes(probe)).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT", "BAD_USER_INPUT"]);
  });

  it("gives null for a well-formed token that was never issued", async () => {
    expect(await view(server, "https://chat.example/share/" + "A".repeat(43))).toBeNull();
    expect(await view(server, "B".repeat(43))).toBeNull();
  });
});

describe("look-alike links", () => {
  const lookAlikes = [
    "http://chat.example/share/TOKEN",
    "https://chat.example.evil.com/share/TOKEN",
    "https://evil.example/share/TOKEN",
    "https://chat.example/shares/TOKEN",
    "https://chat.example/share/../share/TOKEN",
    "https://chat.example/share/TOKEN/extra",
    "https://chat.example/share/TOKEN?x=1",
    "https://chat.example/share%2FTOKEN",
    "https://chat.example/share/%2FTOKEN",
    "HTTPS://CHAT.EXAMPLE/share/TOKEN",
    "https://chаt.example/share/TOKEN", // Cyrillic "а"
    "https://chat.example／share/TOKEN",
    "https://user@chat.example/share/TOKEN",
    "javascript:alert(1)//TOKEN",
    "TOKEN!",
    "",
    "x".repeat(5000),
  ];

  const cases = lookAlikes.map((t) => [t.length > 60 ? `${t.slice(0, 12)}… (${t.length} characters)` : t || "(empty)", t]);

  it.each(cases)("refuses %s with BAD_USER_INPUT and shows nothing", async (_label, template) => {
    const { share } = await ownerWithShare(server);
    const token = share.url.split("/").pop()!;
    const link = template.replace("TOKEN", token);
    const res = await gql(server, VIEW, { link });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.data?.sharedConversation ?? null).toBeNull();
    expect(res.text).not.toContain("Lisbon");
  });

  it("tells the client which prefix real links have", async () => {
    const res = await gql(server, VIEW, { link: "https://evil.example/share/" + "A".repeat(43) });
    expect(res.errors?.[0].message).toContain("https://chat.example/share/");
  });

  it("accepts surrounding white space from a paste", async () => {
    const { share } = await ownerWithShare(server);
    expect((await view(server, `  ${share.url}\n`)).title).toBe("Trip to Lisbon");
  });
});

describe("attribution", () => {
  it("is anonymous by default and can be switched to the owner's name and back on the same URL", async () => {
    const { owner, share } = await ownerWithShare(server);
    expect((await view(server, share.url)).sharedBy).toBeNull();
    const set = (attribution: string) =>
      gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id url attribution } } }`, { input: { shareId: share.id, attribution } }, owner.token);

    const named = ok(await set("NAMED")).setShareAttribution.share;
    expect(named).toEqual({ id: share.id, url: share.url, attribution: "NAMED" });
    expect((await view(server, share.url)).sharedBy).toBe("Olivia Owner");

    expect(ok(await set("ANONYMOUS")).setShareAttribution.share.attribution).toBe("ANONYMOUS");
    expect((await view(server, share.url)).sharedBy).toBeNull();
  });

  it("can be NAMED from the start", async () => {
    const { share } = await ownerWithShare(server, "NAMED");
    expect(share.attribution).toBe("NAMED");
    expect((await view(server, share.url)).sharedBy).toBe("Olivia Owner");
  });

  it("is anonymous when the client sends null", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Explicit null");
    const res = ok(await gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { attribution } } }`, { input: { conversationId: id, attribution: null } }, owner.token));
    expect(res.shareConversation.share.attribution).toBe("ANONYMOUS");
  });

  it("cannot be changed by anyone else", async () => {
    const { share } = await ownerWithShare(server);
    const stranger = await signUp(server);
    const res = await gql(server, `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`, { input: { shareId: share.id, attribution: "NAMED" } }, stranger.token);
    expect(codes(res)).toEqual(["NOT_FOUND"]);
    expect((await view(server, share.url)).sharedBy).toBeNull();
  });
});

describe("managing links", () => {
  it("myShares lists the owner's links newest first, with their URLs and conversations", async () => {
    const owner = await signUp(server);
    const a = await createConversation(server, owner.token, "First", [{ role: "USER", content: "1" }]);
    const b = await createConversation(server, owner.token, "Second", [{ role: "USER", content: "2" }]);
    const s1 = await shareConversation(server, owner.token, a);
    const s2 = await shareConversation(server, owner.token, b, "NAMED");
    const data = ok(
      await gql(server, `{ myShares(first: 10) { edges { cursor node { id url attribution createdAt revokedAt conversation { id title } } } pageInfo { hasNextPage endCursor } } }`, {}, owner.token),
    );
    expect(data.myShares.edges.map((e: any) => e.node)).toEqual([
      { id: s2.id, url: s2.url, attribution: "NAMED", createdAt: expect.any(String), revokedAt: null, conversation: { id: b, title: "Second" } },
      { id: s1.id, url: s1.url, attribution: "ANONYMOUS", createdAt: expect.any(String), revokedAt: null, conversation: { id: a, title: "First" } },
    ]);
    expect(data.myShares.pageInfo.hasNextPage).toBe(false);
  });

  it("myShares pages with first/after", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Many links");
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await shareConversation(server, owner.token, id)).id);
    const page = (after?: string) => gql(server, `query($after: String) { myShares(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, { after }, owner.token).then(ok);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const { myShares } = await page(after);
      seen.push(...myShares.edges.map((e: any) => e.node.id));
      if (!myShares.pageInfo.hasNextPage) break;
      after = myShares.pageInfo.endCursor;
    }
    expect(seen).toEqual([...made].reverse());
  });

  it("a conversation lists its own links, and nobody else's", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const other = await ownerWithShare(server);
    const data = ok(await gql(server, `query($id: ID!) { conversation(id: $id) { shares { id url } } }`, { id: conversationId }, owner.token));
    expect(data.conversation.shares).toEqual([{ id: share.id, url: share.url }]);
    expect(data.conversation.shares).not.toContainEqual(expect.objectContaining({ id: other.share.id }));
  });

  it("myShares shows nothing of other users' links", async () => {
    await ownerWithShare(server);
    const fresh = await signUp(server);
    expect(ok(await gql(server, `{ myShares { edges { node { id } } } }`, {}, fresh.token)).myShares.edges).toEqual([]);
  });
});

describe("revoking", () => {
  it("makes the link give null at once, and leaves the conversation's other links working", async () => {
    const { owner, conversationId, share } = await ownerWithShare(server);
    const other = await shareConversation(server, owner.token, conversationId);
    const res = ok(await gql(server, `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { id revokedAt } } }`, { input: { shareId: share.id } }, owner.token));
    expect(res.revokeShare.share.revokedAt).toEqual(expect.any(String));
    expect(await view(server, share.url)).toBeNull();
    expect((await view(server, other.url)).title).toBe("Trip to Lisbon");
  });

  it("twice is harmless and keeps the first revocation time", async () => {
    const { owner, share } = await ownerWithShare(server);
    const m = `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { revokedAt } } }`;
    const first = ok(await gql(server, m, { input: { shareId: share.id } }, owner.token)).revokeShare.share.revokedAt;
    const second = ok(await gql(server, m, { input: { shareId: share.id } }, owner.token)).revokeShare.share.revokedAt;
    expect(second).toBe(first);
  });

  it("is refused to anyone but the owner, and the link keeps working", async () => {
    const { share } = await ownerWithShare(server);
    const stranger = await signUp(server);
    const res = await gql(server, `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { id } } }`, { input: { shareId: share.id } }, stranger.token);
    expect(codes(res)).toEqual(["NOT_FOUND"]);
    expect(await view(server, share.url)).not.toBeNull();
  });
});

describe("sharing someone else's conversation", () => {
  it("answers NOT_FOUND exactly as for an id that does not exist, and creates no link", async () => {
    const { conversationId } = await ownerWithShare(server);
    const stranger = await signUp(server);
    const m = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id } } }`;
    const theirs = await gql(server, m, { input: { conversationId } }, stranger.token);
    const missing = await gql(server, m, { input: { conversationId: missingId("Conversation") } }, stranger.token);
    expect(codes(theirs)).toEqual(["NOT_FOUND"]);
    expect(theirs.errors![0].message).toBe(missing.errors![0].message);
    expect(ok(await gql(server, `{ myShares { edges { node { id } } } }`, {}, stranger.token)).myShares.edges).toEqual([]);
  });
});
