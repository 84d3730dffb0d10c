import type { MigrationInterface, QueryRunner } from "typeorm";

/** Files attached to messages: references (uploads, attachments, snapshot copies) to content-addressed blobs (PostgreSQL). */
export class PostgresAttachments1764600000001 implements MigrationInterface {
  name = "PostgresAttachments1764600000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "attachment_blobs" (
      "sha256" varchar(64) PRIMARY KEY NOT NULL,
      "bytes" bytea NOT NULL,
      "size" integer NOT NULL,
      "created_at" timestamptz NOT NULL)`);
    await q.query(`CREATE TABLE "attachments" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "owner_id" varchar(36) NOT NULL,
      "conversation_id" varchar(36),
      "message_id" varchar(36),
      "share_id" varchar(36),
      "position" integer NOT NULL DEFAULT 0,
      "kind" varchar(16) NOT NULL,
      "type" varchar(100) NOT NULL,
      "size" integer NOT NULL,
      "name" varchar(255) NOT NULL,
      "width" integer,
      "height" integer,
      "blob_sha256" varchar(64) NOT NULL,
      "thumbnail_sha256" varchar(64),
      "created_at" timestamptz NOT NULL,
      CONSTRAINT "attachments_blob_sha256_fkey" FOREIGN KEY ("blob_sha256") REFERENCES "attachment_blobs" ("sha256") ON DELETE NO ACTION ON UPDATE NO ACTION,
      CONSTRAINT "attachments_thumbnail_sha256_fkey" FOREIGN KEY ("thumbnail_sha256") REFERENCES "attachment_blobs" ("sha256") ON DELETE NO ACTION ON UPDATE NO ACTION)`);
    await q.query(`CREATE INDEX "attachments_owner_id_idx" ON "attachments" ("owner_id")`);
    await q.query(`CREATE INDEX "attachments_message_id_idx" ON "attachments" ("message_id", "position")`);
    await q.query(`CREATE INDEX "attachments_conversation_id_idx" ON "attachments" ("conversation_id")`);
    await q.query(`CREATE INDEX "attachments_share_id_idx" ON "attachments" ("share_id")`);
    await q.query(`CREATE INDEX "attachments_blob_idx" ON "attachments" ("blob_sha256")`);
    await q.query(`CREATE INDEX "attachments_thumbnail_idx" ON "attachments" ("thumbnail_sha256")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "attachments"`);
    await q.query(`DROP TABLE "attachment_blobs"`);
  }
}
