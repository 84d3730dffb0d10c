// The practical limit of the view path on this machine: node:http and one prepared better-sqlite3 statement over the
// same database, answering the same POST body with the same JSON as our `sharedConversation` query. No GraphQL, no
// ORM, no cache. Configured like our server: DATABASE_URL=sqlite:<path>, SHARE_BASE_URL, HOST, PORT.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";

const MAX_BODY_BYTES = 1024 * 1024;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

interface Row {
  snapshot: string;
  attribution: string;
  snapshotAt: string;
  revokedAt: string | null;
  expiresAt: string | null;
  disabledAt: string | null;
  displayName: string;
  deactivatedAt: string | null;
}

interface SharedConversation {
  title: string;
  sharedBy: string | null;
  sharedAt: string;
  messages: { role: string; content: string }[];
}

const databaseUrl = process.env.DATABASE_URL ?? "";
if (!databaseUrl.startsWith("sqlite:")) throw new Error("DATABASE_URL must be sqlite:<path>");
const baseUrl = process.env.SHARE_BASE_URL ?? "http://localhost:4000/share/";

const db = new Database(databaseUrl.slice("sqlite:".length).replace(/^\/\/(?=\/)/, ""), { fileMustExist: true });
db.pragma("busy_timeout = 5000");
const findByTokenHash = db.prepare<[string], Row>(
  `SELECT s.snapshot AS snapshot, s.attribution AS attribution, s.snapshot_at AS snapshotAt, s.revoked_at AS revokedAt,
          s.expires_at AS expiresAt, s.disabled_at AS disabledAt, u.display_name AS displayName, u.deactivated_at AS deactivatedAt
     FROM shares s JOIN users u ON u.id = s.owner_id
    WHERE s.token_hash = ?`,
);

/** The token in a full link or a bare token, as ShareLinks.tokenOf accepts them; null for anything else. */
function tokenOf(link: string): string | null {
  const candidate = link.trim();
  if (TOKEN.test(candidate)) return candidate;
  if (candidate.startsWith(baseUrl) && TOKEN.test(candidate.slice(baseUrl.length))) return candidate.slice(baseUrl.length);
  return null;
}

// SQLite keeps "YYYY-MM-DD HH:MM:SS.SSS" in UTC.
function utc(value: string): Date {
  return new Date(value.replace(" ", "T") + "Z");
}

/** The same liveness rules as ShareService: revoked, expired, disabled or a deactivated owner all show nothing. */
function view(token: string): SharedConversation | null {
  const row = findByTokenHash.get(createHash("sha256").update(token).digest("hex"));
  if (!row || row.deactivatedAt !== null || row.disabledAt !== null || row.revokedAt !== null) return null;
  if (row.expiresAt !== null && utc(row.expiresAt).getTime() <= Date.now()) return null;
  const snapshot = JSON.parse(row.snapshot) as { title: string; messages: SharedConversation["messages"] };
  return {
    title: snapshot.title,
    sharedBy: row.attribution === "NAMED" ? row.displayName : null,
    sharedAt: utc(row.snapshotAt).toISOString(),
    messages: snapshot.messages,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  // Apollo ends its JSON with a newline; so do we, so both bodies are byte for byte the same.
  const text = JSON.stringify(body) + "\n";
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "access-control-allow-origin": "*",
  });
  res.end(text);
}

function badInput(res: ServerResponse, message: string): void {
  send(res, 400, { errors: [{ message, extensions: { code: "BAD_USER_INPUT" } }] });
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function handleView(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  if (raw === null) return badInput(res, "The request body is too large.");
  let link: unknown;
  try {
    link = (JSON.parse(raw) as { variables?: { link?: unknown } }).variables?.link;
  } catch {
    return badInput(res, "The request body is not valid JSON.");
  }
  const token = typeof link === "string" ? tokenOf(link) : null;
  if (token === null) return badInput(res, "variables.link is not a share link or token.");
  send(res, 200, { data: { sharedConversation: view(token) } });
}

const server = http.createServer((req, res) => {
  if (req.url === "/healthz") return send(res, 200, { status: "ok" });
  if (req.method !== "POST" || req.url !== "/graphql") return send(res, 404, { error: "Only POST /graphql (a view) and /healthz." });
  handleView(req, res).catch((error: unknown) => {
    process.stderr.write(`baseline: ${error instanceof Error ? error.stack : String(error)}\n`);
    if (!res.headersSent) send(res, 500, { errors: [{ message: "Internal server error." }] });
    else res.destroy();
  });
});

function stop(): void {
  server.close();
  server.closeAllConnections();
  db.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  process.stderr.write(`baseline listening on http://${process.env.HOST ?? "127.0.0.1"}:${port}/graphql\n`);
});
