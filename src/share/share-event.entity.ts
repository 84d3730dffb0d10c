// What happened to a link, and how often it was viewed per day: counts, settings and public reasons only, never who.
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { registerEnumType } from "type-graphql";
import { IdColumn, RefColumn, TimestampColumn } from "../db/columns";
import { Share } from "./share.entity";

/** A new kind is one line here (and a recordShareEvent call where it happens); AGGREGATED says whether it is counted per day. */
export enum ShareEventKind {
  CREATED = "CREATED",
  ATTRIBUTION_CHANGED = "ATTRIBUTION_CHANGED",
  AUDIENCE_CHANGED = "AUDIENCE_CHANGED",
  REFRESHED = "REFRESHED",
  REVOKED = "REVOKED",
  EXPIRED = "EXPIRED",
  DISABLED = "DISABLED",
  REENABLED = "REENABLED",
  IMPORTED = "IMPORTED",
  REPORTED = "REPORTED",
}
registerEnumType(ShareEventKind, {
  name: "ShareActivityKind",
  description: "What happened to a link.",
  valuesConfig: {
    CREATED: { description: "The link was created; messageCount says how many messages its snapshot held." },
    ATTRIBUTION_CHANGED: { description: "Its owner changed who viewers see as its author; newValue is the new ShareAttribution." },
    AUDIENCE_CHANGED: { description: "Its owner changed who may open it; newValue is the new ShareAudience." },
    REFRESHED: { description: "Its owner replaced the snapshot; messageCount says how many messages the new one holds." },
    REVOKED: { description: "Its owner revoked it." },
    EXPIRED: { description: "It reached its expiresAt (derived from expiresAt, not stored)." },
    DISABLED: { description: "A moderator disabled it; reason is what its owner is told." },
    REENABLED: { description: "A moderator enabled it again; reason is what its owner is told." },
    IMPORTED: { description: "Signed-in viewers copied it into their conversations: count is how many that UTC day. Never who." },
    REPORTED: { description: "Someone reported it to the moderators: count is how many reports that UTC day. Never who." },
  },
});

/** Kinds stored as one row per link and UTC day with a count, rather than one row per occurrence. */
export const AGGREGATED_KINDS: ReadonlySet<ShareEventKind> = new Set([ShareEventKind.IMPORTED, ShareEventKind.REPORTED]);

/** Kinds a moderator may read on a reported link; the rest is for its owner only. */
export const MODERATION_KINDS: readonly ShareEventKind[] = [ShareEventKind.DISABLED, ShareEventKind.REENABLED, ShareEventKind.REPORTED];

@Entity({ name: "share_events" })
@Index("share_events_share_id_idx", ["shareId", "id"])
@Index("share_events_share_kind_day_key", ["shareId", "kind", "day"], { unique: true })
export class ShareEvent {
  /** UUIDv7: newest first by id is newest first in time, which keeps activity cursors stable. */
  @IdColumn()
  id!: string;

  @RefColumn("share_id")
  shareId!: string;

  @ManyToOne(() => Share, { onDelete: "CASCADE" })
  @JoinColumn({ name: "share_id", foreignKeyConstraintName: "share_events_share_id_fkey" })
  share?: never;

  @Column({ type: "varchar", length: 32 })
  kind!: ShareEventKind;

  /** When it happened; for an aggregated kind, its first occurrence that day. */
  @TimestampColumn("at")
  at!: Date;

  /** UTC day (YYYY-MM-DD) of an aggregated kind, unique per link and kind; null for the others (NULLs never collide). */
  @Column({ type: "varchar", length: 10, nullable: true })
  day!: string | null;

  /** Messages in the snapshot (CREATED, REFRESHED) or occurrences that day (aggregated kinds). */
  @Column({ type: "integer", nullable: true })
  count!: number | null;

  /** A setting's new value, as its enum spells it (ATTRIBUTION_CHANGED, and any later *_CHANGED). */
  @Column({ type: "varchar", length: 32, name: "new_value", nullable: true })
  newValue!: string | null;

  /** The moderator's reason, which the owner is shown anyway. */
  @Column({ type: "varchar", length: 500, nullable: true })
  reason!: string | null;
}

/** Views of a link per UTC day, written by the view counter's batched flush. Nothing about the viewer. */
@Entity({ name: "share_view_days" })
export class ShareViewDay {
  @PrimaryColumn({ type: "varchar", length: 36, name: "share_id" })
  shareId!: string;

  @PrimaryColumn({ type: "varchar", length: 10 })
  day!: string;

  @ManyToOne(() => Share, { onDelete: "CASCADE" })
  @JoinColumn({ name: "share_id", foreignKeyConstraintName: "share_view_days_share_id_fkey" })
  share?: never;

  @Column({ type: "integer" })
  views!: number;
}

/** The UTC day of a moment, as stored in `day` columns. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
