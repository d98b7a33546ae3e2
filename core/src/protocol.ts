/**
 * The builder ↔ API contract, written once (pure zod, no app code, so the builder may import it):
 *   - BuilderInput: what dispatch sends to RunPod `/run` as `input`, and what the builder's RunPod
 *     handler (and the local RunPod-compatible server) accept;
 *   - ProgressReport / CompletionReport: the builder's callbacks
 *     `POST <callback_url>/progress` and `POST <callback_url>/complete`, authorised by
 *     `Authorization: Bearer <callback_secret>`;
 *   - the patterns and limits both sides check.
 */
import * as z from "zod";
import { BuildStats } from "./buildStats";
import { COMMIT_PATTERN, SHA256_PATTERN } from "./patterns";

export { COMMIT_PATTERN, SHA256_PATTERN };
/** A build stage name in a progress report (clone, scan, …). */
export const STAGE_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
/** A machine-readable failure code (ref_not_found, cancelled, …). */
export const ERROR_CODE_PATTERN = /^[a-z0-9_]{1,64}$/;

/** Larger docpacks are refused: the complete handler hashes the whole object within its timeout. */
export const MAX_DOCPACK_BYTES = 512 * 1024 ** 2;
export const MAX_PROGRESS_MESSAGE = 500;
export const MAX_ERROR_MESSAGE = 2_000;

const httpUrl = z
  .string()
  .max(8_192)
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), "must be an http(s) URL");

/** What the builder needs to be able to report at all; the handler checks these first. */
export const BuilderCallbackFields = z.object({
  job_id: z.string().min(1).max(128),
  /** `<API origin>/api/jobs/<job id>`; the builder appends /progress and /complete. */
  callback_url: httpUrl,
  callback_secret: z.string().min(16).max(512),
});

export const BuilderInput = BuilderCallbackFields.extend({
  repo_url: z.string().min(1).max(2_048),
  git_ref: z.string().min(1).max(255),
  commit: z.string().regex(COMMIT_PATTERN, "a full commit hash").optional(),
  /** Sent in an HTTP header to git, never in the URL; holds repository read access. */
  github_token: z.string().min(1).max(1_024).optional(),
  /** A presigned PUT for the docpack object. */
  upload_url: httpUrl,
  options: z
    .object({
      /** The job names a local path (local stage only; the worker refuses it unless allowed). */
      allowLocal: z.boolean().optional(),
      llm: z.boolean().optional(),
      fullName: z.string().max(200).optional(),
    })
    .optional(),
});
export type BuilderInput = z.infer<typeof BuilderInput>;

export const ProgressReport = z.object({
  stage: z.string().regex(STAGE_PATTERN, "stage: a short lower-case name such as clone or scan"),
  percent: z.number().min(0).max(100),
  message: z.string().max(MAX_PROGRESS_MESSAGE).optional(),
});
export type ProgressReport = z.infer<typeof ProgressReport>;

export const BuildError = z.object({
  code: z.string().regex(ERROR_CODE_PATTERN),
  message: z.string().min(1).max(MAX_ERROR_MESSAGE),
});
export type BuildError = z.infer<typeof BuildError>;

/** What the builder sends to /complete. */
export const CompletionReport = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("succeeded"),
    size: z.number().int().positive().max(MAX_DOCPACK_BYTES),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).transform((hash) => hash.toLowerCase()),
    /** What the build found (shown on the job page and the commons); optional for older builders. */
    stats: BuildStats.optional(),
  }),
  z.object({ status: z.literal("failed"), error: BuildError }),
]);
export type CompletionReport = z.input<typeof CompletionReport>;

/**
 * What the API accepts at /complete: the builder's report, plus the older failure forms (a bare
 * message, or an error without a code) that builders already deployed may still send.
 */
export const AcceptedCompletionReport = z.discriminatedUnion("status", [
  CompletionReport.options[0],
  z.object({
    status: z.literal("failed"),
    error: z.union([
      z.string().min(1).max(MAX_ERROR_MESSAGE),
      z.object({ code: z.string().regex(ERROR_CODE_PATTERN).optional(), message: z.string().min(1).max(MAX_ERROR_MESSAGE) }),
    ]),
  }),
]);

/**
 * The job's result, as RunPod's /status carries it in `output` once COMPLETED (the builder's
 * stats and docs summary are the docpack manifest's own, checked there).
 */
export const BuilderJobResult = z.object({
  job_id: z.string().min(1).max(128),
  status: z.literal("succeeded"),
  size: z.number().int().positive().max(MAX_DOCPACK_BYTES),
  sha256: z.string().regex(SHA256_PATTERN),
  commit: z.string().regex(COMMIT_PATTERN),
  stats: z.record(z.string(), z.unknown()),
  docs: z.looseObject({ mode: z.string() }),
  duration_ms: z.number().nonnegative(),
});
export type BuilderJobResult = z.infer<typeof BuilderJobResult>;

/** A failed job's `error` on RunPod's /status: "<code>: <message>", from the worker and the local server alike. */
export const RUNPOD_ERROR_PATTERN = /^[a-z0-9_]{1,64}: \S/;
