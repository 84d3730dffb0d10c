// The public response cache at the GraphQL door: which requests it may answer, answering them (each hit still
// spends the viewer's allowance and counts a view), and keeping new answers that showed working links, never those
// that depend on who asks.
// The cache itself, and its staleness and byte bounds, are in public-response-cache.ts.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HTTPGraphQLResponse } from "@apollo/server";
import { operationKey, type OperationRequest, type PublicResponseCache } from "./public-response-cache";

/**
 * What the read path tells the request it answers: every share a view showed, with until when that answer may be
 * reused, and whether the answer depends on who asks (a SIGNED_IN link, shown to a session or refused to an
 * anonymous request: such a response is never kept, whatever else it showed, and is sent `private, no-store`).
 * Calls that answer no cacheable request (the share page, a mutation) are given none.
 */
export interface ShownLinks {
  shown(shareId: string, freshUntil: Date): void;
  private(): void;
}

/** What one request's execution showed publicly, and the cache generation it started at. */
class Recording implements ShownLinks {
  readonly links: { shareId: string; freshUntil: Date }[] = [];
  /** Whether its answer depends on who asks. */
  isPrivate = false;

  constructor(readonly generation: number) {}

  shown(shareId: string, freshUntil: Date): void {
    this.links.push({ shareId, freshUntil });
  }

  private(): void {
    this.isPrivate = true;
  }
}

/** What every response is sent with once it depends on who asks: no cache, shared or the browser's, may keep it. */
export const CACHE_CONTROL_PRIVATE = "private, no-store";

/**
 * Counts a view of these shares for a client; false once that client's allowance is spent, or when the answer may no
 * longer be shown once the allowance was checked (`stillShown`, asked after that wait and before counting).
 */
export type CountCachedView = (clientIp: string, shareIds: readonly string[], stillShown: () => boolean) => Promise<boolean>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A GET's operation, as Apollo reads it from the query string; undefined variables when they are not JSON. */
function searchParams(search: string): OperationRequest {
  const params = new URLSearchParams(search);
  const json = (name: string): unknown => {
    const text = params.get(name);
    if (text === null) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return Symbol("not JSON"); // never a key: canonical JSON has no symbols
    }
  };
  return { query: params.get("query") ?? undefined, operationName: params.get("operationName") ?? undefined, variables: json("variables"), extensions: json("extensions") };
}

export class PublicResponses {
  constructor(
    private readonly cache: PublicResponseCache,
    private readonly countCachedView: CountCachedView,
    /** Told of every request answered from the cache (metrics). */
    private readonly onHit: () => void = () => {},
    /** Whether other instances publish invalidations to this one (Redis). */
    private readonly shared = false,
  ) {}

  /**
   * The key of a request whose response may come from the cache: the operation it asks for (see operationKey), how
   * it came and what the client accepts, which changes the response's type. GETs count only with the preflight
   * header, as Apollo's CSRF prevention requires. The body is the one already parsed (and resolved) for Apollo.
   */
  keyOf(req: IncomingMessage, body: unknown, search: string): string | undefined {
    if (!this.cache.enabled) return undefined;
    let operation: string | undefined;
    if (req.method === "POST" && (req.headers["content-type"] ?? "").startsWith("application/json") && isObject(body)) operation = operationKey(body);
    else if (req.method === "GET" && search && req.headers["apollo-require-preflight"]) operation = operationKey(searchParams(search));
    return operation && `${req.method} ${req.headers.accept ?? ""}\n${operation}`;
  }

  /** Answers from the cache when it holds a fresh answer and the client may view more; true when it answered. */
  async answer(key: string, clientIp: string, res: ServerResponse): Promise<boolean> {
    // As the link reader does: an invalidation another instance published before this request was sent is already in
    // our Redis socket, and one event-loop turn lets it be applied before the cache is read. One that arrives while
    // the client's allowance is checked (a Redis round trip too) empties the cache meanwhile: the answer read before
    // it is then not sent, and the request is executed instead.
    if (this.shared) await new Promise((resolve) => setImmediate(resolve));
    const generation = this.cache.generation;
    const hit = this.cache.get(key);
    if (!hit || !(await this.countCachedView(clientIp, hit.shareIds, () => this.cache.generation === generation))) return false;
    this.onHit();
    // Only what is left of the freshness it was cached with, so shared caches downstream never add a second max-age.
    const remaining = Math.max(0, Math.floor((hit.staleAt - Date.now()) / 1000));
    res.writeHead(hit.status, { ...Object.fromEntries(hit.headers), "cache-control": remaining > 0 ? `max-age=${remaining}, public` : "no-store" });
    res.end(hit.body);
    return true;
  }

  /**
   * Runs `execute` with a record for the read path to fill (the request's context carries it: no async-local
   * storage, whose promise hooks would slow every promise of the process), marks its response private when it
   * depends on who asks, else keeps it under `key` when it may be (see remember). Every request is recorded,
   * cacheable or not, so no private answer goes out with a public header.
   */
  async keep(key: string | undefined, execute: (shown: ShownLinks) => Promise<HTTPGraphQLResponse>): Promise<HTTPGraphQLResponse> {
    const shown = new Recording(this.cache.generation);
    const response = await execute(shown);
    if (shown.isPrivate) response.headers.set("cache-control", CACHE_CONTROL_PRIVATE);
    else if (key) this.remember(key, response, shown);
    return response;
  }

  /**
   * Keeps a response that Apollo found publicly cacheable (and error-free) and that showed a working link, for as
   * long as it may be cached, and no longer than the links it shows are trusted (their cache age bound). Answers
   * about dead or unknown links are not kept: random tokens must not be able to push the hot links out.
   */
  private remember(key: string, response: HTTPGraphQLResponse, { generation, links: shown }: Recording): void {
    if (shown.length === 0) return;
    const maxAge = /^max-age=(\d+), public$/.exec(response.headers.get("cache-control") ?? "");
    if (!maxAge || (response.status ?? 200) !== 200 || response.body.kind !== "complete") return;
    let staleAt = Date.now() + Number(maxAge[1]) * 1000;
    for (const { freshUntil } of shown) staleAt = Math.min(staleAt, freshUntil.getTime());
    if (staleAt <= Date.now()) return;
    this.cache.set(key, { status: 200, headers: [...response.headers], body: response.body.string, shareIds: shown.map((s) => s.shareId), staleAt }, generation);
  }
}
