// A share link's preview card (og:image), over real HTTP: its size, what it shows, in which scripts, who sees a name,
// that it dies with its link and counts no view.
import fs from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";
import { startTestServer, type TestServer } from "./helpers/server";
import { appendMessage, createConversation, gql, ok, ownerWithShare, PASSWORD, revoke, shareConversation, signUp } from "./helpers/client";
import { cardSvg } from "../src/share-card/card-svg";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const ARTIFACTS = path.join(__dirname, "..", "test-artifacts");
const DELETE = `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`;
const DEACTIVATE = `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`;
const ATTRIBUTION = `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`;
const VIEW_COUNT = `{ myShares { edges { node { viewCount } } } }`;
const UNKNOWN_TOKEN = "N".repeat(43);

const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);

async function get(at: Pick<TestServer, "url">, urlPath: string, init: RequestInit = {}) {
  const res = await fetch(`${at.url}${urlPath}`, { redirect: "manual", ...init });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const cardOf = (at: Pick<TestServer, "url">, shareUrl: string) => get(at, `/share/${tokenOf(shareUrl)}/card.png`);

/** A region of the card: [left, top, right, bottom), in pixels. */
type Box = [number, number, number, number];
const HEADER: Box = [0, 0, 1200, 130];
const TITLE: Box = [0, 160, 1200, 330];
const BYLINE: Box = [0, 515, 1200, 580];

function decode(png: Buffer): PNG {
  return PNG.sync.read(png);
}

function rgb(image: PNG, x: number, y: number): [number, number, number] {
  const i = (y * image.width + x) * 4;
  return [image.data[i], image.data[i + 1], image.data[i + 2]];
}

/** Pixels of ink (darker than mid-grey) in a region, and how far left and right they reach. */
function ink(image: PNG, [left, top, right, bottom]: Box): { count: number; minX: number; maxX: number } {
  let count = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      const [r, g, b] = rgb(image, x, y);
      if (r + g + b < 3 * 128) {
        count++;
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
      }
    }
  }
  return { count, minX, maxX };
}

function region(image: PNG, [left, top, right, bottom]: Box): Buffer {
  const rows: Buffer[] = [];
  for (let y = top; y < bottom; y++) rows.push(image.data.subarray((y * image.width + left) * 4, (y * image.width + right) * 4));
  return Buffer.concat(rows);
}

async function sharedCard(title: string, firstMessage: string, attribution: "ANONYMOUS" | "NAMED" = "ANONYMOUS", displayName = "Olivia Owner") {
  const owner = await signUp(server, { displayName });
  const conversationId = await createConversation(server, owner.token, title, [{ role: "USER", content: firstMessage }]);
  const share = await shareConversation(server, owner.token, conversationId, attribution);
  const res = await cardOf(server, share.url);
  expect(res.status).toBe(200);
  return { owner, share, png: res.body, image: decode(res.body) };
}

describe("the card of a working link", () => {
  it("is a 1200×630 PNG sent with the page's cache rule and headers", async () => {
    const { share } = await ownerWithShare(server);
    const res = await cardOf(server, share.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-length")).toBe(String(res.body.length));
    expect(res.headers.get("cache-control")).toBe("max-age=30, public");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    // The PNG signature, then the IHDR chunk's width and height.
    expect(res.body.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([res.body.readUInt32BE(16), res.body.readUInt32BE(20)]).toEqual([1200, 630]);
    const image = decode(res.body);
    expect([image.width, image.height]).toEqual([1200, 630]);
  });

  it("shows the product's mark, the title in dark ink on white, and the accent bar", async () => {
    const { image, png } = await sharedCard("Trip to Lisbon", "Plan three days in Lisbon.");
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, "card-latin.png"), png);
    expect(rgb(image, 10, 10)).toEqual([255, 255, 255]);
    expect(rgb(image, 100, 75)).toEqual([0x0a, 0x58, 0xca]); // inside the chat-bubble mark
    expect(rgb(image, 600, 625)).toEqual([0x0a, 0x58, 0xca]); // the bar along the bottom
    expect(ink(image, HEADER).count).toBeGreaterThan(500); // "chat-share"
    const title = ink(image, TITLE);
    expect(title.count).toBeGreaterThan(2000);
    expect(title.minX).toBeGreaterThanOrEqual(78); // left-aligned at the margin, for a left-to-right title
    expect(title.maxX).toBeLessThan(800);
  });

  it.each([
    ["Hebrew", "טיול לליסבון לשלושה ימים", "טיול לחיפה לשבוע שלם עם ילדים", "rtl"],
    ["Arabic", "رحلة إلى لشبونة لمدة ثلاثة أيام", "خطة سفر إلى القاهرة مع العائلة", "rtl"],
    ["Chinese", "去里斯本旅行三天的计划", "学习数据库设计的基本原则", "ltr"],
    ["Japanese", "リスボン旅行の計画を立てる", "データベース設計の基本を学ぶ", "ltr"],
  ])("draws a title in %s in real glyphs, from the side it is read from", async (script, title, otherTitle, direction) => {
    const first = await sharedCard(title, title);
    const other = await sharedCard(otherTitle, otherTitle);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, `card-${script.toLowerCase()}.png`), first.png);
    const inkOf = ink(first.image, TITLE);
    expect(inkOf.count).toBeGreaterThan(2000);
    // Missing glyphs would all be the same empty box: two different titles must not look alike.
    expect(region(first.image, TITLE).equals(region(other.image, TITLE))).toBe(false);
    if (direction === "rtl") {
      expect(inkOf.maxX).toBeGreaterThan(1100); // ends at the right margin
      expect(inkOf.minX).toBeGreaterThan(200);
    } else {
      expect(inkOf.minX).toBeLessThan(100);
    }
  });

  it("names the sharer only while the share is NAMED, and follows each switch at once", async () => {
    const { owner, share, image } = await sharedCard("Trip to Lisbon", "Plan three days in Lisbon.", "ANONYMOUS");
    expect(ink(image, BYLINE).count).toBe(0);
    ok(await gql(server, ATTRIBUTION, { input: { shareId: share.id, attribution: "NAMED" } }, owner.token));
    expect(ink(decode((await cardOf(server, share.url)).body), BYLINE).count).toBeGreaterThan(300);
    ok(await gql(server, ATTRIBUTION, { input: { shareId: share.id, attribution: "ANONYMOUS" } }, owner.token));
    expect(ink(decode((await cardOf(server, share.url)).body), BYLINE).count).toBe(0);
  });

  it("counts no view, however often it is fetched", async () => {
    const { owner, share } = await ownerWithShare(server);
    for (let i = 0; i < 3; i++) expect((await cardOf(server, share.url)).status).toBe(200);
    expect(ok(await gql(server, VIEW_COUNT, {}, owner.token)).myShares.edges[0].node.viewCount).toBe(0);
    expect((await get(server, `/share/${tokenOf(share.url)}`)).status).toBe(200);
    expect(ok(await gql(server, VIEW_COUNT, {}, owner.token)).myShares.edges[0].node.viewCount).toBe(1);
  });

  it("answers HEAD with the same headers and no body, and refuses other methods with 405", async () => {
    const { share } = await ownerWithShare(server);
    const head = await get(server, `/share/${tokenOf(share.url)}/card.png`, { method: "HEAD" });
    expect([head.status, head.headers.get("content-type"), head.body.length]).toEqual([200, "image/png", 0]);
    const post = await get(server, `/share/${tokenOf(share.url)}/card.png`, { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });
});

describe("the page's preview tags", () => {
  it("point og:image and twitter:image at the card's absolute URL under SHARE_BASE_URL, as a large card", async () => {
    const { share } = await ownerWithShare(server);
    const body = (await get(server, `/share/${tokenOf(share.url)}`)).body.toString();
    const meta = (key: string) => new RegExp(`<meta (?:name|property)="${key}" content="([^"]*)">`).exec(body)?.[1];
    expect(share.url.startsWith("https://chat.example/share/")).toBe(true);
    expect(meta("og:image")).toBe(`${share.url}/card.png`);
    expect(meta("twitter:image")).toBe(`${share.url}/card.png`);
    expect(meta("twitter:card")).toBe("summary_large_image");
    expect([meta("og:image:width"), meta("og:image:height"), meta("og:image:type")]).toEqual(["1200", "630", "image/png"]);
  });
});

describe("the card of a dead link", () => {
  type Ctx = Awaited<ReturnType<typeof ownerWithShare>>;
  const deaths: [string, (ctx: Ctx) => Promise<unknown>][] = [
    ["revoked", ({ owner, share }) => revoke(server, owner.token, share.id).then(ok)],
    ["deleted with its conversation", ({ owner, conversationId }) => gql(server, DELETE, { input: { conversationId } }, owner.token).then(ok)],
    ["its owner's deactivated", ({ owner }) => gql(server, DEACTIVATE, { input: { password: PASSWORD } }, owner.token).then(ok)],
  ];

  it("is the page's 404, byte for byte, never stored, for an unknown or malformed token", async () => {
    const page = await get(server, `/share/${UNKNOWN_TOKEN}`);
    for (const token of [UNKNOWN_TOKEN, "N".repeat(42), "%4E".repeat(43)]) {
      const card = await get(server, `/share/${token}/card.png`);
      expect([card.status, card.headers.get("content-type"), card.headers.get("cache-control")]).toEqual([404, "text/html; charset=utf-8", "no-store"]);
      expect(card.body.equals(page.body)).toBe(true);
    }
  });

  it.each(deaths)("is the page's 404 at once, even just after being served, once the link is %s", async (_how, kill) => {
    const ctx = await ownerWithShare(server, "NAMED");
    expect((await cardOf(server, ctx.share.url)).status).toBe(200);
    await kill(ctx);
    const [card, page] = [await cardOf(server, ctx.share.url), await get(server, `/share/${tokenOf(ctx.share.url)}`)];
    expect([card.status, card.headers.get("cache-control")]).toEqual([404, "no-store"]);
    expect(card.body.equals(page.body)).toBe(true);
  });
});

describe("the card's text", () => {
  const view = { title: "Trip to Lisbon", sharedBy: null, messages: [{ content: "## Plan\n\n**Three** days in `Lisbon`, see [the guide](https://x.example).\nSecond line." }] };
  const texts = (svg: string) => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

  it("holds the title and the first lines of the first message as plain text, and no name when anonymous", () => {
    expect(texts(cardSvg(view as never))).toEqual([
      "chat-share",
      "Shared conversation",
      "Trip to Lisbon",
      "Plan",
      "Three days in Lisbon, see the guide.",
      "Second line.",
    ]);
  });

  it("adds the sharer's name when there is one, escaped, and keeps long text within three lines", () => {
    const named = cardSvg({ ...view, sharedBy: `<Eve & "co">`, messages: [{ content: "word ".repeat(400) }] } as never);
    expect(texts(named)).toContain("Shared by &lt;Eve &amp; &quot;co&quot;&gt;");
    const excerpt = texts(named).filter((t) => t.startsWith("word"));
    expect(excerpt).toHaveLength(3);
    expect(excerpt[2].endsWith("…")).toBe(true);
  });

  it("leaves out characters no shipped font has (Hangul, Thai, emoji) instead of drawing empty boxes", () => {
    const svg = cardSvg({ ...view, title: "Plan 서울 여행 ok 😀", messages: [{ content: "สวัสดี hello" }] } as never);
    expect(texts(svg).slice(2)).toEqual(["Plan ok", "hello"]);
  });

  it("drops characters XML cannot hold rather than failing", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Bell\u0007 and tab\there", [{ role: "USER", content: "form\u000cfeed" }]);
    await appendMessage(server, owner.token, id, "ASSISTANT", "ok");
    const res = await cardOf(server, (await shareConversation(server, owner.token, id)).url);
    expect([res.status, res.headers.get("content-type")]).toEqual([200, "image/png"]);
  });
});

describe("the card's rate limit", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ VIEWS_PER_IP_PER_MINUTE: "2" });
  });
  afterAll(() => limited.close());

  it("spends the address's view allowance, then answers 429 with Retry-After", async () => {
    const { share } = await ownerWithShare(limited);
    expect((await cardOf(limited, share.url)).status).toBe(200);
    expect((await get(limited, `/share/${tokenOf(share.url)}`)).status).toBe(200);
    const refused = await cardOf(limited, share.url);
    expect([refused.status, refused.headers.get("cache-control")]).toEqual([429, "no-store"]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
