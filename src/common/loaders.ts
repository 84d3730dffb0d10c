// The DataLoader shapes several domains share: one IN (...) query per batch of at most MAX_BATCH keys.
import DataLoader from "dataloader";
import { In, type DataSource, type EntityTarget, type FindOptionsOrder, type FindOptionsWhere, type ObjectLiteral } from "typeorm";
import { groupBy, MAX_BATCH } from "./group-by";

/** Rows by their primary key `id`; null for an id with no row. */
export function loaderById<T extends { id: string }>(dataSource: DataSource, entity: EntityTarget<T>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await dataSource.manager.findBy(entity, { id: In([...ids]) } as FindOptionsWhere<T>);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }, { maxBatchSize: MAX_BATCH });
}

/** Every row whose `column` holds the key, in `order`; an empty list for a key with none. */
export function loaderOfListsBy<T extends ObjectLiteral, K extends keyof T & string>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  column: K,
  order: FindOptionsOrder<T>,
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = await dataSource.manager.find(entity, { where: { [column]: In([...keys]) } as FindOptionsWhere<T>, order });
    const groups = groupBy(rows, (row) => String(row[column]));
    return keys.map((key) => groups.get(key) ?? []);
  }, { maxBatchSize: MAX_BATCH });
}
