// Writes a link's history. Every call takes the manager of the transaction making the change it records, so a
// crash cannot keep one without the other.
import type { EntityManager } from "typeorm";
import { newId } from "../common/ids";
import { timestampParam } from "../db/dialect";
import { AGGREGATED_KINDS, ShareEvent, type ShareEventKind, utcDay } from "./share-event.entity";

export interface ShareEventDetails {
  /** Messages in the snapshot (CREATED, REFRESHED). */
  messageCount?: number;
  /** A setting's new value (ATTRIBUTION_CHANGED and any later *_CHANGED). */
  newValue?: string;
  /** A moderator's public reason (DISABLED, REENABLED). */
  reason?: string;
}

/** One event per share, all at `at` (revokeAllShares records many at once, in one statement). */
export async function recordShareEvents(
  manager: EntityManager,
  shareIds: readonly string[],
  kind: ShareEventKind,
  details: ShareEventDetails = {},
  at = new Date(),
): Promise<void> {
  if (AGGREGATED_KINDS.has(kind)) throw new Error(`${kind} is counted per day: use countShareEvent`);
  if (shareIds.length === 0) return;
  const rows = shareIds.map((shareId) => ({
    id: newId(),
    shareId,
    kind,
    at,
    day: null,
    count: details.messageCount ?? null,
    newValue: details.newValue ?? null,
    reason: details.reason ?? null,
  }));
  await manager.insert(ShareEvent, rows);
}

/**
 * Adds one to the share's count of `kind` for the UTC day of `at`: one upsert, which both dialects spell the same
 * way. On PostgreSQL, concurrent increments of one row queue on its lock, and neither is lost.
 */
export async function countShareEvent(manager: EntityManager, shareId: string, kind: ShareEventKind, at = new Date()): Promise<void> {
  if (!AGGREGATED_KINDS.has(kind)) throw new Error(`${kind} is recorded one by one: use recordShareEvents`);
  const pg = manager.connection.options.type === "postgres";
  const p = (i: number) => (pg ? `$${i}` : "?");
  await manager.query(
    `INSERT INTO share_events (id, share_id, kind, at, day, count) VALUES (${[1, 2, 3, 4, 5].map(p).join(", ")}, 1)
     ON CONFLICT (share_id, kind, day) DO UPDATE SET count = share_events.count + 1`,
    [newId(), shareId, kind, timestampParam(manager.connection, at), utcDay(at)],
  );
}
