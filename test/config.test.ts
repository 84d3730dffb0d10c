// Configuration: every variable's default, and clear refusals of bad values.
import { ConfigError, loadConfig, parseDatabaseUrl } from "../src/config";

describe("defaults", () => {
  it("match the README", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      database: { type: "sqlite", path: "data/chat-share.sqlite" },
      dataDir: "data",
      shareBaseUrl: "http://localhost:4000/share/",
      jwtSecrets: [],
      shareLinkKeys: [],
      trustProxy: false,
      tokenTtlSeconds: 604800,
      scryptLogN: 17,
      maxBodyBytes: 1048576,
      corsOrigins: "*",
      logLevel: "info",
    });
  });
});

describe("DATABASE_URL", () => {
  it.each([
    ["sqlite:data/x.sqlite", "data/x.sqlite"],
    ["sqlite:/var/lib/chat-share/db.sqlite", "/var/lib/chat-share/db.sqlite"],
    ["sqlite:///var/lib/chat-share/db.sqlite", "/var/lib/chat-share/db.sqlite"],
  ])("%s is the SQLite file %s", (url, file) => {
    expect(parseDatabaseUrl(url)).toEqual({ type: "sqlite", path: file });
  });

  it.each(["mysql://localhost/db", "sqlite:", "data.sqlite"])("%s is refused", (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(ConfigError);
  });
});

describe("refused values", () => {
  it.each([
    [{ SHARE_BASE_URL: "https://x.example/share" }, /must end with "\/"/],
    [{ SHARE_BASE_URL: "not a url/" }, /absolute URL/],
    [{ SHARE_BASE_URL: "ftp://x.example/share/" }, /http\(s\)/],
    [{ SHARE_BASE_URL: "https://x.example/share/?a=1/" }, /query or fragment/],
    [{ PORT: "http" }, /PORT/],
    [{ PORT: "70000" }, /PORT/],
    [{ JWT_SECRET: "short" }, /JWT_SECRET must be at least 32 bytes/],
    [{ SHARE_LINK_KEY: "short" }, /SHARE_LINK_KEY must be at least 32 bytes/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ SCRYPT_LOG_N: "4" }, /SCRYPT_LOG_N/],
  ])("%j", (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });
});

it("CORS_ORIGINS takes a comma-separated list", () => {
  expect(loadConfig({ CORS_ORIGINS: "https://a.example, https://b.example" }).corsOrigins).toEqual(["https://a.example", "https://b.example"]);
});
