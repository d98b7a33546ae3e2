/**
 * A CloudFront Function (viewer request) from its template code, run in node:vm like the
 * CloudFront JavaScript runtime runs `function handler(event)`: the event has the documented shape
 * (request.uri, querystring/headers/cookies as { name: { value } }); the function returns the
 * request to pass on or a response to answer with.
 */
import { createContext, Script } from "node:vm";

export type CfValueMap = Record<string, { value: string; multiValue?: { value: string }[] }>;
export type CfRequest = { method: string; uri: string; querystring: CfValueMap; headers: CfValueMap; cookies: CfValueMap };
export type CfResponse = { statusCode: number; statusDescription?: string; headers?: CfValueMap; cookies?: CfValueMap; body?: string | { data: string; encoding: string } };

export function compileViewerFunction(code: string, name: string): (request: CfRequest, meta: { ip: string; domain: string }) => CfRequest | CfResponse {
  const script = new Script(`${code}\n;handler`, { filename: `cloudfront-function:${name}` });
  return (request, meta) => {
    const context = createContext({});
    const handler = script.runInContext(context, { timeout: 1000 }) as (event: unknown) => unknown;
    const event = {
      version: "1.0",
      context: { distributionDomainName: meta.domain, distributionId: "SIMULATED", eventType: "viewer-request", requestId: crypto.randomUUID() },
      viewer: { ip: meta.ip },
      request,
    };
    // Copied in and out: the function sees plain data of its own realm, as at the edge.
    const result = handler(JSON.parse(JSON.stringify(event)));
    return JSON.parse(JSON.stringify(result)) as CfRequest | CfResponse;
  };
}

export const isResponse = (value: CfRequest | CfResponse): value is CfResponse => "statusCode" in value;
