// Lets the dashboard's viewer read presigned downloads from the R2 bucket (once per bucket), for
// the site's origin only.
// Usage: DOCTOWN_SITE_URL=https://… R2_ACCOUNT_ID=… R2_ACCESS_KEY_ID=… R2_SECRET_ACCESS_KEY=… R2_BUCKET=… npm run r2:cors
import { configuredSiteOrigin } from "../core/src/config";
import { allowBrowserDownloads, docpackBucket, downloadCorsRules } from "../core/src/storage";

try {
  const origin = configuredSiteOrigin();
  if (!origin) throw new Error("set DOCTOWN_SITE_URL to the site's origin (the stage's CloudFront URL or domain)");
  await allowBrowserDownloads(origin);
  console.log(`CORS set on bucket ${docpackBucket()}: ${JSON.stringify(downloadCorsRules(origin))}`);
} catch (error) {
  console.error(`Could not set CORS: ${(error as Error).message}`);
  process.exit(1);
}
