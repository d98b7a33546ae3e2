// GET /auth/github/callback: check state, exchange the code for the user's tokens, upsert the user, start a session.
import { constantTimeEqual } from "@doctown/core/crypto";
import { deploymentMode } from "@doctown/core/config";
import { BadRequest, NotFound } from "@doctown/core/errors";
import { exchangeCode } from "@doctown/core/githubUserAuth";
import { consumeRateLimit } from "@doctown/core/rateLimit";
import { services } from "@doctown/core/services";
import { createSession, sessionCookie } from "@doctown/core/session";
import { upsertGitHubUser } from "@doctown/core/user";
import { DASHBOARD_PATH, redirect, route } from "../http";
import { callbackUrl, clearedStateCookie, OAUTH_STATE_COOKIE } from "./oauth";

const OAUTH_VALUE = /^[A-Za-z0-9_-]{1,512}$/;
/** A plain nonce, or nonce.origin.signature on a stage sharing the preview app. */
const STATE_VALUE = /^[A-Za-z0-9_.-]{1,1024}$/;

export const handler = route(async (req) => {
  await consumeRateLimit("signInIp", req.clientIp);
  if (deploymentMode().signIn === "dev") throw new NotFound("github_sign_in_off", "This local stack uses the dev sign-in; GitHub sign-in is not configured.");
  if (req.query.error) throw new BadRequest("oauth_denied", "GitHub sign-in was cancelled or refused.");
  const { code, state } = req.query;
  const expectedState = req.cookies[OAUTH_STATE_COOKIE];
  if (!state || !expectedState || !STATE_VALUE.test(state) || !constantTimeEqual(state, expectedState))
    throw new BadRequest("invalid_oauth_state", "The sign-in link expired or did not start here; sign in again.");
  if (!code || !OAUTH_VALUE.test(code)) throw new BadRequest("invalid_oauth_code", "GitHub did not return a usable code.");

  const tokens = await exchangeCode(callbackUrl(req.siteOrigin), code);
  const profile = await services().github.getUser(tokens.accessToken);
  await consumeRateLimit("signInUser", `github:${profile.id}`);
  const user = await upsertGitHubUser(profile, tokens);
  const session = await createSession(user.id);
  return redirect(DASHBOARD_PATH, [
    sessionCookie(session.token, session.expiresAt, { secure: req.secureCookies }),
    clearedStateCookie(req.secureCookies),
  ]);
});
