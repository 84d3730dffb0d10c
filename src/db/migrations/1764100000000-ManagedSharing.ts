import type { MigrationInterface, QueryRunner } from "typeorm";

/** Expiry, moderation, view counts and refreshable snapshots on shares; roles; import provenance; share reports. */
export class ManagedSharing1764100000000 implements MigrationInterface {
  name = "ManagedSharing1764100000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD COLUMN "role" varchar(16) NOT NULL DEFAULT ('USER')`);

    await q.query(`ALTER TABLE "conversations" ADD COLUMN "imported_from_title" varchar(200)`);
    await q.query(`ALTER TABLE "conversations" ADD COLUMN "imported_from_shared_at" datetime`);

    // SQLite cannot add a NOT NULL column without a default, so the shares table is rebuilt.
    await q.query(`CREATE TABLE "shares_new" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "owner_id" varchar(36) NOT NULL,
      "conversation_id" varchar(36) NOT NULL,
      "token_hash" varchar(64) NOT NULL,
      "token_sealed" varchar(255) NOT NULL,
      "attribution" varchar(16) NOT NULL,
      "title" varchar(200) NOT NULL,
      "message_count" integer NOT NULL,
      "snapshot" text NOT NULL,
      "snapshot_at" datetime NOT NULL,
      "created_at" datetime NOT NULL,
      "revoked_at" datetime,
      "expires_at" datetime,
      "disabled_at" datetime,
      "disabled_reason" varchar(500),
      "view_count" integer NOT NULL DEFAULT (0),
      "last_viewed_at" datetime,
      CONSTRAINT "shares_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
      CONSTRAINT "shares_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`INSERT INTO "shares_new" ("id", "owner_id", "conversation_id", "token_hash", "token_sealed", "attribution", "title", "message_count", "snapshot", "snapshot_at", "created_at", "revoked_at")
      SELECT "id", "owner_id", "conversation_id", "token_hash", "token_sealed", "attribution", "title", "message_count", "snapshot", "created_at", "created_at", "revoked_at" FROM "shares"`);
    await q.query(`DROP TABLE "shares"`);
    await q.query(`ALTER TABLE "shares_new" RENAME TO "shares"`);
    await q.query(`CREATE UNIQUE INDEX "shares_token_hash_key" ON "shares" ("token_hash")`);
    await q.query(`CREATE INDEX "shares_owner_id_idx" ON "shares" ("owner_id", "id")`);
    await q.query(`CREATE INDEX "shares_conversation_id_idx" ON "shares" ("conversation_id", "id")`);

    await q.query(`CREATE TABLE "share_reports" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "share_id" varchar(36) NOT NULL,
      "reporter_id" varchar(36),
      "reason" varchar(32) NOT NULL,
      "details" varchar(2000),
      "created_at" datetime NOT NULL,
      CONSTRAINT "share_reports_share_id_fkey" FOREIGN KEY ("share_id") REFERENCES "shares" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`CREATE INDEX "share_reports_share_id_idx" ON "share_reports" ("share_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "share_reports"`);
    for (const column of ["last_viewed_at", "view_count", "disabled_reason", "disabled_at", "expires_at", "snapshot_at"]) {
      await q.query(`ALTER TABLE "shares" DROP COLUMN "${column}"`);
    }
    await q.query(`ALTER TABLE "conversations" DROP COLUMN "imported_from_shared_at"`);
    await q.query(`ALTER TABLE "conversations" DROP COLUMN "imported_from_title"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "role"`);
  }
}
