// GET /auth/github/login: a short-lived state cookie, then off to GitHub's consent page.
import { generateState } from "arctic";
import { deploymentMode } from "@doctown/core/config";
import { NotFound } from "@doctown/core/errors";
import { consumeRateLimit } from "@doctown/core/rateLimit";
import { redirect, route } from "../http";
import { githubOAuth, OAUTH_SCOPES, stateCookie } from "./oauth";

export const handler = route(async (req) => {
  await consumeRateLimit("signInIp", req.clientIp);
  if (deploymentMode().signIn === "dev") throw new NotFound("github_sign_in_off", "This local stack uses the dev sign-in; GitHub sign-in is not configured.");
  const state = generateState();
  const url = githubOAuth(req.siteOrigin).createAuthorizationURL(state, OAUTH_SCOPES);
  return redirect(url.toString(), [stateCookie(state, req.secureCookies)]);
});
