/** The GitHub App's user authorization (core/githubUserAuth.ts) as the login and callback handlers use it. */
import { configuredSiteOrigin, githubCallbackUrl, secret } from "@doctown/core/config";
import { ConfigError } from "@doctown/core/errors";
import { signForwardState } from "@doctown/core/oauthForward";
import { serializeCookie } from "@doctown/core/session";

export const OAUTH_STATE_COOKIE = "doctown_oauth_state";
const STATE_COOKIE_PATH = "/auth/github";
const STATE_TTL_SECONDS = 600;

/**
 * The redirect_uri GitHub sends the browser back to: the stage's own callback, or on a stage that
 * shares the preview app, that app's fixed forwarder (GITHUB_CALLBACK_URL).
 */
export function callbackUrl(siteOrigin: string): string {
  return githubCallbackUrl() ?? `${siteOrigin}/auth/github/callback`;
}

/** The state for a new sign-in: the nonce, or with a shared app the nonce plus this stage's signed origin. */
export function signInState(nonce: string): string {
  if (!githubCallbackUrl()) return nonce;
  // Signed from configuration, never from a request header: the forwarder trusts what is signed.
  const origin = configuredSiteOrigin();
  if (!origin) throw new ConfigError("GITHUB_CALLBACK_URL (a shared preview app) needs DOCTOWN_SITE_URL, the origin to come back to.");
  return signForwardState(nonce, origin, secret("GITHUB_CLIENT_SECRET"));
}

export function stateCookie(state: string, secure: boolean): string {
  return serializeCookie(OAUTH_STATE_COOKIE, state, { maxAge: STATE_TTL_SECONDS, secure, path: STATE_COOKIE_PATH });
}

export function clearedStateCookie(secure: boolean): string {
  return serializeCookie(OAUTH_STATE_COOKIE, "", { maxAge: 0, secure, path: STATE_COOKIE_PATH });
}
