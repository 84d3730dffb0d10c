import type { MigrationInterface, QueryRunner } from "typeorm";

/** What retried mutations created the first time, per user and idempotency key. */
export class IdempotencyKeys1764200000000 implements MigrationInterface {
  name = "IdempotencyKeys1764200000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "idempotency_keys" (
      "user_id" varchar(36) NOT NULL,
      "key" varchar(100) NOT NULL,
      "operation" varchar(32) NOT NULL,
      "result_id" varchar(36) NOT NULL,
      "created_at" datetime NOT NULL,
      PRIMARY KEY ("user_id", "key"))`);
    await q.query(`CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "idempotency_keys"`);
  }
}
