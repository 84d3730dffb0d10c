// Accounts: signing up, logging in, who may read what of a user, and which tokens are accepted.
import fs from "node:fs";
import path from "node:path";
import jwt from "jsonwebtoken";
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, dbId, gql, ok, PASSWORD, signUp, uniqueEmail } from "./helpers/client";
import { User } from "../src/user/user.entity";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email displayName } } }`;
const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { token user { id email displayName } } }`;
const ME = `{ me { id email displayName } }`;
const serverSecret = () => fs.readFileSync(path.join(server.config.dataDir, "jwt-secret"), "utf8").trim();

describe("signing up", () => {
  it("returns a token and the new user, whose email is readable there", async () => {
    const email = uniqueEmail();
    const data = ok(await gql(server, SIGN_UP, { input: { email, password: PASSWORD, displayName: "Ada" } }));
    expect(data.signUp.user).toEqual({ id: expect.any(String), email, displayName: "Ada" });
    expect(data.signUp.token.split(".")).toHaveLength(3);
    expect(ok(await gql(server, ME, {}, data.signUp.token)).me).toEqual(data.signUp.user);
  });

  it("refuses an email that is already registered, whatever its letter case", async () => {
    const email = uniqueEmail("Case");
    await signUp(server, { email });
    const res = await gql(server, SIGN_UP, { input: { email: email.toUpperCase(), password: PASSWORD, displayName: "Twin" } });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(/already exists/);
  });

  it.each([
    ["a malformed email", { email: "not-an-email" }, /email/],
    ["a too long email", { email: "a".repeat(250) + "@x.io" }, /email/],
    ["a short password", { password: "123456789" }, /password/],
    ["a blank display name", { displayName: "   " }, /displayName/],
    ["a too long display name", { displayName: "n".repeat(81) }, /displayName/],
  ])("refuses %s with BAD_USER_INPUT naming the field", async (_label, override, pattern) => {
    const input = { email: uniqueEmail(), password: PASSWORD, displayName: "Valid", ...override };
    const res = await gql(server, SIGN_UP, { input });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].message).toMatch(pattern);
    expect(res.data).toBeNull();
  });

  it("never stores or returns the password in clear", async () => {
    const account = await signUp(server, { password: "a very secret passphrase" });
    const row = await server.dataSource.manager.findOneByOrFail(User, { id: dbId(account.id) });
    expect(row.passwordHash).not.toContain("a very secret passphrase");
    expect(row.passwordHash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    const logs = JSON.stringify(server.logs);
    expect(logs).not.toContain("a very secret passphrase");
  });
});

describe("logging in", () => {
  it("works with the email in any letter case", async () => {
    const email = uniqueEmail("Mixed");
    const account = await signUp(server, { email });
    const data = ok(await gql(server, LOG_IN, { input: { email: email.toUpperCase(), password: PASSWORD } }));
    expect(data.logIn.user).toEqual({ id: account.id, email, displayName: "Test User" });
    expect(ok(await gql(server, ME, {}, data.logIn.token)).me.id).toBe(account.id);
  });

  it("gives the same error for a wrong password and an unknown email", async () => {
    const account = await signUp(server);
    const wrongPassword = await gql(server, LOG_IN, { input: { email: account.email, password: "wrong password!" } });
    const unknownEmail = await gql(server, LOG_IN, { input: { email: uniqueEmail("nobody"), password: PASSWORD } });
    expect(codes(wrongPassword)).toEqual(["UNAUTHENTICATED"]);
    expect(wrongPassword.errors![0].message).toBe(unknownEmail.errors![0].message);
    expect(codes(unknownEmail)).toEqual(codes(wrongPassword));
  });
});

describe("me", () => {
  it("is null without a token", async () => {
    expect(ok(await gql(server, ME)).me).toBeNull();
  });

  it.each([
    ["a garbage token", () => "garbage"],
    ["an alg:none token", (id: string) => jwt.sign({ ver: 0 }, "", { algorithm: "none", subject: id, issuer: "chat-share", audience: "chat-share-api" })],
    ["a token signed with another key", (id: string) => jwt.sign({ ver: 0 }, "x".repeat(64), { algorithm: "HS256", subject: id, issuer: "chat-share", audience: "chat-share-api" })],
    ["an expired token", (id: string, secret: string) => jwt.sign({ ver: 0, exp: Math.floor(Date.now() / 1000) - 10 }, secret, { algorithm: "HS256", subject: id, issuer: "chat-share", audience: "chat-share-api" })],
    ["a token for another audience", (id: string, secret: string) => jwt.sign({ ver: 0 }, secret, { algorithm: "HS256", subject: id, issuer: "chat-share", audience: "elsewhere" })],
  ])("is null with %s, and login-only operations are UNAUTHENTICATED", async (_label, forge) => {
    const account = await signUp(server);
    const secret = serverSecret();
    const token = forge(dbId(account.id), secret);
    expect(ok(await gql(server, ME, {}, token)).me).toBeNull();
    const res = await gql(server, `mutation { createConversation(input: { title: "x" }) { conversation { id } } }`, {}, token);
    expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
  });

  it("accepts a token the server signed itself (the forging helper is right)", async () => {
    const account = await signUp(server);
    const secret = serverSecret();
    const token = jwt.sign({ ver: 0 }, secret, { algorithm: "HS256", subject: dbId(account.id), issuer: "chat-share", audience: "chat-share-api", expiresIn: 60 });
    expect(ok(await gql(server, ME, {}, token)).me.id).toBe(account.id);
  });
});
