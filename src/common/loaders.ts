// The DataLoader shapes several domains share: one IN (...) query per batch of at most MAX_BATCH keys, its rows
// built into entities without TypeORM's hydration (see db/entity-rows.ts).
import DataLoader from "dataloader";
import type { DataSource, EntityTarget, ObjectLiteral } from "typeorm";
import { entityRows } from "../db/entity-rows";
import { groupBy, MAX_BATCH } from "./group-by";

type Order<T> = Partial<Record<keyof T & string, "ASC" | "DESC">>;

/** Every row whose `property` holds one of the keys, in `order`. */
function rowsWhereIn<T extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<T>, property: keyof T & string, order: Order<T>) {
  const rows = entityRows(dataSource, entity);
  return async (keys: readonly string[]): Promise<T[]> => {
    const query = rows.query("e").where(`e.${rows.columnOf(property)} IN (:...keys)`, { keys: [...keys] });
    for (const [name, direction] of Object.entries(order)) query.addOrderBy(`e.${rows.columnOf(name)}`, direction);
    return (await query.getRawMany<Record<string, unknown>>()).map(rows.entityOf);
  };
}

/** Rows by their primary key `id`; null for an id with no row. */
export function loaderById<T extends { id: string }>(dataSource: DataSource, entity: EntityTarget<T>): DataLoader<string, T | null> {
  const find = rowsWhereIn(dataSource, entity, "id", {});
  return new DataLoader<string, T | null>(async (ids) => {
    const byId = new Map((await find(ids)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }, { maxBatchSize: MAX_BATCH });
}

/** Every row whose `column` holds the key, in `order`; an empty list for a key with none. */
export function loaderOfListsBy<T extends ObjectLiteral, K extends keyof T & string>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  column: K,
  order: Order<T>,
): DataLoader<string, T[]> {
  const find = rowsWhereIn(dataSource, entity, column, order);
  return new DataLoader<string, T[]>(async (keys) => {
    const groups = groupBy(await find(keys), (row) => String(row[column]));
    return keys.map((key) => groups.get(key) ?? []);
  }, { maxBatchSize: MAX_BATCH });
}
