/**
 * Sign-in through the GitHub App's user authorization (arctic's generic OAuth2 client, with the
 * endpoints under GITHUB_URL so GitHub Enterprise Server and stand-ins work). No scopes: a GitHub
 * App's user token can do only what the app's permissions and the user's access both allow. With
 * "expire user authorization tokens" on (the default), the token lasts 8 hours and comes with a
 * refresh token (6 months, single use).
 */
import { ArcticFetchError, OAuth2Client, OAuth2RequestError, type OAuth2Tokens } from "arctic";
import { githubUrl, secret } from "./config";
import { BadGateway, BadRequest, Unauthorized } from "./errors";

export type UserTokens = {
  accessToken: string;
  /** Absent when the app issues non-expiring user tokens. */
  refreshToken?: string;
  expiresAt?: Date;
  refreshTokenExpiresAt?: Date;
};

function client(redirectUri: string | null): OAuth2Client {
  return new OAuth2Client(secret("GITHUB_CLIENT_ID"), secret("GITHUB_CLIENT_SECRET"), redirectUri);
}

const authorizeEndpoint = () => `${githubUrl()}/login/oauth/authorize`;
const tokenEndpoint = () => `${githubUrl()}/login/oauth/access_token`;

/** Where to send the browser to sign in; no scopes. */
export function authorizationUrl(redirectUri: string, state: string): URL {
  return client(redirectUri).createAuthorizationURL(authorizeEndpoint(), state, []);
}

/** Exchanges the callback's code; a refused code is a 400, an unreachable GitHub a 502. */
export async function exchangeCode(redirectUri: string, code: string): Promise<UserTokens> {
  let tokens: OAuth2Tokens;
  try {
    tokens = await client(redirectUri).validateAuthorizationCode(tokenEndpoint(), code, null);
  } catch (error) {
    if (error instanceof OAuth2RequestError) throw new BadRequest("invalid_oauth_code", `GitHub refused the code (${error.code}); sign in again.`);
    throw tokenEndpointError(error);
  }
  const refused = refusal(tokens);
  if (refused) throw new BadRequest("invalid_oauth_code", `GitHub refused the code (${refused}); sign in again.`);
  return toUserTokens(tokens);
}

/** A new token pair for a refresh token; a refused one (expired, used, revoked) is a 401. */
export async function refreshUserTokens(refreshToken: string): Promise<UserTokens> {
  const expired = () => new Unauthorized("github_token_expired", "Your GitHub authorization expired; sign in again.");
  let tokens: OAuth2Tokens;
  try {
    tokens = await client(null).refreshAccessToken(tokenEndpoint(), refreshToken, []);
  } catch (error) {
    if (error instanceof OAuth2RequestError) throw expired();
    throw tokenEndpointError(error);
  }
  if (refusal(tokens)) throw expired();
  return toUserTokens(tokens);
}

/** GitHub answers a refused grant with HTTP 200 and an `error` field, which arctic's generic client passes on as tokens. */
function refusal(tokens: OAuth2Tokens): string | undefined {
  const error = (tokens.data as Record<string, unknown>).error;
  return typeof error === "string" ? error.slice(0, 64) : undefined;
}

function tokenEndpointError(error: unknown) {
  if (error instanceof ArcticFetchError) return new BadGateway("github_unavailable", "GitHub could not be reached for a user token.");
  return new BadGateway("github_bad_response", "GitHub answered the token request unexpectedly.");
}

function toUserTokens(tokens: OAuth2Tokens): UserTokens {
  const data = tokens.data as Record<string, unknown>;
  const now = Date.now();
  let accessToken: string;
  try {
    accessToken = tokens.accessToken();
  } catch {
    throw new BadGateway("github_bad_response", "GitHub's token answer has no access_token.");
  }
  const result: UserTokens = { accessToken };
  if (typeof data.expires_in === "number") result.expiresAt = new Date(now + data.expires_in * 1000);
  if (tokens.hasRefreshToken()) result.refreshToken = tokens.refreshToken();
  if (typeof data.refresh_token_expires_in === "number") result.refreshTokenExpiresAt = new Date(now + data.refresh_token_expires_in * 1000);
  return result;
}
