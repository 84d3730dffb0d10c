import type { MigrationInterface, QueryRunner } from "typeorm";

/** The same tables on both dialects but for the timestamp type. */
export async function createShareActivityTables(q: QueryRunner, timestamp: "datetime" | "timestamptz"): Promise<void> {
  await q.query(`CREATE TABLE "share_events" (
    "id" varchar(36) PRIMARY KEY NOT NULL,
    "share_id" varchar(36) NOT NULL,
    "kind" varchar(32) NOT NULL,
    "at" ${timestamp} NOT NULL,
    "day" varchar(10),
    "count" integer,
    "new_value" varchar(32),
    "reason" varchar(500),
    CONSTRAINT "share_events_share_id_fkey" FOREIGN KEY ("share_id") REFERENCES "shares" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
  await q.query(`CREATE INDEX "share_events_share_id_idx" ON "share_events" ("share_id", "id")`);
  await q.query(`CREATE UNIQUE INDEX "share_events_share_kind_day_key" ON "share_events" ("share_id", "kind", "day")`);
  await q.query(`CREATE TABLE "share_view_days" (
    "share_id" varchar(36) NOT NULL,
    "day" varchar(10) NOT NULL,
    "views" integer NOT NULL,
    PRIMARY KEY ("share_id", "day"),
    CONSTRAINT "share_view_days_share_id_fkey" FOREIGN KEY ("share_id") REFERENCES "shares" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
}

export async function dropShareActivityTables(q: QueryRunner): Promise<void> {
  await q.query(`DROP TABLE "share_view_days"`);
  await q.query(`DROP TABLE "share_events"`);
}

/** A link's history (share_events) and its views per day (share_view_days). */
export class ShareActivity1764400000000 implements MigrationInterface {
  name = "ShareActivity1764400000000";

  up(q: QueryRunner): Promise<void> {
    return createShareActivityTables(q, "datetime");
  }

  down(q: QueryRunner): Promise<void> {
    return dropShareActivityTables(q);
  }
}
