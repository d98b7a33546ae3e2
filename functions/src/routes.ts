/**
 * Every HTTP route of the API and the handler module (under functions/src) that serves it.
 * Pure data: the CDK Api stack and the local gateway both build their routing from this table.
 */
export const ROUTES = {
  "GET /auth/github/login": "auth/login",
  "GET /auth/github/callback": "auth/callback",
  "GET /auth/github/setup": "auth/setup",
  "GET /auth/github/forward": "auth/forward",
  "POST /auth/logout": "auth/logout",
  "GET /api/me": "me",
  "GET /api/session": "session",
  "GET /api/repos": "repos/list",
  "GET /api/repos/{owner}/{name}/settings": "repos/settings",
  "PUT /api/repos/{owner}/{name}/settings": "repos/settings",
  "POST /api/jobs": "jobs/create",
  "POST /api/jobs/create": "jobs/create",
  "GET /api/jobs": "jobs/list",
  "GET /api/jobs/{id}": "jobs/get",
  "GET /api/jobs/status/{id}": "jobs/get",
  "POST /api/jobs/{id}/cancel": "jobs/cancel",
  "POST /api/jobs/{id}/progress": "jobs/progress",
  "POST /api/jobs/{id}/complete": "jobs/complete",
  "GET /api/docpacks": "docpacks/list",
  "GET /api/docpacks/public": "docpacks/listPublic",
  "GET /api/docpacks/{id}/download": "docpacks/download",
  "PATCH /api/docpacks/{id}": "docpacks/update",
  "POST /api/github/webhook": "github/webhook",
} as const;

/** Routes that exist only on the local stage (never deployed). */
export const LOCAL_ONLY_ROUTES = {
  "POST /auth/dev": "auth/dev",
} as const;

export type HandlerModule = (typeof ROUTES)[keyof typeof ROUTES];

/** The pipeline's Lambda tasks, invoked by the state machine rather than over HTTP. */
export const PIPELINE_HANDLERS = {
  dispatch: "pipeline/dispatch",
  markFailed: "pipeline/markFailed",
} as const;

/** The scheduled handlers, invoked by EventBridge rules. */
export const SCHEDULED_HANDLERS = {
  sweep: "pipeline/sweep",
  sweepDocpacks: "pipeline/sweepDocpacks",
} as const;

/**
 * The header CloudFront adds to every request it forwards to the API, with the stage's value; the
 * API refuses requests without it, so its default execute-api URL is useless when called directly.
 */
export const ORIGIN_VERIFY_HEADER = "x-doctown-origin-verify";
