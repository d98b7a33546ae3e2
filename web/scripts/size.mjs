/**
 * Prints the gzipped JavaScript each built page loads: its module scripts (inline or files) and
 * everything they import statically, and separately what it may load later (dynamic imports).
 * Fails when a page's JavaScript (initial plus lazy) is over its budget: 30 KB gzipped per page,
 * 60 KB for the viewer (issue 19).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const DIST = fileURLToPath(new URL("../dist", import.meta.url));
const DEFAULT_BUDGET = 30 * 1024;
const BUDGETS = { "viewer/index.html": 60 * 1024 };

const gz = (text) => gzipSync(text, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "_astro" ? [] : htmlFiles(path);
    return name.endsWith(".html") ? [path] : [];
  });
}

const STATIC_IMPORT = /(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]*?from\s*)?["']([^"']+\.js)["']/g;
const DYNAMIC_IMPORT = /import\(\s*["']([^"']+\.js)["']\s*\)/g;

/** Follows imports from `code` (at `base`) into `seen`; dynamic targets go to `lazy`. */
function follow(code, base, seen, lazy) {
  for (const [, spec] of code.matchAll(STATIC_IMPORT)) visit(resolveSpec(spec, base), seen, lazy);
  for (const [, spec] of code.matchAll(DYNAMIC_IMPORT)) lazy.add(resolveSpec(spec, base));
}
function resolveSpec(spec, base) {
  return spec.startsWith("/") ? join(DIST, spec) : resolve(base, spec);
}
function visit(file, seen, lazy) {
  if (seen.has(file)) return;
  seen.add(file);
  follow(readFileSync(file, "utf8"), dirname(file), seen, lazy);
}

let failed = false;
console.log("gzipped JavaScript per page (initial; lazily loaded):");
for (const page of htmlFiles(DIST).sort()) {
  const html = readFileSync(page, "utf8");
  const seen = new Set();
  const lazy = new Set();
  let inline = 0;
  for (const [, attrs, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
    if (src) visit(resolveSpec(src, dirname(page)), seen, lazy);
    else if (body.trim()) {
      inline += gz(body);
      follow(body, dirname(page), seen, lazy);
    }
  }
  const initial = inline + [...seen].reduce((sum, file) => sum + gz(readFileSync(file)), 0);
  const later = new Set();
  for (const file of lazy) if (!seen.has(file)) visit(file, later, new Set());
  const lazyBytes = [...later].filter((file) => !seen.has(file)).reduce((sum, file) => sum + gz(readFileSync(file)), 0);
  const name = relative(DIST, page);
  const budget = BUDGETS[name] ?? DEFAULT_BUDGET;
  const over = initial + lazyBytes > budget;
  failed ||= over;
  console.log(`  ${name.padEnd(24)} ${kb(initial).padStart(9)}${lazyBytes ? `; ${kb(lazyBytes)} lazy` : ""}${budget ? ` (budget ${kb(budget)}${over ? ", OVER" : ""})` : ""}`);
}
if (failed) {
  console.error("A page is over its JavaScript budget.");
  process.exit(1);
}
