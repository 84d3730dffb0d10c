// The five workloads of issue 5 as GraphQL documents and request sets, and the API calls that prepare them.
// Every id a workload sends comes from an API response, never from the database: ids are opaque to clients.
import type { RequestSet } from "./load";
import type { TextGenerator } from "./seed";

export type WorkloadName = "view-hot" | "view-cold" | "view-uncached" | "list" | "my-shares" | "share" | "import";

export const VIEW = `query View($link: String!) { sharedConversation(link: $link) { title sharedBy sharedAt messages { role content } } }`;

export const LIST = `query List($first: Int) { conversations(first: $first) {
  edges { node { id title messages { role content } shares { url revokedAt } } }
  pageInfo { hasNextPage endCursor } } }`;

export const MY_SHARES = `query MyShares($first: Int) { myShares(first: $first) {
  edges { node { id url title status attribution viewCount snapshotAt } }
  pageInfo { hasNextPage endCursor } } }`;

export const SHARE = `mutation Share($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url } } }`;

export const IMPORT = `mutation Import($input: ImportShareInput!) { importShare(input: $input) { conversation { id title } } }`;

const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Two answers to the same view on different databases: the same bytes but for when the link was shared. */
export function sameButSharedAt(a: string, b: string): boolean {
  const at = (text: string) => text.indexOf(`"sharedAt":"`);
  const i = at(a);
  const j = at(b);
  return a.length === b.length && i === j && i !== -1 && a.slice(0, i) === b.slice(0, j) && a.slice(i + 36) === b.slice(j + 36);
}

/**
 * A view of each link in turn; our server and the baselines get byte-identical requests, and every answer must be
 * `expected[i]` to the byte (or as `same` judges it).
 */
export function viewRequests(links: readonly string[], expected: readonly string[], same = (a: string, b: string) => a === b): RequestSet {
  if (expected.length !== links.length) throw new Error("viewRequests needs one expected answer per link");
  return { bodies: links.map((link) => body(VIEW, { link })), check: (i, text) => same(text, expected[i]), cursor: { next: 0 } };
}

/** A right answer to a query or mutation: JSON, no errors, `data[field]` present and passing `valid`. */
function resultCheck(field: string, valid: (value: Record<string, unknown>) => boolean = () => true): RequestSet["check"] {
  return (_index, text) => {
    try {
      const parsed = JSON.parse(text) as { data?: Record<string, Record<string, unknown> | null>; errors?: unknown };
      const value = parsed.data?.[field];
      return parsed.errors === undefined && value !== null && value !== undefined && valid(value);
    } catch {
      return false;
    }
  };
}

const edgeCount = (first: number) => (value: Record<string, unknown>) => (value.edges as unknown[]).length === first;

export function listRequests(token: string, first: number): RequestSet {
  return { headers: bearer(token), bodies: [body(LIST, { first })], check: resultCheck("conversations", edgeCount(first)), cursor: { next: 0 } };
}

export function mySharesRequests(token: string, first: number): RequestSet {
  return { headers: bearer(token), bodies: [body(MY_SHARES, { first })], check: resultCheck("myShares", edgeCount(first)), cursor: { next: 0 } };
}

/** An account signed in (its session token) and, for share, the conversation it shares. */
export interface Actor {
  token: string;
  conversationId: string;
}

/** Each actor in turn shares its conversation: spread over enough actors, none reaches SHARES_PER_USER_PER_HOUR. */
export function shareRequests(actors: readonly Actor[]): RequestSet {
  return {
    bodies: actors.map((a) => body(SHARE, { input: { conversationId: a.conversationId } })),
    bodyHeaders: actors.map((a) => bearer(a.token)),
    check: resultCheck("shareConversation"),
    cursor: { next: 0 },
  };
}

/** Each actor in turn imports `link`: spread over enough actors, none reaches IMPORTS_PER_USER_PER_HOUR. */
export function importRequests(actors: readonly Pick<Actor, "token">[], link: string): RequestSet {
  return {
    bodies: actors.map(() => body(IMPORT, { input: { link } })),
    bodyHeaders: actors.map((a) => bearer(a.token)),
    check: resultCheck("importShare"),
    cursor: { next: 0 },
  };
}

/** A GraphQL client for preparing workloads; it fails loudly on any error. */
export class Api {
  private accounts = 0;

  constructor(private readonly baseUrl: string) {
    if (new URL(baseUrl).hostname !== "127.0.0.1") throw new Error(`the benchmark only talks to 127.0.0.1, not ${baseUrl}`);
  }

  async call<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const res = await fetch(`${this.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? bearer(token) : {}) },
      body: body(query, variables),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    const parsed = JSON.parse(text) as { data?: T; errors?: unknown[] };
    if (!res.ok || parsed.errors?.length || !parsed.data) throw new Error(`GraphQL call failed (${res.status}): ${text.slice(0, 500)}`);
    return parsed.data;
  }

  /** Raw response text, for comparing answers byte for byte. */
  async raw(query: string, variables: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${this.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body(query, variables),
      signal: AbortSignal.timeout(60_000),
    });
    return res.text();
  }

  async signUp(name: string): Promise<string> {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const input = { email: `${slug}-${process.pid}-${++this.accounts}@bench.example`, password: "benchmark password, not a secret", displayName: name };
    const data = await this.call<{ signUp: { token: string } }>(`mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, { input });
    return data.signUp.token;
  }

  /** A conversation with `count` messages of about `chars` characters, written one appendMessage at a time. */
  async conversation(token: string, title: string, count: number, chars: number, text: TextGenerator): Promise<string> {
    const created = await this.call<{ createConversation: { conversation: { id: string } } }>(
      `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { id } } }`,
      { input: { title } },
      token,
    );
    const conversationId = created.createConversation.conversation.id;
    for (const message of text.messages(count, chars)) {
      await this.call(`mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id } } }`, { input: { conversationId, ...message } }, token);
    }
    return conversationId;
  }

  /** The opaque ids of all an account's conversations, by title (imports add to them, so every page is read). */
  async conversationIds(token: string): Promise<Map<string, string>> {
    type Page = { conversations: { edges: { node: { id: string; title: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const ids = new Map<string, string>();
    for (let after: string | null = null; ; ) {
      const page: Page = await this.call<Page>(
        `query($after: String) { conversations(first: 100, after: $after) { edges { node { id title } } pageInfo { hasNextPage endCursor } } }`,
        { after },
        token,
      );
      for (const { node } of page.conversations.edges) ids.set(node.title, node.id);
      if (!page.conversations.pageInfo.hasNextPage) return ids;
      after = page.conversations.pageInfo.endCursor;
    }
  }

  /** Shares a conversation; returns the link. */
  async share(token: string, conversationId: string): Promise<string> {
    const data = await this.call<{ shareConversation: { share: { url: string } } }>(SHARE, { input: { conversationId } }, token);
    return data.shareConversation.share.url;
  }
}

/** An owner with `conversations` conversations of `messages` messages, each shared once: the `list` workload's data. */
export async function listOwner(api: Api, conversations: number, messages: number, chars: number, text: TextGenerator): Promise<string> {
  const token = await api.signUp(`List Owner ${conversations}`);
  for (let i = 0; i < conversations; i++) {
    await api.share(token, await api.conversation(token, `Listed conversation ${i}`, messages, chars, text));
  }
  return token;
}

/** What the server's own caches did, from its Prometheus /metrics; absent on servers without them. */
export interface CacheCounters {
  responseHits: number;
  snapshotHits: number;
  snapshotMisses: number;
}

export async function cacheCounters(baseUrl: string): Promise<CacheCounters | null> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
  if (!res?.ok) return null;
  const text = await res.text();
  const value = (line: string) => {
    const at = text.indexOf(`\n${line} `);
    return at === -1 ? null : Number(text.slice(at + line.length + 2).split("\n")[0]);
  };
  const responseHits = value("chat_share_public_response_cache_hits_total");
  const snapshotHits = value('chat_share_snapshot_cache_lookups_total{result="hit"}');
  const snapshotMisses = value('chat_share_snapshot_cache_lookups_total{result="miss"}');
  if (responseHits === null && snapshotHits === null && snapshotMisses === null) return null;
  return { responseHits: responseHits ?? 0, snapshotHits: snapshotHits ?? 0, snapshotMisses: snapshotMisses ?? 0 };
}

export function counterDelta(before: CacheCounters | null, after: CacheCounters | null): CacheCounters | null {
  if (!before || !after) return null;
  return {
    responseHits: after.responseHits - before.responseHits,
    snapshotHits: after.snapshotHits - before.snapshotHits,
    snapshotMisses: after.snapshotMisses - before.snapshotMisses,
  };
}
