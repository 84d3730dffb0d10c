// The stored-bytes baseline, the least work any server can do for a view: node:http and one prepared statement
// returning the answer's bytes, rendered once per link when the bench seeded it (storeViews) and checked to be
// byte-identical to our server's. Configured with STORED_VIEWS_URL=sqlite:<path>, SHARE_BASE_URL, HOST, PORT.
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { serveViews, sqlitePath } from "./http";
import { answerReader, NULL_ANSWER } from "./render";

/** Renders every share of the database at `from` once, into a `views` table of a new database at `to`. */
export function storeViews(from: string, to: string): number {
  const source = new Database(from, { readonly: true, fileMustExist: true });
  const target = new Database(to);
  try {
    target.exec("CREATE TABLE views (token_hash TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID");
    const answer = answerReader(source);
    const insert = target.prepare("INSERT INTO views (token_hash, body) VALUES (?, ?)");
    const hashes = source.prepare("SELECT token_hash FROM shares").pluck().all() as string[];
    target.transaction(() => {
      for (const hash of hashes) insert.run(hash, Buffer.from(answer(hash)));
    })();
    return hashes.length;
  } finally {
    source.close();
    target.close();
  }
}

function serve(): void {
  const db = new Database(sqlitePath(process.env.STORED_VIEWS_URL, "STORED_VIEWS_URL"), { readonly: true, fileMustExist: true });
  const findBody = db.prepare<[string], Buffer>("SELECT body FROM views WHERE token_hash = ?").pluck();
  const nullAnswer = Buffer.from(NULL_ANSWER);
  serveViews("stored-bytes baseline", (token) => findBody.get(createHash("sha256").update(token).digest("hex")) ?? nullAnswer, () => db.close());
}

if (require.main === module) serve();
