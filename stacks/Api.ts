import { ArnFormat, Fn, Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Api as HttpApi, use, type ApiRouteProps, type StackContext } from "sst/constructs";
import { ORIGIN_VERIFY_HEADER, ROUTES, type HandlerModule } from "../functions/src/routes";
import { Data } from "./Data";
import { Pipeline } from "./Pipeline";
import { Secrets } from "./Secrets";
import { siteUrlParameterName, siteUrlParameterRead, tableEnvironment, tableRead, tableWrite, taskCallbacks } from "./permissions";
import { lambdaTimeout, stageSettings } from "./stageSettings";

export { ORIGIN_VERIFY_HEADER, siteUrlParameterName };

export type SecretKey = keyof ReturnType<typeof Secrets>;

/** What one route's handler may touch; everything else is denied by omission. */
type Needs = {
  write?: boolean;
  startJobs?: boolean;
  stopJobs?: boolean;
  callbacks?: ("SendTaskSuccess" | "SendTaskFailure" | "SendTaskHeartbeat")[];
  /** Exactly the secrets the handler's code reads (the stack test checks this against the bundle). */
  secrets?: SecretKey[];
  /** Calls out of AWS in sequence at worst, for the function's timeout. */
  runpodCalls?: number;
  githubCalls?: number;
};

// The user's GitHub App token: stored encrypted, refreshed with the app's client credentials.
const OAUTH = ["githubClientId", "githubClientSecret", "tokenEncryptionKey"] as const;
const GITHUB = OAUTH;
const R2 = ["r2AccountId", "r2AccessKeyId", "r2SecretAccessKey", "r2Bucket"] as const;
const RUNPOD = ["runpodApiKey", "runpodEndpointId"] as const;

/** What each handler needs; a handler missing here fails synthesis rather than getting defaults. */
export const NEEDS: Record<HandlerModule, Needs> = {
  "auth/login": { secrets: ["githubClientId", "githubClientSecret"] },
  "auth/callback": { write: true, secrets: [...OAUTH], githubCalls: 2 },
  "auth/setup": { write: true, secrets: [...OAUTH], githubCalls: 2 },
  // deploymentMode() reads the client id (sign-in off without it), the secret verifies the state.
  "auth/forward": { secrets: ["githubClientId", "githubClientSecret"] },
  "auth/logout": { write: true },
  me: { write: true },
  session: { write: true, secrets: [...OAUTH, "githubWebhookSecret"] },
  "repos/list": { write: true, secrets: [...GITHUB, "githubAppSlug"], githubCalls: 2 },
  "repos/settings": { write: true, secrets: [...GITHUB], githubCalls: 2 },
  // A job that ends without a docpack has its uploaded object deleted (R2): create, cancel, progress.
  "jobs/create": { write: true, startJobs: true, secrets: [...GITHUB, ...R2], githubCalls: 2 },
  "jobs/list": { write: true },
  "jobs/get": { write: true },
  "jobs/cancel": { write: true, stopJobs: true, secrets: [...RUNPOD, ...R2], runpodCalls: 1 },
  "jobs/progress": { write: true, callbacks: ["SendTaskHeartbeat"], secrets: [...R2] },
  "jobs/complete": { write: true, callbacks: ["SendTaskSuccess", "SendTaskFailure"], secrets: [...R2] },
  "docpacks/list": { write: true },
  "docpacks/listPublic": {},
  "docpacks/download": { write: true, secrets: [...R2] },
  "docpacks/update": { write: true },
  "github/webhook": {
    write: true,
    startJobs: true,
    stopJobs: true,
    secrets: ["githubWebhookSecret", ...RUNPOD, ...R2],
    runpodCalls: 1,
    githubCalls: 1,
  },
};

/** The HTTP API. Session reads slide the expiry, so signed-in routes also need table writes. */
export function Api({ stack, app }: StackContext) {
  const { table } = use(Data);
  const { stateMachine } = use(Pipeline);
  const secrets = use(Secrets);
  const settings = stageSettings();

  const executions = Stack.of(stack).formatArn({
    service: "states",
    resource: "execution",
    resourceName: `${stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

  // The value CloudFront adds as ORIGIN_VERIFY_HEADER: the random id of this stack (stable for the
  // stack's life, unknown outside the AWS account), so no secret has to be set by hand.
  const originVerify = Fn.select(2, Fn.split("/", Stack.of(stack).stackId));

  const routeProps = (handler: HandlerModule): ApiRouteProps<never> => {
    const needs = NEEDS[handler];
    const permissions = [tableRead(table), siteUrlParameterRead(stack, app)];
    if (needs.write) permissions.push(tableWrite(table));
    if (needs.startJobs)
      permissions.push(new PolicyStatement({ actions: ["states:StartExecution"], resources: [stateMachine.stateMachineArn] }));
    if (needs.stopJobs)
      permissions.push(new PolicyStatement({ actions: ["states:StopExecution"], resources: [executions] }));
    if (needs.callbacks) permissions.push(taskCallbacks(stateMachine.stateMachineArn, ...needs.callbacks));
    const environment: Record<string, string> = {};
    if (needs.runpodCalls) environment.RUNPOD_API_URL = settings.runpodApiUrl;
    return {
      function: {
        handler: `functions/src/${handler}.handler`,
        permissions,
        environment,
        timeout: lambdaTimeout(needs),
        bind: (needs.secrets ?? []).map((name) => secrets[name]),
      },
    };
  };

  const api = new HttpApi(stack, "Api", {
    defaults: {
      function: {
        environment: {
          ...tableEnvironment(table),
          DOCTOWN_STATE_MACHINE_ARN: stateMachine.stateMachineArn,
          DOCTOWN_ORIGIN_VERIFY: originVerify,
          // The site's URL, fetched on first use (the Web stack writes it; see stacks/Web.ts).
          SST_Parameter_value_SITE_URL: "__FETCH_FROM_SSM__",
          ...(settings.siteUrl ? { DOCTOWN_SITE_URL: settings.siteUrl } : {}),
        },
      },
    },
    routes: Object.fromEntries(Object.entries(ROUTES).map(([route, handler]) => [route, routeProps(handler)])),
  });

  stack.addOutputs({ ApiUrl: api.url });
  return { api, originVerify };
}
