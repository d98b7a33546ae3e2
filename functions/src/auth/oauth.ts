/** The GitHub App's user authorization (core/githubUserAuth.ts) as the login and callback handlers use it. */
import { serializeCookie } from "@doctown/core/session";

export const OAUTH_STATE_COOKIE = "doctown_oauth_state";
const STATE_COOKIE_PATH = "/auth/github";
const STATE_TTL_SECONDS = 600;

/** The stage's own callback; GitHub accepts it because the stage's app lists it. */
export function callbackUrl(siteOrigin: string): string {
  return `${siteOrigin}/auth/github/callback`;
}

export function stateCookie(state: string, secure: boolean): string {
  return serializeCookie(OAUTH_STATE_COOKIE, state, { maxAge: STATE_TTL_SECONDS, secure, path: STATE_COOKIE_PATH });
}

export function clearedStateCookie(secure: boolean): string {
  return serializeCookie(OAUTH_STATE_COOKIE, "", { maxAge: 0, secure, path: STATE_COOKIE_PATH });
}
