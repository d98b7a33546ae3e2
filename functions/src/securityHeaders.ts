/**
 * The security headers of every page and API answer, as pure data: the API edge (http.ts), the
 * local gateway and static files (local/src), and CloudFront's response headers policy
 * (stacks/Web.ts) all take them from here.
 *
 * Pages: the dashboard's scripts and styles are files under /_astro/ (web/astro.config.mjs inlines
 * none), so no inline script or style runs; the viewer fetches docpacks from the storage origin
 * (a presigned URL after the API's redirect), which connect-src must name; avatars come from
 * GitHub (or an Enterprise host), so images may load over any https origin.
 */

/** HSTS for deployed stages (HTTPS only); never on the local stack, which serves plain HTTP. */
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/** What an API answer may do in a browser: nothing (it is JSON or a redirect). */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The pages' policy; `storageOrigins` are where the viewer may fetch docpacks from. */
export function pageContentSecurityPolicy(storageOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    `connect-src 'self'${storageOrigins.map((origin) => ` ${origin}`).join("")}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The deployed storage: Cloudflare R2's S3 endpoints (one host per account). */
export const R2_STORAGE_ORIGIN = "https://*.r2.cloudflarestorage.com";

export const REFERRER_POLICY = "same-origin";

/** Headers every answer carries besides the CSP (HSTS is added where HTTPS is guaranteed). */
export const COMMON_SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": REFERRER_POLICY,
  "x-frame-options": "DENY",
} as const;

export function apiSecurityHeaders(options: { hsts: boolean }): Record<string, string> {
  return {
    ...COMMON_SECURITY_HEADERS,
    "content-security-policy": API_CONTENT_SECURITY_POLICY,
    ...(options.hsts ? { "strict-transport-security": HSTS_VALUE } : {}),
  };
}

export function pageSecurityHeaders(options: { hsts: boolean; storageOrigins: readonly string[] }): Record<string, string> {
  return {
    ...COMMON_SECURITY_HEADERS,
    "content-security-policy": pageContentSecurityPolicy(options.storageOrigins),
    ...(options.hsts ? { "strict-transport-security": HSTS_VALUE } : {}),
  };
}
