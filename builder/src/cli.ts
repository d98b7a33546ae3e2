/**
 * doctown-build <path-or-url> [--ref REF] [--commit SHA] [--out FILE] [--no-llm] [--json]
 * Exit codes: 0 built, 1 build failed (one-line reason on stderr), 2 usage error.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import type { BuildSummaryWithStats } from "./build";
import { isBuildError } from "./errors";
import type { ProgressEvent } from "./types";

const USAGE = `usage: doctown-build <path-or-url> [--ref REF] [--commit SHA] [--out FILE] [--no-llm] [--json]

  <path-or-url>   a local git repository, a file:// URL or an https:// URL
  --ref REF       branch, tag or commit to build (default: the remote HEAD)
  --commit SHA    expected commit (40 hex); the build fails if the fetched commit differs
  --out FILE      where to write the docpack (default: ./<repo-name>.docpack.zip)
  --no-llm        placeholder documentation even when OPENAI_API_KEY is set
  --json          print the summary as JSON on stdout
  GITHUB_TOKEN    used for private https repositories (sent as an HTTP header, never in the URL)`;

export type CliIo = {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ref: { type: "string" },
        commit: { type: "string" },
        out: { type: "string", short: "o" },
        "no-llm": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    io.stderr.write(`doctown-build: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr.write(`doctown-build: expected exactly one repository path or URL\n${USAGE}\n`);
    return 2;
  }
  // Loaded only now: usage errors and --help answer without loading parsers, git and zip code.
  const [{ buildDocpack }, { repoNameFrom }] = await Promise.all([import("./build"), import("./stages/clone")]);
  const source = positionals[0];
  const outFile = path.resolve(io.cwd, values.out ?? `${repoNameFrom(source)}.docpack.zip`);
  const display = io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  try {
    const summary = await buildDocpack({
      source: /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : path.resolve(io.cwd, source),
      ref: values.ref,
      commit: values.commit,
      githubToken: io.env.GITHUB_TOKEN || undefined,
      outFile,
      llm: values["no-llm"] ? false : undefined,
      allowLocal: true,
      env: io.env,
      onProgress: display?.update,
    });
    display?.clear();
    if (values.json) io.stdout.write(`${JSON.stringify(jsonSummary(summary), null, 2)}\n`);
    else io.stderr.write(textSummary(summary));
    return 0;
  } catch (error) {
    display?.clear();
    const message = isBuildError(error) ? error.message : `unexpected error: ${(error as Error)?.message ?? error}`;
    io.stderr.write(`doctown-build: ${message.split("\n")[0]}\n`);
    return 1;
  }
}

function jsonSummary(summary: BuildSummaryWithStats) {
  const { manifest } = summary;
  return {
    out_file: summary.outFile,
    bytes: summary.bytes,
    sha256: summary.sha256,
    commit: summary.commit,
    git_ref: manifest.repo.git_ref,
    files: manifest.stats.files,
    symbols: manifest.stats.symbols,
    skipped: manifest.stats.skipped,
    languages: manifest.languages,
    docs: manifest.docs,
    redacted_files: summary.redactedFiles,
    duration_ms: summary.durationMs,
    stage_ms: summary.stageMs,
    // the whole process (worker threads included): what a container running builds must allow for
    peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
  };
}

function textSummary(summary: BuildSummaryWithStats): string {
  const { stats } = summary.manifest;
  const skipped = Object.entries(stats.skipped).map(([reason, n]) => `${reason} ${n}`).join(", ") || "none";
  return [
    `docpack  ${summary.outFile} (${(summary.bytes / 1024).toFixed(1)} KiB)`,
    `commit   ${summary.commit} (${summary.manifest.repo.git_ref})`,
    `files    ${stats.files}   symbols ${stats.symbols}   docs ${docsLine(summary.manifest.docs)}`,
    `skipped  ${skipped}`,
    `time     ${seconds(summary.durationMs)} (${Object.entries(summary.stageMs).map(([stage, ms]) => `${stage} ${seconds(ms)}`).join(", ")})`,
    "",
  ].join("\n");
}

function docsLine(docs: BuildSummaryWithStats["manifest"]["docs"]): string {
  if (docs.mode !== "llm") return docs.mode;
  const n = docs.placeholder_files ?? 0;
  const placeholders = n > 0 ? `, ${n} file${n === 1 ? "" : "s"} with placeholders (token budget or no usable answer)` : "";
  return `llm (${docs.model}${placeholders})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** One progress line, redrawn in place; a width of 0 (some terminals, pipes) counts as unknown. */
export function progressLine(stream: CliIo["stderr"]) {
  let shown = false;
  let stage = "";
  return {
    update(event: ProgressEvent) {
      if (event.message) stage = event.message;
      const width = 24;
      const filled = Math.round((event.percent / 100) * width);
      const line = `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${String(event.percent).padStart(3)}% ${event.stage}: ${stage}`;
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 100) - 1)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write("\r\x1b[2K");
    },
  };
}
