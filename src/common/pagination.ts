// Forward cursor pagination over time-ordered ids (newest first), shared by every list that grows.
import { entityRows } from "../db/entity-rows";
import type { EntityManager, EntityTarget } from "typeorm";
import { BadInputError } from "./errors";
import { isId } from "./ids";

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

/** The id a cursor points after, or undefined for the first page. */
export function decodeCursor(after: string | null | undefined): string | undefined {
  if (after === null || after === undefined) return undefined;
  const id = Buffer.from(after, "base64url").toString("utf8");
  if (!isId(id)) throw new BadInputError("The cursor `after` is not one this API returned.", { field: "after" });
  return id;
}

/** One page of rows matching `where`, newest first: first+1 rows are read so the extra one tells whether more follow. */
export async function findPage<T extends { id: string }>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  where: Partial<Record<keyof T & string, string>>,
  { first, after }: { first: number; after?: string | null },
): Promise<Page<T>> {
  const rows = await entityRows(manager.connection, entity).newest(manager, where, decodeCursor(after), first + 1);
  return toPage(rows, first);
}

/**
 * Builds a page from up to first+1 rows already in order; the extra row only says whether more follow. Cursors
 * come from each row's id (lists newest first) unless `cursorOf` says otherwise.
 */
export function toPage<T extends { id: string }>(rows: T[], first: number, cursorOf: (row: T) => string = (row) => encodeCursor(row.id)): Page<T> {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** Cursors over an ordered position (a conversation's messages, oldest first). */
export function encodePositionCursor(position: number): string {
  return Buffer.from(`p:${position}`, "utf8").toString("base64url");
}

export function decodePositionCursor(after: string | null | undefined): number {
  if (after === null || after === undefined) return -1;
  const match = /^p:(\d{1,9})$/.exec(Buffer.from(after, "base64url").toString("utf8"));
  if (!match) throw new BadInputError("The cursor `after` is not one this API returned.", { field: "after" });
  return Number(match[1]);
}

/** A page of rows ordered by position (a conversation's messages, oldest first). */
export function toPositionPage<T extends { id: string; position: number }>(rows: T[], first: number): Page<T> {
  return toPage(rows, first, (row) => encodePositionCursor(row.position));
}
