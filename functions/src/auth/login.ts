// GET /auth/github/login: a short-lived state cookie, then off to the GitHub App's authorization page (no scopes).
import { generateState } from "arctic";
import { authorizationUrl } from "@doctown/core/githubUserAuth";
import { redirect, route } from "../http";
import { callbackUrl, signInState, stateCookie } from "./oauth";

export const handler = route(async (req) => {
  const state = signInState(generateState());
  const url = authorizationUrl(callbackUrl(req.siteOrigin), state);
  return redirect(url.toString(), [stateCookie(state, req.secureCookies)]);
});
