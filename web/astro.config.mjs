import { defineConfig } from "astro/config";

// "directory" pages (dashboard/index.html) match both hosts: the local gateway and CloudFront map
// "/dashboard/" to dashboard/index.html. Every link in the site ends in "/".
export default defineConfig({ output: "static", build: { format: "directory" }, trailingSlash: "always" });
