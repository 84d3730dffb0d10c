// Entities built from plain rows, for the loaders that read hundreds of rows per request: TypeORM's find() hydrates
// every row through its metadata (transformColumns, prepareHydratedValue, date normalisation), which cost more than
// the read itself in the conversation list's profile; its insert() spent longer on its own parameter bookkeeping than
// SQLite on the rows (an import of 50 messages). Only for entities whose selected columns are text, integers
// and timestamps without transformers, which is all of ours; anything else is refused when the reader is made.
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { timestampParam } from "./dialect";

// Raw rows skip TypeORM's hydration: SQLite hands back "YYYY-MM-DD HH:MM:SS.SSS" in UTC, other drivers a Date.
export function utcDate(value: Date | string): Date;
export function utcDate(value: Date | string | null): Date | null;
export function utcDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value.replace(" ", "T") + "Z");
}

const TIMESTAMPS = new Set(["datetime", "timestamptz"]);
const PLAIN = new Set(["varchar", "text", "integer", ...TIMESTAMPS]);

export interface EntityRows<T extends ObjectLiteral> {
  /** A query for the entity under `alias` selecting every column by its property name (in `manager`'s transaction). */
  query(alias: string, manager?: EntityManager): SelectQueryBuilder<T>;
  /** The entity of a row that query returned. */
  entityOf(row: Record<string, unknown>): T;
  /** The database name of a property's column. */
  columnOf(property: string): string;
  /** Inserts the entities as they are, every column (unselected ones too) given: no defaults, no reload; 100 rows per statement. */
  insert(manager: EntityManager, entities: readonly T[]): Promise<void>;
}

/** Rows per INSERT: SQLite caps the bound parameters of one statement. */
const INSERT_CHUNK = 100;

const made = new WeakMap<DataSource, Map<EntityTarget<ObjectLiteral>, EntityRows<ObjectLiteral>>>();

/** The rows reader of an entity, made once per data source (loaders ask for it on every request). */
export function entityRows<T extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<T>): EntityRows<T> {
  let readers = made.get(dataSource);
  if (!readers) made.set(dataSource, (readers = new Map()));
  let reader = readers.get(entity as EntityTarget<ObjectLiteral>);
  if (!reader) readers.set(entity as EntityTarget<ObjectLiteral>, (reader = makeEntityRows(dataSource, entity) as EntityRows<ObjectLiteral>));
  return reader as EntityRows<T>;
}

function makeEntityRows<T extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<T>): EntityRows<T> {
  const metadata = dataSource.getMetadata(entity);
  const all = metadata.columns;
  const columns = all.filter((column) => column.isSelect);
  const odd = all.find((column) => column.transformer || column.embeddedMetadata || !PLAIN.has(String(column.type)));
  if (odd) throw new Error(`entityRows: column ${metadata.name}.${odd.propertyName} is not plain text, integer or timestamp.`);
  const dates = columns.filter((column) => TIMESTAMPS.has(String(column.type))).map((column) => column.propertyName);
  const prototype = (metadata.target as Function).prototype as object;
  return {
    query: (alias, manager = dataSource.manager) => {
      // Aliases are quoted so PostgreSQL keeps their case.
      const selection = columns.map((column) => `${alias}.${column.databaseName} AS "${column.propertyName}"`);
      return manager.createQueryBuilder(entity, alias).select(selection);
    },
    entityOf: (row) => {
      for (const property of dates) row[property] = utcDate(row[property] as Date | string | null);
      return Object.assign(Object.create(prototype) as T, row);
    },
    insert: async (manager, entities) => {
      const pg = manager.connection.options.type === "postgres";
      const names = all.map((column) => `"${column.databaseName}"`).join(", ");
      for (let start = 0; start < entities.length; start += INSERT_CHUNK) {
        const chunk = entities.slice(start, start + INSERT_CHUNK);
        const values: unknown[] = [];
        const tuples = chunk.map((entity) => {
          const marks = all.map((column) => {
            const value = entity[column.propertyName] as unknown;
            values.push(value instanceof Date ? timestampParam(manager.connection, value) : value ?? null);
            return pg ? `$${values.length}` : "?";
          });
          return `(${marks.join(", ")})`;
        });
        await manager.query(`INSERT INTO "${metadata.tableName}" (${names}) VALUES ${tuples.join(", ")}`, values);
      }
    },
    columnOf: (property) => {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`entityRows: ${metadata.name} has no column ${property}.`);
      return column.databaseName;
    },
  };
}
