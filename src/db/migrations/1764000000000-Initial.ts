import type { MigrationInterface, QueryRunner } from "typeorm";

/** Users, conversations, messages and shares (one row per link, its snapshot as one JSON document). */
export class Initial1764000000000 implements MigrationInterface {
  name = "Initial1764000000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "users" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "display_name" varchar(80) NOT NULL,
      "email" varchar(254) NOT NULL,
      "email_normalized" varchar(254) NOT NULL,
      "password_hash" varchar(255) NOT NULL,
      "token_version" integer NOT NULL DEFAULT (0),
      "created_at" datetime NOT NULL,
      "deactivated_at" datetime)`);
    await q.query(`CREATE UNIQUE INDEX "users_email_normalized_key" ON "users" ("email_normalized")`);

    await q.query(`CREATE TABLE "conversations" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "owner_id" varchar(36) NOT NULL,
      "title" varchar(200) NOT NULL,
      "created_at" datetime NOT NULL,
      CONSTRAINT "conversations_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`CREATE INDEX "conversations_owner_id_idx" ON "conversations" ("owner_id", "id")`);

    await q.query(`CREATE TABLE "messages" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "conversation_id" varchar(36) NOT NULL,
      "owner_id" varchar(36) NOT NULL,
      "position" integer NOT NULL,
      "role" varchar(16) NOT NULL,
      "content" text NOT NULL,
      "created_at" datetime NOT NULL,
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
      "created_at" datetime NOT NULL,
      "revoked_at" datetime,
      CONSTRAINT "shares_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
      CONSTRAINT "shares_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await q.query(`CREATE UNIQUE INDEX "shares_token_hash_key" ON "shares" ("token_hash")`);
    await q.query(`CREATE INDEX "shares_owner_id_idx" ON "shares" ("owner_id", "id")`);
    await q.query(`CREATE INDEX "shares_conversation_id_idx" ON "shares" ("conversation_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "shares"`);
    await q.query(`DROP TABLE "messages"`);
    await q.query(`DROP TABLE "conversations"`);
    await q.query(`DROP TABLE "users"`);
  }
}
