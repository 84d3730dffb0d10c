// The DataLoader shapes several domains share: one IN (...) query per batch of at most MAX_BATCH keys, its rows
// built into entities without TypeORM's hydration (see db/entity-rows.ts).
import DataLoader from "dataloader";
import type { DataSource, EntityTarget, ObjectLiteral } from "typeorm";
import { entityRows, type RowOrder } from "../db/entity-rows";
import { groupBy, MAX_BATCH } from "./group-by";

/** Rows by their primary key `id`; null for an id with no row. */
export function loaderById<T extends { id: string }>(dataSource: DataSource, entity: EntityTarget<T>): DataLoader<string, T | null> {
  return loaderOfOneBy(dataSource, entity, "id");
}

/** How a batch's read is run: as it is, unless a caller must wrap it (see ViewCounter.consistently). */
export type ReadWith = <R>(read: () => Promise<R>) => Promise<R>;

const asItIs: ReadWith = (read) => read();

/** The row whose unique `column` holds the key; null for a key with none. */
export function loaderOfOneBy<T extends ObjectLiteral, K extends keyof T & string>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  column: K,
  readWith: ReadWith = asItIs,
): DataLoader<string, T | null> {
  const rows = entityRows(dataSource, entity);
  return new DataLoader<string, T | null>(async (keys) => {
    const byKey = new Map((await readWith(() => rows.whereIn(dataSource.manager, column, keys))).map((row) => [String(row[column]), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  }, { maxBatchSize: MAX_BATCH });
}

/** Every row whose `column` holds the key, in `order`; an empty list for a key with none. */
export function loaderOfListsBy<T extends ObjectLiteral, K extends keyof T & string>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  column: K,
  order: Partial<Record<keyof T & string, "ASC" | "DESC">>,
): DataLoader<string, T[]> {
  const rows = entityRows(dataSource, entity);
  return new DataLoader<string, T[]>(async (keys) => {
    const groups = groupBy(await rows.whereIn(dataSource.manager, column, keys, order as RowOrder), (row) => String(row[column]));
    return keys.map((key) => groups.get(key) ?? []);
  }, { maxBatchSize: MAX_BATCH });
}
