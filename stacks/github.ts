/**
 * GitHub's addresses for a stage (not secrets): GITHUB_URL and GITHUB_API_URL as set when the
 * stage is deployed (GitHub Enterprise Server), else github.com, and GITHUB_CALLBACK_URL for a
 * stage that shares the preview app. Every function gets them.
 */
export function githubSettings(env: Record<string, string | undefined> = process.env): Record<string, string> {
  return {
    GITHUB_URL: env.GITHUB_URL || "https://github.com",
    GITHUB_API_URL: env.GITHUB_API_URL || "https://api.github.com",
    // Pull-request stages sharing the preview app: its fixed forwarder (see README "GitHub").
    ...(env.GITHUB_CALLBACK_URL ? { GITHUB_CALLBACK_URL: env.GITHUB_CALLBACK_URL } : {}),
  };
}
