// A link's view total, in a narrow row of its own: the batched flush rewrites it often, and on SQLite updating a
// column of a shares row rebuilds the whole record, snapshot and all.
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { TimestampColumn } from "../db/columns";
import { Share } from "./share.entity";

/** Views written by the view counter's flush; a link never viewed has no row. Nothing about the viewer. */
@Entity({ name: "share_view_totals" })
export class ShareViewTotal {
  @PrimaryColumn({ type: "varchar", length: 36, name: "share_id" })
  shareId!: string;

  @ManyToOne(() => Share, { onDelete: "CASCADE" })
  @JoinColumn({ name: "share_id", foreignKeyConstraintName: "share_view_totals_share_id_fkey" })
  share?: never;

  @Column({ type: "integer", name: "view_count", default: 0 })
  viewCount!: number;

  @TimestampColumn("last_viewed_at", { nullable: true })
  lastViewedAt!: Date | null;
}
