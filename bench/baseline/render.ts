// The parse-and-serialise answer to a view, as any server that returns a stored snapshot must build it: read the
// row, check the link is live, parse the snapshot, serialise the response. Used by the parsing baseline on every
// request, and once per link by storeViews for the stored-bytes baseline.
import Database from "better-sqlite3";

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

export const NULL_ANSWER = `{"data":{"sharedConversation":null}}\n`;

// SQLite keeps "YYYY-MM-DD HH:MM:SS.SSS" in UTC.
function utc(value: string): Date {
  return new Date(value.replace(" ", "T") + "Z");
}

/** The same liveness rules as ShareService: revoked, expired, disabled or a deactivated owner all show nothing. */
function answerOf(row: Row | undefined): string {
  if (!row || row.deactivatedAt !== null || row.disabledAt !== null || row.revokedAt !== null) return NULL_ANSWER;
  if (row.expiresAt !== null && utc(row.expiresAt).getTime() <= Date.now()) return NULL_ANSWER;
  const snapshot = JSON.parse(row.snapshot) as { title: string; messages: { role: string; content: string }[] };
  const view = {
    title: snapshot.title,
    sharedBy: row.attribution === "NAMED" ? row.displayName : null,
    sharedAt: utc(row.snapshotAt).toISOString(),
    messages: snapshot.messages,
  };
  return JSON.stringify({ data: { sharedConversation: view } }) + "\n";
}

/** A function from a link's token hash (sha256, hex) to the answer's text, reading `db` with one prepared statement. */
export function answerReader(db: Database.Database): (tokenHash: string) => string {
  const findByTokenHash = db.prepare<[string], Row>(
    `SELECT s.snapshot AS snapshot, s.attribution AS attribution, s.snapshot_at AS snapshotAt, s.revoked_at AS revokedAt,
            s.expires_at AS expiresAt, s.disabled_at AS disabledAt, u.display_name AS displayName, u.deactivated_at AS deactivatedAt
       FROM shares s JOIN users u ON u.id = s.owner_id
      WHERE s.token_hash = ?`,
  );
  return (tokenHash) => answerOf(findByTokenHash.get(tokenHash));
}
