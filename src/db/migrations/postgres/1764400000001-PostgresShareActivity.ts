import type { MigrationInterface, QueryRunner } from "typeorm";
import { createShareActivityTables, dropShareActivityTables } from "../1764400000000-ShareActivity";

/** A link's history (share_events) and its views per day (share_view_days). */
export class PostgresShareActivity1764400000001 implements MigrationInterface {
  name = "PostgresShareActivity1764400000001";

  up(q: QueryRunner): Promise<void> {
    return createShareActivityTables(q, "timestamptz");
  }

  down(q: QueryRunner): Promise<void> {
    return dropShareActivityTables(q);
  }
}
