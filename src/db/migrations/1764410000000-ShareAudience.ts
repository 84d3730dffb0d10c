import type { MigrationInterface, QueryRunner } from "typeorm";

/** Who may open a link: existing links stay PUBLIC, as they were shared. */
export class ShareAudience1764410000000 implements MigrationInterface {
  name = "ShareAudience1764410000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "shares" ADD COLUMN "audience" varchar(16) NOT NULL DEFAULT ('PUBLIC')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "shares" DROP COLUMN "audience"`);
  }
}
