/**
 * Whether a path may name an entry of the docpack (and a page link): relative, forward slashes only,
 * no drive prefix, no control characters, no `.`/`..`/empty segments. Scan leaves out files whose
 * paths fail this; pack refuses to write one.
 */
export function isSafeRelativePath(path: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f\\]|^[A-Za-z]:/.test(path)) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
