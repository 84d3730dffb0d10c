// The parsing baseline: node:http and one prepared better-sqlite3 statement over the same database, parsing the
// snapshot and serialising the same JSON as our `sharedConversation` query on every request. Configured like our
// server: DATABASE_URL=sqlite:<path>, SHARE_BASE_URL, HOST, PORT.
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { serveViews, sqlitePath } from "./http";
import { answerReader } from "./render";

const db = new Database(sqlitePath(process.env.DATABASE_URL), { fileMustExist: true });
db.pragma("busy_timeout = 5000");
const answer = answerReader(db);

serveViews("baseline", (token) => answer(createHash("sha256").update(token).digest("hex")), () => db.close());
