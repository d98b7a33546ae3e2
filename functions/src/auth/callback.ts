// GET /auth/github/callback: check state, exchange the code, upsert the user, start a session.
import { ArcticFetchError, OAuth2RequestError } from "arctic";
import { constantTimeEqual } from "@doctown/core/crypto";
import { BadGateway, BadRequest, NotFound } from "@doctown/core/errors";
import { deploymentMode } from "@doctown/core/config";
import { consumeRateLimit } from "@doctown/core/rateLimit";
import { services } from "@doctown/core/services";
import { createSession, sessionCookie } from "@doctown/core/session";
import { upsertGitHubUser } from "@doctown/core/user";
import { DASHBOARD_PATH, redirect, route } from "../http";
import { clearedStateCookie, githubOAuth, OAUTH_STATE_COOKIE } from "./oauth";

const OAUTH_VALUE = /^[A-Za-z0-9_-]{1,512}$/;

export const handler = route(async (req) => {
  await consumeRateLimit("signInIp", req.clientIp);
  if (deploymentMode().signIn === "dev") throw new NotFound("github_sign_in_off", "This local stack uses the dev sign-in; GitHub sign-in is not configured.");
  if (req.query.error) throw new BadRequest("oauth_denied", "GitHub sign-in was cancelled or refused.");
  const { code, state } = req.query;
  const expectedState = req.cookies[OAUTH_STATE_COOKIE];
  if (!state || !expectedState || !OAUTH_VALUE.test(state) || !constantTimeEqual(state, expectedState))
    throw new BadRequest("invalid_oauth_state", "The sign-in link expired or did not start here; sign in again.");
  if (!code || !OAUTH_VALUE.test(code)) throw new BadRequest("invalid_oauth_code", "GitHub did not return a usable code.");

  let accessToken: string;
  try {
    accessToken = (await githubOAuth(req.siteOrigin).validateAuthorizationCode(code)).accessToken();
  } catch (error) {
    if (error instanceof OAuth2RequestError) throw new BadRequest("invalid_oauth_code", `GitHub refused the code (${error.code}); sign in again.`);
    if (error instanceof ArcticFetchError) throw new BadGateway("github_unavailable", "GitHub could not be reached to finish sign-in.");
    throw new BadGateway("github_bad_response", "GitHub answered the sign-in unexpectedly.");
  }

  const profile = await services().github.getUser(accessToken);
  await consumeRateLimit("signInUser", `github:${profile.id}`);
  const user = await upsertGitHubUser(profile, accessToken);
  const session = await createSession(user.id);
  return redirect(DASHBOARD_PATH, [
    sessionCookie(session.token, session.expiresAt, { secure: req.secureCookies }),
    clearedStateCookie(req.secureCookies),
  ]);
});
