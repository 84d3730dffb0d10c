// Whole HTTP responses of public shared-link views, kept in memory so a viral link skips GraphQL execution entirely.
// Only responses Apollo marked publicly cacheable are kept, and every link invalidation empties the cache.
// Staleness: at most the response's max-age (SHARE_CACHE_MAX_AGE_SECONDS), or the link's expiry if sooner.
// Bytes: at most maxBytes (RESPONSE_CACHE_MAX_BYTES) of keys and headers as V8 stores them and bodies as bytes; one entry at
// most a quarter of that. Once full, a response is kept from its second sighting on (see second-sighting.ts).
import { createHash } from "node:crypto";
import { SecondSighting } from "./second-sighting";

export interface CachedResponse {
  status: number;
  headers: [string, string][];
  /** The body as sent: bytes, so a hit is written without encoding it or measuring it again. */
  body: Buffer;
  /** The shares the response shows: each hit counts a view of them. */
  shareIds: string[];
  /** Epoch ms after which the entry is stale (the cache hint's max-age, or a shown link's expiry if sooner). */
  staleAt: number;
}

interface Entry extends CachedResponse {
  bytes: number;
}

/** What the request asks for, as a client sends it in a JSON body or in a GET's query string. */
export interface OperationRequest {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

/** Past this depth variables are refused anyway (see request-limits), so they are never worth a key. */
const MAX_VARIABLES_DEPTH = 32;

/** JSON with every object's keys sorted, so key order never makes two keys; undefined when nested too deep. */
function canonicalJson(value: unknown, depth = 0): string | undefined {
  if (depth > MAX_VARIABLES_DEPTH) return undefined;
  if (value === null || typeof value !== "object") return JSON.stringify(value) as string | undefined;
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const part = canonicalJson(item, depth + 1);
      if (part === undefined) return undefined;
      parts.push(part);
    }
    return `[${parts.join(",")}]`;
  }
  for (const key of Object.keys(value).sort()) {
    const part = canonicalJson((value as Record<string, unknown>)[key], depth + 1);
    if (part === undefined) return undefined;
    parts.push(`${JSON.stringify(key)}:${part}`);
  }
  return `{${parts.join(",")}}`;
}

/**
 * The operation a request asks for: its document's SHA-256 (the persisted-query hash when only that is sent, which
 * Apollo checks is the same SHA-256 of the same text), its operation name and its variables in canonical form. So
 * the same operation sent with other white space or key order in its JSON is one key, and nothing is parsed twice.
 * Undefined for what cannot be a public view worth keeping.
 */
export function operationKey(request: OperationRequest): string | undefined {
  const persisted = (request.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  let document: string;
  if (typeof request.query === "string") document = createHash("sha256").update(request.query).digest("hex");
  else if (request.query === undefined && typeof persisted === "string") document = persisted;
  else return undefined;
  const name = request.operationName ?? "";
  const variables = canonicalJson(request.variables ?? {});
  if (typeof name !== "string" || variables === undefined) return undefined;
  return `${document}\n${name}\n${variables}`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("base64");
}

/** Bytes V8 holds for a string: one per character when all fit in Latin-1, else two. */
function stringBytes(text: string): number {
  return /[^\u0000-\u00ff]/.test(text) ? 2 * text.length : text.length;
}

/** What an entry is counted as, given its body's length in bytes. */
function entryBytes(key: string, bodyBytes: number, entry: Pick<CachedResponse, "headers" | "shareIds">): number {
  let bytes = stringBytes(key) + bodyBytes + 64 * entry.shareIds.length + 200;
  for (const [name, value] of entry.headers) bytes += name.length + value.length + 32;
  return bytes;
}

export class PublicResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly sightings = new SecondSighting();
  /** Bumped by every clear: a response computed before a clear is never stored after it. */
  generation = 0;

  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get(key: string, now = Date.now()): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.staleAt <= now) {
      this.bytes -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  /** Keeps a response; its body is given as text and encoded only once it is admitted. */
  set(key: string, response: Omit<CachedResponse, "body"> & { body: string }, computedAtGeneration: number): void {
    if (!this.enabled || computedAtGeneration !== this.generation) return;
    const previous = this.entries.get(key);
    // Whether keeping it would evict another entry is judged first on the whole entry counted with its text's length
    // (its bytes are at least that), so most responses of a long tail are refused before they are encoded. The body
    // alone is not enough: a full cache would let in every response that fits the room its last eviction left, and
    // evict again. Keys can be long (variables): the doorkeeper keeps their hash.
    const evicts = (bytes: number) => !previous && this.bytes + bytes > this.maxBytes;
    const asked = evicts(entryBytes(key, response.body.length, response));
    if (asked && !this.sightings.admits(sha256(key), this.entries.size)) return;
    const body = Buffer.from(response.body, "utf8");
    const entry = { ...response, body, bytes: entryBytes(key, body.length, response) };
    if (entry.bytes > this.maxBytes / 4) return;
    // Text beyond ASCII takes more bytes than its length: only now may it turn out to evict.
    if (!asked && evicts(entry.bytes) && !this.sightings.admits(sha256(key), this.entries.size)) return;
    if (previous) this.bytes -= previous.bytes;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes;
    }
  }

  /** Bytes held now, as counted against maxBytes. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** After any change to what a link shows, anywhere: coarse, but views vastly outnumber changes. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.bytes = 0;
  }
}
