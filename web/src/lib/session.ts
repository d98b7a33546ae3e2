/**
 * What every page asks first: GET /api/session (always 200). It names the signed-in user (or
 * null), the sign-in this stage offers and what can work here, so no page probes a route or
 * sends a request that must fail. Asked once per page; the header and the page share the answer.
 */
import { api, goToSignIn } from "./api";
import type { MeView, SessionView } from "./types";

let answer: Promise<SessionView> | undefined;

export function session(): Promise<SessionView> {
  answer ??= api<SessionView>("/api/session", { redirectOn401: false });
  return answer;
}

/** The user, or null when signed out. Other failures (API down) reject. */
export async function currentUser(): Promise<MeView | null> {
  const { user, local_stage } = await session();
  return user ? { user, local_stage } : null;
}

/**
 * For pages only signed-in users may see: resolves with the session once it names a user;
 * otherwise leaves for the sign-in page and never resolves, so no other API call goes out first.
 */
export async function signedIn(): Promise<SessionView & { user: NonNullable<SessionView["user"]> }> {
  const now = await session();
  if (!now.user) {
    goToSignIn();
    return new Promise(() => undefined);
  }
  return now as SessionView & { user: NonNullable<SessionView["user"]> };
}

export async function signOut(): Promise<void> {
  await api("/auth/logout", { method: "POST", redirectOn401: false });
  location.assign("/");
}
