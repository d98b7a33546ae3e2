/**
 * Rate limits: fixed windows counted in DynamoDB. Each (rule, key, window) is one item whose count
 * goes up by a conditional update (`count < limit`), so parallel requests cannot overshoot, and
 * whose expiresAt lets DynamoDB's TTL delete it (dynalite never deletes; old windows are simply
 * never read again). Keys (user ids, IP addresses, repositories) are stored hashed.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { optionalSetting } from "./config";
import { sha256Hex } from "./crypto";
import { ConfigError, RateLimited } from "./errors";
import { services } from "./services";
import { isConditionFailure } from "./conditionalWrite";

export type RateLimitRule = { limit: number; windowSeconds: number };

/** The limits; DOCTOWN_RATE_LIMITS="name=limit/seconds,..." overrides any of them (tests, small stages). */
export const RATE_LIMITS = {
  /** POST /api/jobs per signed-in user. */
  jobCreateUser: { limit: 30, windowSeconds: 3600 },
  /** POST /api/jobs per client address. */
  jobCreateIp: { limit: 60, windowSeconds: 3600 },
  /** Sign-in attempts (GitHub login and callback, dev sign-in) per client address. */
  signInIp: { limit: 30, windowSeconds: 600 },
  /** Sign-ins per account (GitHub user id, dev login). */
  signInUser: { limit: 10, windowSeconds: 600 },
  /** Push builds per repository. */
  pushBuildRepo: { limit: 30, windowSeconds: 3600 },
} as const satisfies Record<string, RateLimitRule>;
export type RateLimitName = keyof typeof RATE_LIMITS;

export function rateLimitRule(name: RateLimitName): RateLimitRule {
  const raw = optionalSetting("DOCTOWN_RATE_LIMITS");
  if (raw === undefined) return RATE_LIMITS[name];
  for (const entry of raw.split(",")) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(entry);
    if (!match || !(match[1] in RATE_LIMITS) || Number(match[3]) < 1)
      throw new ConfigError(`DOCTOWN_RATE_LIMITS: "${entry}" is not name=limit/seconds with a name of ${Object.keys(RATE_LIMITS).join(", ")}.`);
    if (match[1] === name) return { limit: Number(match[2]), windowSeconds: Number(match[3]) };
  }
  return RATE_LIMITS[name];
}

/**
 * Counts one request against the rule for this key; throws RateLimited (429, Retry-After = the
 * seconds until the window ends) once the window's limit is reached. A missing key (no client
 * address) is not limited.
 */
export async function consumeRateLimit(name: RateLimitName, key: string | undefined): Promise<void> {
  if (!key) return;
  const rule = rateLimitRule(name);
  const { db, tableName, clock } = services();
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  const windowStart = nowSeconds - (nowSeconds % rule.windowSeconds);
  const windowEnd = windowStart + rule.windowSeconds;
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `RATE#${name}#${sha256Hex(key)}`, sk: `WINDOW#${windowStart}` },
        UpdateExpression: "SET entity = :entity, expiresAt = :expiresAt ADD #count :one",
        ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
        ExpressionAttributeNames: { "#count": "count" },
        ExpressionAttributeValues: { ":entity": "rateWindow", ":expiresAt": windowEnd + 60, ":one": 1, ":limit": rule.limit },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw new RateLimited(`Too many requests (${describe(name)}); try again in ${windowEnd - nowSeconds} s.`, Math.max(1, windowEnd - nowSeconds));
  }
}

function describe(name: RateLimitName): string {
  const { limit, windowSeconds } = rateLimitRule(name);
  const what = {
    jobCreateUser: "builds started by this account",
    jobCreateIp: "builds started from this address",
    signInIp: "sign-in attempts from this address",
    signInUser: "sign-ins to this account",
    pushBuildRepo: "push builds of this repository",
  }[name];
  return `${limit} ${what} per ${windowSeconds >= 3600 ? `${windowSeconds / 3600} h` : `${windowSeconds / 60} min`}`;
}
