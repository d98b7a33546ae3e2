/** The signed-in user, asked once per page (the header and the page share the answer). */
import { api, ApiError } from "./api";
import type { MeView } from "./types";

let me: Promise<MeView | null> | undefined;

/** The user, or null when signed out. Other failures (API down) reject. */
export function currentUser(): Promise<MeView | null> {
  me ??= api<MeView>("/api/me", { redirectOn401: false }).catch((error) => {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  });
  return me;
}

export async function signOut(): Promise<void> {
  await api("/auth/logout", { method: "POST", redirectOn401: false });
  location.assign("/");
}
