/**
 * `npm run bench` (bench/lambda): what each deployed function costs at cold start.
 *
 * Synthesizes a stage offline exactly as `sst deploy` would (stacks/synth.ts), then for every
 * Lambda function of the templates takes its asset directory (the code CloudFormation uploads) and
 * prints
 *   - its zipped size (deflate level 6, as the CDK zips assets), and
 *   - its module load time: a fresh `node` process with the function's template environment
 *     (NODE_OPTIONS included) imports the handler module; the time from just before the import to
 *     its resolution, median of RUNS processes. A 127.0.0.1 SSM stand-in answers the secret loader
 *     (every bound secret "set"), so a loader that fetches at module load is measured as it runs.
 * and the figures of the same measurement before the cold-start work, for comparison.
 *
 * Flags: --stage NAME (default bench), --runs N (default 5), --keep (keep the synthesized assembly),
 * --assembly DIR (measure an assembly synthesized before instead of synthesizing).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { zipSync, type Zippable } from "fflate";

/**
 * Measured 2026-12-03 00:06 UTC on this (shared, loaded) machine at commit e213a8f, runs 3, 22
 * functions, each ~3.5 MB of unminified ESM plus a ~5.8 MB source map in its asset.
 */
const BEFORE = {
  note: "e213a8f: unminified, source map shipped, NODE_OPTIONS=--enable-source-maps, SST's SSM loader at module load",
  zippedKb: { median: 1553, max: 1581 },
  loadMs: { median: 1194, max: 1636 },
};

const GOALS = { maxZippedKb: 1024, medianZippedKb: 300, medianLoadMs: 150 };

const args = process.argv.slice(2);
const flag = (name: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
};
const stage = flag("stage") ?? "bench";
const runs = Number(flag("runs") ?? 5);

type Fn = { id: string; assetDir: string; handler: string; environment: Record<string, string> };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** CloudFormation values the bench cannot resolve become placeholders (a name is a name). */
function plain(value: unknown, name: string): string {
  return typeof value === "string" ? value : `bench-${name.toLowerCase()}`;
}

function functionsOf(outdir: string): Fn[] {
  const found: Fn[] = [];
  for (const file of readdirSync(outdir).filter((f) => f.endsWith(".template.json"))) {
    const template = JSON.parse(readFileSync(join(outdir, file), "utf8"));
    for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
      if (resource.Type !== "AWS::Lambda::Function") continue;
      // The staged asset is asset.<hash> beside the template, where the S3 key is <hash>.zip.
      const s3Key: unknown = resource.Properties.Code?.S3Key;
      const handler: string = resource.Properties.Handler ?? "";
      // Our handlers only: SST's and the CDK's own custom-resource functions are not Doctown's code.
      if (typeof s3Key !== "string" || !handler.startsWith("functions/")) continue;
      const assetPath = `asset.${s3Key.replace(/\.zip$/, "")}`;
      const variables = resource.Properties.Environment?.Variables ?? {};
      const environment = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, plain(v, k)]));
      found.push({ id: `${file.replace(/\.template\.json$/, "").replace(/^.*-doctown-/, "")}/${id}`, assetDir: join(outdir, assetPath), handler, environment });
    }
  }
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

function filesOf(dir: string): Zippable {
  const tree: Zippable = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else tree[relative(dir, full)] = readFileSync(full);
    }
  };
  walk(dir);
  return tree;
}

function zippedBytes(dir: string): number {
  return zipSync(filesOf(dir), { level: 6 }).length;
}

/** An SSM GetParameters stand-in: every requested parameter exists with a dummy value. */
function ssmStandIn(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const names: string[] = JSON.parse(body || "{}").Names ?? [];
      const parameters = names.map((Name) => ({ Name, Value: "bench-value", Type: "SecureString" }));
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ Parameters: parameters, InvalidParameters: [] }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Asynchronous on purpose: the SSM stand-in answers from this process's event loop. */
async function loadMs(fn: Fn, ssmUrl: string): Promise<number> {
  const [modulePath] = fn.handler.split(/\.(?=[^.]+$)/);
  const file = ["mjs", "js", "cjs"].map((ext) => join(fn.assetDir, `${modulePath}.${ext}`)).find((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
  if (!file) throw new Error(`${fn.id}: no module for handler ${fn.handler} in ${fn.assetDir}`);
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  const result = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    cwd: fn.assetDir,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      ...fn.environment,
      AWS_LAMBDA_FUNCTION_NAME: fn.id.replace(/\W/g, "-"),
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_SESSION_TOKEN: "bench",
      AWS_ENDPOINT_URL_SSM: ssmUrl,
    },
  });
  return Number(result.stdout);
}

process.env.NODE_ENV ??= "test"; // SST's offline path (see stacks/synth.ts)
const given = flag("assembly");
const outdir = given ?? mkdtempSync(join(tmpdir(), "doctown-bench-lambda-"));
const server = await ssmStandIn();
try {
  if (!given) {
    const { synthesizeApp } = await import("../../stacks/synth");
    console.log(`synthesizing stage ${stage} into ${outdir} …`);
    const app = await synthesizeApp(stage, outdir);
    app.synth();
  }
  const ssmUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rows: { id: string; kb: number; ms: number }[] = [];
  for (const fn of functionsOf(outdir)) {
    const kb = zippedBytes(fn.assetDir) / 1024;
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) times.push(await loadMs(fn, ssmUrl));
    rows.push({ id: fn.id, kb, ms: median(times) });
    console.log(`${fn.id.padEnd(48)} ${kb.toFixed(0).padStart(6)} KB zipped  ${median(times).toFixed(0).padStart(5)} ms load (median of ${runs})`);
  }
  const kbs = rows.map((r) => r.kb);
  const mss = rows.map((r) => r.ms);
  const now = { zippedKb: { median: median(kbs), max: Math.max(...kbs) }, loadMs: { median: median(mss), max: Math.max(...mss) } };
  console.log(`\n${rows.length} functions`);
  console.log(`now:    zipped median ${now.zippedKb.median.toFixed(0)} KB, max ${now.zippedKb.max.toFixed(0)} KB; load median ${now.loadMs.median.toFixed(0)} ms, max ${now.loadMs.max.toFixed(0)} ms`);
  console.log(`before: zipped median ${BEFORE.zippedKb.median} KB, max ${BEFORE.zippedKb.max} KB; load median ${BEFORE.loadMs.median} ms, max ${BEFORE.loadMs.max} ms (${BEFORE.note})`);
  const met = now.zippedKb.max <= GOALS.maxZippedKb && now.zippedKb.median <= GOALS.medianZippedKb && now.loadMs.median <= GOALS.medianLoadMs;
  console.log(`goals:  every function ≤ ${GOALS.maxZippedKb} KB zipped, median ≤ ${GOALS.medianZippedKb} KB, load median ≤ ${GOALS.medianLoadMs} ms: ${met ? "met" : "NOT met"}`);
} finally {
  server.close();
  if (given || args.includes("--keep")) console.log(`kept ${outdir}`);
  else rmSync(outdir, { recursive: true, force: true });
}
