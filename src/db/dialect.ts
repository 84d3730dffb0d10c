// The few places where SQL differs between databases.
import type { DataSource } from "typeorm";
import { DateUtils } from "typeorm/util/DateUtils";

/** A timestamp as a bound parameter compares against stored datetime columns (SQLite stores them as UTC text). */
export function timestampParam(dataSource: DataSource, date: Date): Date | string {
  return dataSource.options.type === "better-sqlite3" ? DateUtils.mixedDateToUtcDatetimeString(date) : date;
}

/** A LIKE pattern that matches `text` anywhere, with the pattern characters in it taken literally (ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
