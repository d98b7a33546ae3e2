/**
 * One measured build, in its own process so its peak RSS is its own:
 *   node --import tsx bench/builder/child.ts <source> <out.zip>
 * Prints one JSON line: build duration, counts and the process's peak RSS.
 */
import { buildDocpack } from "@doctown/builder/build";

const [source, outFile] = process.argv.slice(2);
if (!source || !outFile) {
  console.error("usage: child.ts <source> <out.zip>");
  process.exit(2);
}
const summary = await buildDocpack({
  source,
  outFile,
  allowLocal: true,
  llm: false,
  env: { ...process.env, OPENAI_API_KEY: "" },
});
console.log(
  JSON.stringify({
    durationMs: summary.durationMs,
    files: summary.manifest.stats.files,
    symbols: summary.manifest.stats.symbols,
    skipped: summary.manifest.stats.skipped,
    bytes: summary.bytes,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
