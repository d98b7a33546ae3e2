/**
 * The synthesized stage, run on this machine: reads the cloud assembly, starts a stand-in for each
 * AWS service it uses (SSM, DynamoDB, Step Functions, the HTTP API, CloudFront) and for what lies
 * outside AWS (R2, RunPod, GitHub), then runs every Lambda function from its bundled asset with its
 * template's environment. See README "Stage simulation" for what is not simulated.
 */
import type { LambdaHandler } from "../workflow";
import { readAssembly, type Assembly } from "./assembly";
import { startHttpApi, httpApiRoutes } from "./apiGateway";
import { startAwsJsonServer } from "./awsJson";
import { makeCerts, type SimCerts } from "./certs";
import { distributionsOf, startDistribution } from "./cloudFront";
import { startGitHubGit } from "./github";
import { AccessDenied, Iam } from "./iam";
import { Intrinsics, SIM_REGION } from "./intrinsics";
import { SimulatedFunction, type FunctionSpec, type LambdaError } from "./lambda";
import { startRunpod } from "./runpod";
import { startSsm } from "./ssm";
import { startStepFunctions } from "./stepFunctions";
import { scheduledRules } from "./schedules";
import { siteBuckets } from "./staticSite";
import { startDynamo, startR2 } from "./storage";

export type StageSimOptions = {
  outdir: string;
  /** SST secrets of the stage (NAME → value), put into the SSM stand-in; nothing else is set. */
  secrets: Record<string, string>;
  /** The GitHub REST API stand-in's URL (see `deviations`); https with a certificate from `certs`. */
  githubApiUrl?: string;
  /** The simulation's CA and server certificate (stageCerts()), when a stand-in started before the stage needs them; removed by the caller. */
  certs?: SimCerts;
  log?: (line: string) => void;
};

/**
 * Where a function must reach a stand-in outside AWS. `how` says what the simulation did: "added"
 * (the template has no such setting: a deviation from the deployed stage), or "configured" (the
 * template takes it per stage — as a variable, an SST Parameter or a secret — and the simulated
 * stage is configured with the stand-in's URL, as a stage pointed at such an endpoint would be).
 */
export type Deviation = { variable: string; value: string; why: string; how: Set<"added" | "configured"> };

export type StageSim = Awaited<ReturnType<typeof startStageSim>>;

/** The simulation's CA and the one server certificate every HTTPS stand-in presents. */
export function stageCerts(): SimCerts {
  return makeCerts(["github.com", `*.execute-api.${SIM_REGION}.amazonaws.com`, "127.0.0.1", "localhost"]);
}

export async function startStageSim(options: StageSimOptions) {
  const log = options.log ?? (() => {});
  const assembly = readAssembly(options.outdir);
  const intrinsics = new Intrinsics(assembly);
  const iam = new Iam(assembly, intrinsics);
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch((error) => log(`stop: ${(error as Error).message}`));
  };
  try {
    const certs = options.certs ?? stageCerts();
    if (!options.certs) cleanups.push(() => certs.remove());

    const { app, stage } = sstIdentity(assembly);
    const ssm = await startSsm(iam);
    cleanups.push(() => ssm.close());
    for (const [name, value] of Object.entries(options.secrets)) ssm.setSecret(app, stage, name, value);
    log(`SSM stand-in ${ssm.url}: ${Object.keys(options.secrets).length} secrets under /sst/${app}/${stage}/Secret/`);

    const tables = assembly.resourcesOfType("AWS::DynamoDB::Table").map(({ stack, logicalId, resource }) => ({
      name: intrinsics.ref(stack, logicalId),
      properties: intrinsics.resolve(stack, resource.Properties) as Record<string, any>,
    }));
    const dynamo = await startDynamo(tables, iam);
    cleanups.push(() => dynamo.close());
    log(`DynamoDB (dynalite) ${dynamo.url}: tables ${tables.map((t) => t.name).join(", ")} from the template`);

    const bucket = options.secrets.R2_BUCKET ?? "doctown-docpacks";
    const r2 = await startR2(bucket);
    cleanups.push(() => r2.close());
    log(`R2 (s3rver) ${r2.url}: bucket ${bucket}`);

    const github = await startGitHubGit(certs);
    cleanups.push(() => github.close());
    log(`GitHub git stand-in via proxy ${github.proxyUrl} (https://github.com/… over TLS)`);

    const runpod = await startRunpod({
      apiKey: options.secrets.RUNPOD_API_KEY ?? "sim-runpod-key",
      endpointId: options.secrets.RUNPOD_ENDPOINT_ID ?? "sim-endpoint",
      httpsProxy: github.proxyUrl,
      certs,
      log,
    });
    cleanups.push(() => runpod.close());
    log(`RunPod stand-in (the builder's RunPod-compatible server) ${runpod.url}`);

    // Functions, by ARN; created below once every endpoint they need is known.
    const functions = new Map<string, SimulatedFunction>();
    const invoke = async (arn: string, event: unknown) => {
      const fn = functions.get(arn);
      if (!fn) throw Object.assign(new Error(`Function not found: ${arn}`), { name: "ResourceNotFoundException" });
      return fn.invoke(event);
    };

    const [machine] = assembly.resourcesOfType("AWS::StepFunctions::StateMachine");
    const stateMachineArn = intrinsics.ref(machine.stack, machine.logicalId);
    const substitutions = intrinsics.resolve(machine.stack, machine.resource.Properties!.DefinitionSubstitutions ?? {}) as Record<string, string>;
    const definitionText = String(intrinsics.resolve(machine.stack, machine.resource.Properties!.DefinitionString)).replace(
      /\$\{([^}]+)\}/g,
      (whole, name: string) => substitutions[name] ?? whole,
    );
    // The state machine's role must allow invoking each function its tasks name.
    const machineRole = iam.principalOfRole(machine.stack, machine.resource.Properties!.RoleArn, "the state machine");
    const sfn = await startStepFunctions({
      stateMachineArn,
      definition: JSON.parse(definitionText),
      functionFor: (functionName): LambdaHandler => async (payload) => {
        try {
          iam.checkPrincipal(machineRole, "lambda:InvokeFunction", [functionName]);
        } catch (error) {
          throw Object.assign(new Error((error as Error).message), { name: "Lambda.AWSLambdaException" });
        }
        try {
          return await invoke(functionName, payload);
        } catch (error) {
          // Step Functions reports a function error by its errorType, the Cause being the runtime's JSON.
          const { errorType = (error as Error).name, message } = error as LambdaError;
          throw Object.assign(new Error(message), { name: errorType, cause: JSON.stringify({ errorType, errorMessage: message, trace: [] }) });
        }
      },
      iam,
    });
    cleanups.push(() => sfn.close());
    log(`Step Functions stand-in ${sfn.url}: ${stateMachineArn} from the template's definition`);

    const [api] = httpApiRoutes(assembly, intrinsics);
    // API Gateway may invoke a function only with a resource-based permission (AWS::Lambda::Permission).
    const apiMayInvoke = new Set(
      assembly
        .resourcesOfType("AWS::Lambda::Permission")
        .filter(({ resource }) => resource.Properties?.Principal === "apigateway.amazonaws.com" && resource.Properties?.Action === "lambda:InvokeFunction")
        .map(({ stack, resource }) => String(intrinsics.resolve(stack, resource.Properties!.FunctionName))),
    );
    const apiStack = assembly.stacks.find((s) => s.stackName === api.stackName)!;
    const httpApi = await startHttpApi({
      apiId: intrinsics.ref(apiStack, api.apiLogicalId),
      routes: api.routes,
      certs,
      invoke: (arn, event) => {
        if (!apiMayInvoke.has(arn)) throw new AccessDenied(`API Gateway has no permission to invoke ${arn}.`);
        return invoke(arn, event);
      },
      log,
    });
    cleanups.push(() => httpApi.close());
    const apiDomain = new URL(intrinsics.attribute(apiStack, api.apiLogicalId, "ApiEndpoint")).host;
    // With DisableExecuteApiEndpoint the default endpoint does not answer, for CloudFront neither.
    const apiResource = apiStack.template.Resources[api.apiLogicalId];
    const executeApiDisabled = intrinsics.resolve(apiStack, apiResource.Properties?.DisableExecuteApiEndpoint) === true;
    log(`HTTP API ${apiDomain} → 127.0.0.1:${httpApi.port}: ${api.routes.length} routes from the template${executeApiDisabled ? " (default endpoint disabled)" : ""}`);

    const [distribution] = distributionsOf(assembly, intrinsics);
    const site = await startDistribution({
      config: distribution.config(),
      functions: distribution.functions,
      buckets: siteBuckets(assembly, intrinsics),
      originPorts: new Map(executeApiDisabled ? [] : [[apiDomain, httpApi.port]]),
      certs,
    });
    cleanups.push(() => site.close());
    intrinsics.overrides.set(`${distribution.stack.stackName}/${distribution.logicalId}`, { attributes: { DomainName: site.domain } });

    // The template's own SSM parameters (SST writes one per Config.Parameter and per construct), as CloudFormation creates them.
    for (const { stack, resource } of assembly.resourcesOfType("AWS::SSM::Parameter")) {
      const props = intrinsics.resolve(stack, resource.Properties ?? {}) as { Name?: string; Value?: string };
      if (props.Name && props.Value !== undefined && !ssm.parameters.has(props.Name)) ssm.parameters.set(props.Name, String(props.Value));
    }
    log(`CloudFront ${site.url}: behaviours, functions and error responses from the template`);

    // Any AWS service without a stand-in: refused here, so that nothing reaches the real cloud.
    const unsimulated = await startAwsJsonServer({ targetPrefix: "", version: "1.0", operations: {} });
    cleanups.push(() => unsimulated.close());

    // What the Lambda service provides every function, and where the AWS SDK's standard
    // AWS_ENDPOINT_URL_<SERVICE> variables send each client.
    const runtimeEnv: Record<string, string> = {
      AWS_REGION: SIM_REGION,
      AWS_DEFAULT_REGION: SIM_REGION,
      AWS_SECRET_ACCESS_KEY: "simulated",
      AWS_SESSION_TOKEN: "simulated",
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL: unsimulated.url,
      // Lambda's Node runtime sets NODE_EXTRA_CA_CERTS (to Amazon's bundle); here: the simulation's CA.
      NODE_EXTRA_CA_CERTS: certs.caFile,
    };
    const deviations: Deviation[] = [
      {
        variable: "DOCTOWN_S3_ENDPOINT",
        value: r2.url,
        why: "R2's endpoint is https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com, which no environment variable of the SDK redirects",
        how: new Set(),
      },
      { variable: "RUNPOD_API_URL", value: `${runpod.url}/v2`, why: "the RunPod API (default https://api.runpod.ai/v2)", how: new Set() },
    ];
    if (options.githubApiUrl)
      deviations.push({ variable: "GITHUB_API_URL", value: options.githubApiUrl, why: "the GitHub REST API (default https://api.github.com)", how: new Set() });
    const lambdas = assembly.resourcesOfType("AWS::Lambda::Function").filter(({ resource }) => resource.Properties?.Code?.S3Key);
    const environmentOf = (stack: (typeof lambdas)[number]["stack"], props: Record<string, any>) =>
      Object.fromEntries(Object.entries(intrinsics.resolve(stack, props.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const takes = (environment: Record<string, string>, variable: string) =>
      variable in environment || `SST_Secret_value_${variable}` in environment || `SST_Parameter_value_${variable}` in environment;
    // A setting some function of the template takes is configured where it is taken; one that none
    // takes is added to every function (a deviation: the deployed stage could not reach a stand-in).
    const templateTakes = new Set(deviations.filter((d) => lambdas.some(({ stack, resource }) => takes(environmentOf(stack, resource.Properties!), d.variable))).map((d) => d.variable));
    /** The environment with each endpoint pointed at its stand-in, the way the template allows. */
    const pointAtStandIns = (environment: Record<string, string>) => {
      const result = { ...environment };
      for (const d of deviations) {
        if (`SST_Secret_value_${d.variable}` in result) {
          ssm.setSecret(app, stage, d.variable, d.value);
          d.how.add("configured");
        } else if (`SST_Parameter_value_${d.variable}` in result) {
          if (result[`SST_Parameter_value_${d.variable}`] === "__FETCH_FROM_SSM__") ssm.parameters.set(`/sst/${app}/${stage}/Parameter/${d.variable}/value`, d.value);
          else result[`SST_Parameter_value_${d.variable}`] = d.value;
          d.how.add("configured");
        } else if (d.variable in result) {
          result[d.variable] = d.value;
          d.how.add("configured");
        } else if (!templateTakes.has(d.variable)) {
          result[d.variable] = d.value;
          d.how.add("added");
        }
      }
      return result;
    };

    // Functions with inline code (CDK's own providers) are never invoked here.
    for (const { stack, logicalId, resource } of lambdas) {
      const props = resource.Properties!;
      const environment = environmentOf(stack, props);
      const spec: FunctionSpec = {
        logicalId: `${stack.stackName}/${logicalId}`,
        name: intrinsics.functionName(stack, logicalId),
        arn: intrinsics.attribute(stack, logicalId, "Arn"),
        codeDir: assembly.assetPath(String(intrinsics.resolve(stack, props.Code.S3Key))),
        handler: String(props.Handler),
        runtime: String(props.Runtime),
        timeoutSeconds: Number(props.Timeout ?? 3),
        memoryMb: Number(props.MemorySize ?? 128),
        environment: pointAtStandIns(environment),
      };
      // The execution role's temporary credentials: one access key per function, so the stand-ins know whose policy applies.
      const accessKeyId = `ASIASIM${String(functions.size).padStart(13, "0")}`;
      iam.register(accessKeyId, iam.principalOfRole(stack, props.Role, spec.logicalId));
      functions.set(spec.arn, new SimulatedFunction(spec, { ...runtimeEnv, AWS_ACCESS_KEY_ID: accessKeyId }, log));
    }
    cleanups.push(() => Promise.all([...functions.values()].map((fn) => fn.stop())).then(() => {}));
    log(`Lambda: ${functions.size} functions from their bundled assets`);

    const schedules = scheduledRules(assembly, intrinsics, invoke);
    cleanups.push(() => schedules.stop());
    if (schedules.rules.length) log(`EventBridge: ${schedules.rules.map((r) => `${r.logicalId} ${r.expression}`).join(", ")}`);

    const [table] = tables;
    return {
      assembly,
      intrinsics,
      iam,
      app,
      stage,
      siteUrl: site.url,
      /** The API's default endpoint (host name and local port), or undefined when the template disables it. */
      executeApi: executeApiDisabled ? undefined : { host: apiDomain, port: httpApi.port },
      ca: certs.ca,
      ssm,
      sfn,
      github,
      runpod,
      functions,
      schedules: schedules.rules,
      deviations,
      dynamodbUrl: dynamo.url,
      r2Url: r2.url,
      tableName: table.name,
      /** The function whose template Handler is this module (e.g. functions/src/pipeline/dispatch). */
      functionByHandler(handlerModule: string) {
        return [...functions.values()].find((fn) => fn.spec.handler === `${handlerModule}.handler`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The SST app and stage the assembly was synthesized for (from its functions' SST_APP/SST_STAGE). */
function sstIdentity(assembly: Assembly): { app: string; stage: string } {
  for (const { resource } of assembly.resourcesOfType("AWS::Lambda::Function")) {
    const vars = resource.Properties?.Environment?.Variables;
    if (vars?.SST_APP && vars?.SST_STAGE) return { app: String(vars.SST_APP), stage: String(vars.SST_STAGE) };
  }
  throw new Error("No function in the assembly names its SST app and stage.");
}
