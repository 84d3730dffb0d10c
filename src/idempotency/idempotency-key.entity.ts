import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { TimestampColumn } from "../db/columns";

/** Remembers what a retried request created the first time, per user and client-chosen key. */
@Entity({ name: "idempotency_keys" })
@Index("idempotency_keys_created_at_idx", ["createdAt"])
export class IdempotencyKey {
  @PrimaryColumn({ type: "varchar", length: 36, name: "user_id" })
  userId!: string;

  @PrimaryColumn({ type: "varchar", length: 100 })
  key!: string;

  /** Which mutation used the key: reusing it for another one is refused. */
  @Column({ type: "varchar", length: 32 })
  operation!: string;

  /** Database id of what the first request created. */
  @Column({ type: "varchar", length: 36, name: "result_id" })
  resultId!: string;

  @TimestampColumn("created_at")
  createdAt!: Date;
}
