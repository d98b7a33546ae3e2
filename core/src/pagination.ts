/**
 * Opaque pagination cursors: DynamoDB's LastEvaluatedKey as base64url JSON. A cursor is checked
 * against the query it continues (same partition), so a forged one cannot read another list.
 */
import * as z from "zod";
import { BadRequest } from "./errors";
import { TABLE_KEYS } from "./table";

export const PAGE_LIMIT_DEFAULT = 20;
export const PAGE_LIMIT_MAX = 100;

const CursorKey = z.record(z.string().max(64), z.string().min(1).max(512));

/** The query a cursor continues: the index, its partition, and the prefix its sort keys start with. */
export type CursorScope = { index: keyof typeof TABLE_KEYS.indexes; partition: string; sortPrefix: string };

export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined): string | null {
  return lastEvaluatedKey ? Buffer.from(JSON.stringify(lastEvaluatedKey)).toString("base64url") : null;
}

/**
 * Decodes a cursor for the query `scope` describes. It must hold exactly the key attributes of that
 * index (the table's pk/sk plus the index's keys), all non-empty strings, in the same partition and
 * within the sort-key prefix: DynamoDB refuses anything else as a ValidationException, which would
 * otherwise surface as a 500.
 */
export function decodeCursor(cursor: string | undefined | null, scope: CursorScope): Record<string, string> | undefined {
  if (cursor === undefined || cursor === null || cursor === "") return undefined;
  let key: Record<string, string>;
  try {
    if (cursor.length > 2048) throw new Error("too long");
    key = CursorKey.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw invalid("The pagination cursor is not valid.");
  }
  const index = TABLE_KEYS.indexes[scope.index];
  const attributes = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, index.partitionKey, index.sortKey];
  const names = Object.keys(key);
  if (names.length !== attributes.length || !attributes.every((name) => Object.hasOwn(key, name))) throw invalid("The pagination cursor is not valid.");
  if (key[index.partitionKey] !== scope.partition || !key[index.sortKey].startsWith(scope.sortPrefix))
    throw invalid("The pagination cursor belongs to another list.");
  return key;
}

const invalid = (message: string) => new BadRequest("invalid_cursor", message);

/** A page size from a query-string value: 1..100, default 20. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return PAGE_LIMIT_DEFAULT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX)
    throw new BadRequest("invalid_limit", `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}.`);
  return limit;
}

export type Page<T> = { items: T[]; nextCursor: string | null };
