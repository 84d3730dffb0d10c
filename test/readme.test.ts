// The README's "The API" section, run as a reader would paste it: every GraphQL block top to bottom and every curl
// line, against a live server, each <placeholder> replaced with what an earlier answer returned. It cannot go stale.
import fs from "node:fs";
import path from "node:path";
import { setUserRole } from "../src/user/user-admin";
import { UserRole } from "../src/user/user.entity";
import { gql, ok } from "./helpers/client";
import { startTestServer, type TestServer } from "./helpers/server";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

/** The "## The API" section, up to the next second-level heading. */
function apiSection(): string {
  const start = README.indexOf("\n## The API\n");
  const end = README.indexOf("\n## ", start + 1);
  expect(start).toBeGreaterThan(0);
  return README.slice(start, end);
}

/** The fenced blocks of one language, in order. */
function blocks(language: string): string[] {
  return [...apiSection().matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

/** Splits a block into its operations: each `query`/`mutation` up to its closing brace; comments are left out. */
function operations(block: string): string[] {
  const text = block.replace(/#.*$/gm, "");
  const found: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== "\\") inString = !inString;
    if (inString) continue;
    if (depth === 0 && start < 0 && /^(query|mutation)\b/.test(text.slice(i))) start = i;
    if (c === "{") depth++;
    if (c === "}" && --depth === 0 && start >= 0) {
      found.push(text.slice(start, i + 1));
      start = -1;
    }
  }
  return found;
}

/** Where each placeholder's value comes from, in the answers the README names. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const SOURCES: Record<string, (data: any) => string | undefined> = {
  "<token>": (d) => d.signUp?.token ?? d.logIn?.token,
  "<id>": (d) => d.createConversation?.conversation.id,
  "<messageId>": (d) => d.appendMessage?.message.id,
  "<shareId>": (d) => d.shareConversation?.share.id,
  "<url>": (d) => d.shareConversation?.share.url,
  "<importedId>": (d) => d.importShare?.conversation.id,
};

class Reader {
  values: Record<string, string> = {};
  constructor(private server: TestServer) {}

  fill(text: string): string {
    return text.replace(/<[A-Za-z]+>/g, (name) => {
      if (!(name in this.values)) throw new Error(`${name} is used before any answer gave it`);
      return this.values[name];
    });
  }

  learn(data: Record<string, unknown>): void {
    for (const [name, source] of Object.entries(SOURCES)) {
      const value = source(data);
      // A second shareConversation (a partial one) does not replace the link the README keeps talking about.
      if (value !== undefined && !(name === "<url>" && name in this.values) && !(name === "<shareId>" && name in this.values)) this.values[name] = value;
    }
  }

  async run(operation: string) {
    const data = ok(await gql(this.server, this.fill(operation), {}, this.values["<token>"]));
    this.learn(data);
    return data;
  }
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SHARE_BASE_URL: "http://localhost:4000/share/" });
});
afterAll(() => server.close());

it("the README has the walkthrough, the curl examples and the managing-links block, and each operation is found", () => {
  expect(blocks("graphql")).toHaveLength(2);
  for (const block of blocks("graphql")) expect(operations(block)).toHaveLength(block.match(/^(query|mutation) /gm)!.length);
  expect(blocks("sh")[0]).toContain("Authorization: Bearer <token>");
});

it("the walkthrough runs top to bottom as pasted, ending with a deactivated account", async () => {
  const reader = new Reader(server);
  const answers = [];
  for (const operation of operations(blocks("graphql")[0])) answers.push(await reader.run(operation));
  expect(answers.at(-1)).toEqual({ deactivateAccount: { deactivatedUserId: expect.any(String) } });
  // What the walkthrough says happens does: the view showed the message, and the account is gone.
  expect(answers.find((a) => a.sharedConversation)!.sharedConversation.messages).toEqual([{ role: "USER", content: "Plan three days in Lisbon." }]);
  const relogin = await gql(server, `mutation { logIn(input: { email: "ada@example.com", password: "correct horse battery" }) { token } }`);
  expect(relogin.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
});

/** An owner in the state the later examples start from: a conversation with a message, a link, an imported copy. */
async function ownerReadyForTheRest(email: string): Promise<Reader> {
  const reader = new Reader(server);
  const [walkthrough] = blocks("graphql");
  // The walkthrough's own first steps, with another email (the walkthrough's account is deactivated by now).
  const steps = operations(walkthrough).filter((op) => /signUp|createConversation|appendMessage|shareConversation|importShare/.test(op));
  for (const step of steps) await reader.run(step.replace("ada@example.com", email));
  reader.values["<expiresAt>"] = new Date(Date.now() + 30 * 86_400_000).toISOString();
  return reader;
}

it("the curl lines work as shown, the view without a token and the rest with one", async () => {
  const reader = await ownerReadyForTheRest("grace@example.com");
  const lines = blocks("sh")[0].replace(/\\\n\s*/g, "").split("\n").filter((l) => l.startsWith("curl "));
  expect(lines).toHaveLength(2);
  const answers = [];
  for (const line of lines) {
    const headers = Object.fromEntries([...line.matchAll(/-H '([^:]+): ([^']*)'/g)].map((m) => [m[1], reader.fill(m[2])]));
    const body = reader.fill(/-d '([^']*)'/.exec(line)![1]);
    const url = line.split(" ").find((word) => word.startsWith("localhost:4000"))!.replace("localhost:4000", server.url);
    const res = await fetch(url, { method: "POST", headers, body });
    answers.push(await res.json());
  }
  expect(answers[0]).toEqual({ data: { sharedConversation: { title: "Trip to Lisbon", sharedBy: null, messages: [{ role: "USER", content: "Plan three days in Lisbon." }] } } });
  expect(answers[1]).toEqual({ data: { me: { id: expect.any(String), email: "grace@example.com", displayName: "Ada" } } });
});

it("the managing-links block runs top to bottom for an owner who is also a moderator", async () => {
  const reader = await ownerReadyForTheRest("moderator@example.com");
  await setUserRole(server.dataSource, "moderator@example.com", UserRole.ADMIN);
  const answers = [];
  for (const operation of operations(blocks("graphql")[1])) answers.push(await reader.run(operation));
  expect(answers.find((a) => a.moderateShare)!.moderateShare.disabledReason).toBe("Spam campaign");
  expect(answers.at(-1)).toEqual({ conversation: { importedFrom: { title: "Trip to Lisbon", sharedAt: expect.any(String) } } });
});
