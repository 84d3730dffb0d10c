// Mobile apps open share links: the association files iOS and Android fetch from the share host, from configuration.
import { loadConfig } from "../src/config";
import { startTestServer, type TestServer } from "./helpers/server";

const APPLE = "/.well-known/apple-app-site-association";
const ANDROID = "/.well-known/assetlinks.json";
const FINGERPRINT = "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5";
const OTHER_FINGERPRINT = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

async function fetchFile(server: TestServer, path: string) {
  const res = await fetch(`${server.url}${path}`, { redirect: "manual" });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

describe("with apps configured", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      SHARE_BASE_URL: "https://chat.example/s/",
      APPLE_APP_IDS: "ABCDE12345.com.example.chat, FGHIJ67890.com.example.chat.beta",
      ANDROID_APP_PACKAGES: `com.example.chat=${FINGERPRINT.toLowerCase()}; com.example.chat.beta=${FINGERPRINT},${OTHER_FINGERPRINT}`,
    });
  });
  afterAll(() => server.close());

  it("serves Apple's apple-app-site-association as JSON, with no redirect, matching the share links' path", async () => {
    const file = await fetchFile(server, APPLE);
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/^application\/json\b/);
    expect(JSON.parse(file.text)).toEqual({
      applinks: {
        details: [
          {
            appIDs: ["ABCDE12345.com.example.chat", "FGHIJ67890.com.example.chat.beta"],
            components: [
              { "/": "/s/*/report", exclude: true, comment: "The report form stays on the web." },
              { "/": "/s/*", comment: "A shared conversation: the app shows it and offers to import it." },
            ],
          },
        ],
      },
    });
  });

  it("serves Android's assetlinks.json as JSON, one statement per package, fingerprints in upper case", async () => {
    const file = await fetchFile(server, ANDROID);
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/^application\/json\b/);
    expect(JSON.parse(file.text)).toEqual([
      {
        relation: ["delegate_permission/common.handle_all_urls"],
        target: { namespace: "android_app", package_name: "com.example.chat", sha256_cert_fingerprints: [FINGERPRINT] },
      },
      {
        relation: ["delegate_permission/common.handle_all_urls"],
        target: { namespace: "android_app", package_name: "com.example.chat.beta", sha256_cert_fingerprints: [FINGERPRINT, OTHER_FINGERPRINT] },
      },
    ]);
  });

  it("answers HEAD too, and nothing under other names (no extension, no redirect)", async () => {
    expect((await fetch(`${server.url}${APPLE}`, { method: "HEAD" })).status).toBe(200);
    expect((await fetchFile(server, `${APPLE}.json`)).status).toBe(404);
    expect((await fetchFile(server, "/apple-app-site-association")).status).toBe(404);
  });
});

it("serves only the platform that is configured", async () => {
  const server = await startTestServer({ APPLE_APP_IDS: "ABCDE12345.com.example.chat" });
  try {
    expect((await fetchFile(server, APPLE)).status).toBe(200);
    expect((await fetchFile(server, ANDROID)).status).toBe(404);
  } finally {
    await server.close();
  }
});

it("serves nothing when no app is configured", async () => {
  const server = await startTestServer();
  try {
    expect((await fetchFile(server, APPLE)).status).toBe(404);
    expect((await fetchFile(server, ANDROID)).status).toBe(404);
  } finally {
    await server.close();
  }
});

describe("refused configuration names the variable", () => {
  it.each([
    [{ APPLE_APP_IDS: "com.example.chat" }, /APPLE_APP_IDS: "com.example.chat" is not <10-character Team ID>/],
    [{ APPLE_APP_IDS: "abcde12345.com.example.chat" }, /APPLE_APP_IDS/],
    [{ APPLE_APP_IDS: "ABCDE1234.com.example.chat" }, /APPLE_APP_IDS/],
    [{ ANDROID_APP_PACKAGES: "com.example.chat" }, /ANDROID_APP_PACKAGES: com.example.chat needs its signing certificate's SHA-256 fingerprint/],
    [{ ANDROID_APP_PACKAGES: "chat=" + FINGERPRINT }, /ANDROID_APP_PACKAGES: "chat" is not an Android package name/],
    [{ ANDROID_APP_PACKAGES: "com.example.chat=AB:CD" }, /ANDROID_APP_PACKAGES: "AB:CD" is not a SHA-256 fingerprint/],
    [{ ANDROID_APP_PACKAGES: `com.example.chat=${FINGERPRINT.replace(/:/g, "")}` }, /not a SHA-256 fingerprint/],
  ])("%j", (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });
});
