/**
 * What the viewer opens at most, and its error: small on purpose, because the page imports it up
 * front, while the docpack reader (docpack.ts, with core's zod schema) is a chunk loaded only when a
 * docpack is opened.
 */
export const LIMITS = {
  zipBytes: 128 * 1024 * 1024,
  jsonBytes: 64 * 1024 * 1024,
  pageBytes: 2 * 1024 * 1024,
  sourceBytes: 4 * 1024 * 1024,
  files: 100_000,
  symbols: 500_000,
} as const;

export class DocpackError extends Error {}
