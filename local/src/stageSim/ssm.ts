/**
 * SSM Parameter Store at its HTTP boundary (AWS JSON 1.1, AmazonSSM.*), holding exactly the
 * parameters the caller put: what SST's secret loader reads (`/sst/<app>/<stage>/Secret/<NAME>/value`,
 * then `/sst/<app>/.fallback/Secret/<NAME>/value` for the names it did not find).
 */
import { AwsError, startAwsJsonServer, type AwsJsonServer } from "./awsJson";
import type { Iam } from "./iam";
import { SIM_ACCOUNT, SIM_REGION } from "./intrinsics";

export type SsmStandIn = AwsJsonServer & {
  parameters: Map<string, string>;
  /** Sets an SST secret for a stage the way `npx sst secrets set NAME VALUE --stage STAGE` does. */
  setSecret(app: string, stage: string, name: string, value: string): void;
};

const arnOf = (name: string) => `arn:aws:ssm:${SIM_REGION}:${SIM_ACCOUNT}:parameter${name}`;

export async function startSsm(iam: Iam): Promise<SsmStandIn> {
  const parameters = new Map<string, string>();
  const parameter = (name: string) => ({
    Name: name,
    Type: "SecureString",
    Value: parameters.get(name),
    Version: 1,
    DataType: "text",
    ARN: arnOf(name),
  });
  const server = await startAwsJsonServer({
    targetPrefix: "AmazonSSM",
    version: "1.1",
    operations: {
      GetParameters({ Names }: { Names?: string[] }, headers) {
        if (!Array.isArray(Names) || Names.length === 0 || Names.length > 10)
          throw new AwsError("ValidationException", "Names must hold 1 to 10 parameter names.");
        iam.check(headers, "ssm:GetParameters", Names.map(arnOf));
        return {
          Parameters: Names.filter((name) => parameters.has(name)).map(parameter),
          InvalidParameters: Names.filter((name) => !parameters.has(name)),
        };
      },
      GetParameter({ Name }: { Name: string }, headers) {
        iam.check(headers, "ssm:GetParameter", [arnOf(Name)]);
        if (!parameters.has(Name)) throw new AwsError("ParameterNotFound", `Parameter ${Name} not found.`);
        return { Parameter: parameter(Name) };
      },
      GetParametersByPath({ Path, Recursive }: { Path: string; Recursive?: boolean }, headers) {
        iam.check(headers, "ssm:GetParametersByPath", [arnOf(Path.replace(/\/+$/, ""))]);
        const prefix = Path.endsWith("/") ? Path : `${Path}/`;
        const names = [...parameters.keys()].filter((name) => name.startsWith(prefix) && (Recursive || !name.slice(prefix.length).includes("/")));
        return { Parameters: names.map(parameter) };
      },
    },
  });
  return Object.assign(server, {
    parameters,
    setSecret(app: string, stage: string, name: string, value: string) {
      parameters.set(`/sst/${app}/${stage}/Secret/${name}/value`, value);
    },
  });
}
