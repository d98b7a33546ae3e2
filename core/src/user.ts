/**
 * User: a GitHub account that signed in (id = GitHub's numeric id), or the local stage's dev user.
 * The GitHub App user token (and its refresh token) is stored only encrypted (AES-256-GCM,
 * TOKEN_ENCRYPTION_KEY). It never leaves the API: it only asks GitHub which installations and
 * repositories the user reaches. An expiring token is refreshed when it is next needed.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { secret } from "./config";
import { decryptSecret, encryptSecret, parseEncryptionKey } from "./crypto";
import { NotFound, Unauthorized } from "./errors";
import { refreshUserTokens, type UserTokens } from "./githubUserAuth";
import { services } from "./services";
import { conditionalWrite } from "./conditionalWrite";

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
  /** Plain GitHub user tokens; stored encrypted. Omitted: any stored token is kept. */
  githubTokens: z
    .object({
      accessToken: z.string().min(1).max(1024),
      refreshToken: z.string().min(1).max(1024).optional(),
      expiresAt: z.date().optional(),
      refreshTokenExpiresAt: z.date().optional(),
    })
    .optional(),
});
/** Refresh this long before GitHub's expiry, so a token does not lapse in the middle of a request. */
const REFRESH_MARGIN_MS = 5 * 60_000;
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
  if (user.githubTokens !== undefined) {
    update += ", " + tokenUpdate(user.githubTokens, values);
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

/** The SET clauses (and values) that store a token set; absent parts are stored as null. */
function tokenUpdate(tokens: UserTokens, values: Record<string, unknown>): string {
  const key = encryptionKey();
  values[":token"] = encryptSecret(tokens.accessToken, key);
  values[":refresh"] = tokens.refreshToken ? encryptSecret(tokens.refreshToken, key) : null;
  values[":tokenExpiresAt"] = tokens.expiresAt?.toISOString() ?? null;
  values[":refreshExpiresAt"] = tokens.refreshTokenExpiresAt?.toISOString() ?? null;
  return "githubTokenEncrypted = :token, githubRefreshTokenEncrypted = :refresh, githubTokenExpiresAt = :tokenExpiresAt, githubRefreshTokenExpiresAt = :refreshExpiresAt";
}

/** Upserts the user GitHub signed in, with their user tokens. */
export function upsertGitHubUser(profile: { id: number; login: string; name: string | null; avatarUrl: string | null }, tokens: UserTokens) {
  return upsertUser({ id: String(profile.id), login: profile.login, name: profile.name, avatarUrl: profile.avatarUrl, githubTokens: tokens });
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

/**
 * The user's GitHub user token, decrypted and refreshed when it is about to expire; undefined when
 * they have none (dev user). Only the API calls this, and only to ask GitHub about the user.
 */
export async function getGitHubToken(userId: string): Promise<string | undefined> {
  const stored = await readTokens(userId);
  if (!stored) return undefined;
  const { clock } = services();
  if (!stored.expiresAt || stored.expiresAt.getTime() - REFRESH_MARGIN_MS > clock.now().getTime()) return stored.accessToken;
  if (!stored.refreshToken || (stored.refreshTokenExpiresAt && stored.refreshTokenExpiresAt.getTime() <= clock.now().getTime()))
    throw new Unauthorized("github_token_expired", "Your GitHub authorization expired; sign in again.");
  let fresh: UserTokens;
  try {
    fresh = await refreshUserTokens(stored.refreshToken);
  } catch (error) {
    // Refresh tokens are single use: a concurrent request may have refreshed first. Use its token.
    const now = await readTokens(userId);
    if (now && now.sealedAccess !== stored.sealedAccess && (!now.expiresAt || now.expiresAt.getTime() > clock.now().getTime())) return now.accessToken;
    throw error;
  }
  await storeRefreshedTokens(userId, stored.sealedAccess, fresh);
  return fresh.accessToken;
}

type StoredTokens = {
  sealedAccess: string;
  accessToken: string;
  refreshToken?: string;
  expiresAt?: Date;
  refreshTokenExpiresAt?: Date;
};

async function readTokens(userId: string): Promise<StoredTokens | undefined> {
  const { db, tableName } = services();
  const { Item } = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: userKey(userId),
      ProjectionExpression: "githubTokenEncrypted, githubRefreshTokenEncrypted, githubTokenExpiresAt, githubRefreshTokenExpiresAt",
    }),
  );
  const sealed = Item?.githubTokenEncrypted as string | undefined;
  if (!sealed) return undefined;
  const key = encryptionKey();
  try {
    const refresh = Item?.githubRefreshTokenEncrypted as string | null | undefined;
    const date = (value: unknown) => (typeof value === "string" ? new Date(value) : undefined);
    return {
      sealedAccess: sealed,
      accessToken: decryptSecret(sealed, key),
      refreshToken: refresh ? decryptSecret(refresh, key) : undefined,
      expiresAt: date(Item?.githubTokenExpiresAt),
      refreshTokenExpiresAt: date(Item?.githubRefreshTokenExpiresAt),
    };
  } catch {
    // The key was rotated or the value damaged: the user must sign in again to store a new token.
    throw new Unauthorized("github_token_unreadable", "The stored GitHub token cannot be read; sign in again.");
  }
}

/** Stores refreshed tokens unless another request stored newer ones first (theirs stay). */
async function storeRefreshedTokens(userId: string, previousSealedAccess: string, tokens: UserTokens): Promise<void> {
  const { db, tableName } = services();
  const values: Record<string, unknown> = { ":previous": previousSealedAccess };
  // A refresh that lost the race leaves the winner's tokens in place.
  await conditionalWrite(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKey(userId),
        UpdateExpression: `SET ${tokenUpdate(tokens, values)}`,
        ConditionExpression: "githubTokenEncrypted = :previous",
        ExpressionAttributeValues: values,
      }),
    ),
  );
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
