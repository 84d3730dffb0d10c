// Security: Login and sign-up brute force, per account and per address. Every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { startTestServer, type TestServer } from "./helpers/server";
import { PASSWORD, signUp, uniqueEmail, type Account } from "./helpers/client";
import { reportAttacks, attacks, postJson, refusedWith, type Answer } from "./helpers/attacks";

jest.setTimeout(60_000);
reportAttacks("login-brute-force");

describe("login brute force", () => {
  const LOGIN = `mutation($input: LogInInput!) { logIn(input: $input) { token user { id } } }`;
  const logIn = (srv: TestServer, email: string, password: string, headers: Record<string, string> = {}) =>
    postJson(srv, { query: LOGIN, variables: { input: { email, password } } }, undefined, headers);
  const rateLimited = (answer: Answer) => {
    refusedWith(answer, "RATE_LIMITED");
    expect(answer.errors![0].extensions?.retryAfterSeconds).toEqual(expect.any(Number));
    expect(answer.errors![0].extensions?.retryAfterSeconds as number).toBeGreaterThan(0);
    expect(answer.text).not.toMatch(/eyJ/); // no token
  };

  describe("per account (LOGINS_PER_ACCOUNT_PER_HOUR=5)", () => {
    let srv: TestServer;
    let victim: Account;
    beforeAll(async () => {
      srv = await startTestServer({ LOGINS_PER_ACCOUNT_PER_HOUR: "5", LOGINS_PER_IP_PER_HOUR: "0", VIEW_COUNT_FLUSH_MS: "3600000" });
      victim = await signUp(srv);
    });
    afterAll(() => srv.close());
    const on = () => srv;

    attacks<Answer[]>([
      {
        name: "guessing one account's password is stopped after 5 attempts, even when the sixth guess is right",
        on,
        attack: async () => {
          const answers: Answer[] = [];
          for (let i = 0; i < 5; i++) answers.push(await logIn(srv, victim.email, `wrong guess number ${i}`));
          answers.push(await logIn(srv, victim.email, PASSWORD));
          return answers;
        },
        refused: (answers) => {
          for (const wrong of answers.slice(0, 5)) refusedWith(wrong, "UNAUTHENTICATED");
          rateLimited(answers[5]);
        },
      },
      {
        name: "changing the email's letter case and padding does not reset the account's wall",
        on,
        attack: async () => [await logIn(srv, `  ${victim.email.toUpperCase()} `, PASSWORD), await logIn(srv, victim.email.replace(/^./, (c) => c.toUpperCase()), PASSWORD)],
        refused: (answers) => answers.forEach(rateLimited),
      },
      {
        name: "a spoofed X-Forwarded-For does not reset the account's wall",
        on,
        attack: async () => [await logIn(srv, victim.email, PASSWORD, { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" })],
        refused: (answers) => answers.forEach(rateLimited),
      },
      {
        name: "an unknown email meets the same answers and the same wall, so accounts cannot be enumerated",
        on,
        attack: async () => {
          const ghost = uniqueEmail("ghost");
          const answers: Answer[] = [];
          for (let i = 0; i < 6; i++) answers.push(await logIn(srv, ghost, `guess ${i} for nobody`));
          return answers;
        },
        refused: (answers) => {
          for (const wrong of answers.slice(0, 5)) {
            refusedWith(wrong, "UNAUTHENTICATED");
            expect(wrong.errors![0].message).toBe("The email or password is incorrect.");
          }
          rateLimited(answers[5]);
        },
      },
    ]);
  });

  describe("per address (LOGINS_PER_IP_PER_HOUR=8, SIGNUPS_PER_IP_PER_HOUR=3)", () => {
    let srv: TestServer;
    let account: Account;
    beforeAll(async () => {
      srv = await startTestServer({ LOGINS_PER_IP_PER_HOUR: "8", LOGINS_PER_ACCOUNT_PER_HOUR: "0", SIGNUPS_PER_IP_PER_HOUR: "3", VIEW_COUNT_FLUSH_MS: "3600000" });
      account = await signUp(srv);
    });
    afterAll(() => srv.close());
    const on = () => srv;

    attacks<Answer[]>([
      {
        name: "spraying one password over many accounts from one address is stopped after 8 attempts, even with right credentials",
        on,
        attack: async () => {
          const answers: Answer[] = [];
          for (let i = 0; i < 8; i++) answers.push(await logIn(srv, uniqueEmail("spray"), PASSWORD));
          answers.push(await logIn(srv, account.email, PASSWORD));
          return answers;
        },
        refused: (answers) => {
          for (const wrong of answers.slice(0, 8)) refusedWith(wrong, "UNAUTHENTICATED");
          rateLimited(answers[8]);
        },
      },
      {
        name: "spoofed forwarding headers do not open a new address",
        on,
        attack: async () => [
          await logIn(srv, account.email, PASSWORD, { "x-forwarded-for": "198.51.100.7" }),
          await logIn(srv, account.email, PASSWORD, { forwarded: "for=198.51.100.8", "x-real-ip": "198.51.100.8" }),
        ],
        refused: (answers) => answers.forEach(rateLimited),
      },
      {
        name: "mass sign-up from one address is stopped at the limit and the refused one creates no account",
        on,
        attack: async () => {
          const answers: Answer[] = [];
          for (let i = 0; i < 4; i++) {
            answers.push(await postJson(srv, { query: `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, variables: { input: { email: uniqueEmail("mass"), password: PASSWORD, displayName: "Bot" } } }));
          }
          return answers;
        },
        refused: (answers) => {
          // One of the three was spent in beforeAll; two more are legitimate, the next is refused.
          expect(answers.slice(0, 2).map((a) => a.errors)).toEqual([undefined, undefined]);
          for (const refused of answers.slice(2)) rateLimited(refused);
        },
        writes: { users: { added: 2 } },
      },
    ]);
  });
});
