// Turns a request that names a trusted document (documentId, or an APQ hash) into one that carries its text, before
// Apollo sees it; with TRUSTED_DOCUMENTS_ONLY, refuses every other document before it is parsed.
import type { TrustedDocuments } from "./manifest";

export interface TrustedDocumentsOptions {
  documents: TrustedDocuments;
  /** Refuse every document that is not in the manifest, APQ registrations included. */
  only: boolean;
}

/** The parts of a GraphQL HTTP request this looks at: the parsed POST body, or the GET query string. */
export interface GraphQLHttpRequest {
  method: string;
  body: unknown;
  search: string;
}

/** An answer given instead of running the request, in the shape of Apollo's own errors. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
}

export type Resolution = { request: GraphQLHttpRequest } | { refusal: Refusal };

interface Fields {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

const NOT_FOUND: Refusal = {
  status: 200,
  // Apollo's code and cache rule for an unknown hash, so persisted-query clients (and CDNs) react as they already do.
  code: "PERSISTED_QUERY_NOT_FOUND",
  message: "PersistedQueryNotFound: no trusted document has this id. Regenerate the manifest and redeploy, or update the app.",
  headers: { "cache-control": "private, no-cache, must-revalidate" },
};

const NOT_TRUSTED: Refusal = {
  status: 400,
  code: "BAD_USER_INPUT",
  message: "This server runs only the operations registered in its trusted-documents manifest (TRUSTED_DOCUMENTS_ONLY): send the documentId of a registered operation instead of query text.",
  headers: {},
};

function badInput(message: string): Refusal {
  return { ...NOT_TRUSTED, message };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function persistedHash(extensions: unknown): string | undefined {
  const persisted = isRecord(extensions) ? extensions.persistedQuery : undefined;
  return isRecord(persisted) && typeof persisted.sha256Hash === "string" ? persisted.sha256Hash : undefined;
}

/** What to run: the text of a trusted document, the request as it is (undefined), or a refusal. */
function decide({ query, documentId, extensions }: Fields, { documents, only }: TrustedDocumentsOptions): { query: string } | { refusal: Refusal } | undefined {
  const hasQuery = typeof query === "string" && query !== "";
  if (documentId !== undefined) {
    if (typeof documentId !== "string") return { refusal: badInput("documentId must be a string.") };
    if (hasQuery) return { refusal: badInput("Send either documentId or query, not both.") };
    const text = documents.lookUp(documentId);
    return text === undefined ? { refusal: NOT_FOUND } : { query: text };
  }
  const hash = persistedHash(extensions);
  if (hash !== undefined && !hasQuery) {
    // The manifest first; what it does not hold is Apollo's automatic persisted queries' business, unless refused.
    const text = documents.lookUp(hash);
    if (text !== undefined) return { query: text };
    return only ? { refusal: NOT_FOUND } : undefined;
  }
  if (!only || !hasQuery) return undefined;
  return documents.includesText(query as string) ? { query: query as string } : { refusal: NOT_TRUSTED };
}

function withoutPersistedQuery(extensions: unknown): Record<string, unknown> | undefined {
  if (!isRecord(extensions)) return undefined;
  const { persistedQuery: _dropped, ...rest } = extensions;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function resolvePost(request: GraphQLHttpRequest, options: TrustedDocumentsOptions): Resolution {
  if (!isRecord(request.body)) return { request };
  const decision = decide(request.body, options);
  if (!decision) return { request };
  if ("refusal" in decision) return decision;
  // Resolved documents never reach Apollo's APQ cache: nothing is registered, nothing is looked up there.
  const { documentId: _id, extensions, ...rest } = request.body;
  const kept = withoutPersistedQuery(extensions);
  return { request: { ...request, body: { ...rest, query: decision.query, ...(kept ? { extensions: kept } : {}) } } };
}

function resolveGet(request: GraphQLHttpRequest, options: TrustedDocumentsOptions): Resolution {
  const params = new URLSearchParams(request.search);
  const extensions = parseJson(params.get("extensions"));
  const decision = decide({ query: params.get("query") ?? undefined, documentId: params.get("documentId") ?? undefined, extensions }, options);
  if (!decision) return { request };
  if ("refusal" in decision) return decision;
  params.delete("documentId");
  params.set("query", decision.query);
  const kept = withoutPersistedQuery(extensions);
  if (kept) params.set("extensions", JSON.stringify(kept));
  else params.delete("extensions");
  return { request: { ...request, search: `?${params}` } };
}

export function resolveTrustedDocument(request: GraphQLHttpRequest, options: TrustedDocumentsOptions): Resolution {
  return request.method === "GET" ? resolveGet(request, options) : resolvePost(request, options);
}
