import type { MigrationInterface, QueryRunner } from "typeorm";

type Timestamp = "datetime" | "timestamptz";

/**
 * Moves each link's view total out of the wide shares row into a narrow table, the same on both dialects but for the
 * timestamp type: the view counter's flush rewrote the whole shares record (snapshot included) on SQLite, and a new
 * version of the shares tuple on PostgreSQL, for every link viewed.
 */
export async function moveViewTotalsOut(q: QueryRunner, timestamp: Timestamp): Promise<void> {
  await q.query(`CREATE TABLE "share_view_totals" (
    "share_id" varchar(36) PRIMARY KEY NOT NULL,
    "view_count" integer NOT NULL DEFAULT (0),
    "last_viewed_at" ${timestamp},
    CONSTRAINT "share_view_totals_share_id_fkey" FOREIGN KEY ("share_id") REFERENCES "shares" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
  // A link never viewed needs no row: reads take a missing row as no views.
  await q.query(`INSERT INTO "share_view_totals" ("share_id", "view_count", "last_viewed_at")
    SELECT "id", "view_count", "last_viewed_at" FROM "shares" WHERE "view_count" > 0 OR "last_viewed_at" IS NOT NULL`);
  // Neither column is indexed, so SQLite (3.35+) can drop them in place.
  await q.query(`ALTER TABLE "shares" DROP COLUMN "last_viewed_at"`);
  await q.query(`ALTER TABLE "shares" DROP COLUMN "view_count"`);
}

export async function moveViewTotalsBack(q: QueryRunner, timestamp: Timestamp): Promise<void> {
  await q.query(`ALTER TABLE "shares" ADD COLUMN "view_count" integer NOT NULL DEFAULT (0)`);
  await q.query(`ALTER TABLE "shares" ADD COLUMN "last_viewed_at" ${timestamp}`);
  await q.query(`UPDATE "shares" SET "view_count" = t."view_count", "last_viewed_at" = t."last_viewed_at"
    FROM "share_view_totals" AS t WHERE t."share_id" = "shares"."id"`);
  await q.query(`DROP TABLE "share_view_totals"`);
}

/** Links' view totals in share_view_totals rather than on shares. */
export class ShareViewTotals1764700000000 implements MigrationInterface {
  name = "ShareViewTotals1764700000000";

  up(q: QueryRunner): Promise<void> {
    return moveViewTotalsOut(q, "datetime");
  }

  down(q: QueryRunner): Promise<void> {
    return moveViewTotalsBack(q, "datetime");
  }
}
