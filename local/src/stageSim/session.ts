/**
 * Signing in on the simulated stage. The GitHub OAuth round trip cannot be pointed at a stand-in
 * from the deployed configuration (github.com's authorize/token endpoints are fixed), so a user
 * signs in the least fake way left: core's own user and session functions write the user (with
 * their GitHub token, encrypted with the stage's TOKEN_ENCRYPTION_KEY) and the session into the
 * simulated table, exactly the records auth/callback writes; the browser then holds the cookie.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { provideServices, resetServices } from "@doctown/core/services";
import { createSession, SESSION_COOKIE } from "@doctown/core/session";
import { upsertGitHubUser } from "@doctown/core/user";
import { SIM_REGION } from "./intrinsics";

export async function signInAs(
  stage: { dynamodbUrl: string; tableName: string; tokenEncryptionKey: string },
  profile: { id: number; login: string },
  githubToken: string,
): Promise<string> {
  const client = new DynamoDBClient({ endpoint: stage.dynamodbUrl, region: SIM_REGION, credentials: { accessKeyId: "sim", secretAccessKey: "sim" } });
  const previous = process.env.TOKEN_ENCRYPTION_KEY;
  process.env.TOKEN_ENCRYPTION_KEY = stage.tokenEncryptionKey;
  try {
    provideServices({ db: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tableName: stage.tableName });
    const user = await upsertGitHubUser({ ...profile, name: profile.login, avatarUrl: null }, { accessToken: githubToken });
    const { token } = await createSession(user.id);
    return `${SESSION_COOKIE}=${token}`;
  } finally {
    if (previous === undefined) delete process.env.TOKEN_ENCRYPTION_KEY;
    else process.env.TOKEN_ENCRYPTION_KEY = previous;
    resetServices();
    client.destroy();
  }
}
