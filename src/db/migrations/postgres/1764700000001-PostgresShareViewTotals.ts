import type { MigrationInterface, QueryRunner } from "typeorm";
import { moveViewTotalsBack, moveViewTotalsOut } from "../1764700000000-ShareViewTotals";

/** Links' view totals in share_view_totals rather than on shares (PostgreSQL). */
export class PostgresShareViewTotals1764700000001 implements MigrationInterface {
  name = "PostgresShareViewTotals1764700000001";

  up(q: QueryRunner): Promise<void> {
    return moveViewTotalsOut(q, "timestamptz");
  }

  down(q: QueryRunner): Promise<void> {
    return moveViewTotalsBack(q, "timestamptz");
  }
}
