/**
 * CloudFormation's intrinsic functions over the assembly, with each resource's Ref and attributes
 * as the simulated stage has them (table name, function ARN, API endpoint…). Cross-stack values
 * go through the producing stack's Outputs and their Export names, as CloudFormation resolves them.
 */
import type { Assembly, Resource, StackTemplate } from "./assembly";

export const SIM_ACCOUNT = "123456789012";
export const SIM_REGION = "us-east-1";

/** Physical values a simulated resource overrides (e.g. the API endpoint pointing at a local server). */
export type Overrides = Map<string, { ref?: string; attributes?: Record<string, string> }>;

export class Intrinsics {
  readonly overrides: Overrides = new Map();
  private readonly exports = new Map<string, { stack: StackTemplate; value: unknown }>();

  constructor(private readonly assembly: Assembly) {
    for (const stack of assembly.stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export) this.exports.set(String(this.resolve(stack, output.Export.Name)), { stack, value: output.Value });
      }
    }
  }

  /** The value of a template expression as seen from `stack`. */
  resolve(stack: StackTemplate, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(stack, item));
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0];
      switch (fn) {
        case "Ref":
          return this.ref(stack, arg as string);
        case "Fn::GetAtt": {
          const [logicalId, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(".");
          return this.attribute(stack, logicalId, attribute);
        }
        case "Fn::Join": {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(stack, parts) as unknown[]).join(separator);
        }
        case "Fn::Select": {
          const [index, list] = arg as [number, unknown];
          return (this.resolve(stack, list) as unknown[])[Number(this.resolve(stack, index))];
        }
        case "Fn::Split": {
          const [separator, text] = arg as [string, unknown];
          return String(this.resolve(stack, text)).split(separator);
        }
        case "Fn::ImportValue": {
          const name = String(this.resolve(stack, arg));
          const exported = this.exports.get(name);
          if (!exported) throw new Error(`No stack exports ${name}.`);
          return this.resolve(exported.stack, exported.value);
        }
        case "Fn::Sub": {
          const [text, variables] = typeof arg === "string" ? [arg, {}] : (arg as [string, Record<string, unknown>]);
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in variables) return String(this.resolve(stack, variables[name]));
            const [logicalId, attribute] = name.split(".");
            return String(attribute ? this.attribute(stack, logicalId, attribute) : this.ref(stack, logicalId));
          });
        }
      }
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(stack, item)]));
  }

  ref(stack: StackTemplate, logicalId: string): string {
    const pseudo: Record<string, string> = {
      "AWS::Region": SIM_REGION,
      "AWS::AccountId": SIM_ACCOUNT,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": stack.stackName,
    };
    if (logicalId in pseudo) return pseudo[logicalId];
    const override = this.overrides.get(`${stack.stackName}/${logicalId}`)?.ref;
    if (override !== undefined) return override;
    const resource = this.resource(stack, logicalId);
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case "AWS::DynamoDB::Table":
        return String(this.resolve(stack, props.TableName ?? `${stack.stackName}-${logicalId}`));
      case "AWS::Lambda::Function":
        return this.functionName(stack, logicalId);
      case "AWS::StepFunctions::StateMachine":
        return `arn:aws:states:${SIM_REGION}:${SIM_ACCOUNT}:stateMachine:${this.resolve(stack, props.StateMachineName ?? logicalId)}`;
      case "AWS::S3::Bucket":
        return String(this.resolve(stack, props.BucketName ?? `${stack.stackName}-${logicalId}`.toLowerCase()));
      case "AWS::ApiGatewayV2::Api":
        return `${logicalId.toLowerCase().slice(0, 6)}sim`;
      default:
        return logicalId;
    }
  }

  attribute(stack: StackTemplate, logicalId: string, attribute: string): string {
    const override = this.overrides.get(`${stack.stackName}/${logicalId}`)?.attributes?.[attribute];
    if (override !== undefined) return override;
    const resource = this.resource(stack, logicalId);
    const ref = this.ref(stack, logicalId);
    switch (`${resource.Type}.${attribute}`) {
      case "AWS::Lambda::Function.Arn":
        return `arn:aws:lambda:${SIM_REGION}:${SIM_ACCOUNT}:function:${ref}`;
      case "AWS::DynamoDB::Table.Arn":
        return `arn:aws:dynamodb:${SIM_REGION}:${SIM_ACCOUNT}:table/${ref}`;
      case "AWS::StepFunctions::StateMachine.Arn":
        return ref;
      case "AWS::StepFunctions::StateMachine.Name":
        return ref.split(":").at(-1)!;
      case "AWS::ApiGatewayV2::Api.ApiEndpoint":
        return `https://${ref}.execute-api.${SIM_REGION}.amazonaws.com`;
      case "AWS::S3::Bucket.Arn":
        return `arn:aws:s3:::${ref}`;
      case "AWS::S3::Bucket.RegionalDomainName":
        return `${ref}.s3.${SIM_REGION}.amazonaws.com`;
      case "AWS::CloudFront::Function.FunctionARN":
        return `arn:aws:cloudfront::${SIM_ACCOUNT}:function/${this.resolve(stack, resource.Properties?.Name ?? logicalId)}`;
      case "AWS::CloudFront::Distribution.DomainName":
        return `${logicalId.toLowerCase()}.cloudfront.net`;
      default:
        return `${ref}.${attribute}`;
    }
  }

  /** The name CloudFormation would give a function without an explicit FunctionName (shortened like it). */
  functionName(stack: StackTemplate, logicalId: string): string {
    const explicit = this.resource(stack, logicalId).Properties?.FunctionName;
    if (explicit !== undefined) return String(this.resolve(stack, explicit));
    return `${stack.stackName}-${logicalId}`.slice(0, 64);
  }

  resource(stack: StackTemplate, logicalId: string): Resource {
    const resource = stack.template.Resources[logicalId];
    if (!resource) throw new Error(`${stack.stackName} has no resource ${logicalId}.`);
    return resource;
  }
}
