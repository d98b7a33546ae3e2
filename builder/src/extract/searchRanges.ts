/**
 * Which parts of a file the definitions query searches: all of it, but for the bodies the language
 * names as skippable (their definitions are local and would be dropped anyway).
 */
import type { Node } from "web-tree-sitter";

/**
 * Bodies smaller than this are searched anyway: each skipped body splits the search in two, and
 * every part starts again from the root.
 */
const MIN_SKIPPED_BODY = 256;
/**
 * Each part's search steps over the root's children before it, one by one: the parts times the
 * root's children stay under this (3,500 callbacks at the top level of a file took twice as long
 * to search in 257 parts as in one).
 */
const SEARCH_STEPS_BUDGET = 8192;

/** The bodies worth skipping (the largest ones, within the budget), in file order. */
export function bodiesWorthSkipping(root: Node, bodies: Node[]): Node[] {
  const big = bodies.filter((body) => body.endIndex - body.startIndex >= MIN_SKIPPED_BODY);
  const most = Math.floor(SEARCH_STEPS_BUDGET / Math.max(1, root.childCount)) - 1;
  if (big.length > most) big.sort((a, b) => b.endIndex - b.startIndex - (a.endIndex - a.startIndex)).length = Math.max(0, most);
  return big.sort((a, b) => a.startIndex - b.startIndex);
}

/** The file's parts outside the skipped bodies, as tree-sitter's byte offsets (2 per UTF-16 unit). */
export function searchedRanges(root: Node, skipped: Node[]): { startIndex: number; endIndex: number }[] {
  const ranges: { startIndex: number; endIndex: number }[] = [];
  let from = root.startIndex;
  for (const body of skipped) {
    if (body.startIndex < from) continue; // inside one already skipped
    if (body.startIndex > from) ranges.push({ startIndex: 2 * from, endIndex: 2 * body.startIndex });
    from = body.endIndex;
  }
  ranges.push({ startIndex: 2 * from, endIndex: 2 * root.endIndex + 2 });
  return ranges;
}
