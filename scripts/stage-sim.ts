// `npm run stage:sim [-- --stage NAME] [--verbose] [--secret NAME=VALUE]… [--without NAME]…`: synthesizes the stage
// (offline, once per change; by default the preview stage the tests share, .sst/dist/test-sim),
// runs the synthesized stage on this machine (README "Stage simulation") and takes one job through
// it end to end. Exits non-zero when anything on the way fails.
import { unzipSync } from "fflate";
import { DOCPACK_PATHS, FilesJson, Manifest, SymbolsJson } from "@doctown/core/docpackFormat";
import { download, OWNER, requiredSecrets, REPO_NAME, startScenario, waitForJob, type Scenario } from "../local/src/stageSim/scenario";
import { ensureSynth, TEST_SYNTH } from "../local/src/stageSim/synth";

const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const stageArg = args.indexOf("--stage");
const stage = stageArg >= 0 ? args[stageArg + 1] : TEST_SYNTH.stage;
const outdir = stageArg >= 0 ? `.sst/dist/stage-sim-${stage}` : TEST_SYNTH.outdir;
// Extra secrets on top of the required ones (e.g. an optional one, to compare).
const extraSecrets = Object.fromEntries(
  args.flatMap((arg, i) => (arg === "--secret" && args[i + 1]?.includes("=") ? [[args[i + 1].split("=")[0], args[i + 1].slice(args[i + 1].indexOf("=") + 1)]] : [])),
);
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (line: string) => console.log(`[${elapsed()}] ${line}`);

let scenario: Scenario | undefined;
try {
  const synth = await ensureSynth({ stage, outdir, log: say });
  say(`${synth.reused ? "reused the synthesis in" : "synthesized"} ${synth.outdir} (${(synth.ms / 1000).toFixed(1)} s)`);
  const started = Date.now();
  const without = new Set(args.flatMap((arg, i) => (arg === "--without" && args[i + 1] ? [args[i + 1]] : [])));
  const secrets = Object.fromEntries(Object.entries({ ...requiredSecrets(), ...extraSecrets }).filter(([name]) => !without.has(name)));
  scenario = await startScenario({ outdir: synth.outdir, secrets, without, log: (line) => (verbose || !line.startsWith("[") ? say(line) : undefined) });
  const { sim, client } = scenario;
  say(`secrets set in SSM: ${Object.keys(scenario.secrets).sort().join(", ")} (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY: the stand-in app's)`);
  say(`stage up in ${((Date.now() - started) / 1000).toFixed(1)} s; site ${sim.siteUrl}`);
  for (const d of sim.deviations) {
    if (d.how.has("added")) say(`not from the template: ${d.variable}=${d.value} added (${d.why}; the template has no such setting)`);
    if (d.how.has("configured")) say(`stage setting ${d.variable} configured as ${d.value} (${d.why})`);
  }

  const jobStarted = Date.now();
  const created = await client.send("POST", "/api/jobs", { repo: `${OWNER}/${REPO_NAME}`, git_ref: "main" });
  const createdText = await created.text();
  if (created.status !== 202) throw new Error(`POST /api/jobs: ${created.status} ${created.headers.get("content-type")} ${createdText.slice(0, 300)}`);
  const createdBody = JSON.parse(createdText) as { job_id: string };
  say(`POST /api/jobs → 202, job ${createdBody.job_id}`);
  const { job, seen } = await waitForJob(client, createdBody.job_id);
  say(`job states: ${seen.map((v) => `${v.status}${v.stage ? `/${v.stage}` : ""}@${v.progress}`).join(" → ")}`);
  if (job.status !== "completed") throw new Error(`job ended ${job.status}: ${JSON.stringify(job.error)}`);
  say(`job completed in ${((Date.now() - jobStarted) / 1000).toFixed(1)} s`);

  const listed = (await (await client.get("/api/docpacks")).json()) as { docpacks: { docpack_id: string; sha256: string; size: number }[] };
  const record = listed.docpacks.find((d) => d.docpack_id === job.docpack_id);
  if (!record) throw new Error(`docpack ${job.docpack_id} is not listed`);
  const { bytes, sha256 } = await download(client, job.docpack_id!);
  if (sha256 !== record.sha256 || bytes.length !== record.size) throw new Error("the downloaded docpack differs from its record");
  const entries = unzipSync(bytes);
  const json = (path: string) => JSON.parse(new TextDecoder().decode(entries[path]));
  const manifest = Manifest.parse(json(DOCPACK_PATHS.manifest));
  FilesJson.parse(json(DOCPACK_PATHS.files));
  const symbols = SymbolsJson.parse(json(DOCPACK_PATHS.symbols));
  if (manifest.repo.commit !== scenario.repo.head) throw new Error(`docpack of ${manifest.repo.commit}, expected ${scenario.repo.head}`);
  say(`listed and downloaded: ${bytes.length} bytes, ${symbols.length} symbols, valid docpack of ${manifest.repo.commit.slice(0, 12)}`);

  const clones = scenario.sim.github.authorizations.length;
  if (clones === 0) throw new Error("the builder never fetched from the GitHub stand-in");
  say(`the builder cloned https://github.com/${OWNER}/${REPO_NAME}.git from the GitHub stand-in (${clones} authenticated git requests)`);

  // API errors must reach the client as the API's JSON, through the distribution.
  const missing = await client.get("/api/jobs/does-not-exist");
  const missingText = await missing.text();
  say(`GET /api/jobs/does-not-exist → ${missing.status} ${missing.headers.get("content-type")} ${missingText.slice(0, 100)}`);
  if (missing.status !== 404 || !/^application\/json/.test(missing.headers.get("content-type") ?? "") || JSON.parse(missingText).error?.code !== "job_not_found")
    throw new Error("an API error did not reach the client as JSON with its status (CloudFront's custom error responses replaced it)");

  const cold = [...sim.functions.values()].filter((fn) => fn.coldStarts.length);
  say(`functions invoked: ${cold.map((fn) => `${fn.spec.handler.replace(/^functions\/src\//, "").replace(/\.handler$/, "")} ×${fn.invocations} (cold ${fn.coldStarts.map((ms) => `${ms} ms`).join(", ")})`).join("; ")}`);
  if (sim.iam.denied.length) throw new Error(`IAM denied: ${sim.iam.denied.map((d) => `${d.principal} ${d.action} ${d.resource}`).join("; ")}`);
  say("IAM: no call was denied by the template's policies");
  say(`stage simulation: OK (${elapsed()} in all)`);
} catch (error) {
  say(`stage simulation FAILED: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await scenario?.stop();
}
