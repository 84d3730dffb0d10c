// Security: Forged, expired, replayed and misplaced session tokens. Every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { createHmac } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import jwt from "jsonwebtoken";
import { newId } from "../src/common/ids";
import { dbId, gql, ok } from "./helpers/client";
import { untilPast } from "./helpers/clock";
import { attackedServer, server, w, attacks, attempt, request, refusedWith, expectNoSecrets, type Answer, type Attack } from "./helpers/attacks";

jest.setTimeout(60_000);
attackedServer("session-tokens");

describe("session tokens", () => {
  const ISSUER = "chat-share";
  const AUDIENCE = "chat-share-api";
  const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id content } } }`;
  const CREATE = `mutation { createConversation(input: { title: "written with a forged token" }) { conversation { id } } }`;

  const secret = () => fs.readFileSync(path.join(server.config.dataDir, "jwt-secret"), "utf8").trim();
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (sub: string, extra: Record<string, unknown> = {}) => ({ sub, ver: 0, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600, ...extra });
  /** A JWT put together by hand, HMAC-SHA256-signed with `key` unless told otherwise. */
  function handMade(header: object, payload: object, key: string | null, hmac = "sha256"): string {
    const unsigned = `${b64(header)}.${b64(payload)}`;
    return `${unsigned}.${key === null ? "" : createHmac(hmac, key).update(unsigned).digest("base64url")}`;
  }
  const ownerSub = () => dbId(w.owner.id);
  const tokenVersion = async (userId: string): Promise<number> => Number((await server.sql<{ v: number }>(`SELECT token_version AS v FROM users WHERE id = ?`, [userId]))[0].v);

  /** The forged token tries to write into the owner's conversation, and asks who it is. */
  function tokenAttack(name: string, token: () => string | Promise<string>, target: "owner" | "own" = "owner", authorization?: (t: string) => string): Attack<Answer[]> {
    return {
      name,
      attack: async () => {
        const t = await token();
        const headers = { "content-type": "application/json", authorization: authorization ? authorization(t) : `Bearer ${t}` };
        const write =
          target === "owner"
            ? { query: APPEND, variables: { input: { conversationId: w.ownerConversationId, role: "USER", content: "forged" } } }
            : { query: CREATE, variables: {} };
        return [
          await request(server, { headers, body: JSON.stringify(write) }),
          await request(server, { headers, body: JSON.stringify({ query: `{ me { id email } }` }) }),
        ];
      },
      refused: ([written, me]) => {
        refusedWith(written, "UNAUTHENTICATED");
        expect(me.errors).toBeUndefined();
        expect(me.data).toEqual({ me: null });
        expectNoSecrets(written.text + me.text);
      },
    };
  }

  it("a token forged with the server's own key and the right claims is accepted (so each forgery below breaks one thing only)", async () => {
    const token = jwt.sign({ ver: 0 }, secret(), { algorithm: "HS256", subject: ownerSub(), issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 });
    expect(ok(await gql(server, `{ me { id } }`, {}, token)).me.id).toBe(w.owner.id);
    expect(ok(await gql(server, `{ me { id } }`, {}, handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub()), secret()))).me.id).toBe(w.owner.id);
  });

  // A verified token is remembered until it expires (src/auth/tokens.ts): expiry must still hold for it, in the same
  // running process, from the very second JWT says (expired once now >= exp, exp in whole seconds).
  describe("once remembered", () => {
    const ME = `{ me { id } }`;
    const withExp = (exp: number, extra: Record<string, unknown> = {}) => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { exp, ...extra }), secret());
    /** The whole answer, as a client sees it. */
    const seen = (answer: Answer) => ({ status: answer.status, body: JSON.parse(answer.text) as unknown });

    it("a token used while valid, and so remembered, is refused once its exp has passed, exactly as any expired token", async () => {
      const verify = jest.spyOn(jwt, "verify");
      try {
        // A token that expires in a few seconds, used twice before then. When the machine is so slow that the answers
        // come after exp, nothing can be said of them: again with a longer lifetime.
        let token = "";
        let exp = 0;
        for (let lifetime = 2; ; lifetime *= 2) {
          if (lifetime > 32) throw new Error("no token could be used twice within 32 seconds of its signing");
          exp = now() + lifetime;
          token = withExp(exp);
          const first = await gql(server, ME, {}, token);
          verify.mockClear();
          const second = await gql(server, ME, {}, token);
          if (Date.now() >= exp * 1000) continue;
          expect([ok(first).me, ok(second).me]).toEqual([{ id: w.owner.id }, { id: w.owner.id }]);
          // The second use was answered from memory: no signature was checked.
          expect(verify).not.toHaveBeenCalled();
          break;
        }

        await untilPast(new Date(exp * 1000).toISOString());
        const expired = [await gql(server, ME, {}, token), await gql(server, CREATE, {}, token)];
        // One this server never saw, expired a minute ago.
        const neverSeen = handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { iat: now() - 7200, exp: now() - 60 }), secret());
        const control = [await gql(server, ME, {}, neverSeen), await gql(server, CREATE, {}, neverSeen)];
        expect(expired.map(seen)).toEqual(control.map(seen));
        expect(expired[0].data).toEqual({ me: null });
        refusedWith(expired[1], "UNAUTHENTICATED");
        await attempt(tokenAttack("the remembered token, expired, is refused and changes nothing", () => token));
      } finally {
        verify.mockRestore();
      }
    });

    it("at the millisecond its exp is reached a token is refused, remembered or not, exactly when jsonwebtoken refuses it", async () => {
      // The clock is set, not waited on: a minute ahead, so the real one is nowhere near.
      const exp = now() + 60;
      const remembered = withExp(exp);
      const unseen = withExp(exp, { jti: "never used before its exp" });
      const library = (token: string) => {
        try {
          jwt.verify(token, secret(), { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE });
          return "valid";
        } catch (error) {
          return (error as Error).name;
        }
      };
      const served = async (token: string) => (ok(await gql(server, ME, {}, token)).me?.id === w.owner.id ? "valid" : "refused");
      const clock = jest.spyOn(Date, "now");
      try {
        clock.mockReturnValue(exp * 1000 - 1);
        // The first use verifies and remembers it; the second is answered from memory.
        expect([library(remembered), await served(remembered), await served(remembered)]).toEqual(["valid", "valid", "valid"]);
        clock.mockReturnValue(exp * 1000);
        expect([library(remembered), await served(remembered)]).toEqual(["TokenExpiredError", "refused"]);
        expect([library(unseen), await served(unseen)]).toEqual(["TokenExpiredError", "refused"]);
      } finally {
        clock.mockRestore();
      }
    });
  });

  attacks([
    tokenAttack("a token signed with alg none is refused and changes nothing", () => handMade({ alg: "none", typ: "JWT" }, claims(ownerSub()), null)),
    tokenAttack("a token with alg None is refused and changes nothing", () => handMade({ alg: "None", typ: "JWT" }, claims(ownerSub()), null)),
    tokenAttack("a token with alg NONE and a leftover valid signature is refused and changes nothing", () => {
      const signed = handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub()), secret());
      return `${b64({ alg: "NONE", typ: "JWT" })}.${signed.split(".")[1]}.${signed.split(".")[2]}`;
    }),
    tokenAttack("a token signed with the wrong key is refused and changes nothing", () =>
      jwt.sign({ ver: 0 }, "not the server's key, but long enough to look real", { algorithm: "HS256", subject: ownerSub(), issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 }),
    ),
    tokenAttack("a token signed with the right key but HS512 is refused and changes nothing", () =>
      jwt.sign({ ver: 0 }, secret(), { algorithm: "HS512", subject: ownerSub(), issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 }),
    ),
    tokenAttack("a token signed with the right key but HS384 is refused and changes nothing", () =>
      jwt.sign({ ver: 0 }, secret(), { algorithm: "HS384", subject: ownerSub(), issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 }),
    ),
    tokenAttack("a token whose header claims RS256 but is HMAC-signed with the server key is refused and changes nothing", () =>
      handMade({ alg: "RS256", typ: "JWT" }, claims(ownerSub()), secret()),
    ),
    tokenAttack("an expired token is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { iat: now() - 7200, exp: now() - 60 }), secret())),
    tokenAttack("a token that is not valid yet is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { nbf: now() + 3600 }), secret())),
    tokenAttack("a token with the wrong issuer is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { iss: "someone-else" }), secret())),
    tokenAttack("a token with the wrong audience is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { aud: "another-api" }), secret())),
    tokenAttack("a token without issuer and audience is refused and changes nothing", () =>
      handMade({ alg: "HS256", typ: "JWT" }, { sub: ownerSub(), ver: 0, iat: now(), exp: now() + 600 }, secret()),
    ),
    tokenAttack("a token without a token version is refused and changes nothing", () =>
      handMade({ alg: "HS256", typ: "JWT" }, { sub: ownerSub(), iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 }, secret()),
    ),
    tokenAttack("a token whose version is a string is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { ver: "0" }), secret())),
    tokenAttack("a token with a version the user never had is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub(), { ver: 7 }), secret())),
    tokenAttack("a token whose subject is the global id instead of the database id is refused and changes nothing", () =>
      handMade({ alg: "HS256", typ: "JWT" }, claims(w.owner.id), secret()),
    ),
    tokenAttack("a correctly signed token for a user who does not exist is refused and changes nothing", () => handMade({ alg: "HS256", typ: "JWT" }, claims(newId()), secret()), "own"),
    tokenAttack("the intruder's token with its payload swapped for the owner's is refused and changes nothing", () => {
      const [header, , signature] = w.intruder.token.split(".");
      const payload = JSON.parse(Buffer.from(w.intruder.token.split(".")[1], "base64url").toString()) as Record<string, unknown>;
      return `${header}.${b64({ ...payload, sub: ownerSub() })}.${signature}`;
    }),
    tokenAttack("a token with a random signature is refused and changes nothing", () => {
      const [header, payload] = handMade({ alg: "HS256", typ: "JWT" }, claims(ownerSub()), secret()).split(".");
      return `${header}.${payload}.${Buffer.alloc(32, 7).toString("base64url")}`;
    }),
    tokenAttack("a deactivated user's token is refused and changes nothing", () => w.deactivatedToken, "own"),
    tokenAttack(
      "a freshly signed token of a deactivated user, with their current version, is refused and changes nothing",
      async () => handMade({ alg: "HS256", typ: "JWT" }, claims(w.deactivatedUserId, { ver: await tokenVersion(w.deactivatedUserId) }), secret()),
      "own",
    ),
    tokenAttack(
      "a freshly signed token of a logged-out user with their old version is refused and changes nothing",
      async () => handMade({ alg: "HS256", typ: "JWT" }, claims(w.loggedOutUserId, { ver: (await tokenVersion(w.loggedOutUserId)) - 1 }), secret()),
      "own",
    ),
    tokenAttack("a token from before logOutEverywhere is refused and changes nothing", () => w.loggedOutToken, "own"),
    tokenAttack("an 8 KB token is refused and changes nothing", () => `${"A".repeat(4000)}.${"B".repeat(4000)}.${"C".repeat(100)}`),
    tokenAttack("a valid token sent with the Basic scheme is not a session", () => w.owner.token, "owner", (t) => `Basic ${t}`),
    tokenAttack("two tokens in one Authorization header are not a session", () => w.owner.token, "owner", (t) => `Bearer ${w.intruder.token} ${t}`),
    tokenAttack("a token without the Bearer scheme is not a session", () => w.owner.token, "owner", (t) => t),
  ]);

  attacks([
    {
      name: "the intruder's valid token used on the owner's conversation is NOT_FOUND and changes nothing",
      attack: () => gql(server, APPEND, { input: { conversationId: w.ownerConversationId, role: "USER", content: "mine now" } }, w.intruder.token),
      refused: (answer) => {
        refusedWith(answer, "NOT_FOUND");
        expectNoSecrets(answer.text);
      },
    },
  ]);
});
