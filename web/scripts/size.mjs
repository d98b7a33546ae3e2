/**
 * Prints the gzipped JavaScript each built page loads: its module scripts (inline or files) and
 * everything they import statically, and separately what it may load later (dynamic imports).
 * Fails when a page's JavaScript is over its budget: 30 KB gzipped per page, up front and lazy
 * together. The viewer has two: 30 KB up front (what every visit loads), and 70 KB it loads when a
 * docpack is opened (fflate, marked, DOMPurify, and the docpack reader with core's zod schema, the
 * one source of the format: about 30 KB of it is zod's).
 * Usage: node scripts/size.mjs [dist directory, default web/dist]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const DIST = process.argv[2] ? resolve(process.argv[2]) : fileURLToPath(new URL("../dist", import.meta.url));
/** initial: what the page loads up front; lazy: what it loads later (dynamic imports); total: both. */
const DEFAULT_BUDGET = { total: 30 * 1024 };
const BUDGETS = { "viewer/index.html": { initial: 30 * 1024, lazy: 70 * 1024 } };

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
  const over = initial + lazyBytes > (budget.total ?? Infinity) || initial > (budget.initial ?? Infinity) || lazyBytes > (budget.lazy ?? Infinity);
  failed ||= over;
  const limits = budget.total ? `budget ${kb(budget.total)}` : `budgets ${kb(budget.initial)} up front, ${kb(budget.lazy)} lazy`;
  console.log(`  ${name.padEnd(24)} ${kb(initial).padStart(9)}${lazyBytes ? `; ${kb(lazyBytes)} lazy` : ""} (${limits}${over ? ", OVER" : ""})`);
}
if (failed) {
  console.error("A page is over its JavaScript budget.");
  process.exit(1);
}
