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

  it("a bare file path is refused with the URL to write instead", () => {
    expect(() => parseDatabaseUrl("data/x.sqlite")).toThrow('DATABASE_URL: "data/x.sqlite" has no scheme; for a SQLite file write sqlite:data/x.sqlite');
  });
});

describe("NODE_ENV", () => {
  it.each(["development", "production", "test"])("%s is accepted", (value) => {
    const production = { JWT_SECRET: "j".repeat(32), SHARE_LINK_KEY: "k".repeat(32), SHARE_BASE_URL: "https://share.example.com/s/" };
    expect(loadConfig({ NODE_ENV: value, ...production }).nodeEnv).toBe(value);
  });

  it("an unknown value is refused, not taken as development", () => {
    expect(() => loadConfig({ NODE_ENV: "prod" })).toThrow('NODE_ENV must be one of development, production, test, got "prod"');
  });
});

describe("production", () => {
  const complete = { NODE_ENV: "production", JWT_SECRET: "j".repeat(32), SHARE_LINK_KEY: "k".repeat(32), SHARE_BASE_URL: "https://share.example.com/s/" };

  it("starts with explicit keys and a public share prefix", () => {
    expect(loadConfig(complete)).toMatchObject({ nodeEnv: "production", shareBaseUrl: "https://share.example.com/s/" });
  });

  it.each(["JWT_SECRET", "SHARE_LINK_KEY", "SHARE_BASE_URL"])("refuses to start without %s, naming it", (name) => {
    expect(() => loadConfig({ ...complete, [name]: "" })).toThrow(`NODE_ENV=production needs ${name} set explicitly`);
  });

  it.each(["http://localhost:4000/share/", "https://127.0.0.1/s/", "http://[::1]:4000/s/", "http://app.localhost/s/", "http://0.0.0.0/s/"])(
    "refuses the local share prefix %s",
    (url) => {
      expect(() => loadConfig({ ...complete, SHARE_BASE_URL: url })).toThrow(/SHARE_BASE_URL points at this machine/);
    },
  );

  it("development keeps generating keys and the localhost prefix", () => {
    expect(loadConfig({ NODE_ENV: "development" })).toMatchObject({ jwtSecret: undefined, shareBaseUrl: "http://localhost:4000/share/" });
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

describe("CORS_ORIGINS", () => {
  it("takes a comma-separated list of origins", () => {
    expect(loadConfig({ CORS_ORIGINS: "https://a.example, http://localhost:5173" }).corsOrigins).toEqual(["https://a.example", "http://localhost:5173"]);
  });

  it.each(["app.example.com", "localhost:3000", "https://a.example/", "https://a.example/app", "ftp://a.example"])(
    "refuses %s, which no browser sends as an Origin",
    (entry) => {
      expect(() => loadConfig({ CORS_ORIGINS: `https://ok.example,${entry}` })).toThrow(`CORS_ORIGINS: "${entry}" is not an origin`);
    },
  );
});
