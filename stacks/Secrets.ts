import { Config, type StackContext } from "sst/constructs";

/**
 * Every secret Doctown's functions read; set per stage with `npx sst secrets set NAME VALUE --stage STAGE`.
 * Each is bound only to the functions that read it (stacks/Api.ts NEEDS, stacks/Pipeline.ts).
 * OPENAI_API_KEY / OPENAI_MODEL / OPENAI_BASE_URL are not here: only the builder reads them, on
 * RunPod (set them in the endpoint's environment; README "Deploying").
 */
export function Secrets({ stack }: StackContext) {
  const secret = (name: string) => new Config.Secret(stack, name);
  return {
    githubAppId: secret("GITHUB_APP_ID"),
    githubAppSlug: secret("GITHUB_APP_SLUG"),
    githubAppPrivateKey: secret("GITHUB_APP_PRIVATE_KEY"),
    githubClientId: secret("GITHUB_CLIENT_ID"),
    githubClientSecret: secret("GITHUB_CLIENT_SECRET"),
    githubWebhookSecret: secret("GITHUB_WEBHOOK_SECRET"),
    r2AccountId: secret("R2_ACCOUNT_ID"),
    r2AccessKeyId: secret("R2_ACCESS_KEY_ID"),
    r2SecretAccessKey: secret("R2_SECRET_ACCESS_KEY"),
    r2Bucket: secret("R2_BUCKET"),
    runpodApiKey: secret("RUNPOD_API_KEY"),
    runpodEndpointId: secret("RUNPOD_ENDPOINT_ID"),
    tokenEncryptionKey: secret("TOKEN_ENCRYPTION_KEY"),
  };
}
