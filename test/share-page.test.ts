// The page a share link opens, over real HTTP: what it shows, the headers it is sent with, dead links, reports.
import { createHash } from "node:crypto";
import { expiringSoon, untilPast } from "./helpers/clock";
import { startTestServer, type TestServer } from "./helpers/server";
import { createConversation, gql, ok, ownerWithShare, PASSWORD, revoke, shareConversation, signUp } from "./helpers/client";
import { setUserRole } from "../src/user/user-admin";
import { UserRole } from "../src/user/user.entity";
import { renderMessage } from "../src/share-page/markdown";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const DELETE = `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`;
const DEACTIVATE = `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`;
const MODERATE = `mutation($input: ModerateShareInput!) { moderateShare(input: $input) { shareId } }`;
const ATTRIBUTION = `mutation($input: SetShareAttributionInput!) { setShareAttribution(input: $input) { share { id } } }`;

const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);
/** The database finds a share by its token's hash; the API's ids are opaque. */
const hashOf = (at: TestServer, url: string) => at.app.services.shares.links.hash(tokenOf(url));
const UNKNOWN_TOKEN = "N".repeat(43);

async function get(at: Pick<TestServer, "url">, path: string, init: RequestInit = {}) {
  const res = await fetch(`${at.url}${path}`, { redirect: "manual", ...init });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

function openShare(at: Pick<TestServer, "url">, shareUrl: string) {
  return get(at, `/share/${tokenOf(shareUrl)}`);
}

/** A report as the page's own form sends it: same-origin, urlencoded. */
function postReport(at: Pick<TestServer, "url">, token: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return get(at, `/share/${token}/report`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The content attribute of a <meta> tag, by its name or property. */
function meta(body: string, key: string): string | undefined {
  const tag = new RegExp(`<meta (?:name|property)="${key}" content="([^"]*)">`).exec(body);
  return tag?.[1];
}

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(";").map((d) => d.trim()).filter(Boolean).map((d) => [d.split(" ")[0], d.slice(d.indexOf(" ") + 1)]));
}

async function admin(at: TestServer) {
  const account = await signUp(at, { displayName: "Mod" });
  await setUserRole(at.dataSource, account.email, UserRole.ADMIN);
  return account;
}

describe("the page of a working link", () => {
  it("shows the title, who shared it, when, and every message in order with its role", async () => {
    const { share } = await ownerWithShare(server, "NAMED");
    const res = await openShare(server, share.url);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(res.body).toContain(`<h1 id="conversation-title">Trip to Lisbon</h1>`);
    expect(res.body).toMatch(/<p class="byline">Shared by <strong>Olivia Owner<\/strong> on <time datetime="[^"]+Z">[A-Z][a-z]+ \d{1,2}, \d{4}<\/time><\/p>/);
    const messages = [...res.body.matchAll(/<li class="message message-(\w+)">\n<h2 class="message-role">(\w+)<\/h2>\n<div class="message-body">\n<p>([^<]*)<\/p>/g)];
    expect(messages.map((m) => [m[1], m[2], m[3]])).toEqual([
      ["user", "User", "Plan three days in Lisbon."],
      ["assistant", "Assistant", "Day 1: Alfama. Day 2: Belém. Day 3: Sintra."],
    ]);
    expect(res.body).toMatch(/This page is a snapshot of the conversation as it was on\n<time datetime="[^"]+">[^<]+ at \d\d:\d\d UTC<\/time>/);
  });

  it("is sent with noindex, no-referrer, nosniff, the GraphQL view's cache rule and a CSP that allows no script and only its own stylesheet", async () => {
    const { share } = await ownerWithShare(server);
    const res = await openShare(server, share.url);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("max-age=30, public");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(res.body));
    const stylesheets = [...res.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(stylesheets).toHaveLength(1);
    const hash = createHash("sha256").update(stylesheets[0]).digest("base64");
    expect([...directives(res.headers.get("content-security-policy")!)]).toEqual([
      ["default-src", "'none'"],
      ["style-src", `'sha256-${hash}'`],
      ["img-src", "data:"],
      ["form-action", "'self'"],
      ["base-uri", "'none'"],
      ["frame-ancestors", "'none'"],
    ]);
    expect(res.body).not.toMatch(/<script|<link rel="stylesheet"|<img|\sstyle="|https?:\/\/(?!chat\.example\/share\/)/);
  });

  it("carries a robots meta tag and preview tags with the title and a neutral description", async () => {
    const { share } = await ownerWithShare(server, "NAMED");
    const { body } = await openShare(server, share.url);
    expect(meta(body, "robots")).toBe("noindex");
    expect(meta(body, "referrer")).toBe("no-referrer");
    expect(meta(body, "og:title")).toBe("Trip to Lisbon");
    expect(meta(body, "twitter:title")).toBe("Trip to Lisbon");
    expect(meta(body, "twitter:card")).toBe("summary_large_image");
    expect(meta(body, "og:type")).toBe("article");
    expect(meta(body, "og:url")).toBe(share.url);
    const description = meta(body, "og:description");
    expect(description).toMatch(/^A shared conversation: 2 messages, as of [A-Z][a-z]+ \d{1,2}, \d{4}\.$/);
    expect(meta(body, "twitter:description")).toBe(description);
    expect(meta(body, "description")).toBe(description);
    // Not even a named owner's name, nor any message text, travels in a preview.
    const head = body.slice(0, body.indexOf("</head>"));
    expect(head).not.toMatch(/Olivia|Alfama|Plan three/);
  });

  it("shows no trace of the owner when the share is anonymous, and their name once it is named", async () => {
    const { owner, share } = await ownerWithShare(server, "ANONYMOUS");
    const anonymous = await openShare(server, share.url);
    expect(anonymous.body).toMatch(/<p class="byline">Shared on <time/);
    for (const trace of ["Olivia", "Owner", owner.email, owner.id, "Shared by", "anonymous"]) {
      expect(anonymous.body.toLowerCase()).not.toContain(trace.toLowerCase());
    }
    ok(await gql(server, ATTRIBUTION, { input: { shareId: share.id, attribution: "NAMED" } }, owner.token));
    expect((await openShare(server, share.url)).body).toContain("Shared by <strong>Olivia Owner</strong>");
  });

  it("escapes the title and the owner's name wherever they appear", async () => {
    const owner = await signUp(server, { displayName: `<img src=x onerror=alert(1)> "Eve" & 'co'` });
    const id = await createConversation(server, owner.token, `</title><script>alert(1)</script> "quoted" & 'single'`, [{ role: "USER", content: "hi" }]);
    const share = await shareConversation(server, owner.token, id, "NAMED");
    const { body } = await openShare(server, share.url);
    const title = `&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39;`;
    expect(body).toContain(`<title>${title} · Shared conversation</title>`);
    expect(body).toContain(`<h1 id="conversation-title">${title}</h1>`);
    expect(meta(body, "og:title")).toBe(title);
    expect(body).toContain(`Shared by <strong>&lt;img src=x onerror=alert(1)&gt; &quot;Eve&quot; &amp; &#39;co&#39;</strong>`);
    expect(body).not.toMatch(/<script|<img|<\/title><script/);
  });

  it("answers HEAD with the same headers and no body, and refuses other methods with 405", async () => {
    const { share } = await ownerWithShare(server);
    const head = await get(server, `/share/${tokenOf(share.url)}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    const put = await get(server, `/share/${tokenOf(share.url)}`, { method: "PUT", body: "x" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD");
  });

  it("counts a view, like the GraphQL view does", async () => {
    const { owner, share } = await ownerWithShare(server);
    await openShare(server, share.url);
    await openShare(server, share.url);
    const mine = ok(await gql(server, `{ myShares { edges { node { id viewCount } } } }`, {}, owner.token)).myShares.edges;
    expect(mine).toEqual([{ node: { id: share.id, viewCount: 2 } }]);
  });

  it("shares the GraphQL view's per-address limit, answering 429 with Retry-After before looking the link up", async () => {
    const limited = await startTestServer({ VIEWS_PER_IP_PER_MINUTE: "2" });
    try {
      const { share } = await ownerWithShare(limited);
      expect((await openShare(limited, share.url)).status).toBe(200);
      expect((await get(limited, `/share/${UNKNOWN_TOKEN}`)).status).toBe(404);
      for (const path of [`/share/${tokenOf(share.url)}`, `/share/${UNKNOWN_TOKEN}`]) {
        const res = await get(limited, path);
        expect(res.status).toBe(429);
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(res.body).toContain("<h1>Too many requests</h1>");
      }
    } finally {
      await limited.close();
    }
  });

  it("ignores a query string, as links pasted with tracking parameters have", async () => {
    const { share } = await ownerWithShare(server);
    const res = await get(server, `/share/${tokenOf(share.url)}?utm_source=mail`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("Trip to Lisbon");
  });
});

describe("the page of a dead link", () => {
  type Ctx = Awaited<ReturnType<typeof ownerWithShare>>;
  const deaths: [string, (ctx: Ctx) => Promise<unknown>][] = [
    ["revoked", ({ owner, share }) => revoke(server, owner.token, share.id).then(ok)],
    ["deleted with its conversation", ({ owner, conversationId }) => gql(server, DELETE, { input: { conversationId } }, owner.token).then(ok)],
    ["its owner's deactivated", ({ owner }) => gql(server, DEACTIVATE, { input: { password: PASSWORD } }, owner.token).then(ok)],
    ["disabled by a moderator", async ({ share }) => ok(await gql(server, MODERATE, { input: { shareId: share.id, reason: "Spam" } }, (await admin(server)).token))],
  ];

  let unknown: Awaited<ReturnType<typeof get>>;
  beforeAll(async () => {
    unknown = await get(server, `/share/${UNKNOWN_TOKEN}`);
  });

  it("is a friendly 404 that never stays in a cache", () => {
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain("<h1>This link doesn’t work</h1>");
    expect(unknown.headers.get("cache-control")).toBe("no-store");
    expect(unknown.headers.get("x-robots-tag")).toBe("noindex");
    expect(unknown.headers.get("referrer-policy")).toBe("no-referrer");
    expect(unknown.headers.get("x-content-type-options")).toBe("nosniff");
    expect(unknown.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(meta(unknown.body, "robots")).toBe("noindex");
  });

  it.each(deaths)("is that same page, byte for byte, once the link is %s", async (_how, kill) => {
    const ctx = await ownerWithShare(server, "NAMED");
    expect((await openShare(server, ctx.share.url)).status).toBe(200);
    await kill(ctx);
    const dead = await openShare(server, ctx.share.url);
    expect(dead.status).toBe(404);
    expect(dead.body).toBe(unknown.body);
    expect(dead.headers.get("cache-control")).toBe("no-store");
  });

  it("is that same page, byte for byte, once the link has expired", async () => {
    const { owner, conversationId } = await ownerWithShare(server);
    const expiresAt = expiringSoon();
    const res = await gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { url } } }`, { input: { conversationId, expiresAt } }, owner.token);
    const url = ok(res).shareConversation.share.url;
    expect((await openShare(server, url)).status).toBe(200);
    await untilPast(expiresAt);
    const dead = await openShare(server, url);
    expect(dead.status).toBe(404);
    expect(dead.body).toBe(unknown.body);
  });

  it.each([
    ["a token one character short", () => "N".repeat(42)],
    ["a token one character long", () => "N".repeat(44)],
    ["a token with a character tokens never have", () => "N".repeat(42) + "."],
    ["a percent-encoded token", () => "%4E".repeat(43)],
    ["a whole share URL pasted into the path", () => "https://chat.example/share/" + UNKNOWN_TOKEN],
    ["a trailing slash", () => UNKNOWN_TOKEN + "/"],
    ["an unknown page under a token", () => UNKNOWN_TOKEN + "/edit"],
  ])("is that same page for %s", async (_what, path) => {
    const res = await get(server, `/share/${path()}`);
    expect(res.status).toBe(404);
    expect(res.body).toBe(unknown.body);
  });

  it("is that same page for a working token under a path it does not have", async () => {
    const { share } = await ownerWithShare(server);
    for (const path of [`${tokenOf(share.url)}/`, `${tokenOf(share.url)}/report/x`, `${tokenOf(share.url)}/edit`]) {
      const res = await get(server, `/share/${path}`);
      expect([path, res.status, res.body === unknown.body]).toEqual([path, 404, true]);
    }
  });
});

describe("message content", () => {
  // [what, markdown, what the HTML must contain, what it must never contain]
  const cases: [string, string, string[], RegExp[]][] = [
    ["raw HTML stays text", `<script>alert(1)</script><b onclick="x()">b</b>`, ["&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onclick"], [/<script|<b[ >]/]],
    ["an onerror payload stays text", `<img src=x onerror=alert(1)>`, ["&lt;img src=x onerror=alert(1)&gt;"], [/<img/]],
    ["a javascript: link is not a link", `[click](javascript:alert(1)) [x](JaVaScRiPt:alert(1)) [t](java\tscript:alert(1))`, ["[click](javascript:alert(1))"], [/<a/]],
    ["a javascript: autolink is not a link", `<javascript:alert(1)>`, ["&lt;javascript:alert(1)&gt;"], [/<a/]],
    ["a data: link is not a link", `[x](data:text/html;base64,PHNjcmlwdD4=)`, ["[x](data:text/html;base64,PHNjcmlwdD4=)"], [/<a/]],
    ["a javascript: reference link is not a link", `[x][r]\n\n[r]: javascript:alert(1)`, ["[x][r]"], [/<a/]],
    ["a protocol-relative or relative link is not a link", `[a](//evil.example/x) [b](/graphql) [c](#top)`, ["[a](//evil.example/x)"], [/<a/]],
    ["a remote image is a plain link, never an <img>", `![a cat](https://evil.example/cat.png)`, [`<a class="image-link" href="https://evil.example/cat.png" rel="nofollow noopener noreferrer">Image: a cat</a>`], [/<img/]],
    ["an image inside a link is only its description", `[![logo](https://evil.example/l.png)](https://example.com)`, [`<a href="https://example.com" rel="nofollow noopener noreferrer">Image: logo</a>`], [/<img|evil/]],
    ["http(s) and mailto links carry rel", `[a](https://example.com/?q=1&r=2) <mailto:ada@example.com> https://example.org ada@example.net`, [
      `<a href="https://example.com/?q=1&amp;r=2" rel="nofollow noopener noreferrer">a</a>`,
      `<a href="mailto:ada@example.com" rel="nofollow noopener noreferrer">mailto:ada@example.com</a>`,
      `<a href="https://example.org" rel="nofollow noopener noreferrer">https://example.org</a>`,
      `<a href="mailto:ada@example.net" rel="nofollow noopener noreferrer">ada@example.net</a>`,
    ], [/<a(?![^>]*rel="nofollow noopener noreferrer")[^>]*>/]],
    ["a file name is not taken for a link", `run main.py`, ["<p>run main.py</p>"], [/<a/]],
    ["headings start below the message's own heading", `# One\n## Two\n###### Six`, ["<h3>One</h3>", "<h4>Two</h4>", "<h6>Six</h6>"], [/<h[12]/]],
    ["lists, emphasis and line breaks render", `- *a*\n- **b**\n\n3. c\n\nx\ny`, ["<li><em>a</em></li>", "<li><strong>b</strong></li>", `<ol start="3">`, "x<br />\ny"], []],
    ["tables render, aligned by class rather than style", `| a | b |\n|:-:|--:|\n| 1 | 2 |`, [`<th class="align-center">a</th>`, `<td class="align-right">2</td>`, `<div class="table-wrap" tabindex="0" role="region" aria-label="Table">`], [/style=/]],
    ["code blocks carry their language as a label", "```python\nprint('<b>')\n```", [`<figure class="code"><figcaption>python</figcaption><pre tabindex="0"><code class="language-python">print('&lt;b&gt;')\n</code></pre></figure>`], []],
    ["a code block's odd info string does not reach the markup", "```\"><script>alert(1)</script>\nx\n```", [`<figure class="code"><pre tabindex="0"><code>x\n</code></pre></figure>`], [/script/]],
  ];

  it.each(cases)("%s", (_what, markdown, contains, never) => {
    const out = renderMessage(markdown).value;
    for (const fragment of contains) expect(out).toContain(fragment);
    for (const pattern of never) expect(out).not.toMatch(pattern);
  });

  it("reaches the page sanitized, and the page stays free of script, images and inline styles", async () => {
    const owner = await signUp(server);
    const id = await createConversation(server, owner.token, "Payloads", [
      { role: "USER", content: `<script>window.x=1</script> <img src=x onerror=alert(1)> [go](javascript:alert(1)) ![p](https://evil.example/p.png)` },
      { role: "ASSISTANT", content: `<iframe src="https://evil.example"></iframe> <svg onload=alert(1)> <a href="javascript:alert(1)" style="color:red">x</a>` },
    ]);
    const share = await shareConversation(server, owner.token, id);
    const { status, body } = await openShare(server, share.url);
    expect(status).toBe(200);
    expect(body).not.toMatch(/<script|<img|<iframe|<svg|<[^>]*\s(?:on\w+|style)=|<a [^>]*href="(?:javascript|data):/i);
    expect(body).toContain("&lt;svg onload=alert(1)&gt;");
    expect(body).toContain("&lt;script&gt;window.x=1&lt;/script&gt;");
    expect(body).toContain(`<a class="image-link" href="https://evil.example/p.png" rel="nofollow noopener noreferrer">Image: p</a>`);
  });
});

describe("continuing the conversation", () => {
  // Words a reader of the page should never meet: they are for the people who build apps.
  const DEVELOPER_WORDS = /importShare|mutation|GraphQL|\bAPI\b|<code>/i;

  it("says in a plain sentence how to continue, without a button or developer words, when no app is configured", async () => {
    const { share } = await ownerWithShare(server);
    const { body } = await openShare(server, share.url);
    expect(body).toContain("Importing copies this snapshot into your own chat history");
    expect(body).toContain("<p>To do that, open this link in a chat app that can import shared conversations.</p>");
    expect(body).not.toMatch(DEVELOPER_WORDS);
    expect(body).not.toContain(`class="button"`);
  });

  it("links to APP_IMPORT_URL with the token added and its own parameters kept", async () => {
    const withApp = await startTestServer({ APP_IMPORT_URL: "https://app.example/import?from=share&lang=en" });
    try {
      const { share } = await ownerWithShare(withApp);
      const { body } = await openShare(withApp, share.url);
      expect(body).toContain(
        `<a class="button" href="https://app.example/import?from=share&amp;lang=en&amp;token=${tokenOf(share.url)}">Continue this conversation</a>`,
      );
      expect(body).toContain("Importing copies this snapshot into your own chat history");
      expect(body).not.toMatch(DEVELOPER_WORDS);
    } finally {
      await withApp.close();
    }
  });
});

describe("reporting from the page", () => {
  const reportsOf = (at: TestServer, shareUrl: string) =>
    at.sql(
      `SELECT r.reason, r.details, r.reporter_id AS "reporterId" FROM share_reports r JOIN shares s ON s.id = r.share_id WHERE s.token_hash = ?`,
      [hashOf(at, shareUrl)],
    );

  it("the page links to a form that posts to the same origin, with every reason", async () => {
    const { share } = await ownerWithShare(server);
    const token = tokenOf(share.url);
    expect((await openShare(server, share.url)).body).toContain(`<a href="/share/${token}/report">Report this conversation</a>`);
    const form = await get(server, `/share/${token}/report`);
    expect(form.status).toBe(200);
    expect(form.headers.get("cache-control")).toBe("no-store");
    expect(form.headers.get("content-security-policy")).toContain("form-action 'self'");
    expect(form.body).toContain(`<form method="post" action="/share/${token}/report">`);
    const reasons = [...form.body.matchAll(/<input type="radio" name="reason" value="(\w+)" required>/g)].map((m) => m[1]);
    expect(reasons).toEqual(["SPAM", "HARASSMENT", "HATE", "SEXUAL_CONTENT", "VIOLENCE", "SELF_HARM", "PERSONAL_INFORMATION", "ILLEGAL", "OTHER"]);
    expect(form.body).toContain(`<textarea id="details" name="details" rows="5" maxlength="2000"`);
    expect(form.body).toContain(`<a href="/share/${token}">Back to the conversation</a>`);
  });

  it("files a report and thanks the reporter", async () => {
    const { share } = await ownerWithShare(server);
    const res = await postReport(server, tokenOf(share.url), { reason: "SPAM", details: "  buy <b>now</b>\r\nplease  " });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toContain("<h1>Thanks for your report</h1>");
    expect(await reportsOf(server, share.url)).toEqual([{ reason: "SPAM", details: "buy <b>now</b>\nplease", reporterId: null }]);
  });

  it("shows the form again with the error, keeping what was typed, when a reason is missing or the details too long", async () => {
    const { share } = await ownerWithShare(server);
    const token = tokenOf(share.url);
    const noReason = await postReport(server, token, { details: `it's <bad>` });
    expect(noReason.status).toBe(400);
    expect(noReason.body).toContain(`<p class="form-error" id="report-error">Choose what the problem is.</p>`);
    expect(noReason.body).toContain(`>it&#39;s &lt;bad&gt;</textarea>`);
    const unknownReason = await postReport(server, token, { reason: "BORING" });
    expect(unknownReason.status).toBe(400);
    const tooLong = await postReport(server, token, { reason: "OTHER", details: "d".repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toContain("Details can be at most 2,000 characters.");
    expect(tooLong.body).toContain(`<input type="radio" name="reason" value="OTHER" required checked>`);
    expect(await reportsOf(server, share.url)).toEqual([]);
  });

  it("answers a dead link's form and report with the 404 page", async () => {
    const { owner, share } = await ownerWithShare(server);
    await revoke(server, owner.token, share.id).then(ok);
    const unknown = await get(server, `/share/${UNKNOWN_TOKEN}`);
    const form = await get(server, `/share/${tokenOf(share.url)}/report`);
    const post = await postReport(server, tokenOf(share.url), { reason: "SPAM" });
    const malformed = await postReport(server, "short", { reason: "SPAM" });
    for (const res of [form, post, malformed]) {
      expect(res.status).toBe(404);
      expect(res.body).toBe(unknown.body);
    }
    expect(await reportsOf(server, share.url)).toEqual([]);
  });

  it("is limited per address, with a 429 page and Retry-After", async () => {
    const limited = await startTestServer({ REPORTS_PER_HOUR: "2" });
    try {
      const { share } = await ownerWithShare(limited);
      const token = tokenOf(share.url);
      expect((await postReport(limited, token, { reason: "HATE" })).status).toBe(200);
      expect((await postReport(limited, token, { reason: "HATE" })).status).toBe(200);
      const third = await postReport(limited, token, { reason: "HATE" });
      expect(third.status).toBe(429);
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(third.headers.get("cache-control")).toBe("no-store");
      expect(third.body).toContain("<h1>Too many reports</h1>");
      expect(await reportsOf(limited, share.url)).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });

  it("refuses a post from another site, a body that is not a form, and an oversized body", async () => {
    const { share } = await ownerWithShare(server);
    const token = tokenOf(share.url);
    expect((await postReport(server, token, { reason: "SPAM" }, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    const json = await get(server, `/share/${token}/report`, { method: "POST", headers: { "content-type": "application/json" }, body: `{"reason":"SPAM"}` });
    expect(json.status).toBe(415);
    expect((await postReport(server, token, { reason: "SPAM", details: "d".repeat(40_000) })).status).toBe(413);
    // Streamed without a length, the limit holds too.
    const chunked = await get(server, `/share/${token}/report`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new Blob(["reason=SPAM&details=" + "d".repeat(40_000)]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await reportsOf(server, share.url)).toEqual([]);
  });
});
