// Reads a trusted-documents manifest: GraphQL Code Generator's persisted-documents.json or Apollo's persisted query list.
import { createHash } from "node:crypto";
import fs from "node:fs";

/** The operations a deployment's own clients were built with, by id. */
export class TrustedDocuments {
  private readonly byId = new Map<string, string>();
  // sha256 of each body, so the exact text of a trusted document is recognised when sent as `query`.
  private readonly bodyHashes = new Set<string>();

  constructor(entries: Iterable<[string, string]>) {
    for (const [id, body] of entries) {
      this.byId.set(canonicalId(id), body);
      this.bodyHashes.add(sha256Hex(body));
    }
  }

  get size(): number {
    return this.byId.size;
  }

  /** The document text for an id, or undefined. */
  lookUp(id: string): string | undefined {
    return this.byId.get(canonicalId(id));
  }

  /** Whether this exact text is one of the trusted documents. */
  includesText(query: string): boolean {
    return this.bodyHashes.has(sha256Hex(query));
  }
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * codegen writes "sha256:<hex>" (the GraphQL-over-HTTP persisted documents appendix), Apollo's manifest and APQ
 * send the bare hex: both name the same document.
 */
function canonicalId(id: string): string {
  const sha = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(id);
  return sha ? `sha256:${sha[1].toLowerCase()}` : id;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Apollo's `{ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id, name, type, body }] }`. */
function apolloEntries(manifest: Record<string, unknown>): [string, string][] {
  if (manifest.version !== 1) throw new Error(`unsupported apollo-persisted-query-manifest version ${JSON.stringify(manifest.version)} (supported: 1)`);
  if (!Array.isArray(manifest.operations)) throw new Error("operations must be a list");
  return manifest.operations.map((operation: unknown, i) => {
    if (!isRecord(operation) || typeof operation.id !== "string" || typeof operation.body !== "string" || !operation.id || !operation.body) {
      throw new Error(`operations[${i}] needs a non-empty string id and body`);
    }
    return [operation.id, operation.body];
  });
}

/** codegen's client preset with persistedDocuments: `{ "<id>": "<document text>" }`. */
function codegenEntries(manifest: Record<string, unknown>): [string, string][] {
  return Object.entries(manifest).map(([id, body]) => {
    if (typeof body !== "string" || !body) throw new Error(`the document of "${id}" must be non-empty text`);
    return [id, body];
  });
}

/** Parses a manifest's text; throws an Error whose message says what is wrong with it. */
export function parseManifest(text: string): TrustedDocuments {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new Error("is not valid JSON");
  }
  if (!isRecord(manifest)) throw new Error("must be a JSON object (codegen's persisted-documents.json or Apollo's persisted query manifest)");
  const entries = manifest.format === "apollo-persisted-query-manifest" ? apolloEntries(manifest) : codegenEntries(manifest);
  if (entries.length === 0) throw new Error("holds no documents");
  return new TrustedDocuments(entries);
}

export function loadManifest(file: string): TrustedDocuments {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseManifest(text);
}
