/** Public API of @doctown/builder. */
export { buildDocpack, GENERATOR, type BuildTuning, type BuildSummaryWithStats } from "./build";
export { runCli } from "./cli";
export { BuildError, isBuildError, type BuildErrorCode } from "./errors";
export { cloneStage, validateRef, validateSource, validateCommit, type ClonedRepo } from "./stages/clone";
export { scanStage, DEFAULT_SCAN_LIMITS, type ScanResult, type SkipReason } from "./stages/scan";
export { createExtractor, extractStage, type ExtractedFile, type Extractor } from "./stages/extract";
export { packStage, safeZipPath, type PackInput, type PackResult } from "./stages/pack";
export { documentStage, documentDepsFromEnv, type DocumentDeps } from "./stages/document";
export type * from "./types";
