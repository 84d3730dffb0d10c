// Entities read and written as plain rows, for the paths that handle hundreds of rows per request: TypeORM's find()
// hydrates every row through its metadata (transformColumns, prepareHydratedValue, date normalisation) and builds its
// SQL anew each time, which together cost more than the read itself in the conversation list's profile; its insert()
// spent longer on its own parameter bookkeeping than SQLite on the rows (an import of 50 messages). Only for entities
// whose columns are text, integers and timestamps without transformers, which is all of ours; anything else is
// refused when the reader is made.
import type { Statement } from "better-sqlite3";
import { QueryFailedError, type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, type SelectQueryBuilder } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata";
import { timestampParam } from "./dialect";

// Raw rows skip TypeORM's hydration: SQLite hands back "YYYY-MM-DD HH:MM:SS.SSS" in UTC, other drivers a Date.
export function utcDate(value: Date | string): Date;
export function utcDate(value: Date | string | null): Date | null;
export function utcDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  if (value instanceof Date) return value;
  return SQLITE_TIME.test(value) ? new Date(Date.UTC(digits(value, 0, 4), digits(value, 5, 2) - 1, digits(value, 8, 2), digits(value, 11, 2), digits(value, 14, 2), digits(value, 17, 2), digits(value, 20, 3))) : new Date(value.replace(" ", "T") + "Z");
}

// TypeORM's own format, read digit by digit: Date's string parser took 200 ns a value, a fifth of a list's row work.
const SQLITE_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

/**
 * A function that turns a row's values, in `properties` order, into an entity: written out as one assignment per
 * property, so each store is to a known name (a loop storing by computed key was six times slower on a list's 400
 * messages). The names come from our own entity metadata and must be plain identifiers.
 */
function entityBuilder<T>(prototype: object, properties: readonly string[], isDate: readonly boolean[], leftOut: ReadonlySet<string>): (values: unknown[]) => T {
  const odd = properties.find((name) => !/^[A-Za-z_$][\w$]*$/.test(name) || name === "__proto__");
  if (odd !== undefined) throw new Error(`EntityRows: property ${odd} is not a plain identifier.`);
  let read = 0;
  // A property left out is still stored (as undefined), so every entity of a kind keeps the same shape.
  const stores = properties.map((name, i) => `e.${name} = ${leftOut.has(name) ? "undefined" : isDate[i] ? `date(v[${read++}])` : `v[${read++}]`};`).join(" ");
  return new Function("prototype", "date", `return function entityOf(v) { const e = Object.create(prototype); ${stores} return e; };`)(prototype, utcDate) as (values: unknown[]) => T;
}

const TIMESTAMPS = new Set(["datetime", "timestamptz"]);
const PLAIN = new Set(["varchar", "text", "integer", ...TIMESTAMPS]);

/** Rows per INSERT: SQLite caps the bound parameters of one statement. */
const INSERT_CHUNK = 100;

/** Distinct statements kept per entity (one per property, order and number of keys asked for). */
const MAX_STATEMENTS = 256;

export type RowOrder = Record<string, "ASC" | "DESC">;

/** The properties a statement reads, in column order, and the builder of an entity from their values. */
interface RowShape<T> {
  read: readonly string[];
  build: (values: unknown[]) => T;
}

/** The entity of a row read as an object keyed by property (TypeORM's, and every driver's but better-sqlite3's raw mode). */
function entityOfRow<T>(shape: RowShape<T>, row: Record<string, unknown>): T {
  return shape.build(shape.read.map((property) => row[property]));
}

export class EntityRows<T extends ObjectLiteral> {
  private readonly all: ColumnMetadata[];
  private readonly selected: ColumnMetadata[];
  private readonly properties: string[];
  /** How a row of every selected column becomes an entity. */
  private readonly whole: RowShape<T>;
  /** How rows read without some columns become entities, by the properties left out. */
  private readonly partialShapes = new Map<string, RowShape<T>>();
  private readonly prototype: object;
  private readonly isDate: boolean[];
  private readonly table: string;
  private readonly statements = new Map<string, string>();
  /** better-sqlite3 statements in raw mode (rows as arrays), by SQL; as bounded as `statements`. */
  private readonly prepared = new Map<string, Statement<unknown[], unknown[]>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntityTarget<T>,
  ) {
    const metadata = dataSource.getMetadata(entity);
    this.all = metadata.columns;
    this.selected = this.all.filter((column) => column.isSelect);
    const odd = this.all.find((column) => column.transformer || column.embeddedMetadata || !PLAIN.has(String(column.type)));
    if (odd) throw new Error(`EntityRows: column ${metadata.name}.${odd.propertyName} is not plain text, integer or timestamp.`);
    this.properties = this.selected.map((column) => column.propertyName);
    this.prototype = (metadata.target as Function).prototype as object;
    this.isDate = this.selected.map((column) => TIMESTAMPS.has(String(column.type)));
    this.whole = { read: this.properties, build: entityBuilder<T>(this.prototype, this.properties, this.isDate, new Set()) };
    this.table = metadata.tableName;
  }

  /** A query for the entity under `alias` selecting every column by its property name (in `manager`'s transaction). */
  query(alias: string, manager: EntityManager = this.dataSource.manager): SelectQueryBuilder<T> {
    return manager.createQueryBuilder(this.entity, alias).select(this.selection(alias));
  }

  /** The entity of a row such a query returned. */
  entityOf = (row: Record<string, unknown>): T => entityOfRow(this.whole, row);

  /** The database name of a property's column. */
  columnOf(property: string): string {
    const column = this.all.find((c) => c.propertyName === property);
    if (!column) throw new Error(`EntityRows: ${this.table} has no column ${property}.`);
    return column.databaseName;
  }

  /**
   * Every entity whose `property` is one of `keys`, in `order`; its SQL is built once per shape and reused. Properties
   * in `leaveOut` are not read: they are undefined on the entities, for the caller to fill in from what it knows.
   */
  async whereIn(manager: EntityManager, property: string, keys: readonly unknown[], order: RowOrder = {}, leaveOut: readonly string[] = []): Promise<T[]> {
    if (keys.length === 0) return [];
    const left = leaveOut.join(",");
    const shape = `${property}\n${JSON.stringify(order)}\n${keys.length}\n${left}`;
    let sql = this.statements.get(shape);
    if (sql === undefined) {
      const marks = keys.map((_, i) => this.mark(manager, i + 1)).join(", ");
      const orderBy = Object.entries(order).map(([name, direction]) => `"e"."${this.columnOf(name)}" ${direction}`);
      sql = `SELECT ${this.selection('"e"', new Set(leaveOut)).join(", ")} FROM "${this.table}" "e" WHERE "e"."${this.columnOf(property)}" IN (${marks})`;
      if (orderBy.length) sql += ` ORDER BY ${orderBy.join(", ")}`;
      this.remember(shape, sql);
    }
    return this.run(manager, sql, [...keys], left === "" ? this.whole : this.shapeWithout(leaveOut));
  }

  private shapeWithout(leaveOut: readonly string[]): RowShape<T> {
    const key = leaveOut.join(",");
    let shape = this.partialShapes.get(key);
    if (!shape) {
      for (const name of leaveOut) this.columnOf(name);
      const left = new Set(leaveOut);
      shape = { read: this.properties.filter((name) => !left.has(name)), build: entityBuilder<T>(this.prototype, this.properties, this.isDate, left) };
      this.partialShapes.set(key, shape);
    }
    return shape;
  }

  /**
   * On SQLite, rows as arrays (better-sqlite3's raw mode): building an object per row cost more than reading it, for a
   * list's 400 messages. The statement is logged, and its failure reported, as TypeORM does for its own (the
   * statement counts see it; callers see a QueryFailedError as from any query). Elsewhere, through TypeORM.
   */
  private async run(manager: EntityManager, sql: string, params: unknown[], shape = this.whole): Promise<T[]> {
    if (manager.connection.options.type !== "better-sqlite3") {
      return ((await manager.query(sql, params)) as Record<string, unknown>[]).map((row) => entityOfRow(shape, row));
    }
    const logger = manager.connection.logger;
    logger.logQuery(sql, params);
    try {
      return (this.statementFor(manager, sql).all(...params) as unknown[][]).map(shape.build);
    } catch (error) {
      logger.logQueryError(error as Error, sql, params);
      throw new QueryFailedError(sql, params, error as Error);
    }
  }

  private statementFor(manager: EntityManager, sql: string): Statement<unknown[], unknown[]> {
    let statement = this.prepared.get(sql);
    if (!statement) {
      const database = (manager.connection.driver as unknown as { databaseConnection: { prepare(sql: string): Statement<unknown[], unknown[]> } }).databaseConnection;
      statement = database.prepare(sql).raw(true);
      if (this.prepared.size >= MAX_STATEMENTS) this.prepared.clear();
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  /**
   * The newest `limit` entities (highest id first) whose properties equal `equal`, with ids below `beforeId` if given:
   * one page of a list; its SQL is built once per shape.
   */
  async newest(manager: EntityManager, equal: Record<string, unknown>, beforeId: string | undefined, limit: number): Promise<T[]> {
    const names = Object.keys(equal);
    const shape = `newest\n${names.join(",")}\n${beforeId === undefined}`;
    let sql = this.statements.get(shape);
    if (sql === undefined) {
      const conditions = names.map((name, i) => `"e"."${this.columnOf(name)}" = ${this.mark(manager, i + 1)}`);
      if (beforeId !== undefined) conditions.push(`"e"."id" < ${this.mark(manager, names.length + 1)}`);
      const where = conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
      sql = `SELECT ${this.selection('"e"').join(", ")} FROM "${this.table}" "e"${where} ORDER BY "e"."id" DESC LIMIT ${this.mark(manager, conditions.length + 1)}`;
      this.remember(shape, sql);
    }
    return this.run(manager, sql, [...Object.values(equal), ...(beforeId === undefined ? [] : [beforeId]), limit]);
  }

  /** Inserts the entities as they are, every column (unselected ones too) given: no defaults, no reload; 100 rows per statement. */
  async insert(manager: EntityManager, entities: readonly T[]): Promise<void> {
    const names = this.all.map((column) => `"${column.databaseName}"`).join(", ");
    for (let start = 0; start < entities.length; start += INSERT_CHUNK) {
      const values: unknown[] = [];
      const tuples = entities.slice(start, start + INSERT_CHUNK).map((entity) => {
        const marks = this.all.map((column) => {
          const value = entity[column.propertyName] as unknown;
          values.push(value instanceof Date ? timestampParam(manager.connection, value) : (value ?? null));
          return this.mark(manager, values.length);
        });
        return `(${marks.join(", ")})`;
      });
      await manager.query(`INSERT INTO "${this.table}" (${names}) VALUES ${tuples.join(", ")}`, values);
    }
  }

  private remember(shape: string, sql: string): void {
    if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
    this.statements.set(shape, sql);
  }

  // Aliases are quoted so PostgreSQL keeps their case.
  private selection(alias: string, leaveOut: ReadonlySet<string> = new Set()): string[] {
    return this.selected.filter((column) => !leaveOut.has(column.propertyName)).map((column) => `${alias}."${column.databaseName}" AS "${column.propertyName}"`);
  }

  private mark(manager: EntityManager, position: number): string {
    return manager.connection.options.type === "postgres" ? `$${position}` : "?";
  }
}

const made = new WeakMap<DataSource, Map<EntityTarget<ObjectLiteral>, EntityRows<ObjectLiteral>>>();

/** The rows reader of an entity, made once per data source (loaders ask for it on every request). */
export function entityRows<T extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<T>): EntityRows<T> {
  let readers = made.get(dataSource);
  if (!readers) made.set(dataSource, (readers = new Map()));
  let reader = readers.get(entity as EntityTarget<ObjectLiteral>);
  if (!reader) readers.set(entity as EntityTarget<ObjectLiteral>, (reader = new EntityRows(dataSource, entity) as unknown as EntityRows<ObjectLiteral>));
  return reader as unknown as EntityRows<T>;
}
