// POST /auth/dev { "login": "…" }: the local stage's sign-in when no GitHub OAuth app is configured.
// It creates (or updates) a local user and starts a session. Anywhere else it does not exist (404).
import * as z from "zod";
import { deploymentMode } from "@doctown/core/config";
import { NotFound } from "@doctown/core/errors";
import { GITHUB_LOGIN_PATTERN, GITHUB_LOGIN_RULE } from "@doctown/core/patterns";
import { consumeRateLimit } from "@doctown/core/rateLimit";
import { createSession, sessionCookie } from "@doctown/core/session";
import { upsertLocalUser } from "@doctown/core/user";
import { errorResponse, json, jsonBody, route } from "../http";
import { userView } from "../views";

/** GitHub's login rules: 1–39 letters, digits or single inner hyphens. */
export const DevSignIn = z.object({
  login: z
    .string()
    .regex(GITHUB_LOGIN_PATTERN, `login: ${GITHUB_LOGIN_RULE}`),
});

/** Only on the local stage, and only while real GitHub sign-in is not configured (config.ts decides). */
export function devSignInEnabled(): boolean {
  return deploymentMode().signIn === "dev";
}

const signIn = route(async (req) => {
  await consumeRateLimit("signInIp", req.clientIp);
  const { login } = jsonBody(req, DevSignIn);
  await consumeRateLimit("signInUser", `dev:${login.toLowerCase()}`);
  const user = await upsertLocalUser(login);
  const session = await createSession(user.id);
  return json(200, { user: userView(user) }, [sessionCookie(session.token, session.expiresAt, { secure: req.secureCookies })]);
});

// The switch comes before anything else (even the origin check): where disabled, the route does not exist.
export const handler: typeof signIn = async (event) => {
  try {
    if (!devSignInEnabled()) return errorResponse(new NotFound());
  } catch (error) {
    return errorResponse(error); // an ambiguous configuration: refused, never guessed
  }
  return signIn(event);
};
