// Lets the dashboard's viewer read presigned downloads from the R2 bucket (once per bucket).
// Usage: R2_ACCOUNT_ID=… R2_ACCESS_KEY_ID=… R2_SECRET_ACCESS_KEY=… R2_BUCKET=… npm run r2:cors
import { allowBrowserDownloads, docpackBucket, DOWNLOAD_CORS_RULES } from "../core/src/storage";

try {
  await allowBrowserDownloads();
  console.log(`CORS set on bucket ${docpackBucket()}: ${JSON.stringify(DOWNLOAD_CORS_RULES)}`);
} catch (error) {
  console.error(`Could not set CORS: ${(error as Error).message}`);
  process.exit(1);
}
