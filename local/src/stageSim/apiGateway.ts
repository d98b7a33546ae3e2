/**
 * The HTTP API (API Gateway v2, payload format 2.0) from the template: each AWS::ApiGatewayV2::Route's
 * RouteKey → its Target integration → the function its IntegrationUri names. Requests become the
 * events API Gateway sends (testing/src/apiGateway.ts); what API Gateway itself answers (no route: 404
 * `{"message":"Not Found"}`, a failed function: 500 `{"message":"Internal Server Error"}`) is kept.
 * Served over HTTPS like execute-api; CloudFront's custom origin reaches it there.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { compileRoutes, matchRoute, toApiEvent, writeApiResult } from "@doctown/testing/apiGateway";
import type { Assembly } from "./assembly";
import type { Intrinsics } from "./intrinsics";
import type { SimCerts } from "./certs";

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export type HttpApiRoute = { routeKey: string; functionArn: string };

/** The routes of every HTTP API in the assembly, by API logical id. */
export function httpApiRoutes(assembly: Assembly, intrinsics: Intrinsics): { apiLogicalId: string; stackName: string; routes: HttpApiRoute[] }[] {
  return assembly.resourcesOfType("AWS::ApiGatewayV2::Api").map(({ stack, logicalId: apiLogicalId }) => {
    const routes: HttpApiRoute[] = [];
    for (const [, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== "AWS::ApiGatewayV2::Route") continue;
      const props = resource.Properties!;
      if (props.ApiId?.Ref !== apiLogicalId) continue;
      const target = String(intrinsics.resolve(stack, props.Target));
      const integrationId = target.replace(/^integrations\//, "");
      const integration = stack.template.Resources[integrationId];
      if (integration?.Type !== "AWS::ApiGatewayV2::Integration") throw new Error(`Route ${props.RouteKey} targets ${target}, which is no integration.`);
      const ip = integration.Properties!;
      if (ip.IntegrationType !== "AWS_PROXY" || ip.PayloadFormatVersion !== "2.0")
        throw new Error(`Route ${props.RouteKey}: only Lambda proxy integrations with payload 2.0 are simulated.`);
      routes.push({ routeKey: props.RouteKey, functionArn: String(intrinsics.resolve(stack, ip.IntegrationUri)) });
    }
    return { apiLogicalId, stackName: stack.stackName, routes };
  });
}

export type InvokeFunction = (arn: string, event: unknown) => Promise<unknown>;

export async function startHttpApi(options: { routes: HttpApiRoute[]; certs: SimCerts; invoke: InvokeFunction; log?: (line: string) => void }) {
  const table = Object.fromEntries(options.routes.map((route) => [route.routeKey, route.functionArn]));
  const routes = compileRoutes(table);
  const server: Server = createServer({ key: options.certs.key, cert: options.certs.cert }, (req, res) => {
    handle(req, res).catch((error) => {
      options.log?.(`api gateway: ${(error as Error).message}`);
      if (!res.headersSent) json(res, 500, { message: "Internal Server Error" });
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", `https://${req.headers.host ?? "execute-api"}`);
    const method = (req.method ?? "GET").toUpperCase();
    const matched = matchRoute(routes, method, url.pathname);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return json(res, 413, { message: "Request Entity Too Large" });
      chunks.push(chunk as Buffer);
    }
    if (!matched) return json(res, 404, { message: "Not Found" });
    let result: unknown;
    try {
      result = await options.invoke(matched.route.module, toApiEvent(req, url, matched, Buffer.concat(chunks)));
    } catch (error) {
      options.log?.(`api gateway: ${matched.route.routeKey} failed: ${(error as Error).name}: ${(error as Error).message}`);
      return json(res, 500, { message: "Internal Server Error" });
    }
    writeApiResult(res, result as APIGatewayProxyStructuredResultV2, method === "HEAD");
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
