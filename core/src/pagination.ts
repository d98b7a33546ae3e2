/**
 * Opaque pagination cursors: DynamoDB's LastEvaluatedKey as base64url JSON. A cursor is checked
 * against the query it continues (same partition), so a forged one cannot read another list.
 */
import * as z from "zod";
import { BadRequest } from "./errors";

export const PAGE_LIMIT_DEFAULT = 20;
export const PAGE_LIMIT_MAX = 100;

const CursorKey = z.record(z.string().max(64), z.string().max(512));

export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined): string | null {
  return lastEvaluatedKey ? Buffer.from(JSON.stringify(lastEvaluatedKey)).toString("base64url") : null;
}

/** Decodes a cursor; `expected` holds attributes it must carry (the queried partition). */
export function decodeCursor(cursor: string | undefined | null, expected: Record<string, string>): Record<string, string> | undefined {
  if (cursor === undefined || cursor === null || cursor === "") return undefined;
  let key: Record<string, string>;
  try {
    if (cursor.length > 2048) throw new Error("too long");
    key = CursorKey.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw new BadRequest("invalid_cursor", "The pagination cursor is not valid.");
  }
  for (const [name, value] of Object.entries(expected))
    if (key[name] !== value) throw new BadRequest("invalid_cursor", "The pagination cursor belongs to another list.");
  return key;
}

/** A page size from a query-string value: 1..100, default 20. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return PAGE_LIMIT_DEFAULT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX)
    throw new BadRequest("invalid_limit", `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}.`);
  return limit;
}

export type Page<T> = { items: T[]; nextCursor: string | null };
