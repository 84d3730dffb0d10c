// Seeds benchmark databases: the real migrations for the schema, then bulk inserts (prepared statements on SQLite,
// one INSERT … unnest per table and batch on PostgreSQL).
// Rows are written the way ShareService.share and ConversationService.insert write them, and every link token is
// minted with the real ShareLinks, so the seeder knows the links without ever reading them back.
import fs from "node:fs";
import Database from "better-sqlite3";
import { Client } from "pg";
import { createDataSource } from "../src/db/data-source";
import { newId } from "../src/common/ids";
import { PasswordHasher } from "../src/auth/passwords";
import type { ShareLinks } from "../src/share/share-links";

type Role = "USER" | "ASSISTANT";
interface SeedMessage {
  role: Role;
  content: string;
}

/** Creates the database file with exactly the schema the server would build at start. */
export async function migrate(path: string): Promise<void> {
  const dataSource = createDataSource({ database: { type: "sqlite", path } });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: "each" });
  } finally {
    await dataSource.destroy();
  }
}

// Deterministic text, so two runs seed the same bytes and response sizes stay comparable.
const WORDS = (
  "the a of to and in is it that for you with on as are this be can or by at from your have not but more use " +
  "which when will one all there if their time so what about into other than then them these some would make " +
  "like how each first way could people because any most very after well should also through where just those " +
  "data model answer question example server request value function result system change number between " +
  "design cache query index memory latency route page table column share link snapshot message history plan"
).split(" ");

export class TextGenerator {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: tiny and good enough to pick words. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Sentences of about `chars` characters (between half and one and a half times that). */
  paragraph(chars: number): string {
    const target = Math.round(chars * (0.5 + this.next()));
    const parts: string[] = [];
    let length = 0;
    let sentenceStart = true;
    while (length < target) {
      let word = WORDS[Math.floor(this.next() * WORDS.length)];
      if (sentenceStart) word = word[0].toUpperCase() + word.slice(1);
      sentenceStart = this.next() < 0.1;
      const piece = sentenceStart ? `${word}.` : word;
      parts.push(piece);
      length += piece.length + 1;
    }
    const text = parts.join(" ");
    return text.endsWith(".") ? text : `${text}.`;
  }

  messages(count: number, chars: number): SeedMessage[] {
    return Array.from({ length: count }, (_, i) => ({ role: i % 2 === 0 ? "USER" : "ASSISTANT", content: this.paragraph(chars) }));
  }
}

/** SQLite's datetime text as TypeORM writes it on better-sqlite3: UTC, "YYYY-MM-DD HH:MM:SS.SSS". */
export function sqliteTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 23);
}

export interface ShareFlags {
  attribution: "ANONYMOUS" | "NAMED";
  /** Epoch milliseconds. */
  revokedAt?: number;
  expiresAt?: number;
  disabledAt?: number;
}

/** A share row as ShareService.share writes it, its times in epoch milliseconds. */
interface ShareRow {
  id: string;
  ownerId: string;
  conversationId: string;
  tokenHash: string;
  tokenSealed: string;
  attribution: string;
  title: string;
  messageCount: number;
  snapshot: string;
  now: number;
  revokedAt: number | null;
  expiresAt: number | null;
  disabledAt: number | null;
  disabledReason: string | null;
}

/**
 * Writes seed rows into one database. The insert methods return the new row's id (or a share's link token) at
 * once; rows are only guaranteed written when `transaction`, which must wrap them, has resolved.
 */
export abstract class SeedWriter {
  /** Seeded timestamps advance a millisecond per row, from 30 days ago. */
  private clock = Date.now() - 30 * 24 * 3600 * 1000;

  constructor(private readonly links: ShareLinks) {}

  protected tick(): number {
    return ++this.clock;
  }

  abstract transaction(work: () => void): Promise<void>;
  protected abstract writeUser(id: string, displayName: string, email: string, passwordHash: string, now: number, deactivatedAt: number | null): void;
  protected abstract writeConversation(id: string, ownerId: string, title: string, now: number): void;
  protected abstract writeMessage(id: string, conversationId: string, ownerId: string, position: number, message: SeedMessage, now: number): void;
  protected abstract writeShare(row: ShareRow): void;
  abstract close(): Promise<void>;

  insertUser(index: number, passwordHash: string, deactivated = false): string {
    const id = newId();
    const now = this.tick();
    this.writeUser(id, `Seed User ${index}`, `seed-${index}@bench.example`, passwordHash, now, deactivated ? now : null);
    return id;
  }

  insertConversation(ownerId: string, title: string, messages: readonly SeedMessage[]): string {
    const id = newId();
    const now = this.tick();
    this.writeConversation(id, ownerId, title, now);
    messages.forEach((m, position) => this.writeMessage(newId(), id, ownerId, position, m, now));
    return id;
  }

  /** A share row exactly as ShareService.share writes it; returns the link token. */
  insertShare(ownerId: string, conversationId: string, title: string, messages: readonly SeedMessage[], flags: ShareFlags): string {
    const { token, tokenHash, tokenSealed } = this.links.mint();
    const snapshot = JSON.stringify({ title, messages: messages.map(({ role, content }) => ({ role, content })) });
    this.writeShare({
      id: newId(),
      ownerId,
      conversationId,
      tokenHash,
      tokenSealed,
      attribution: flags.attribution,
      title,
      messageCount: messages.length,
      snapshot,
      now: this.tick(),
      revokedAt: flags.revokedAt ?? null,
      expiresAt: flags.expiresAt ?? null,
      disabledAt: flags.disabledAt ?? null,
      disabledReason: flags.disabledAt ? "Seeded as disabled" : null,
    });
    return token;
  }
}

const orNull = (ms: number | null, format: (ms: number) => string) => (ms === null ? null : format(ms));

/**
 * A share row's values in column order (id, owner_id, conversation_id, token_hash, token_sealed, attribution,
 * title, message_count, snapshot, snapshot_at, created_at, revoked_at, expires_at, disabled_at, disabled_reason),
 * times written by `format`.
 */
function shareValues(r: ShareRow, format: (ms: number) => string): unknown[] {
  const now = format(r.now);
  return [
    r.id,
    r.ownerId,
    r.conversationId,
    r.tokenHash,
    r.tokenSealed,
    r.attribution,
    r.title,
    r.messageCount,
    r.snapshot,
    now,
    now,
    orNull(r.revokedAt, format),
    orNull(r.expiresAt, format),
    orNull(r.disabledAt, format),
    r.disabledReason,
  ];
}

/** SQLite through better-sqlite3 prepared statements, each transaction written as its rows come. */
export class SqliteWriter extends SeedWriter {
  private readonly db: Database.Database;
  private readonly insertUserStmt: Database.Statement;
  private readonly insertConversationStmt: Database.Statement;
  private readonly insertMessageStmt: Database.Statement;
  private readonly insertShareStmt: Database.Statement;

  constructor(path: string, links: ShareLinks) {
    super(links);
    this.db = new Database(path);
    // Speed over durability while seeding: a crash only loses a temporary file.
    this.db.pragma("synchronous = OFF");
    this.db.pragma("cache_size = -262144");
    this.insertUserStmt = this.db.prepare(
      `INSERT INTO users (id, display_name, email, email_normalized, password_hash, token_version, created_at, deactivated_at, role)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?, 'USER')`,
    );
    this.insertConversationStmt = this.db.prepare(`INSERT INTO conversations (id, owner_id, title, created_at) VALUES (?, ?, ?, ?)`);
    this.insertMessageStmt = this.db.prepare(
      `INSERT INTO messages (id, conversation_id, owner_id, position, role, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertShareStmt = this.db.prepare(
      `INSERT INTO shares (id, owner_id, conversation_id, token_hash, token_sealed, attribution, title, message_count, snapshot,
         snapshot_at, created_at, revoked_at, expires_at, disabled_at, disabled_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  transaction(work: () => void): Promise<void> {
    this.db.transaction(work)();
    return Promise.resolve();
  }

  protected writeUser(id: string, displayName: string, email: string, passwordHash: string, now: number, deactivatedAt: number | null): void {
    this.insertUserStmt.run(id, displayName, email, email, passwordHash, sqliteTime(now), orNull(deactivatedAt, sqliteTime));
  }

  protected writeConversation(id: string, ownerId: string, title: string, now: number): void {
    this.insertConversationStmt.run(id, ownerId, title, sqliteTime(now));
  }

  protected writeMessage(id: string, conversationId: string, ownerId: string, position: number, m: SeedMessage, now: number): void {
    this.insertMessageStmt.run(id, conversationId, ownerId, position, m.role, m.content, sqliteTime(now));
  }

  protected writeShare(r: ShareRow): void {
    this.insertShareStmt.run(...shareValues(r, sqliteTime));
  }

  conversationOwners(): { id: string; ownerId: string }[] {
    return this.db.prepare(`SELECT id, owner_id AS ownerId FROM conversations`).all() as { id: string; ownerId: string }[];
  }

  /** Leaves one self-contained file behind: the servers and file copies start from a checkpointed database. */
  close(): Promise<void> {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    this.db.close();
    return Promise.resolve();
  }
}

/** One column of a batch: its values and the PostgreSQL array type they are sent as. */
type Columns = Record<string, { type: string; values: unknown[] }>;

function columns(spec: Record<string, string>): Columns {
  return Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type, values: [] }]));
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * PostgreSQL through pg: a transaction's rows are collected, then sent as one INSERT … SELECT FROM unnest(…) per
 * table (a handful of statements per batch, whatever its size), in foreign-key order.
 */
export class PostgresWriter extends SeedWriter {
  private batch = PostgresWriter.emptyBatch();

  private constructor(
    private readonly client: Client,
    links: ShareLinks,
  ) {
    super(links);
  }

  /** Connects to `url` with `schema` (already migrated) as the search path. */
  static async open(url: string, schema: string, links: ShareLinks): Promise<PostgresWriter> {
    const client = new Client({ connectionString: url, options: `-c search_path="${schema}"` });
    await client.connect();
    // Speed over durability while seeding: a crash only loses a scratch schema.
    await client.query("SET synchronous_commit = off");
    return new PostgresWriter(client, links);
  }

  private static emptyBatch() {
    return {
      users: columns({ id: "varchar", display_name: "varchar", email: "varchar", password_hash: "varchar", created_at: "timestamptz", deactivated_at: "timestamptz" }),
      conversations: columns({ id: "varchar", owner_id: "varchar", title: "varchar", created_at: "timestamptz" }),
      messages: columns({
        id: "varchar",
        conversation_id: "varchar",
        owner_id: "varchar",
        position: "int",
        role: "varchar",
        content: "text",
        created_at: "timestamptz",
      }),
      shares: columns({
        id: "varchar",
        owner_id: "varchar",
        conversation_id: "varchar",
        token_hash: "varchar",
        token_sealed: "varchar",
        attribution: "varchar",
        title: "varchar",
        message_count: "int",
        snapshot: "text",
        snapshot_at: "timestamptz",
        created_at: "timestamptz",
        revoked_at: "timestamptz",
        expires_at: "timestamptz",
        disabled_at: "timestamptz",
        disabled_reason: "varchar",
      }),
    };
  }

  private static push(target: Columns, values: unknown[]): void {
    Object.values(target).forEach((column, i) => column.values.push(values[i]));
  }

  protected writeUser(id: string, displayName: string, email: string, passwordHash: string, now: number, deactivatedAt: number | null): void {
    PostgresWriter.push(this.batch.users, [id, displayName, email, passwordHash, iso(now), orNull(deactivatedAt, iso)]);
  }

  protected writeConversation(id: string, ownerId: string, title: string, now: number): void {
    PostgresWriter.push(this.batch.conversations, [id, ownerId, title, iso(now)]);
  }

  protected writeMessage(id: string, conversationId: string, ownerId: string, position: number, m: SeedMessage, now: number): void {
    PostgresWriter.push(this.batch.messages, [id, conversationId, ownerId, position, m.role, m.content, iso(now)]);
  }

  protected writeShare(r: ShareRow): void {
    PostgresWriter.push(this.batch.shares, shareValues(r, iso));
  }

  /** INSERT INTO table (columns…, extra columns…) SELECT *, extra values… FROM unnest($1::type[], …). */
  private async insert(table: string, batch: Columns, extra: Record<string, string> = {}): Promise<void> {
    const entries = Object.entries(batch);
    if (entries[0][1].values.length === 0) return;
    const names = [...entries.map(([name]) => name), ...Object.keys(extra)].map((n) => `"${n}"`).join(", ");
    const arrays = entries.map(([, c], i) => `$${i + 1}::${c.type}[]`).join(", ");
    const select = ["t.*", ...Object.values(extra)].join(", ");
    const aliases = entries.map(([name]) => `"${name}"`).join(", ");
    await this.client.query(`INSERT INTO "${table}" (${names}) SELECT ${select} FROM unnest(${arrays}) AS t(${aliases})`, entries.map(([, c]) => c.values));
  }

  async transaction(work: () => void): Promise<void> {
    this.batch = PostgresWriter.emptyBatch();
    work();
    const { users, conversations, messages, shares } = this.batch;
    await this.client.query("BEGIN");
    try {
      await this.insert("users", users, { email_normalized: "t.email", token_version: "0", role: "'USER'" });
      await this.insert("conversations", conversations);
      await this.insert("messages", messages);
      await this.insert("shares", shares);
      await this.client.query("COMMIT");
    } catch (error) {
      await this.client.query("ROLLBACK");
      throw error;
    } finally {
      this.batch = PostgresWriter.emptyBatch();
    }
  }

  async close(): Promise<void> {
    // Statistics for the planner and the visibility map now, then the dirty pages on disk: otherwise autovacuum and
    // the checkpointer would do that work during the measured rounds, on the machine's two cores.
    await this.client.query(`VACUUM (ANALYZE) "users", "conversations", "messages", "shares"`);
    await this.client.query("CHECKPOINT").catch(() => undefined); // needs superuser or pg_checkpoint: best effort
    await this.client.end();
  }
}

export interface MainSeedSpec {
  users: number;
  conversations: number;
  shares: number;
  messages: number;
  messageChars: number;
  snapshotSizes: number[];
  sizeLinks: number;
  /** Users that take turns sending share and import, so that none reaches its hourly allowance. */
  writers: number;
  /** Shares of the largest snapshot the default caps allow (LARGEST_MESSAGES messages, just under 10 MB). */
  largestLinks: number;
  listConversations: number;
  listMessages: number;
}

/** A seeded account the bench signs in as by minting its session token (no sign-up, no login, no limit spent). */
export interface SeededAccount {
  userId: string;
  /** Titles of its conversations, in the order the spec gave them: the bench finds their opaque ids through the API. */
  titles: string[];
}

/** The accounts the list, share, import and growth workloads act as. */
export interface WorkloadAccounts {
  /** Each has one conversation of `messages` messages, shared again and again by the share workload. */
  writers: SeededAccount[];
  /** `listConversations` conversations of `listMessages` messages, each shared once. */
  listOwner: SeededAccount;
  /** Each has one conversation per snapshot size, in the order of `snapshotSizes`. */
  growth: SeededAccount[];
}

export interface DeadLinks {
  revoked: string;
  expired: string;
  disabled: string;
  deactivated: string;
}

export interface MainSeed {
  /** Tokens of the `shares` standard links, in insertion order. */
  links: string[];
  /** Tokens per snapshot size. */
  bySize: Map<number, string[]>;
  /** Links that must show nothing, one per reason. */
  dead: DeadLinks;
  accounts: WorkloadAccounts;
  /** Tokens of the largest allowed snapshots. */
  largest: string[];
}

const BATCH = 500;

// One real scrypt hash (cheap parameters) shared by every seeded user: nobody logs in as them.
async function seedPasswordHash(): Promise<string> {
  return new PasswordHasher(10).hash("seeded users never log in");
}

async function insertUsers(seeder: SeedWriter, count: number, passwordHash: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += BATCH) {
    await seeder.transaction(() => {
      for (let i = start; i < Math.min(count, start + BATCH); i++) ids.push(seeder.insertUser(i, passwordHash));
    });
  }
  return ids;
}

/**
 * Conversation c gets `messages` messages and the shares c, c + conversations, c + 2 × conversations, …, each a
 * snapshot of it; odd shares show their owner's name. Returns the tokens by share index.
 */
async function insertStandardShares(
  seeder: SeedWriter,
  userIds: string[],
  spec: Pick<MainSeedSpec, "conversations" | "shares" | "messages" | "messageChars">,
  text: TextGenerator,
): Promise<string[]> {
  const tokens: string[] = new Array<string>(spec.shares);
  const conversations = spec.conversations;
  for (let start = 0; start < conversations; start += BATCH) {
    await seeder.transaction(() => {
      for (let c = start; c < Math.min(conversations, start + BATCH); c++) {
        const ownerId = userIds[c % userIds.length];
        const title = `Seeded conversation ${c}`;
        const messages = text.messages(spec.messages, spec.messageChars);
        const conversationId = seeder.insertConversation(ownerId, title, messages);
        for (let s = c; s < spec.shares; s += conversations) {
          tokens[s] = seeder.insertShare(ownerId, conversationId, title, messages, { attribution: s % 2 === 1 ? "NAMED" : "ANONYMOUS" });
        }
      }
    });
  }
  return tokens;
}

async function insertSizedShares(seeder: SeedWriter, userIds: string[], spec: MainSeedSpec, text: TextGenerator): Promise<Map<number, string[]>> {
  const bySize = new Map<number, string[]>();
  for (const size of spec.snapshotSizes) {
    const tokens: string[] = [];
    for (let i = 0; i < spec.sizeLinks; i++) {
      await seeder.transaction(() => {
        const ownerId = userIds[i % userIds.length];
        const title = `Seeded ${size}-message conversation ${i}`;
        const messages = text.messages(size, spec.messageChars);
        const conversationId = seeder.insertConversation(ownerId, title, messages);
        tokens.push(seeder.insertShare(ownerId, conversationId, title, messages, { attribution: "NAMED" }));
      });
    }
    bySize.set(size, tokens);
  }
  return bySize;
}

/** One link per reason a link stops working, to check that the baseline answers them as the server does. */
async function insertDeadLinks(seeder: SeedWriter, ownerId: string, passwordHash: string, text: TextGenerator): Promise<DeadLinks> {
  let dead: DeadLinks | undefined;
  await seeder.transaction(() => {
    const messages = text.messages(4, 100);
    const conversationId = seeder.insertConversation(ownerId, "Dead links", messages);
    const past = Date.now() - 24 * 3600 * 1000;
    const share = (flags: Partial<ShareFlags>) => seeder.insertShare(ownerId, conversationId, "Dead links", messages, { attribution: "NAMED", ...flags });
    const goneUser = seeder.insertUser(-1, passwordHash, true);
    const goneConversation = seeder.insertConversation(goneUser, "Deactivated owner", messages);
    dead = {
      revoked: share({ revokedAt: past }),
      expired: share({ expiresAt: past }),
      disabled: share({ disabledAt: past }),
      deactivated: seeder.insertShare(goneUser, goneConversation, "Deactivated owner", messages, { attribution: "NAMED" }),
    };
  });
  return dead!;
}

// The default caps: MAX_MESSAGES_PER_CONVERSATION (5,000) and MAX_CONVERSATION_BYTES (10,000,000); 1,900 characters
// a message on average keeps the whole just under the byte cap.
const LARGEST_MESSAGES = 5000;
const LARGEST_MESSAGE_CHARS = 1900;

async function insertLargest(seeder: SeedWriter, userIds: string[], count: number, text: TextGenerator): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    await seeder.transaction(() => {
      const ownerId = userIds[i % userIds.length];
      const title = `Largest allowed conversation ${i}`;
      const messages = text.messages(LARGEST_MESSAGES, LARGEST_MESSAGE_CHARS);
      tokens.push(seeder.insertShare(ownerId, seeder.insertConversation(ownerId, title, messages), title, messages, { attribution: "NAMED" }));
    });
  }
  return tokens;
}

// Growth sends ~300 shares of each size: spread over this many accounts, each stays far below its hourly allowance.
const GROWTH_ACCOUNTS = 8;

/** Accounts with their conversations, seeded so that the workloads need no sign-up and spend no allowance preparing. */
async function insertWorkloadAccounts(seeder: SeedWriter, spec: MainSeedSpec, passwordHash: string, text: TextGenerator): Promise<WorkloadAccounts> {
  let index = 1_000_000;
  const account = (titled: { title: string; messages: number; shared: boolean }[]): SeededAccount => {
    const userId = seeder.insertUser(index++, passwordHash);
    for (const { title, messages, shared } of titled) {
      const list = text.messages(messages, spec.messageChars);
      const conversationId = seeder.insertConversation(userId, title, list);
      if (shared) seeder.insertShare(userId, conversationId, title, list, { attribution: "NAMED" });
    }
    return { userId, titles: titled.map((t) => t.title) };
  };
  const accounts: Partial<WorkloadAccounts> = {};
  await seeder.transaction(() => {
    accounts.writers = Array.from({ length: spec.writers }, () => account([{ title: "Shared again and again", messages: spec.messages, shared: false }]));
    const listed = Array.from({ length: spec.listConversations }, (_, i) => ({ title: `Listed conversation ${i}`, messages: spec.listMessages, shared: true }));
    accounts.listOwner = account(listed);
  });
  await seeder.transaction(() => {
    const sized = spec.snapshotSizes.map((n) => ({ title: `${n} messages`, messages: n, shared: false }));
    accounts.growth = Array.from({ length: GROWTH_ACCOUNTS }, () => account(sized));
  });
  return accounts as WorkloadAccounts;
}

/**
 * The database the load workloads run on, through `seeder` (into a schema already migrated), which it closes.
 * The same spec seeds the same users, titles and messages in either database.
 */
export async function seedMain(seeder: SeedWriter, spec: MainSeedSpec): Promise<MainSeed> {
  try {
    const passwordHash = await seedPasswordHash();
    const text = new TextGenerator(42);
    const userIds = await insertUsers(seeder, spec.users, passwordHash);
    const standard = await insertStandardShares(seeder, userIds, spec, text);
    const bySize = await insertSizedShares(seeder, userIds, spec, text);
    const dead = await insertDeadLinks(seeder, userIds[0], passwordHash, text);
    const accounts = await insertWorkloadAccounts(seeder, spec, passwordHash, text);
    const largest = await insertLargest(seeder, userIds, spec.largestLinks, text);
    return { links: standard, bySize, dead, accounts, largest };
  } finally {
    await seeder.close();
  }
}

/** The main SQLite file: the real migrations, then seedMain. */
export async function seedSqliteMain(path: string, links: ShareLinks, spec: MainSeedSpec): Promise<MainSeed> {
  await migrate(path);
  return seedMain(new SqliteWriter(path, links), spec);
}

// Filler shares only deepen the indexes: tiny snapshots keep a million of them to a few hundred megabytes.
const FILLER_MESSAGES: SeedMessage[] = [{ role: "USER", content: "Filler." }];

/**
 * The database-size pair: `small` shares of full snapshots (all of them measured), then a copy of that file with
 * filler shares added until it holds `large`. Both files answer the same links identically.
 */
export async function seedSizePair(
  smallPath: string,
  largePath: string,
  links: ShareLinks,
  spec: { small: number; large: number; messages: number; messageChars: number },
): Promise<string[]> {
  await migrate(smallPath);
  const passwordHash = await seedPasswordHash();
  const small = new SqliteWriter(smallPath, links);
  let tokens: string[];
  try {
    const userIds = await insertUsers(small, Math.max(1, Math.round(spec.small / 10)), passwordHash);
    tokens = await insertStandardShares(small, userIds, { ...spec, conversations: spec.small, shares: spec.small }, new TextGenerator(7));
  } finally {
    await small.close();
  }
  fs.copyFileSync(smallPath, largePath);
  const seeder = new SqliteWriter(largePath, links);
  try {
    const conversations = seeder.conversationOwners();
    const fillers = spec.large - spec.small;
    for (let start = 0; start < fillers; start += BATCH * 10) {
      await seeder.transaction(() => {
        for (let i = start; i < Math.min(fillers, start + BATCH * 10); i++) {
          const { id, ownerId } = conversations[i % conversations.length];
          seeder.insertShare(ownerId, id, `Filler ${i}`, FILLER_MESSAGES, { attribution: "ANONYMOUS" });
        }
      });
    }
  } finally {
    await seeder.close();
  }
  return tokens;
}
