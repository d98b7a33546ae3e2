/**
 * EventBridge scheduled rules of the template (AWS::Events::Rule with a ScheduleExpression and
 * Lambda targets): `rate(...)` rules fire on their period while the simulation runs, any rule can
 * be fired at once (`fire()`, for tests), with the event EventBridge sends ("Scheduled Event") or
 * the target's constant `Input`. A target needs its AWS::Lambda::Permission for events.amazonaws.com.
 * cron() expressions are only fired by hand.
 */
import type { Assembly } from "./assembly";
import { SIM_ACCOUNT, SIM_REGION, type Intrinsics } from "./intrinsics";

export type ScheduledRule = { logicalId: string; arn: string; expression: string; targets: { arn: string; input?: string }[]; fire(): Promise<unknown[]> };

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

export function scheduledRules(
  assembly: Assembly,
  intrinsics: Intrinsics,
  invoke: (arn: string, event: unknown) => Promise<unknown>,
): { rules: ScheduledRule[]; stop(): void } {
  const eventsMayInvoke = new Set(
    assembly
      .resourcesOfType("AWS::Lambda::Permission")
      .filter(({ resource }) => resource.Properties?.Principal === "events.amazonaws.com")
      .map(({ stack, resource }) => String(intrinsics.resolve(stack, resource.Properties!.FunctionName))),
  );
  const timers: NodeJS.Timeout[] = [];
  const rules = assembly.resourcesOfType("AWS::Events::Rule").flatMap(({ stack, logicalId, resource }) => {
    const props = intrinsics.resolve(stack, resource.Properties ?? {}) as { ScheduleExpression?: string; State?: string; Name?: string; Targets?: { Arn: string; Input?: string }[] };
    if (!props.ScheduleExpression || props.State === "DISABLED") return [];
    const arn = `arn:aws:events:${SIM_REGION}:${SIM_ACCOUNT}:rule/${props.Name ?? `${stack.stackName}-${logicalId}`}`;
    const targets = (props.Targets ?? []).filter((t) => t.Arn.includes(":lambda:")).map((t) => ({ arn: t.Arn, input: t.Input }));
    const fire = () =>
      Promise.all(
        targets.map((target) => {
          if (!eventsMayInvoke.has(target.arn)) return Promise.reject(new Error(`EventBridge has no permission to invoke ${target.arn}.`));
          const event =
            target.input !== undefined
              ? JSON.parse(target.input)
              : { version: "0", id: crypto.randomUUID(), "detail-type": "Scheduled Event", source: "aws.events", account: SIM_ACCOUNT, time: new Date().toISOString().replace(/\.\d+Z$/, "Z"), region: SIM_REGION, resources: [arn], detail: {} };
          return invoke(target.arn, event);
        }),
      );
    const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(props.ScheduleExpression);
    if (rate) {
      const timer = setInterval(() => void fire().catch(() => {}), Number(rate[1]) * UNIT_MS[rate[2]]);
      timer.unref();
      timers.push(timer);
    }
    return [{ logicalId, arn, expression: props.ScheduleExpression, targets, fire }];
  });
  return { rules, stop: () => timers.forEach(clearInterval) };
}
