/**
 * How eagerly V8 may grow this process's heaps. After each full collection V8 lets a heap grow to
 * a multiple of what survived it (up to 4× while allocation is fast). On a large repository the
 * main thread's live data grows all through scan (file entries, search terms, anchors), and at that
 * default its heap ran ~100 MB ahead of what it held: 20,000 files peaked at 340–410 MB of RSS.
 * Growing by 30 % instead: 264–300 MB; by 10 %: 262–281 MB, no slower (full collections stay a
 * small share there: ~4 % of the CPU). On a ~2,400-file repository the heap is small, the saving
 * ~5 MB and the extra collections cost ~10 % of wall time, so small builds keep V8's default. The flag is process-wide (worker threads too)
 * and read at every collection, so it can be set once the size of the work is known.
 */
import v8 from "node:v8";

/** From this many files to read, memory matters more than the time of a few more collections. */
export const LARGE_BUILD_FILES = 5_000;
const LARGE_BUILD_GROWTH_PERCENT = 10;

export function setHeapGrowthFor(plan: { files: number }): void {
  // 0 is V8's own default (its dynamic factor).
  v8.setFlagsFromString(`--heap-growing-percent=${plan.files >= LARGE_BUILD_FILES ? LARGE_BUILD_GROWTH_PERCENT : 0}`);
}
