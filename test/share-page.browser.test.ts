// The share page in a real browser (Debian's Chromium, driven by playwright-core): it renders, runs nothing a message
// carries, dies with its link, and reads well on a phone and a desktop, light and dark.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { requireService, startTestServer, type TestServer } from "./helpers/server";
import { createConversation, gql, ok, revoke, shareConversation, signUp } from "./helpers/client";

const CHROMIUM = "/usr/bin/chromium";
// Without the background-networking flags Chromium phones home at start, and those connections are refused here.
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const ARTIFACTS = path.join(__dirname, "..", "test-artifacts");

// The callbacks given to page.evaluate run inside Chromium. The project compiles without the DOM library, so this
// declares the little of it they use, for this file only.
interface DomElement {
  innerText: string;
  tagName: string;
  className: string;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; width: number };
  naturalWidth: number;
  naturalHeight: number;
}
declare const document: {
  activeElement: DomElement;
  documentElement: { scrollWidth: number };
  body: DomElement;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement> & Iterable<DomElement>;
};
declare const window: { innerWidth: number; __xss?: string };
declare function getComputedStyle(element: DomElement): { outlineStyle: string; backgroundColor: string; fontSize: string };

const hasChromium = requireService("Browser", fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}; install it with "apt-get install chromium" (.ci/run does)`);
const describeInBrowser = hasChromium ? describe : describe.skip;

/** A realistic exchange with a heading, a list, a table, code blocks and a link: what the screenshots show. */
const EXAMPLE = {
  title: "SQLite or Postgres for a small web app?",
  messages: [
    {
      role: "USER" as const,
      content: "I'm building a small web app for my climbing club (maybe 200 members). Should I use SQLite or Postgres? And how do I turn on WAL mode from Node?",
    },
    {
      role: "ASSISTANT" as const,
      content: [
        "## Short answer",
        "",
        "**SQLite** is a great fit at that size. Reach for Postgres when you need several app servers writing at once.",
        "",
        "### What tips the balance",
        "",
        "- *Concurrency:* SQLite allows one writer at a time; with WAL, readers never wait for it.",
        "- *Operations:* SQLite is a single file, so there is no server to run, patch or back up separately.",
        "- *Growth:* moving to Postgres later is a data migration, not a rewrite, if you keep your SQL portable.",
        "",
        "| | SQLite | Postgres |",
        "|---|---|---|",
        "| Setup | none | a server |",
        "| Writers at once | 1 | many |",
        "| Backups | copy one file | `pg_dump` |",
        "",
        "### Turning on WAL",
        "",
        "```js",
        'const Database = require("better-sqlite3");',
        'const db = new Database("club.sqlite");',
        'db.pragma("journal_mode = WAL");',
        'db.pragma("synchronous = NORMAL");',
        "```",
        "",
        "The [SQLite documentation on WAL](https://www.sqlite.org/wal.html) has the details.",
      ].join("\n"),
    },
    { role: "USER" as const, content: "Thanks! How do I back it up while the app is running?" },
    {
      role: "ASSISTANT" as const,
      content: "Use SQLite's online backup, which is safe while the app writes:\n\n```bash\nsqlite3 club.sqlite \".backup 'backups/club-$(date +%F).sqlite'\"\n```\n\nRun it from a daily cron job and keep the last 14 copies.",
    },
  ],
};

/** Every way a message (or a title, or a name) might try to run script or reach another server. */
const PAYLOADS = [
  `<script>window.__xss = "script"</script>`,
  `<img src=x onerror="window.__xss = 'img'">`,
  `<svg onload="window.__xss = 'svg'"></svg>`,
  `<iframe src="https://evil.example/frame"></iframe>`,
  `<style>body { background: url(https://evil.example/bg.png) }</style>`,
  `<meta http-equiv="refresh" content="0;url=https://evil.example/">`,
  `<base href="https://evil.example/">`,
  `<a href="javascript:window.__xss = 'raw link'">raw link</a>`,
  `[markdown link](javascript:window.__xss='markdown%20link')`,
  `<javascript:window.__xss='autolink'>`,
  `[data link](data:text/html,<script>alert(1)</script>)`,
  `![tracking pixel](https://evil.example/pixel.png)`,
  `<form action="https://evil.example/steal"><input name=q autofocus onfocus="window.__xss='focus'"><button>Go</button></form>`,
].join("\n\n");

describeInBrowser("the share page in Chromium", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    [server, browser] = await Promise.all([
      startTestServer({ APP_IMPORT_URL: "https://app.example/import" }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const pageUrl = (shareUrl: string) => `${server.url}/share/${shareUrl.slice(shareUrl.lastIndexOf("/") + 1)}`;

  async function shared(attribution: "ANONYMOUS" | "NAMED", conversation: { title: string; messages: typeof EXAMPLE.messages } = EXAMPLE, displayName = "Ada Lovelace") {
    const owner = await signUp(server, { displayName });
    const id = await createConversation(server, owner.token, conversation.title, conversation.messages);
    return { owner, share: await shareConversation(server, owner.token, id, attribution) };
  }

  async function withPage<T>(options: BrowserContextOptions, use: (page: Page) => Promise<T>): Promise<T> {
    const context = await browser.newContext(options);
    try {
      return await use(await context.newPage());
    } finally {
      await context.close();
    }
  }

  it("shows the title, the attribution and every message, styled by its own stylesheet with no CSP complaint", async () => {
    const { share } = await shared("NAMED");
    await withPage({}, async (page) => {
      const complaints: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") complaints.push(message.text());
      });
      const response = await page.goto(pageUrl(share.url));
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe(`${EXAMPLE.title} · Shared conversation`);
      expect(await page.locator("h1").innerText()).toBe(EXAMPLE.title);
      expect(await page.locator(".byline").innerText()).toMatch(/^Shared by Ada Lovelace on [A-Z][a-z]+ \d{1,2}, \d{4}$/);
      expect(await page.locator(".message-role").allInnerTexts()).toEqual(["USER", "ASSISTANT", "USER", "ASSISTANT"]);
      expect(await page.locator(".message-user .message-body").first().innerText()).toBe(EXAMPLE.messages[0].content);
      // Headings inside a message sit two levels below the page's h1 and the message's own h2.
      expect(await page.locator(".message-body h4").allInnerTexts()).toEqual(["Short answer"]);
      expect(await page.locator(".message-body h5").allInnerTexts()).toEqual(["What tips the balance", "Turning on WAL"]);
      expect(await page.locator(".message-body li").count()).toBe(3);
      expect(await page.locator(".message-body table tbody tr").count()).toBe(3);
      expect(await page.locator("figure.code figcaption").allInnerTexts()).toEqual(["js", "bash"]);
      expect(await page.locator(".message-body a").getAttribute("rel")).toBe("nofollow noopener noreferrer");
      expect(await page.locator("a.button").getAttribute("href")).toMatch(/^https:\/\/app\.example\/import\?token=[\w-]{43}$/);
      // The inline stylesheet applied: the CSP let it in by its hash.
      const bubble = await page.locator(".message-user .message-body").first().evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(bubble).toBe("rgb(232, 240, 254)");
      expect(complaints).toEqual([]);
    });
  });

  it("runs nothing a message carries: no dialog, no injected global, no request to another origin", async () => {
    const attacker = { title: `<img src=x onerror="window.__xss='title'">`, messages: [
      { role: "USER" as const, content: PAYLOADS },
      { role: "ASSISTANT" as const, content: PAYLOADS },
    ] };
    const { share } = await shared("NAMED", attacker, `<script>window.__xss='name'</script>`);
    await withPage({}, async (page) => {
      const dialogs: string[] = [];
      const elsewhere: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.origin !== new URL(server.url).origin && url.protocol !== "data:") elsewhere.push(request.url());
      });
      await page.goto(pageUrl(share.url), { waitUntil: "networkidle" });
      // Walk the page with the keyboard too: focus handlers are a way in.
      for (let i = 0; i < 12; i++) await page.keyboard.press("Tab");
      await page.waitForTimeout(200);
      expect(dialogs).toEqual([]);
      expect(elsewhere).toEqual([]);
      const found = await page.evaluate(() => ({
        injected: window.__xss ?? null,
        elements: document.querySelectorAll("script, img, svg, iframe, object, embed, form, input, base, meta[http-equiv]").length,
        hrefs: [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")!),
      }));
      expect(found.injected).toBeNull();
      expect(found.elements).toBe(0);
      for (const href of found.hrefs) expect(href).toMatch(/^(https:\/\/|\/share\/|#main$)/);
      expect(found.hrefs).toContain("https://evil.example/pixel.png"); // the image, as a plain link nobody fetched
      expect(await page.locator("h1").innerText()).toBe(attacker.title);
      expect(await page.locator(".byline strong").innerText()).toBe(`<script>window.__xss='name'</script>`);
    });
  });

  it("shows the 404 page on reload once the share is revoked", async () => {
    const { owner, share } = await shared("NAMED");
    await withPage({}, async (page) => {
      expect((await page.goto(pageUrl(share.url)))?.status()).toBe(200);
      await revoke(server, owner.token, share.id).then(ok);
      const reloaded = await page.reload();
      expect(reloaded?.status()).toBe(404);
      expect(await page.locator("h1").innerText()).toBe("This link doesn’t work");
      expect(await page.content()).not.toContain(EXAMPLE.title);
    });
  });

  it("leaves no trace of the owner on an anonymous page", async () => {
    const { owner, share } = await shared("ANONYMOUS", EXAMPLE, "Zebulon Quixote");
    await withPage({}, async (page) => {
      await page.goto(pageUrl(share.url));
      const everything = [await page.content(), await page.title(), await page.locator("body").innerText()].join("\n");
      for (const trace of ["Zebulon", "Quixote", owner.email, owner.id, "Shared by"]) expect(everything).not.toContain(trace);
      expect(await page.locator(".byline").innerText()).toMatch(/^Shared on /);
    });
  });

  it("can be used from the keyboard: the first Tab shows a skip link, and focus is always visible", async () => {
    const { share } = await shared("NAMED");
    await withPage({}, async (page) => {
      await page.goto(pageUrl(share.url));
      await page.keyboard.press("Tab");
      const skip = await page.evaluate(() => {
        const el = document.activeElement;
        return { text: el.innerText, top: el.getBoundingClientRect().top, outline: getComputedStyle(el).outlineStyle };
      });
      expect(skip).toEqual({ text: "Skip to content", top: expect.any(Number), outline: "solid" });
      expect(skip.top).toBeGreaterThanOrEqual(0);
      // Tab on to the report link: every stop on the way shows where focus is.
      const stops: string[] = [];
      for (let i = 0; i < 20 && stops.at(-1) !== `a "Report this conversation"`; i++) {
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => {
          const el = document.activeElement;
          const tag = el.tagName.toLowerCase();
          return { name: el.className ? `${tag}.${el.className}` : tag === "a" ? `a "${el.innerText}"` : tag, outline: getComputedStyle(el).outlineStyle };
        });
        expect([focused.name, focused.outline]).toEqual([focused.name, "solid"]);
        stops.push(focused.name);
      }
      // Message links, the scrollable table and code blocks, the button and the report link are all reachable.
      expect(stops).toEqual([
        "div.table-wrap", "pre", `a "SQLite documentation on WAL"`, "pre", "a.button", `a "Report this conversation"`,
      ]);
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/report$/);
      expect(await page.locator("h1").innerText()).toBe("Report this conversation");
    });
  });

  it("sends a report through the form, from the same origin, and thanks the reporter", async () => {
    const { share } = await shared("ANONYMOUS");
    await withPage({}, async (page) => {
      await page.goto(pageUrl(share.url));
      await page.getByRole("link", { name: "Report this conversation" }).click();
      await page.getByLabel("Spam or scams").check();
      await page.getByLabel("Details").fill("Looks like an ad.\nTwice.");
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Send report" }).click()]);
      expect(response.status()).toBe(200);
      expect(await page.locator("h1").innerText()).toBe("Thanks for your report");
    });
  });

  it.each([
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 390, height: 844 }],
  ] as const)("reads well on a %s, light and dark, and saves screenshots of both", async (device, viewport) => {
    const { share } = await shared("NAMED");
    const backgrounds: string[] = [];
    for (const colorScheme of ["light", "dark"] as const) {
      await withPage({ viewport, colorScheme, deviceScaleFactor: device === "phone" ? 2 : 1, isMobile: device === "phone" }, async (page) => {
        await page.goto(pageUrl(share.url));
        const layout = await page.evaluate(() => ({
          pageWidth: document.documentElement.scrollWidth,
          viewportWidth: window.innerWidth,
          background: getComputedStyle(document.body).backgroundColor,
          lineLength: document.querySelector(".message-assistant .message-body p")!.getBoundingClientRect().width,
          fontSize: parseFloat(getComputedStyle(document.querySelector(".message-body p")!).fontSize),
        }));
        // Nothing makes the whole page scroll sideways (wide tables and code scroll inside their own box).
        expect(layout.pageWidth).toBeLessThanOrEqual(layout.viewportWidth);
        // A comfortable measure on a desktop, and type no smaller than 16px anywhere.
        expect(layout.lineLength).toBeLessThanOrEqual(760);
        expect(layout.fontSize).toBeGreaterThanOrEqual(16);
        backgrounds.push(layout.background);
        await page.screenshot({ path: path.join(ARTIFACTS, `share-page-${device}-${colorScheme}.png`), fullPage: true });
      });
    }
    expect(new Set(backgrounds).size).toBe(2);
    for (const colorScheme of ["light", "dark"]) {
      expect(fs.statSync(path.join(ARTIFACTS, `share-page-${device}-${colorScheme}.png`)).size).toBeGreaterThan(10_000);
    }
  });

  it("opens the preview card the page's og:image names, a 1200×630 image, and saves a screenshot of it", async () => {
    const { share } = await shared("NAMED");
    await withPage({ viewport: { width: 1200, height: 630 } }, async (page) => {
      await page.goto(pageUrl(share.url));
      const image = await page.locator('meta[property="og:image"]').getAttribute("content");
      expect(image).toBe(`${share.url}/card.png`);
      // The link's host is SHARE_BASE_URL's (chat.example); the test server answers the same path.
      const response = await page.goto(pageUrl(share.url) + "/card.png");
      expect(response?.status()).toBe(200);
      expect(response?.headers()["content-type"]).toBe("image/png");
      const size = await page.locator("img").evaluate((el) => [(el as unknown as DomElement).naturalWidth, (el as unknown as DomElement).naturalHeight]);
      expect(size).toEqual([1200, 630]);
      await page.screenshot({ path: path.join(ARTIFACTS, "share-card.png") });
    });
    expect(fs.statSync(path.join(ARTIFACTS, "share-card.png")).size).toBeGreaterThan(10_000);
  });

  it("shows the same page whether the GraphQL view or the browser asks", async () => {
    const { share } = await shared("NAMED");
    const viaApi = ok(await gql(server, `query($l: String!) { sharedConversation(link: $l) { title sharedBy messages { content } } }`, { l: share.url })).sharedConversation;
    await withPage({}, async (page) => {
      await page.goto(pageUrl(share.url));
      expect(await page.locator("h1").innerText()).toBe(viaApi.title);
      expect(await page.locator(".byline strong").innerText()).toBe(viaApi.sharedBy);
      expect(await page.locator(".message").count()).toBe(viaApi.messages.length);
    });
  });
});
