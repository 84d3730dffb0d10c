// The HTTP surface: health checks, GraphQL transport errors, and how unexpected failures are masked.
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, createConversation, gql, signUp } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ MAX_BODY_BYTES: "200000" });
});
afterAll(() => server.close());

const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  fetch(`${server.url}/graphql`, { method: "POST", headers, body });

describe("health checks", () => {
  it("GET /healthz answers 200 while the server is up", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz answers 200 when the database answers", async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
  });

  it("an unknown path is a 404", async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});

describe("transport errors", () => {
  it("a malformed JSON body gets HTTP 400 with a GraphQL error", async () => {
    const res = await post("{ not json");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(body.errors[0].message).toMatch(/JSON/);
  });

  it("a body over MAX_BODY_BYTES gets HTTP 413", async () => {
    const res = await post(JSON.stringify({ query: "{ me { id } }", variables: { pad: "x".repeat(300_000) } }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(/200000 bytes/);
  });

  it("a query that does not parse is BAD_USER_INPUT", async () => {
    const res = await gql(server, "{ me { id ");
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
  });

  it("a field that does not exist is BAD_USER_INPUT", async () => {
    expect(codes(await gql(server, "{ me { password } }"))).toEqual(["BAD_USER_INPUT"]);
  });

  it("a simple cross-site form POST is refused (CSRF prevention)", async () => {
    const res = await post("query=%7B%20me%20%7B%20id%20%7D%20%7D", { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(400);
  });

  it("CORS preflight is answered for browser clients", async () => {
    const res = await fetch(`${server.url}/graphql`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
  });
});

describe("an unexpected failure", () => {
  it("reaches the client as INTERNAL_SERVER_ERROR without stack or SQL, and is logged with its stack", async () => {
    const broken = await startTestServer();
    try {
      const me = await signUp(broken);
      const id = await createConversation(broken, me.token, "Soon broken", [{ role: "USER", content: "x" }]);
      await broken.sql(`ALTER TABLE messages RENAME TO messages_gone`);
      const res = await gql(broken, `query($id: ID!) { conversation(id: $id) { title messages { content } } }`, { id }, me.token);
      expect(res.status).toBe(200);
      expect(codes(res)).toEqual(["INTERNAL_SERVER_ERROR"]);
      expect(res.text).not.toMatch(/messages_gone|SELECT|SQLITE|stack|at .*\.ts/i);
      expect(res.errors![0].message).toBe("Something went wrong on our side. It has been logged.");
      const logged = broken.logs.find((l) => l.msg === "unexpected error");
      expect(String(logged?.error)).toMatch(/no such table: messages|relation "[\w.]*messages" does not exist/);
    } finally {
      await broken.close();
    }
  });

  it("GET /readyz answers 503 when the database is gone", async () => {
    const broken = await startTestServer();
    try {
      await broken.dataSource.destroy();
      expect((await fetch(`${broken.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${broken.url}/healthz`)).status).toBe(200);
    } finally {
      await broken.close();
    }
  });
});
