// Seeds benchmark databases: the real migrations for the schema, then bulk inserts with prepared statements.
// Rows are written the way ShareService.share and ConversationService.insert write them, and every link token is
// minted with the real ShareLinks, so the seeder knows the links without ever reading them back.
import fs from "node:fs";
import Database from "better-sqlite3";
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
  revokedAt?: string;
  expiresAt?: string;
  disabledAt?: string;
}

/** One open seeding connection with its prepared statements. */
export class Seeder {
  private readonly db: Database.Database;
  private readonly insertUserStmt: Database.Statement;
  private readonly insertConversationStmt: Database.Statement;
  private readonly insertMessageStmt: Database.Statement;
  private readonly insertShareStmt: Database.Statement;
  private clock = Date.now() - 30 * 24 * 3600 * 1000;

  constructor(
    path: string,
    private readonly links: ShareLinks,
  ) {
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
         snapshot_at, created_at, revoked_at, expires_at, disabled_at, disabled_reason, view_count, last_viewed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL)`,
    );
  }

  /** Seeded timestamps advance a millisecond per row, from 30 days ago. */
  private tick(): string {
    this.clock += 1;
    return sqliteTime(this.clock);
  }

  transaction(work: () => void): void {
    this.db.transaction(work)();
  }

  insertUser(index: number, passwordHash: string, deactivated = false): string {
    const id = newId();
    const email = `seed-${index}@bench.example`;
    const now = this.tick();
    this.insertUserStmt.run(id, `Seed User ${index}`, email, email, passwordHash, now, deactivated ? now : null);
    return id;
  }

  insertConversation(ownerId: string, title: string, messages: readonly SeedMessage[]): string {
    const id = newId();
    const now = this.tick();
    this.insertConversationStmt.run(id, ownerId, title, now);
    messages.forEach((m, position) => this.insertMessageStmt.run(newId(), id, ownerId, position, m.role, m.content, now));
    return id;
  }

  /** A share row exactly as ShareService.share writes it; returns the link token. */
  insertShare(ownerId: string, conversationId: string, title: string, messages: readonly SeedMessage[], flags: ShareFlags): string {
    const { token, tokenHash, tokenSealed } = this.links.mint();
    const snapshot = JSON.stringify({ title, messages: messages.map(({ role, content }) => ({ role, content })) });
    const now = this.tick();
    this.insertShareStmt.run(
      newId(),
      ownerId,
      conversationId,
      tokenHash,
      tokenSealed,
      flags.attribution,
      title,
      messages.length,
      snapshot,
      now,
      now,
      flags.revokedAt ?? null,
      flags.expiresAt ?? null,
      flags.disabledAt ?? null,
      flags.disabledAt ? "Seeded as disabled" : null,
    );
    return token;
  }

  conversationOwners(): { id: string; ownerId: string }[] {
    return this.db.prepare(`SELECT id, owner_id AS ownerId FROM conversations`).all() as { id: string; ownerId: string }[];
  }

  /** Leaves one self-contained file behind: the servers and file copies start from a checkpointed database. */
  close(): void {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    this.db.close();
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
}

const BATCH = 500;

// One real scrypt hash (cheap parameters) shared by every seeded user: nobody logs in as them.
async function seedPasswordHash(): Promise<string> {
  return new PasswordHasher(10).hash("seeded users never log in");
}

function insertUsers(seeder: Seeder, count: number, passwordHash: string): string[] {
  const ids: string[] = [];
  for (let start = 0; start < count; start += BATCH) {
    seeder.transaction(() => {
      for (let i = start; i < Math.min(count, start + BATCH); i++) ids.push(seeder.insertUser(i, passwordHash));
    });
  }
  return ids;
}

/**
 * Conversation c gets `messages` messages and the shares c, c + conversations, c + 2 × conversations, …, each a
 * snapshot of it; odd shares show their owner's name. Returns the tokens by share index.
 */
function insertStandardShares(
  seeder: Seeder,
  userIds: string[],
  spec: Pick<MainSeedSpec, "conversations" | "shares" | "messages" | "messageChars">,
  text: TextGenerator,
): string[] {
  const tokens: string[] = new Array<string>(spec.shares);
  const conversations = spec.conversations;
  for (let start = 0; start < conversations; start += BATCH) {
    seeder.transaction(() => {
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

function insertSizedShares(seeder: Seeder, userIds: string[], spec: MainSeedSpec, text: TextGenerator): Map<number, string[]> {
  const bySize = new Map<number, string[]>();
  for (const size of spec.snapshotSizes) {
    const tokens: string[] = [];
    for (let i = 0; i < spec.sizeLinks; i++) {
      seeder.transaction(() => {
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
function insertDeadLinks(seeder: Seeder, ownerId: string, passwordHash: string, text: TextGenerator): DeadLinks {
  let dead: DeadLinks | undefined;
  seeder.transaction(() => {
    const messages = text.messages(4, 100);
    const conversationId = seeder.insertConversation(ownerId, "Dead links", messages);
    const past = sqliteTime(Date.now() - 24 * 3600 * 1000);
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

/** The database the load workloads run on. */
export async function seedMain(path: string, links: ShareLinks, spec: MainSeedSpec): Promise<MainSeed> {
  await migrate(path);
  const passwordHash = await seedPasswordHash();
  const seeder = new Seeder(path, links);
  try {
    const text = new TextGenerator(42);
    const userIds = insertUsers(seeder, spec.users, passwordHash);
    const standard = insertStandardShares(seeder, userIds, spec, text);
    const bySize = insertSizedShares(seeder, userIds, spec, text);
    const dead = insertDeadLinks(seeder, userIds[0], passwordHash, text);
    return { links: standard, bySize, dead };
  } finally {
    seeder.close();
  }
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
  const small = new Seeder(smallPath, links);
  let tokens: string[];
  try {
    const userIds = insertUsers(small, Math.max(1, Math.round(spec.small / 10)), passwordHash);
    tokens = insertStandardShares(small, userIds, { ...spec, conversations: spec.small, shares: spec.small }, new TextGenerator(7));
  } finally {
    small.close();
  }
  fs.copyFileSync(smallPath, largePath);
  const seeder = new Seeder(largePath, links);
  try {
    const conversations = seeder.conversationOwners();
    const fillers = spec.large - spec.small;
    for (let start = 0; start < fillers; start += BATCH * 10) {
      seeder.transaction(() => {
        for (let i = start; i < Math.min(fillers, start + BATCH * 10); i++) {
          const { id, ownerId } = conversations[i % conversations.length];
          seeder.insertShare(ownerId, id, `Filler ${i}`, FILLER_MESSAGES, { attribution: "ANONYMOUS" });
        }
      });
    }
  } finally {
    seeder.close();
  }
  return tokens;
}
