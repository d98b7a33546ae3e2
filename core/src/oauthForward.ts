/**
 * Sign-in on pull-request stages that share one preview GitHub App. That app has one callback URL,
 * a fixed forwarder (`GET /auth/github/forward` on a stable stage); the PR stage puts its own
 * origin into the OAuth state, signed (HMAC-SHA256) with the shared app's client secret, which only
 * this deployment's stages hold. The forwarder sends the browser on only to an origin whose
 * signature checks out: never an open redirect.
 *   state = <nonce>.<base64url(origin)>.<base64url(hmac(nonce "." origin))>
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { isLocalStage } from "./config";
import { BadRequest } from "./errors";

const STATE = /^([A-Za-z0-9_-]{16,128})\.([A-Za-z0-9_-]{4,400})\.([A-Za-z0-9_-]{43})$/;

function mac(key: string, nonce: string, origin: string): Buffer {
  return createHmac("sha256", key).update(`doctown-oauth-forward\n${nonce}\n${origin}`).digest();
}

export function signForwardState(nonce: string, origin: string, key: string): string {
  return `${nonce}.${Buffer.from(origin).toString("base64url")}.${mac(key, nonce, origin).toString("base64url")}`;
}

/** The stage origin a forwarded state names, if its signature is ours and the origin is a plain site origin. */
export function verifyForwardState(state: string, key: string): string {
  const invalid = () => new BadRequest("invalid_oauth_state", "The sign-in state was not made by this deployment; sign in again.");
  const match = STATE.exec(state);
  if (!match) throw invalid();
  const [, nonce, encodedOrigin, signature] = match;
  const origin = Buffer.from(encodedOrigin, "base64url").toString("utf8");
  const expected = mac(key, nonce, origin);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw invalid();
  }
  const loopback = url.protocol === "http:" && url.hostname === "127.0.0.1" && isLocalStage();
  if (url.origin !== origin || (url.protocol !== "https:" && !loopback)) throw invalid();
  return origin;
}
