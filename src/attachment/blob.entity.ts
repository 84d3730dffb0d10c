// The bytes of every stored file, once per distinct content: attachments, snapshots and imports refer to them by hash.
import { Column, Entity, PrimaryColumn } from "typeorm";
import { ENTITY_DIALECT } from "../db/columns";
import { TimestampColumn } from "../db/columns";

@Entity({ name: "attachment_blobs" })
export class Blob {
  /** Hex SHA-256 of `bytes`: the same content is stored once, whoever uploads it. */
  @PrimaryColumn({ type: "varchar", length: 64 })
  sha256!: string;

  @Column({ type: ENTITY_DIALECT === "postgres" ? "bytea" : "blob" })
  bytes!: Buffer;

  @Column({ type: "integer" })
  size!: number;

  @TimestampColumn("created_at")
  createdAt!: Date;
}
