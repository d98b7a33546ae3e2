// POST /auth/logout: forget the session (server side too) and clear the cookie.
import { clearedSessionCookie, deleteSession, SESSION_COOKIE } from "@doctown/core/session";
import { noContent, route } from "../http";

export const handler = route(async (req) => {
  await deleteSession(req.cookies[SESSION_COOKIE]);
  return noContent([clearedSessionCookie({ secure: req.secureCookies })]);
});
