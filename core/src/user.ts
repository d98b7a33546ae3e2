/**
 * User: a GitHub account that signed in (id = GitHub's numeric id), or the local stage's dev user.
 * The GitHub access token is stored only encrypted (AES-256-GCM, TOKEN_ENCRYPTION_KEY).
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { secret } from "./config";
import { decryptSecret, encryptSecret, parseEncryptionKey } from "./crypto";
import { NotFound, Unauthorized } from "./errors";
import { services } from "./services";

export type User = {
  id: string;
  login: string;
  name: string | null;
  avatarUrl: string | null;
  createdAt: string;
  updatedAt: string;
};

export const userKey = (userId: string) => ({ pk: `USER#${userId}`, sk: "PROFILE" });

const UserId = z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, "user id: letters, digits, ':', '_' or '-'");
const UpsertUserInput = z.object({
  id: UserId,
  login: z.string().min(1).max(100),
  name: z.string().max(256).nullish(),
  avatarUrl: z.string().url().max(2048).nullish(),
  /** Plain GitHub access token; stored encrypted. Omitted: any stored token is kept. */
  githubToken: z.string().min(1).max(1024).optional(),
});
export type UpsertUserInput = z.input<typeof UpsertUserInput>;

/** The id of the local stage's dev user for a login (never a number, so never a GitHub id). */
export const localUserId = (login: string) => `local-${login}`;

function encryptionKey() {
  return parseEncryptionKey(secret("TOKEN_ENCRYPTION_KEY"));
}

/** Creates or updates a user's profile (and token); returns the stored profile. */
export async function upsertUser(input: UpsertUserInput): Promise<User> {
  const user = UpsertUserInput.parse(input);
  const { db, tableName, clock } = services();
  const now = clock.now().toISOString();
  const values: Record<string, unknown> = {
    ":id": user.id,
    ":login": user.login,
    ":name": user.name ?? null,
    ":avatarUrl": user.avatarUrl ?? null,
    ":now": now,
  };
  let update = "SET userId = :id, login = :login, #name = :name, avatarUrl = :avatarUrl, updatedAt = :now, createdAt = if_not_exists(createdAt, :now)";
  if (user.githubToken !== undefined) {
    update += ", githubTokenEncrypted = :token";
    values[":token"] = encryptSecret(user.githubToken, encryptionKey());
  }
  const result = await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: userKey(user.id),
      UpdateExpression: update,
      ExpressionAttributeNames: { "#name": "name" },
      ExpressionAttributeValues: values,
      ReturnValues: "ALL_NEW",
    }),
  );
  return toUser(result.Attributes!);
}

/** Upserts the user GitHub signed in, with their access token. */
export function upsertGitHubUser(profile: { id: number; login: string; name: string | null; avatarUrl: string | null }, accessToken: string) {
  return upsertUser({ id: String(profile.id), login: profile.login, name: profile.name, avatarUrl: profile.avatarUrl, githubToken: accessToken });
}

/** Upserts the local stage's dev user (no GitHub token: public repositories and local paths only). */
export function upsertLocalUser(login = "dev") {
  return upsertUser({ id: localUserId(login), login, name: login, avatarUrl: null });
}

export async function findUser(userId: string): Promise<User | null> {
  const { db, tableName } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: userKey(userId) }));
  return Item ? toUser(Item) : null;
}

export async function getUser(userId: string): Promise<User> {
  const user = await findUser(userId);
  if (!user) throw new NotFound("user_not_found", "User not found.");
  return user;
}

/** The user's GitHub access token, decrypted; undefined when they have none (dev user). */
export async function getGitHubToken(userId: string): Promise<string | undefined> {
  const { db, tableName } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: userKey(userId), ProjectionExpression: "githubTokenEncrypted" }));
  const sealed = Item?.githubTokenEncrypted as string | undefined;
  if (!sealed) return undefined;
  // A missing or malformed key is the stage's configuration error (named), not the user's problem.
  const key = encryptionKey();
  try {
    return decryptSecret(sealed, key);
  } catch {
    // The key was rotated or the value damaged: the user must sign in again to store a new token.
    throw new Unauthorized("github_token_unreadable", "The stored GitHub token cannot be read; sign in again.");
  }
}

function toUser(item: Record<string, unknown>): User {
  return {
    id: item.userId as string,
    login: item.login as string,
    name: (item.name as string | null) ?? null,
    avatarUrl: (item.avatarUrl as string | null) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}
