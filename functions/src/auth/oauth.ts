/** GitHub OAuth (arctic) shared by the login and callback handlers. */
import { GitHub } from "arctic";
import { secret } from "@doctown/core/config";
import { serializeCookie } from "@doctown/core/session";

export const OAUTH_STATE_COOKIE = "doctown_oauth_state";
export const OAUTH_SCOPES = ["read:user", "repo"];
const STATE_COOKIE_PATH = "/auth/github";
const STATE_TTL_SECONDS = 600;

export function githubOAuth(siteOrigin: string): GitHub {
  return new GitHub(secret("GITHUB_CLIENT_ID"), secret("GITHUB_CLIENT_SECRET"), `${siteOrigin}/auth/github/callback`);
}

export function stateCookie(state: string, secure: boolean): string {
  return serializeCookie(OAUTH_STATE_COOKIE, state, { maxAge: STATE_TTL_SECONDS, secure, path: STATE_COOKIE_PATH });
}

export function clearedStateCookie(secure: boolean): string {
  return serializeCookie(OAUTH_STATE_COOKIE, "", { maxAge: 0, secure, path: STATE_COOKIE_PATH });
}
