/**
 * Session: a random 32-byte token in an HttpOnly cookie; only its SHA-256 is stored. Expiry is
 * checked on every read (DynamoDB TTL deletes lazily, dynalite never) and slides forward on use.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { randomToken, sha256Hex } from "./crypto";
import { services } from "./services";
import { conditionalWrite } from "./conditionalWrite";

export const SESSION_COOKIE = "doctown_session";
export const SESSION_TTL_SECONDS = 14 * 24 * 3600;
/** Renew when less than this much lifetime is left, so active sessions do not write on every request. */
const RENEW_BELOW_SECONDS = SESSION_TTL_SECONDS - 24 * 3600;

export type Session = { userId: string; expiresAt: Date; /** Set when this read renewed the expiry. */ renewed: boolean };

const sessionKey = (token: string) => ({ pk: `SESSION#${sha256Hex(token)}`, sk: "SESSION" });
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

/** Starts a session for a user; returns the cookie value (the only copy of the token). */
export async function createSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
  const { db, tableName, clock } = services();
  const token = randomToken(32);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...sessionKey(token), userId, createdAt: now.toISOString(), expiresAt: Math.floor(expiresAt.getTime() / 1000) },
      ConditionExpression: "attribute_not_exists(pk)",
    }),
  );
  return { token, expiresAt };
}

/** The live session for a cookie value, or null (unknown, malformed or expired). Slides the expiry. */
export async function readSession(token: string | undefined): Promise<Session | null> {
  if (!token || !TOKEN_SHAPE.test(token)) return null;
  const { db, tableName, clock } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: sessionKey(token), ConsistentRead: true }));
  if (!Item) return null;
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  const expiresAtSeconds = Number(Item.expiresAt);
  if (!(expiresAtSeconds > nowSeconds)) return null;
  if (expiresAtSeconds - nowSeconds >= RENEW_BELOW_SECONDS)
    return { userId: Item.userId as string, expiresAt: new Date(expiresAtSeconds * 1000), renewed: false };
  const renewedSeconds = nowSeconds + SESSION_TTL_SECONDS;
  const renewed = await conditionalWrite(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: sessionKey(token),
        UpdateExpression: "SET expiresAt = :renewed",
        // Never resurrect a session deleted (logout) or expired meanwhile.
        ConditionExpression: "attribute_exists(pk) AND expiresAt > :now",
        ExpressionAttributeValues: { ":renewed": renewedSeconds, ":now": nowSeconds },
      }),
    ),
  );
  if (!renewed) return null;
  return { userId: Item.userId as string, expiresAt: new Date(renewedSeconds * 1000), renewed: true };
}

export async function deleteSession(token: string | undefined): Promise<void> {
  if (!token || !TOKEN_SHAPE.test(token)) return;
  const { db, tableName } = services();
  await db.send(new DeleteCommand({ TableName: tableName, Key: sessionKey(token) }));
}

/** The Set-Cookie value for a session; `secure` is dropped only for a plain-http local site. */
export function sessionCookie(token: string, expiresAt: Date, options: { secure: boolean }): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - services().clock.now().getTime()) / 1000));
  return serializeCookie(SESSION_COOKIE, token, { maxAge, secure: options.secure, path: "/" });
}

export function clearedSessionCookie(options: { secure: boolean }): string {
  return serializeCookie(SESSION_COOKIE, "", { maxAge: 0, secure: options.secure, path: "/" });
}

/** HttpOnly, SameSite=Lax cookie serialisation (values here are base64url, no escaping needed). */
export function serializeCookie(name: string, value: string, options: { maxAge: number; secure: boolean; path: string }): string {
  const parts = [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAge}`, "HttpOnly", "SameSite=Lax"];
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}
