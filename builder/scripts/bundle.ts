/**
 * Bundles the builder's entry points into plain JavaScript (`builder/dist/` by default):
 *   npm run build -w @doctown/builder [-- OUT_DIR]
 * Running TypeScript through tsx costs ~1.2 s of start-up per process and ~0.3–0.7 s of CPU per
 * extraction worker; the bundles start in ~0.1 s. The Docker image and the benchmark run these;
 * development and tests run the sources through tsx.
 *
 * Our own code (builder + @doctown/core) and the npm packages it uses are inlined, except
 * web-tree-sitter and @vscode/tree-sitter-wasm: they load from node_modules at run time, so the
 * .wasm files they find next to themselves still resolve.
 * The worker bodies must sit beside the entry bundles under their shims' names: the extraction pool
 * starts `new URL("./worker.mjs", import.meta.url)` and pack `./packWorker.mjs`, which in the
 * sources are the tsx shims next to pool.ts and workerJob.ts.
 * A process entry (`cli`, `runpod-job`, `runpod-serve`) is src/processEntry.mjs under its name,
 * which turns on Node's compile cache and loads the entry's bundle, `<name>.body.mjs`.
 */
import { build, type Plugin } from "esbuild";
import { copyFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const builderRoot = fileURLToPath(new URL("..", import.meta.url));

export const BUNDLE_ENTRIES = {
  cli: "src/main.ts",
  worker: "src/extract/worker.ts",
  packWorker: "src/pack/packWorker.ts",
  "runpod-job": "src/runpod/jobMain.ts",
  "runpod-serve": "src/runpod/serveMain.ts",
} as const;

/** Entries a process starts with (the others are worker threads, started by them). */
const PROCESS_ENTRIES = new Set<keyof typeof BUNDLE_ENTRIES>(["cli", "runpod-job", "runpod-serve"]);

const KEEP_EXTERNAL = ["web-tree-sitter", "@vscode/tree-sitter-wasm"];
/** npm packages stay external; workspace packages (TypeScript) are bundled. */
const externalPackages: Plugin = {
  name: "external-packages",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (!KEEP_EXTERNAL.some((name) => args.path === name || args.path.startsWith(`${name}/`))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

export async function bundleBuilder(outDir = path.join(builderRoot, "dist")): Promise<Record<keyof typeof BUNDLE_ENTRIES, string>> {
  await rm(outDir, { recursive: true, force: true });
  await build({
    absWorkingDir: builderRoot,
    entryPoints: Object.fromEntries(Object.entries(BUNDLE_ENTRIES).map(([name, source]) => [PROCESS_ENTRIES.has(name as keyof typeof BUNDLE_ENTRIES) ? `${name}.body` : name, source])),
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    plugins: [externalPackages],
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    // No code splitting: every bundle sits directly in outDir, so `import.meta.url` means the same
    // directory depth as in src/ (`../package.json`, `./worker.mjs`), and `createRequire` finds
    // npm packages from there (outDir must sit inside the workspace or image that holds them).
    logLevel: "warning",
  });
  for (const name of PROCESS_ENTRIES) await copyFile(path.join(builderRoot, "src", "processEntry.mjs"), path.join(outDir, `${name}.mjs`));
  return Object.fromEntries(
    Object.keys(BUNDLE_ENTRIES).map((name) => [name, path.join(outDir, `${name}.mjs`)]),
  ) as Record<keyof typeof BUNDLE_ENTRIES, string>;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  bundleBuilder(outDir).then(
    (files) => console.log(`bundled: ${Object.values(files).map((f) => path.relative(process.cwd(), f)).join(", ")}`),
    (error: Error) => {
      console.error(`bundle failed: ${error.message}`);
      process.exit(1);
    },
  );
}
