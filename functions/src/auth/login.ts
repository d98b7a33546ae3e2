// GET /auth/github/login: a short-lived state cookie, then off to the GitHub App's authorization page (no scopes).
import { generateState } from "arctic";
import { deploymentMode } from "@doctown/core/config";
import { NotFound } from "@doctown/core/errors";
import { authorizationUrl } from "@doctown/core/githubUserAuth";
import { consumeRateLimit } from "@doctown/core/rateLimit";
import { redirect, route } from "../http";
import { callbackUrl, signInState, stateCookie } from "./oauth";

export const handler = route(async (req) => {
  await consumeRateLimit("signInIp", req.clientIp);
  if (deploymentMode().signIn === "dev") throw new NotFound("github_sign_in_off", "This local stack uses the dev sign-in; GitHub sign-in is not configured.");
  const state = signInState(generateState());
  const url = authorizationUrl(callbackUrl(req.siteOrigin), state);
  return redirect(url.toString(), [stateCookie(state, req.secureCookies)]);
});
