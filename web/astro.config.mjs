import { defineConfig } from "astro/config";

// "directory" pages (dashboard/index.html) match both hosts: the local gateway and CloudFront map
// "/dashboard/" to dashboard/index.html. Every link in the site ends in "/".
// Scripts and styles are always files under /_astro/, never inlined into the page, so the
// Content-Security-Policy (functions/src/securityHeaders.ts) needs no 'unsafe-inline' or hashes.
export default defineConfig({
  output: "static",
  build: { format: "directory", inlineStylesheets: "never" },
  trailingSlash: "always",
  vite: { build: { assetsInlineLimit: 0 } },
});
