import { ArnFormat, Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Api as HttpApi, use, type ApiRouteProps, type StackContext } from "sst/constructs";
import { ROUTES, type HandlerModule } from "../functions/src/routes";
import { Data } from "./Data";
import { Pipeline } from "./Pipeline";
import { Secrets } from "./Secrets";
import { tableEnvironment, tableRead, tableWrite, taskCallbacks } from "./permissions";

/** What one route's handler may touch; everything else is denied by omission. */
type Needs = {
  write?: boolean;
  startJobs?: boolean;
  stopJobs?: boolean;
  callbacks?: Parameters<typeof taskCallbacks>;
  secrets?: (keyof ReturnType<typeof Secrets>)[];
};

// The user's GitHub App token: stored encrypted, refreshed with the app's client credentials.
const OAUTH = ["githubClientId", "githubClientSecret", "tokenEncryptionKey"] as const;
const GITHUB = OAUTH;
const R2 = ["r2AccountId", "r2AccessKeyId", "r2SecretAccessKey", "r2Bucket"] as const;
const RUNPOD = ["runpodApiKey", "runpodEndpointId"] as const;

/** What each handler needs; a handler missing here fails synthesis rather than getting defaults. */
export const NEEDS: Record<HandlerModule, Needs> = {
  "auth/login": { secrets: ["githubClientId", "githubClientSecret"] },
  "auth/callback": { write: true, secrets: [...OAUTH] },
  "auth/setup": { write: true, secrets: [...OAUTH] },
  "auth/forward": { secrets: ["githubClientSecret"] },
  "auth/logout": { write: true },
  me: { write: true },
  // Reads no secret on a deployed stage: the sign-in mode and build-on-push checks that read
  // GITHUB_CLIENT_ID / GITHUB_WEBHOOK_SECRET run only on the local stage.
  session: { write: true },
  "repos/list": { write: true, secrets: [...GITHUB, "githubAppSlug"] },
  "repos/settings": { write: true, secrets: [...GITHUB] },
  "jobs/create": { write: true, startJobs: true, secrets: [...GITHUB] },
  "jobs/list": { write: true },
  "jobs/get": { write: true },
  "jobs/cancel": { write: true, stopJobs: true, secrets: [...RUNPOD] },
  "jobs/progress": { write: true, callbacks: ["SendTaskHeartbeat"] },
  "jobs/complete": { write: true, callbacks: ["SendTaskSuccess", "SendTaskFailure"], secrets: [...R2] },
  "docpacks/list": { write: true },
  "docpacks/listPublic": {},
  "docpacks/download": { write: true, secrets: [...R2] },
  "docpacks/update": { write: true },
  "github/webhook": {
    write: true,
    startJobs: true,
    stopJobs: true,
    secrets: ["githubWebhookSecret", ...GITHUB, ...RUNPOD],
  },
};

/** The HTTP API. Session reads slide the expiry, so signed-in routes also need table writes. */
export function Api({ stack }: StackContext) {
  const { table } = use(Data);
  const { stateMachine } = use(Pipeline);
  const secrets = use(Secrets);

  const executions = Stack.of(stack).formatArn({
    service: "states",
    resource: "execution",
    resourceName: `${stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

  const routeProps = (handler: HandlerModule): ApiRouteProps<never> => {
    const needs = NEEDS[handler];
    const permissions = [tableRead(table)];
    if (needs.write) permissions.push(tableWrite(table));
    if (needs.startJobs)
      permissions.push(new PolicyStatement({ actions: ["states:StartExecution"], resources: [stateMachine.stateMachineArn] }));
    if (needs.stopJobs)
      permissions.push(new PolicyStatement({ actions: ["states:StopExecution"], resources: [executions] }));
    if (needs.callbacks) permissions.push(taskCallbacks(...needs.callbacks));
    return {
      function: {
        handler: `functions/src/${handler}.handler`,
        permissions,
        bind: (needs.secrets ?? []).map((name) => secrets[name]),
      },
    };
  };

  const api = new HttpApi(stack, "Api", {
    defaults: {
      function: {
        environment: { ...tableEnvironment(table), DOCTOWN_STATE_MACHINE_ARN: stateMachine.stateMachineArn },
      },
    },
    routes: Object.fromEntries(Object.entries(ROUTES).map(([route, handler]) => [route, routeProps(handler)])),
  });

  stack.addOutputs({ ApiUrl: api.url });
  return { api };
}
