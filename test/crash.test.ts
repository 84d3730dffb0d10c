// The real process under stress: SIGKILL mid-stream loses nothing acknowledged and leaves nothing partial; SIGTERM drains.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { dbId, gql, ok, signUp, type Account, type GraphQLResult } from "./helpers/client";
import { seededRandom } from "./helpers/random";

const ROOT = path.join(__dirname, "..");
const SHARE_BASE_URL = "https://chat.example/share/";

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface LogLine {
  msg?: string;
  path?: string;
  [field: string]: unknown;
}

interface Running {
  child: ChildProcess;
  url: string;
  /** Every JSON log line the process wrote so far, in order. */
  logs(): LogLine[];
  /** Resolves once a log line's message matches; rejects if the process ends first. */
  waitForLog(pattern: RegExp): Promise<void>;
  /** Settles once the process has exited and its output is fully read. */
  exit: Promise<Exit>;
}

const running = new Set<ChildProcess>();
const folders: string[] = [];

afterAll(async () => {
  // Waited for: a child still running when the file ends keeps this Jest worker from exiting.
  const exits = [...running].filter((child) => child.exitCode === null).map((child) => new Promise((resolve) => child.once("exit", resolve)));
  for (const child of running) child.kill("SIGKILL");
  await Promise.all(exits);
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

function databaseFile(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-crash-"));
  folders.push(folder);
  return path.join(folder, "chat-share.sqlite");
}

/** `src/index.ts` as its own process on `file`, with fixed secrets (so tokens and links outlive a restart) and no per-client limits. */
function start(file: string): Promise<Running> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "src/index.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: `sqlite:${file}`,
      HOST: "127.0.0.1",
      PORT: "0",
      SCRYPT_LOG_N: "12",
      LOG_LEVEL: "info",
      JWT_SECRET: "crash-test-session-secret-0123456789abcdef",
      SHARE_LINK_KEY: "crash-test-share-link-key-0123456789abcdef",
      SHARE_BASE_URL,
      SIGNUPS_PER_IP_PER_HOUR: "0",
      LOGINS_PER_IP_PER_HOUR: "0",
      SHARES_PER_USER_PER_HOUR: "0",
      IMPORTS_PER_USER_PER_HOUR: "0",
      VIEWS_PER_IP_PER_MINUTE: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void; reject: (error: Error) => void }[] = [];
  let partial = "";
  let ended = false;
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const complete = text.split("\n");
    partial = complete.pop() ?? "";
    for (const line of complete) {
      if (raw.length < 200) raw.push(line);
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        parsed = { msg: line };
      }
      lines.push(parsed);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(parsed.msg ?? "")) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exit = new Promise<Exit>((resolve) =>
    child.on("close", (code, signal) => {
      running.delete(child);
      ended = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`the server exited (${code ?? signal}) first:\n${raw.join("\n")}`));
      resolve({ code, signal });
    }),
  );
  const waitForLog = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (lines.some((line) => pattern.test(line.msg ?? ""))) return resolve();
      if (ended) return reject(new Error(`the server exited before logging ${pattern}:\n${raw.join("\n")}`));
      waiters.push({ pattern, resolve, reject });
    });
  return waitForLog(/listening on http:\/\//).then(() => {
    const listening = lines.find((line) => /listening on http:\/\//.test(line.msg ?? ""))!;
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(listening.msg!)![1];
    return { child, url, logs: () => lines, waitForLog, exit };
  });
}

/** Opens the file the way a backup or an operator would, with no server in between. */
function openDirectly(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true });
}

function walBytes(file: string): number {
  return fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// What the clients were told, kept to compare with what survives.

const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { content } } }`;
const CREATE = `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { id } } }`;
const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url messageCount } } }`;
const IMPORT = `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id messages { content } } } }`;
const REVOKE = `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { revokedAt } } }`;
const DELETE = `mutation($input: DeleteConversationInput!) { deleteConversation(input: $input) { deletedConversationId } }`;
const PAGE = `query($after: String) { conversations(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
const DETAILS = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Conversation {
  id title importedFrom { title } messages { content } shares { id url messageCount revokedAt } } } }`;
const VIEW = `query($link: String!) { sharedConversation(link: $link) { title messages { content } } }`;

/** Whether a mutation took effect: yes (acknowledged), no, or unknown (in flight when the process died). */
type Outcome = "no" | "unknown" | "yes";

interface Append {
  content: string;
  sentAt: number;
  /** Null while in flight, and for good if the process died first. */
  ackedAt: number | null;
}

interface Conversation {
  id: string;
  owner: number;
  title: string;
  /** What it held when it was created: nothing, or the copy an import made. */
  base: string[];
  appends: Append[];
  deleted: Outcome;
  /** When a delete was sent, which explains a NOT_FOUND after it. */
  deleteSentAt: number | null;
}

interface Share {
  id: string;
  url: string;
  conversationId: string;
  owner: number;
  messageCount: number;
  /** Messages acknowledged in the conversation before the share was sent: the snapshot holds at least these. */
  knownBefore: number;
  revoked: Outcome;
  revokeSentAt: number | null;
}

/** A create, import or share whose response never came: it may have created one thing the ledger does not know. */
type Lost = { kind: "create"; owner: number; title: string } | { kind: "import"; owner: number; share: Share } | { kind: "share"; conversationId: string };

type Sent<T> = { kind: "ok"; data: T; at: number } | { kind: "refused"; codes: (string | undefined)[]; at: number } | { kind: "lost" };

class Ledger {
  readonly conversations = new Map<string, Conversation>();
  readonly shares = new Map<string, Share>();
  lost: Lost[] = [];
  /** Anything a client saw that cannot be right; the test fails listing them all. */
  readonly problems: string[] = [];
  /** How many of each mutation were acknowledged, and how many requests were refused or cut off. */
  readonly tally = { append: 0, create: 0, share: 0, import: 0, revoke: 0, delete: 0, lost: 0, refused: 0 };
  private refusals: { what: string; explainedBy: () => number | null; at: number }[] = [];
  private clock = 0;
  stopped = false;
  users: Account[] = [];

  constructor(readonly rand: () => number) {}

  tick(): number {
    return ++this.clock;
  }

  private pick<T>(items: T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.rand() * items.length)];
  }

  private async send<T = any>(server: Running, owner: number, query: string, input: Record<string, unknown>): Promise<Sent<T>> {
    let result: GraphQLResult<T>;
    try {
      result = await gql<T>(server, query, { input }, this.users[owner].token);
    } catch {
      this.tally.lost++;
      return { kind: "lost" };
    }
    const at = this.tick();
    if (!result.errors?.length && result.data) return { kind: "ok", data: result.data, at };
    const codes = (result.errors ?? []).map((e) => e.extensions?.code);
    // NOT_FOUND is the one answer a race between clients can explain (a delete or revoke got there first).
    if (codes.length !== 1 || codes[0] !== "NOT_FOUND") this.problems.push(`unexpected answer to ${query.slice(9, 40)}: ${result.text}`);
    this.tally.refused++;
    return { kind: "refused", codes, at };
  }

  private refused(what: string, at: number, explainedBy: () => number | null): void {
    this.refusals.push({ what, at, explainedBy });
  }

  private live(owner: number): Conversation[] {
    return [...this.conversations.values()].filter((c) => c.owner === owner && c.deleteSentAt === null);
  }

  private size(c: Conversation): number {
    return c.base.length + c.appends.length;
  }

  private content(tag: string): string {
    // Unique, so every message can be traced; of varied size, so snapshots and imports span several pages.
    return `${tag} ${"lorem ipsum ".repeat(Math.floor(this.rand() * 40))}`.trim();
  }

  async append(server: Running, c: Conversation, tag: string): Promise<boolean> {
    const append: Append = { content: this.content(tag), sentAt: this.tick(), ackedAt: null };
    c.appends.push(append);
    const sent = await this.send(server, c.owner, APPEND, { conversationId: c.id, role: this.rand() < 0.5 ? "USER" : "ASSISTANT", content: append.content });
    if (sent.kind === "lost") return false;
    if (sent.kind === "refused") {
      c.appends.splice(c.appends.indexOf(append), 1);
      this.refused(`append to ${c.id}`, sent.at, () => c.deleteSentAt);
      return true;
    }
    if (sent.data.appendMessage.message.content !== append.content) this.problems.push(`append to ${c.id} answered with another message`);
    append.ackedAt = sent.at;
    this.tally.append++;
    return true;
  }

  async create(server: Running, owner: number, title: string): Promise<boolean> {
    const sent = await this.send(server, owner, CREATE, { title });
    if (sent.kind === "lost") {
      this.lost.push({ kind: "create", owner, title });
      return false;
    }
    if (sent.kind === "refused") return true;
    const id: string = sent.data.createConversation.conversation.id;
    this.conversations.set(id, { id, owner, title, base: [], appends: [], deleted: "no", deleteSentAt: null });
    this.tally.create++;
    return true;
  }

  private async share(server: Running, c: Conversation): Promise<boolean> {
    const knownBefore = c.base.length + c.appends.filter((a) => a.ackedAt !== null).length;
    const sent = await this.send(server, c.owner, SHARE, { conversationId: c.id });
    if (sent.kind === "lost") {
      this.lost.push({ kind: "share", conversationId: c.id });
      return false;
    }
    if (sent.kind === "refused") {
      this.refused(`share of ${c.id}`, sent.at, () => c.deleteSentAt);
      return true;
    }
    const { id, url, messageCount } = sent.data.shareConversation.share;
    this.shares.set(id, { id, url, conversationId: c.id, owner: c.owner, messageCount, knownBefore, revoked: "no", revokeSentAt: null });
    this.tally.share++;
    return true;
  }

  private async import(server: Running, owner: number, share: Share): Promise<boolean> {
    const sent = await this.send(server, owner, IMPORT, { link: share.url });
    if (sent.kind === "lost") {
      this.lost.push({ kind: "import", owner, share });
      return false;
    }
    if (sent.kind === "refused") {
      this.refused(`import of ${share.id}`, sent.at, () => this.earliest(share.revokeSentAt, this.conversations.get(share.conversationId)?.deleteSentAt ?? null));
      return true;
    }
    const copy = sent.data.importShare.conversation;
    const contents: string[] = copy.messages.map((m: { content: string }) => m.content);
    if (contents.length !== share.messageCount) this.problems.push(`import of ${share.id} answered ${contents.length} of ${share.messageCount} messages`);
    const source = this.conversations.get(share.conversationId)!;
    this.conversations.set(copy.id, { id: copy.id, owner, title: source.title, base: contents, appends: [], deleted: "no", deleteSentAt: null });
    this.tally.import++;
    return true;
  }

  private async revoke(server: Running, share: Share): Promise<boolean> {
    share.revokeSentAt = this.tick();
    const sent = await this.send(server, share.owner, REVOKE, { shareId: share.id });
    if (sent.kind === "lost") {
      share.revoked = "unknown";
      return false;
    }
    if (sent.kind === "refused") {
      this.refused(`revoke of ${share.id}`, sent.at, () => this.conversations.get(share.conversationId)?.deleteSentAt ?? null);
      return true;
    }
    if (!sent.data.revokeShare.share.revokedAt) this.problems.push(`revoke of ${share.id} answered without revokedAt`);
    share.revoked = "yes";
    this.tally.revoke++;
    return true;
  }

  private async delete(server: Running, c: Conversation): Promise<boolean> {
    c.deleteSentAt = this.tick();
    const sent = await this.send(server, c.owner, DELETE, { conversationId: c.id });
    if (sent.kind === "lost") {
      c.deleted = "unknown";
      return false;
    }
    if (sent.kind === "refused") {
      this.problems.push(`the only delete of ${c.id} was refused`);
      return true;
    }
    c.deleted = "yes";
    this.tally.delete++;
    return true;
  }

  private earliest(...ticks: (number | null)[]): number | null {
    const known = ticks.filter((t): t is number => t !== null);
    return known.length ? Math.min(...known) : null;
  }

  /** One mutation of a client loop; false once the server stopped answering. */
  async step(server: Running, owner: number, tag: string): Promise<boolean> {
    const mine = this.live(owner);
    const growable = mine.filter((c) => this.size(c) < 50);
    const shareable = mine.filter((c) => this.size(c) >= 20);
    const r = this.rand();
    if (r < 0.2) {
      const c = this.pick(shareable);
      if (c) return this.share(server, c);
    } else if (r < 0.35) {
      const share = this.pick(
        [...this.shares.values()].filter((s) => s.revokeSentAt === null && this.conversations.get(s.conversationId)?.deleteSentAt === null),
      );
      if (share) return this.import(server, owner, share);
    } else if (r < 0.42) {
      const share = this.pick([...this.shares.values()].filter((s) => s.owner === owner && s.revokeSentAt === null));
      if (share) return this.revoke(server, share);
    } else if (r < 0.47) {
      if (mine.length > 4) return this.delete(server, this.pick(mine)!);
    } else if (r < 0.5) {
      return this.create(server, owner, `conversation ${tag}`);
    }
    const target = this.pick(growable);
    return target ? this.append(server, target, tag) : this.create(server, owner, `conversation ${tag}`);
  }

  /** Every NOT_FOUND a client got must follow a delete or revoke that was sent before it. */
  checkRefusals(): void {
    for (const refusal of this.refusals) {
      const cause = refusal.explainedBy();
      if (cause === null || cause > refusal.at) this.problems.push(`${refusal.what} was refused with nothing to explain it`);
    }
    this.refusals = [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks of what survived, first on the file alone, then through the restarted server.

/** Structural soundness, read straight from the file: nothing torn, orphaned or half-written. */
function checkFile(file: string, ledger: Ledger): void {
  const db = openDirectly(file);
  const problems = ledger.problems;
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(db.pragma("foreign_key_check")).toEqual([]);
    const gaps = db
      .prepare(`SELECT conversation_id AS id, COUNT(*) AS n, MIN(position) AS lo, MAX(position) AS hi FROM messages GROUP BY conversation_id HAVING lo <> 0 OR hi <> n - 1`)
      .all();
    for (const gap of gaps) problems.push(`positions of a conversation are not 0..n-1: ${JSON.stringify(gap)}`);
    const orphans = db
      .prepare(
        `SELECT 'message' AS what, m.id FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id WHERE c.id IS NULL
         UNION ALL SELECT 'share', s.id FROM shares s LEFT JOIN conversations c ON c.id = s.conversation_id WHERE c.id IS NULL
         UNION ALL SELECT 'conversation', c.id FROM conversations c LEFT JOIN users u ON u.id = c.owner_id WHERE u.id IS NULL`,
      )
      .all();
    for (const orphan of orphans) problems.push(`left behind by a deletion: ${JSON.stringify(orphan)}`);
    const shares = db.prepare(`SELECT id, title, message_count AS messageCount, snapshot FROM shares`).all() as {
      id: string;
      title: string;
      messageCount: number;
      snapshot: string;
    }[];
    for (const share of shares) {
      let snapshot: { title: string; messages: { content: string }[] };
      try {
        snapshot = JSON.parse(share.snapshot);
      } catch {
        problems.push(`share ${share.id} has a snapshot that does not parse`);
        continue;
      }
      if (snapshot.messages.length !== share.messageCount) problems.push(`share ${share.id} counts ${share.messageCount} messages, its snapshot holds ${snapshot.messages.length}`);
      if (snapshot.title !== share.title) problems.push(`share ${share.id} has title ${share.title} but its snapshot ${snapshot.title}`);
    }
    // Every acknowledged import is a whole copy in the file itself, whatever the server would make of it.
    const copy = db.prepare(`SELECT content FROM messages WHERE conversation_id = ? ORDER BY position`).pluck();
    for (const c of ledger.conversations.values()) {
      if (c.base.length === 0 || c.deleted !== "no") continue;
      const stored = copy.all(dbId(c.id)) as string[];
      if (stored.length < c.base.length || stored.slice(0, c.base.length).some((content, i) => content !== c.base[i])) {
        problems.push(`imported conversation ${c.id} holds ${stored.length} messages, not a whole copy of its ${c.base.length}`);
      }
    }
  } finally {
    db.close();
  }
}

interface Stored {
  id: string;
  title: string;
  importedFrom: { title: string } | null;
  messages: string[];
  shares: { id: string; url: string; messageCount: number; revokedAt: string | null }[];
}

async function storedConversations(server: Running, user: Account): Promise<Map<string, Stored>> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const data: any = ok(await gql(server, PAGE, { after }, user.token)).conversations;
    ids.push(...data.edges.map((e: { node: { id: string } }) => e.node.id));
    if (!data.pageInfo.hasNextPage) break;
    after = data.pageInfo.endCursor;
  }
  const stored = new Map<string, Stored>();
  for (let i = 0; i < ids.length; i += 20) {
    const nodes = ok(await gql(server, DETAILS, { ids: ids.slice(i, i + 20) }, user.token)).nodes as any[];
    for (const node of nodes) {
      stored.set(node.id, { ...node, messages: node.messages.map((m: { content: string }) => m.content) });
    }
  }
  return stored;
}

/** Acknowledged appends present, nothing unknown to the ledger, and an order no client could contradict. */
function checkMessages(ledger: Ledger, c: Conversation, stored: string[]): void {
  const problems = ledger.problems;
  if (stored.slice(0, c.base.length).join("\n") !== c.base.join("\n")) problems.push(`conversation ${c.id} lost part of what it was created with`);
  const rest = stored.slice(c.base.length);
  const index = new Map(rest.map((content, i) => [content, i]));
  if (index.size !== rest.length) problems.push(`conversation ${c.id} holds a message twice`);
  const known = new Map(c.appends.map((a) => [a.content, a]));
  for (const content of rest) if (!known.has(content)) problems.push(`conversation ${c.id} holds a message nobody sent to it: ${content.slice(0, 40)}`);
  for (const a of c.appends) if (a.ackedAt !== null && !index.has(a.content)) problems.push(`conversation ${c.id} lost acknowledged message ${a.content.slice(0, 40)}`);
  // A message acknowledged before another was sent must come first.
  for (const later of c.appends) {
    if (!index.has(later.content)) continue;
    for (const earlier of c.appends) {
      if (earlier.ackedAt !== null && earlier.ackedAt < later.sentAt && index.has(earlier.content) && index.get(earlier.content)! > index.get(later.content)!) {
        problems.push(`conversation ${c.id} has ${later.content.slice(0, 30)} before ${earlier.content.slice(0, 30)}, acknowledged before it was sent`);
      }
    }
  }
}

/** Through the restarted server: everything acknowledged is there, whole; then settles what was unknown. */
async function checkThroughApi(server: Running, ledger: Ledger): Promise<void> {
  const problems = ledger.problems;
  const present = new Map<string, Stored>();
  for (const [owner, user] of ledger.users.entries()) {
    const stored = await storedConversations(server, user);
    for (const [id, s] of stored) present.set(id, s);
    const lost = ledger.lost.filter((l): l is Extract<Lost, { owner: number }> => "owner" in l && l.owner === owner);
    for (const [id, s] of stored) {
      if (ledger.conversations.has(id)) continue;
      // Not acknowledged: it must be the whole result of a create or import that was in flight at the kill.
      const match = lost.findIndex((l) =>
        l.kind === "create" ? s.importedFrom === null && s.title === l.title : s.importedFrom !== null && s.title === ledger.conversations.get(l.share.conversationId)!.title,
      );
      if (match === -1) {
        problems.push(`conversation ${id} (${s.title}, ${s.messages.length} messages) matches no request that was sent`);
        continue;
      }
      const [request] = lost.splice(match, 1);
      const whole = request.kind === "create" ? 0 : request.share.messageCount;
      if (s.messages.length !== whole) problems.push(`conversation ${id} from an interrupted ${request.kind} holds ${s.messages.length} of its ${whole} messages`);
      ledger.conversations.set(id, { id, owner, title: s.title, base: s.messages, appends: [], deleted: "no", deleteSentAt: null });
    }
  }

  for (const c of ledger.conversations.values()) {
    const s = present.get(c.id);
    if (!s) {
      if (c.deleted === "no") problems.push(`acknowledged conversation ${c.id} is gone`);
      c.deleted = "yes";
      continue;
    }
    if (c.deleted === "yes") problems.push(`conversation ${c.id} survived its acknowledged deletion`);
    checkMessages(ledger, c, s.messages);
    // Settle the unknown: what is there was committed before the kill, what is not never will be.
    c.appends = c.appends.filter((a) => a.ackedAt !== null || s.messages.includes(a.content));
    for (const a of c.appends) a.ackedAt ??= ledger.tick();
    if (c.deleted === "unknown") {
      c.deleted = "no";
      c.deleteSentAt = null;
    }
    const ours = [...ledger.shares.values()].filter((sh) => sh.conversationId === c.id);
    for (const share of ours) {
      const listed = s.shares.find((l) => l.id === share.id);
      if (!listed) {
        problems.push(`acknowledged share ${share.id} is missing from its conversation`);
        continue;
      }
      if (share.revoked === "yes" && !listed.revokedAt) problems.push(`share ${share.id} lost its acknowledged revoke`);
      if (share.revoked === "no" && listed.revokedAt) problems.push(`share ${share.id} is revoked though no revoke was sent`);
      if (listed.messageCount !== share.messageCount) problems.push(`share ${share.id} counts ${listed.messageCount} messages, ${share.messageCount} were acknowledged`);
    }
    for (const listed of s.shares) {
      if (ledger.shares.has(listed.id)) continue;
      const match = ledger.lost.findIndex((l) => l.kind === "share" && l.conversationId === c.id);
      if (match === -1) {
        problems.push(`share ${listed.id} of ${c.id} matches no request that was sent`);
        continue;
      }
      ledger.lost.splice(match, 1);
      ledger.shares.set(listed.id, {
        id: listed.id,
        url: listed.url,
        conversationId: c.id,
        owner: c.owner,
        messageCount: listed.messageCount,
        knownBefore: 0,
        revoked: listed.revokedAt ? "yes" : "no",
        revokeSentAt: listed.revokedAt ? 0 : null,
      });
    }
  }

  // Every link answers as the acknowledged history says, with a whole snapshot that is a prefix of its conversation.
  const shares = [...ledger.shares.values()];
  for (let i = 0; i < shares.length; i += 25) {
    const batch = shares.slice(i, i + 25);
    const views = await Promise.all(batch.map((share) => gql(server, VIEW, { link: share.url })));
    for (const [j, share] of batch.entries()) {
      const view = ok(views[j]).sharedConversation as { title: string; messages: { content: string }[] } | null;
      const conversation = ledger.conversations.get(share.conversationId)!;
      const s = present.get(share.conversationId);
      const revokedNow = s?.shares.find((l) => l.id === share.id)?.revokedAt ?? null;
      if (share.revoked === "unknown") share.revoked = revokedNow ? "yes" : "no";
      if (share.revoked === "no") share.revokeSentAt = null;
      const shouldWork = s !== undefined && share.revoked === "no";
      if (!shouldWork) {
        if (view !== null) problems.push(`link of share ${share.id} still shows a snapshot after its revoke or deletion`);
        continue;
      }
      if (view === null) {
        problems.push(`link of acknowledged share ${share.id} no longer resolves`);
        continue;
      }
      const contents = view.messages.map((m) => m.content);
      if (contents.length !== share.messageCount) problems.push(`link of share ${share.id} shows ${contents.length} of ${share.messageCount} messages`);
      if (contents.length < share.knownBefore) problems.push(`link of share ${share.id} misses messages acknowledged before it was made`);
      if (contents.join("\n") !== s.messages.slice(0, contents.length).join("\n")) problems.push(`link of share ${share.id} is not a prefix of its conversation`);
      if (view.title !== conversation.title) problems.push(`link of share ${share.id} shows title ${view.title}`);
    }
  }
  ledger.lost = [];
  ledger.checkRefusals();
}

describe("a SIGKILL under a steady stream of mutations", () => {
  it("loses no acknowledged mutation, leaves nothing partial and keeps the file sound, over three kill/restart cycles", async () => {
    const seed = Date.now();
    const ledger = new Ledger(seededRandom(seed));
    const file = databaseFile();
    let server = await start(file);
    ledger.users = await Promise.all([0, 1, 2].map((i) => signUp(server, { displayName: `Loop owner ${i}` })));
    // Two conversations of 20-30 messages per user, so shares and imports have something to copy from the start.
    await Promise.all(
      ledger.users.flatMap((_, owner) =>
        [0, 1].map(async (n) => {
          await ledger.create(server, owner, `seed ${owner}.${n}`);
          const c = [...ledger.conversations.values()].find((x) => x.title === `seed ${owner}.${n}`)!;
          const length = 20 + Math.floor(ledger.rand() * 11);
          for (let i = 0; i < length; i++) await ledger.append(server, c, `seed ${owner}.${n}.${i}`);
        }),
      ),
    );

    for (let cycle = 1; cycle <= 3; cycle++) {
      const current = server;
      ledger.stopped = false;
      const loops = Array.from({ length: 6 }, async (_, loop) => {
        for (let step = 0; step < 5000 && !ledger.stopped; step++) {
          if (!(await ledger.step(current, loop % 3, `c${cycle}.l${loop}.s${step}`))) return;
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 1000 + Math.floor(ledger.rand() * 1000)));
      ledger.stopped = true;
      current.child.kill("SIGKILL");
      expect((await current.exit).signal).toBe("SIGKILL");
      await Promise.all(loops);

      checkFile(file, ledger);
      server = await start(file);
      await checkThroughApi(server, ledger);
      expect({ seed, cycle, problems: ledger.problems }).toEqual({ seed, cycle, problems: [] });
    }

    // The run exercised what it claims to: every kind of mutation, and requests cut off by the kill.
    for (const kind of ["append", "create", "share", "import", "revoke", "delete", "lost"] as const) {
      expect({ seed, kind, happened: ledger.tally[kind] > 0 }).toEqual({ seed, kind, happened: true });
    }
    server.child.kill("SIGTERM");
    expect(await server.exit).toEqual({ code: 0, signal: null });
  }, 180_000);
});

// ---------------------------------------------------------------------------------------------------------------

/** A conversation of `length` messages of about a kilobyte each, so a snapshot of it takes real work. */
async function longConversation(server: Running, token: string, length: number): Promise<string> {
  const id: string = ok(await gql(server, CREATE, { input: { title: "A long one" } }, token)).createConversation.conversation.id;
  for (let i = 0; i < length; i += 50) {
    const batch = Array.from({ length: Math.min(50, length - i) }, (_, j) =>
      gql(server, APPEND, { input: { conversationId: id, role: "USER", content: `message ${i + j}: ${"some words ".repeat(90)}` } }, token),
    );
    for (const result of await Promise.all(batch)) ok(result);
  }
  return id;
}

type Settled = { kind: "answered"; result: GraphQLResult } | { kind: "lost" };
const settle = (call: Promise<GraphQLResult>): Promise<Settled> =>
  call.then(
    (result): Settled => ({ kind: "answered", result }),
    (): Settled => ({ kind: "lost" }),
  );

function answered(settled: Settled[]): GraphQLResult[] {
  return settled.flatMap((s) => (s.kind === "answered" ? [s.result] : []));
}

interface Held {
  /** Sends the body the server is waiting for. */
  release(): void;
  response: Promise<Settled>;
}

/**
 * A shareConversation whose headers the server has taken in (it answered "100 Continue" and is reading the body),
 * so the request is provably in flight on the server until `release` sends its body.
 */
function heldShare(server: Running, token: string, conversationId: string): Promise<Held> {
  const body = JSON.stringify({ query: SHARE, variables: { input: { conversationId } } });
  const request = http.request(`${server.url}/graphql`, {
    method: "POST",
    agent: false,
    headers: {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      authorization: `Bearer ${token}`,
      expect: "100-continue",
    },
  });
  const response = new Promise<Settled>((resolve) => {
    request.on("error", () => resolve({ kind: "lost" }));
    request.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("error", () => resolve({ kind: "lost" }));
      res.on("end", () => {
        try {
          const parsed = JSON.parse(text) as Pick<GraphQLResult, "data" | "errors">;
          resolve({ kind: "answered", result: { status: res.statusCode ?? 0, data: parsed.data, errors: parsed.errors, text } });
        } catch {
          resolve({ kind: "lost" });
        }
      });
    });
  });
  return new Promise((resolve, reject) => {
    request.on("continue", () => resolve({ release: () => request.end(body), response }));
    request.on("error", reject);
    request.flushHeaders();
  });
}

function sharesInFile(file: string): { id: string; messageCount: number; messages: number }[] {
  const db = openDirectly(file);
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(db.pragma("foreign_key_check")).toEqual([]);
    const rows = db.prepare(`SELECT id, message_count AS messageCount, snapshot FROM shares`).all() as { id: string; messageCount: number; snapshot: string }[];
    return rows.map((row) => ({ id: row.id, messageCount: row.messageCount, messages: (JSON.parse(row.snapshot) as { messages: unknown[] }).messages.length }));
  } finally {
    db.close();
  }
}

describe("stopping with SIGTERM", () => {
  it("lets every request in flight finish with a complete response, closes the database and exits 0", async () => {
    const file = databaseFile();
    const server = await start(file);
    const owner = await signUp(server);
    const conversationId = await longConversation(server, owner.token, 300);
    const held = await Promise.all(Array.from({ length: 20 }, () => heldShare(server, owner.token, conversationId)));

    server.child.kill("SIGTERM");
    await server.waitForLog(/^SIGTERM: finishing in-flight requests$/);
    for (const request of held) request.release();
    const settled = await Promise.all(held.map((request) => request.response));

    expect(settled.filter((s) => s.kind === "lost")).toEqual([]);
    const shares = answered(settled).map((result) => ok(result).shareConversation.share);
    for (const share of shares) {
      expect(share.messageCount).toBe(300);
      expect(share.url).toMatch(/^https:\/\/chat\.example\/share\/[A-Za-z0-9_-]{43}$/);
    }
    expect(await server.exit).toEqual({ code: 0, signal: null });
    expect(server.logs().map((line) => line.msg)).toContain("stopped");
    // Closed cleanly: the write-ahead log was folded into the file, which holds every answered share, whole.
    expect(walBytes(file)).toBe(0);
    const stored = sharesInFile(file);
    expect(stored.map((s) => s.id).sort()).toEqual(shares.map((s) => dbId(s.id)).sort());
    for (const share of stored) expect(share).toMatchObject({ messageCount: 300, messages: 300 });
  }, 60_000);

  // Writes queue behind one another; a signal that waits for the whole queue cannot start an orderly stop.
  it("a SIGTERM sent during a burst of queued shares starts the drain before the burst is over, and every share still completes", async () => {
    const file = databaseFile();
    const server = await start(file);
    const owner = await signUp(server);
    const conversationId = await longConversation(server, owner.token, 300);

    const calls = Array.from({ length: 20 }, () => settle(gql(server, SHARE, { input: { conversationId } }, owner.token)));
    await Promise.race(calls);
    server.child.kill("SIGTERM");
    const settled = await Promise.all(calls);

    expect(settled.filter((s) => s.kind === "lost")).toEqual([]);
    for (const result of answered(settled)) expect(ok(result).shareConversation.share.messageCount).toBe(300);
    expect(await server.exit).toEqual({ code: 0, signal: null });
    const messages = server.logs().map((line) => (line.msg === "request" ? `request ${line.path}` : line.msg));
    const signalled = messages.indexOf("SIGTERM: finishing in-flight requests");
    expect(signalled).toBeGreaterThanOrEqual(0);
    expect(messages.slice(signalled)).toContain("request /graphql");
  }, 60_000);

  it("a second SIGTERM during the drain makes it exit at once, leaving every acknowledged write whole", async () => {
    const file = databaseFile();
    const server = await start(file);
    const owner = await signUp(server);
    const conversationId = await longConversation(server, owner.token, 300);
    const held = await Promise.all(Array.from({ length: 20 }, () => heldShare(server, owner.token, conversationId)));

    server.child.kill("SIGTERM");
    await server.waitForLog(/^SIGTERM: finishing in-flight requests$/);
    // Half of them finish during the drain; the other half still hold it open when the second signal comes.
    for (const request of held.slice(0, 10)) request.release();
    const finished = await Promise.all(held.slice(0, 10).map((request) => request.response));
    server.child.kill("SIGTERM");
    const exit = await server.exit;
    const cutOff = await Promise.all(held.slice(10).map((request) => request.response));

    expect(exit.code).not.toBe(0);
    expect(server.logs().map((line) => line.msg)).toContain("second SIGTERM: exiting now");
    expect(server.logs().map((line) => line.msg)).not.toContain("stopped");
    expect(cutOff.map((s) => s.kind)).toEqual(Array(10).fill("lost"));
    const acknowledged = answered(finished).map((result) => ok(result).shareConversation.share.id as string);
    expect(acknowledged).toHaveLength(10);
    const stored = sharesInFile(file);
    expect(stored.map((s) => s.id).sort()).toEqual(acknowledged.map(dbId).sort());
    for (const share of stored) expect(share).toMatchObject({ messageCount: 300, messages: 300 });
  }, 60_000);
});
