// GET /auth/github/forward?code&state: the shared preview app's fixed callback. Sends the browser
// on to the pull-request stage the signed state names (core/oauthForward.ts), with the code and state.
import { deploymentMode, secret } from "@doctown/core/config";
import { BadRequest, NotFound } from "@doctown/core/errors";
import { verifyForwardState } from "@doctown/core/oauthForward";
import { redirect, route } from "../http";

export const handler = route(async (req) => {
  if (deploymentMode().signIn === "dev") throw new NotFound("github_sign_in_off", "This local stack uses the dev sign-in; GitHub sign-in is not configured.");
  const state = req.query.state;
  if (!state) throw new BadRequest("invalid_oauth_state", "The sign-in state is missing; sign in again.");
  const origin = verifyForwardState(state, secret("GITHUB_CLIENT_SECRET"));
  const target = new URL("/auth/github/callback", origin);
  for (const name of ["code", "state", "error"] as const) {
    const value = req.query[name];
    if (value !== undefined) target.searchParams.set(name, value.slice(0, 512));
  }
  return redirect(target.href);
});
