/**
 * The synthesized stage, run on this machine: reads the cloud assembly, starts a stand-in for each
 * AWS service it uses (SSM, DynamoDB, Step Functions, the HTTP API, CloudFront) and for what lies
 * outside AWS (R2, RunPod, GitHub), then runs every Lambda function from its bundled asset with its
 * template's environment. See README "Stage simulation" for what is not simulated.
 */
import type { LambdaHandler } from "../workflow";
import { readAssembly, type Assembly } from "./assembly";
import { startHttpApi, httpApiRoutes } from "./apiGateway";
import { makeCerts } from "./certs";
import { distributionsOf, startDistribution } from "./cloudFront";
import { startGitHubGit } from "./github";
import { AccessDenied, Iam } from "./iam";
import { Intrinsics, SIM_REGION } from "./intrinsics";
import { SimulatedFunction, type FunctionSpec } from "./lambda";
import { startRunpod } from "./runpod";
import { startSsm } from "./ssm";
import { startStepFunctions } from "./stepFunctions";
import { siteBuckets } from "./staticSite";
import { startDynamo, startR2 } from "./storage";

export type StageSimOptions = {
  outdir: string;
  /** SST secrets of the stage (NAME → value), put into the SSM stand-in; nothing else is set. */
  secrets: Record<string, string>;
  /** The GitHub REST API stand-in's URL (see `deviations`). */
  githubApiUrl?: string;
  log?: (line: string) => void;
};

/** A value the simulation adds to a function's environment because the template cannot point it at a stand-in. */
export type Deviation = { variable: string; value: string; why: string };

export type StageSim = Awaited<ReturnType<typeof startStageSim>>;

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
    const certs = makeCerts(["github.com", `*.execute-api.${SIM_REGION}.amazonaws.com`, "127.0.0.1", "localhost"]);
    cleanups.push(() => certs.remove());

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
      caFile: certs.caFile,
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
        return invoke(functionName, payload);
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
    const httpApi = await startHttpApi({
      routes: api.routes,
      certs,
      invoke: (arn, event) => {
        if (!apiMayInvoke.has(arn)) throw new AccessDenied(`API Gateway has no permission to invoke ${arn}.`);
        return invoke(arn, event);
      },
      log,
    });
    cleanups.push(() => httpApi.close());
    const apiStack = assembly.stacks.find((s) => s.stackName === api.stackName)!;
    const apiDomain = new URL(intrinsics.attribute(apiStack, api.apiLogicalId, "ApiEndpoint")).host;
    log(`HTTP API ${apiDomain} → 127.0.0.1:${httpApi.port}: ${api.routes.length} routes from the template`);

    const [distribution] = distributionsOf(assembly, intrinsics);
    const site = await startDistribution({
      config: distribution.config(),
      functions: distribution.functions,
      buckets: siteBuckets(assembly, intrinsics),
      originPorts: new Map([[apiDomain, httpApi.port]]),
      certs,
    });
    cleanups.push(() => site.close());
    intrinsics.overrides.set(`${distribution.stack.stackName}/${distribution.logicalId}`, { attributes: { DomainName: site.domain } });
    log(`CloudFront ${site.url}: behaviours, functions and error responses from the template`);

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
      // Lambda's Node runtime sets NODE_EXTRA_CA_CERTS (to Amazon's bundle); here: the simulation's CA.
      NODE_EXTRA_CA_CERTS: certs.caFile,
    };
    const deviations: Deviation[] = [
      {
        variable: "DOCTOWN_S3_ENDPOINT",
        value: r2.url,
        why: "R2's endpoint is https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com, which no environment variable of the SDK redirects",
      },
      { variable: "RUNPOD_API_URL", value: `${runpod.url}/v2`, why: "the template sets no RunPod API URL (https://api.runpod.ai/v2 is fixed)" },
    ];
    if (options.githubApiUrl)
      deviations.push({ variable: "GITHUB_API_URL", value: options.githubApiUrl, why: "the template sets no GitHub API URL (https://api.github.com is fixed)" });

    for (const { stack, logicalId, resource } of assembly.resourcesOfType("AWS::Lambda::Function")) {
      const props = resource.Properties!;
      if (!props.Code?.S3Key) continue; // inline code: CDK's own providers, never invoked here
      const environment = Object.fromEntries(
        Object.entries((intrinsics.resolve(stack, props.Environment?.Variables ?? {}) as Record<string, unknown>)).map(([k, v]) => [k, String(v)]),
      );
      const added = Object.fromEntries(deviations.filter((d) => !(d.variable in environment) && !(`SST_Secret_value_${d.variable}` in environment)).map((d) => [d.variable, d.value]));
      const spec: FunctionSpec = {
        logicalId: `${stack.stackName}/${logicalId}`,
        name: intrinsics.functionName(stack, logicalId),
        arn: intrinsics.attribute(stack, logicalId, "Arn"),
        codeDir: assembly.assetPath(String(intrinsics.resolve(stack, props.Code.S3Key))),
        handler: String(props.Handler),
        runtime: String(props.Runtime),
        timeoutSeconds: Number(props.Timeout ?? 3),
        memoryMb: Number(props.MemorySize ?? 128),
        environment: { ...environment, ...added },
      };
      // The execution role's temporary credentials: one access key per function, so the stand-ins know whose policy applies.
      const accessKeyId = `ASIASIM${String(functions.size).padStart(13, "0")}`;
      iam.register(accessKeyId, iam.principalOfRole(stack, props.Role, spec.logicalId));
      functions.set(spec.arn, new SimulatedFunction(spec, { ...runtimeEnv, AWS_ACCESS_KEY_ID: accessKeyId }, log));
    }
    cleanups.push(() => Promise.all([...functions.values()].map((fn) => fn.stop())).then(() => {}));
    log(`Lambda: ${functions.size} functions from their bundled assets`);

    const [table] = tables;
    return {
      assembly,
      intrinsics,
      iam,
      app,
      stage,
      siteUrl: site.url,
      ca: certs.ca,
      ssm,
      sfn,
      github,
      runpod,
      functions,
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
