/**
 * Serves the built dashboard (web/dist) as CloudFront serves it in the cloud: "/" and "dir/" map to
 * index.html, "/page" to page.html or page/index.html, unknown paths to 404.html with status 404.
 * Nothing outside the root is ever served (no "..", no symlinks leading out).
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
  ".webmanifest": "application/manifest+json",
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** Handles GET/HEAD for the static site; returns false if the method is not one it serves. */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, pathname: string, securityHeaders: Record<string, string> = {}): Promise<boolean> {
  const method = req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") return false;
  const rootReal = await realpath(root).catch(() => null);
  if (!rootReal) {
    sendText(res, 404, "The dashboard is not built yet: run `npm run build -w web` (npm start does this for you).", method, securityHeaders);
    return true;
  }
  const file = await findFile(rootReal, pathname);
  if (file) {
    sendFile(res, 200, file, method, securityHeaders);
    return true;
  }
  const notFoundPage = await findFile(rootReal, "/404.html");
  if (notFoundPage) sendFile(res, 404, notFoundPage, method, securityHeaders);
  else sendText(res, 404, "Not found.", method, securityHeaders);
  return true;
}

/** The file a URL path names inside the root, or null. */
async function findFile(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const candidates = decoded.endsWith("/") ? [`${decoded}index.html`] : [decoded, `${decoded}.html`, `${decoded}/index.html`];
  for (const candidate of candidates) {
    const file = await insideRoot(root, candidate);
    if (file) return file;
  }
  return null;
}

/** The real path of a regular file under root, or null (missing, a directory, or outside). */
async function insideRoot(root: string, relative: string): Promise<string | null> {
  const joined = resolve(join(root, relative));
  if (joined !== root && !joined.startsWith(root + sep)) return null;
  try {
    const real = await realpath(joined);
    if (!real.startsWith(root + sep)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

function sendFile(res: ServerResponse, status: number, file: string, method: string, securityHeaders: Record<string, string>) {
  const type = contentTypeOf(file);
  // Astro's hashed assets never change; pages must be revalidated.
  const cacheControl = file.includes(`${sep}_astro${sep}`) ? "public, max-age=31536000, immutable" : "no-cache";
  res.writeHead(status, { ...securityHeaders, "content-type": type, "cache-control": cacheControl, "x-content-type-options": "nosniff" });
  if (method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(file)
    .on("error", () => res.destroy())
    .pipe(res);
}

function sendText(res: ServerResponse, status: number, text: string, method: string, securityHeaders: Record<string, string>) {
  res.writeHead(status, { ...securityHeaders, "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" });
  res.end(method === "HEAD" ? undefined : text);
}
