/**
 * The site's routing at the edge, as a CloudFront Function (JS 2.0) on the distribution's default
 * behaviour only: the API behaviours never see it, so API errors reach the browser untouched (a
 * distribution-wide custom error response would turn a JSON 403/404 into the HTML 404 page).
 *
 * Known pages (`/dashboard`, `/dashboard/`) are rewritten to their `index.html`; the built assets
 * (`/_astro/...`, content-hashed) and the other files of the build pass through; any other path is
 * answered at the edge with the site's own 404 page and status 404. The tables come from the
 * built site (web/dist), so a new page needs no change here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Build assets with content-hashed names, passed through without a table. */
export const ASSET_PREFIX = "/_astro/";
/** CloudFront Functions refuse code over 10 KB. */
const MAX_FUNCTION_BYTES = 10_240;

export function siteRoutes(distDir: string) {
  const notFoundFile = join(distDir, "404.html");
  if (!existsSync(notFoundFile)) throw new Error(`${notFoundFile} is missing: build the site (npm run build -w web) before synthesizing.`);
  const pages: string[] = [];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      const path = `/${relative(distDir, full).split(sep).join("/")}`;
      if (statSync(full).isDirectory()) {
        if (`${path}/` !== ASSET_PREFIX) walk(full);
      } else {
        if (entry === "index.html") pages.push(path.slice(0, -"index.html".length));
        files.push(path);
      }
    }
  };
  walk(distDir);
  return { pages: pages.sort(), files: files.sort(), notFoundPage: readFileSync(notFoundFile, "utf8") };
}

/** The function's code for a built site. */
export function siteRoutesFunctionCode(distDir: string): string {
  const { pages, files, notFoundPage } = siteRoutes(distDir);
  const set = (items: string[]) => JSON.stringify(Object.fromEntries(items.map((item) => [item, 1])));
  const code = `var PAGES=${set(pages)};
var FILES=${set(files)};
var NOT_FOUND=${JSON.stringify(notFoundPage)};
function handler(event){
  var request=event.request;
  var uri=request.uri;
  if(uri.indexOf(${JSON.stringify(ASSET_PREFIX)})===0||FILES[uri])return request;
  var page=uri.charAt(uri.length-1)==="/"?uri:uri+"/";
  if(PAGES[page]){request.uri=page+"index.html";return request;}
  return{statusCode:404,statusDescription:"Not Found",headers:{"content-type":{value:"text/html; charset=utf-8"},"cache-control":{value:"no-store"}},body:{encoding:"text",data:NOT_FOUND}};
}`;
  if (Buffer.byteLength(code) > MAX_FUNCTION_BYTES)
    throw new Error(`The site-routes CloudFront Function would be ${Buffer.byteLength(code)} bytes (limit ${MAX_FUNCTION_BYTES}): shrink web/dist/404.html or the list of top-level files.`);
  return code;
}
