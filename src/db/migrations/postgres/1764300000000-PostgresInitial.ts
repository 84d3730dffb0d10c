import type { MigrationInterface, QueryRunner } from "typeorm";

/** The whole schema on PostgreSQL, as the SQLite migrations had built it by IdempotencyKeys1764200000000. */
export class PostgresInitial1764300000000 implements MigrationInterface {
  name = "PostgresInitial1764300000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "users" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "display_name" varchar(80) NOT NULL,
      "email" varchar(254) NOT NULL,
      "email_normalized" varchar(254) NOT NULL,
      "password_hash" varchar(255) NOT NULL,
      "token_version" integer NOT NULL DEFAULT 0,
      "created_at" timestamptz NOT NULL,
      "deactivated_at" timestamptz,
      "role" varchar(16) NOT NULL DEFAULT 'USER')`);
    await q.query(`CREATE UNIQUE INDEX "users_email_normalized_key" ON "users" ("email_normalized")`);

    await q.query(`CREATE TABLE "conversations" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "owner_id" varchar(36) NOT NULL,
      "title" varchar(200) NOT NULL,
      "created_at" timestamptz NOT NULL,
      "imported_from_title" varchar(200),
      "imported_from_shared_at" timestamptz,
      CONSTRAINT "conversations_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`CREATE INDEX "conversations_owner_id_idx" ON "conversations" ("owner_id", "id")`);

    await q.query(`CREATE TABLE "messages" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "conversation_id" varchar(36) NOT NULL,
      "owner_id" varchar(36) NOT NULL,
      "position" integer NOT NULL,
      "role" varchar(16) NOT NULL,
      "content" text NOT NULL,
      "created_at" timestamptz NOT NULL,
      CONSTRAINT "messages_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`CREATE UNIQUE INDEX "messages_conversation_position_key" ON "messages" ("conversation_id", "position")`);

    await q.query(`CREATE TABLE "shares" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "owner_id" varchar(36) NOT NULL,
      "conversation_id" varchar(36) NOT NULL,
      "token_hash" varchar(64) NOT NULL,
      "token_sealed" varchar(255) NOT NULL,
      "attribution" varchar(16) NOT NULL,
      "title" varchar(200) NOT NULL,
      "message_count" integer NOT NULL,
      "snapshot" text NOT NULL,
      "snapshot_at" timestamptz NOT NULL,
      "created_at" timestamptz NOT NULL,
      "revoked_at" timestamptz,
      "expires_at" timestamptz,
      "disabled_at" timestamptz,
      "disabled_reason" varchar(500),
      "view_count" integer NOT NULL DEFAULT 0,
      "last_viewed_at" timestamptz,
      CONSTRAINT "shares_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
      CONSTRAINT "shares_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`CREATE UNIQUE INDEX "shares_token_hash_key" ON "shares" ("token_hash")`);
    await q.query(`CREATE INDEX "shares_owner_id_idx" ON "shares" ("owner_id", "id")`);
    await q.query(`CREATE INDEX "shares_conversation_id_idx" ON "shares" ("conversation_id", "id")`);

    await q.query(`CREATE TABLE "share_reports" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "share_id" varchar(36) NOT NULL,
      "reporter_id" varchar(36),
      "reason" varchar(32) NOT NULL,
      "details" varchar(2000),
      "created_at" timestamptz NOT NULL,
      CONSTRAINT "share_reports_share_id_fkey" FOREIGN KEY ("share_id") REFERENCES "shares" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`CREATE INDEX "share_reports_share_id_idx" ON "share_reports" ("share_id")`);

    await q.query(`CREATE TABLE "idempotency_keys" (
      "user_id" varchar(36) NOT NULL,
      "key" varchar(100) NOT NULL,
      "operation" varchar(32) NOT NULL,
      "result_id" varchar(36) NOT NULL,
      "created_at" timestamptz NOT NULL,
      PRIMARY KEY ("user_id", "key"))`);
    await q.query(`CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ["idempotency_keys", "share_reports", "shares", "messages", "conversations", "users"]) {
      await q.query(`DROP TABLE "${table}"`);
    }
  }
}
