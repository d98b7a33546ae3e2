// A process entry of the bundled builder: scripts/bundle.ts copies this file as dist/cli.mjs,
// runpod-job.mjs and runpod-serve.mjs, beside each one's bundle (<name>.body.mjs). It turns on
// Node's on-disk compile cache before the ~2 MB bundle is compiled, and hands the cache to the
// worker threads through NODE_COMPILE_CACHE (they read it when they start): from the second run on,
// V8 takes the bundles' compiled code from disk instead of compiling them again, ~0.2 s of CPU on
// a 2,400-file repository. The cache lives in the temp dir (or NODE_COMPILE_CACHE); Node ignores a
// stale or unreadable one, and NODE_DISABLE_COMPILE_CACHE=1 turns it off. Plain JavaScript, as small
// as it can be: it is the one file compiled before the cache is on.
import * as nodeModule from "node:module";

const cache = nodeModule.enableCompileCache?.();
if (cache?.directory) process.env.NODE_COMPILE_CACHE = cache.directory;
await import(import.meta.url.replace(/\.mjs$/, ".body.mjs"));
