/**
 * The IAM policies of the template, evaluated for the calls the functions make to the simulated
 * AWS services: each function signs with an access key of its own, the stand-ins map the key to
 * the function's execution role and allow an action on a resource only when an Allow statement of
 * the role's policies (inline, AWS::IAM::Policy, AWS::IAM::ManagedPolicy) matches it and no Deny
 * does. Conditions are not evaluated (none of Doctown's statements has one); a statement with a
 * Condition counts as not matching. Callers that are not functions (the simulation's own setup)
 * are not checked.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Assembly, StackTemplate } from "./assembly";
import { SIM_ACCOUNT, type Intrinsics } from "./intrinsics";

type Statement = { Effect: "Allow" | "Deny"; Action?: string | string[]; Resource?: string | string[]; Condition?: unknown };
export type Principal = { name: string; roleArn: string; statements: Statement[] };

export class AccessDenied extends Error {
  name = "AccessDeniedException";
}

export class Iam {
  private readonly byAccessKey = new Map<string, Principal>();
  /** Every decision, newest last (tests and the CLI's report). */
  readonly denied: { principal: string; action: string; resource: string }[] = [];

  constructor(
    private readonly assembly: Assembly,
    private readonly intrinsics: Intrinsics,
  ) {}

  /** The statements that apply to a role (by its logical id in `stack`). */
  roleStatements(stack: StackTemplate, roleLogicalId: string): Statement[] {
    const statements: Statement[] = [];
    const role = stack.template.Resources[roleLogicalId];
    for (const policy of (role?.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
      statements.push(...this.documentStatements(stack, policy.PolicyDocument));
    }
    for (const type of ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]) {
      for (const { stack: policyStack, resource } of this.assembly.resourcesOfType(type)) {
        if (policyStack !== stack) continue;
        const roles = (resource.Properties?.Roles ?? []) as { Ref?: string }[];
        if (roles.some((r) => r.Ref === roleLogicalId)) statements.push(...this.documentStatements(stack, resource.Properties!.PolicyDocument));
      }
    }
    return statements;
  }

  /** The principal of a role given as `Fn::GetAtt [Role, Arn]` in `stack`, with its policies' statements. */
  principalOfRole(stack: StackTemplate, roleArn: unknown, name: string): Principal {
    const logicalId = (roleArn as { "Fn::GetAtt"?: string[] } | undefined)?.["Fn::GetAtt"]?.[0];
    if (!logicalId || !stack.template.Resources[logicalId]) throw new Error(`The role of ${name} is not a role of its stack: ${JSON.stringify(roleArn)}.`);
    return { name, roleArn: `arn:aws:sts::${SIM_ACCOUNT}:assumed-role/${logicalId}/${name}`, statements: this.roleStatements(stack, logicalId) };
  }

  /** Registers a principal (a function's role) under an access key id. */
  register(accessKeyId: string, principal: Principal) {
    this.byAccessKey.set(accessKeyId, principal);
  }

  /** The principal whose access key signed a request; undefined for callers that are not functions. */
  principalOf(headers: IncomingHttpHeaders): Principal | undefined {
    const key = /Credential=([^/]+)\//.exec(String(headers.authorization ?? ""))?.[1];
    return key ? this.byAccessKey.get(key) : undefined;
  }

  /** Throws AccessDenied unless the signer of `headers` may do `action` on every one of `resources`. */
  check(headers: IncomingHttpHeaders, action: string, resources: string[]) {
    this.checkPrincipal(this.principalOf(headers), action, resources);
  }

  checkPrincipal(principal: Principal | undefined, action: string, resources: string[]) {
    if (!principal) return;
    for (const resource of resources) {
      if (allows(principal.statements, action, resource)) continue;
      this.denied.push({ principal: principal.name, action, resource });
      throw new AccessDenied(`User: ${principal.roleArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`);
    }
  }

  private documentStatements(stack: StackTemplate, document: unknown): Statement[] {
    const resolved = this.intrinsics.resolve(stack, document) as { Statement?: Statement[] | Statement };
    const list = resolved?.Statement ?? [];
    return Array.isArray(list) ? list : [list];
  }
}

export function allows(statements: Statement[], action: string, resource: string): boolean {
  const matching = (effect: Statement["Effect"]) =>
    statements.some(
      (s) =>
        s.Effect === effect &&
        s.Condition === undefined &&
        list(s.Action).some((pattern) => wildcard(pattern, action, true)) &&
        list(s.Resource).some((pattern) => wildcard(pattern, resource, false)),
    );
  return !matching("Deny") && matching("Allow");
}

const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM's `*` and `?` wildcards; actions compare case-insensitively, resources exactly. */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}
