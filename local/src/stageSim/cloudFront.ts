/**
 * The CloudFront distribution from its DistributionConfig: cache behaviours matched by PathPattern
 * in order (then the default), their AllowedMethods, viewer-request CloudFront Functions from the
 * template's code, the origin a behaviour targets (the site bucket for S3 origins; a local server
 * for a custom origin's domain, over HTTPS, with the origin request policy's headers and the
 * origin's custom headers), and the CustomErrorResponses exactly as configured. No caching: every
 * request goes to the origin (the API's behaviours disable caching anyway).
 */
import { request as httpsRequest, createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Assembly } from "./assembly";
import type { SimCerts } from "./certs";
import { compileViewerFunction, isResponse, type CfRequest, type CfResponse, type CfValueMap } from "./cloudFrontFunction";
import type { Intrinsics } from "./intrinsics";
import { s3Get, type Bucket } from "./staticSite";

/** AWS managed origin request policies by id: which viewer headers reach the origin. */
const ORIGIN_REQUEST_POLICIES: Record<string, { allViewer: boolean; host: boolean }> = {
  "216adef6-5c7f-47e4-b989-5492eafa07d3": { allViewer: true, host: true }, // AllViewer
  "b689b0a8-53d0-40ab-baf2-68738e2966ac": { allViewer: true, host: false }, // AllViewerExceptHostHeader
};

type Behavior = {
  PathPattern?: string;
  TargetOriginId: string;
  AllowedMethods?: string[];
  OriginRequestPolicyId?: string;
  FunctionAssociations?: { EventType: string; FunctionARN: string }[];
};
type Origin = {
  Id: string;
  DomainName: string;
  OriginPath?: string;
  S3OriginConfig?: unknown;
  CustomOriginConfig?: { OriginProtocolPolicy: string; HTTPSPort?: number };
  OriginCustomHeaders?: { HeaderName: string; HeaderValue: string }[];
};
type ErrorResponse = { ErrorCode: number; ResponseCode?: number; ResponsePagePath?: string };
export type DistributionConfig = {
  DefaultCacheBehavior: Behavior;
  CacheBehaviors?: Behavior[];
  Origins: Origin[];
  CustomErrorResponses?: ErrorResponse[];
  DefaultRootObject?: string;
};

type OriginResponse = { status: number; headers: Record<string, string | string[]>; body: Buffer };

export type DistributionOptions = {
  config: DistributionConfig;
  /** Viewer-request functions by FunctionARN, compiled from the template's AWS::CloudFront::Function code. */
  functions: Map<string, ReturnType<typeof compileViewerFunction>>;
  buckets: Map<string, Bucket>;
  /** Custom origin domain → the local port that stands in for it (HTTPS). */
  originPorts: Map<string, number>;
  certs: SimCerts;
};

/** The distributions of the assembly with their functions and buckets resolved. */
export function distributionsOf(assembly: Assembly, intrinsics: Intrinsics) {
  const functions = new Map<string, ReturnType<typeof compileViewerFunction>>();
  for (const { stack, logicalId, resource } of assembly.resourcesOfType("AWS::CloudFront::Function")) {
    const arn = intrinsics.attribute(stack, logicalId, "FunctionARN");
    functions.set(arn, compileViewerFunction(String(resource.Properties!.FunctionCode), logicalId));
  }
  return assembly.resourcesOfType("AWS::CloudFront::Distribution").map(({ stack, logicalId, resource }) => ({
    stack,
    logicalId,
    functions,
    config: () => intrinsics.resolve(stack, resource.Properties!.DistributionConfig) as DistributionConfig,
  }));
}

/** CloudFront path patterns: `*` any run of characters (slashes too), `?` one character. */
export function pathPatternMatches(pattern: string, path: string): boolean {
  const normalized = pattern.startsWith("/") ? pattern : `/${pattern}`;
  const source = normalized.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(path);
}

export async function startDistribution(options: DistributionOptions) {
  const { config } = options;
  const behaviorFor = (path: string) => config.CacheBehaviors?.find((b) => pathPatternMatches(b.PathPattern!, path)) ?? config.DefaultCacheBehavior;
  let domain = "";

  async function toOrigin(behavior: Behavior, request: CfRequest, viewer: { ip: string; body: Buffer }): Promise<OriginResponse> {
    const origin = config.Origins.find((o) => o.Id === behavior.TargetOriginId);
    if (!origin) return { status: 502, headers: {}, body: Buffer.from("no such origin") };
    const query = Object.entries(request.querystring)
      .map(([name, v]) => `${encodeURIComponent(name)}=${encodeURIComponent(v.value)}`)
      .join("&");
    if (origin.S3OriginConfig !== undefined) {
      const bucketName = origin.DomainName.split(".s3.")[0];
      const bucket = options.buckets.get(bucketName) ?? new Map();
      let key = decodeURIComponent(request.uri).replace(/^\//, "");
      if (request.uri === "/" && config.DefaultRootObject) key = config.DefaultRootObject;
      const object = s3Get(bucket, key);
      return { status: object.status, headers: object.headers, body: Buffer.from(object.body) };
    }
    const port = options.originPorts.get(origin.DomainName);
    if (port === undefined) return { status: 502, headers: {}, body: Buffer.from(`no stand-in for origin ${origin.DomainName}`) };
    const policy = behavior.OriginRequestPolicyId ? ORIGIN_REQUEST_POLICIES[behavior.OriginRequestPolicyId] : undefined;
    if (behavior.OriginRequestPolicyId && !policy) throw new Error(`Origin request policy ${behavior.OriginRequestPolicyId} is not simulated.`);
    const headers: Record<string, string> = {};
    if (policy?.allViewer) {
      for (const [name, v] of Object.entries(request.headers)) if (name !== "host" || policy.host) headers[name] = v.value;
      const cookies = Object.entries(request.cookies).map(([name, v]) => `${name}=${v.value}`);
      if (cookies.length) headers.cookie = cookies.join("; ");
    }
    if (!policy?.host) headers.host = origin.DomainName;
    for (const custom of origin.OriginCustomHeaders ?? []) headers[custom.HeaderName.toLowerCase()] = custom.HeaderValue;
    headers["x-forwarded-for"] = viewer.ip;
    headers.via = "2.0 simulated.cloudfront.net (CloudFront)";
    headers["x-amz-cf-id"] = crypto.randomUUID();
    if (viewer.body.length) headers["content-length"] = String(viewer.body.length);
    const path = `${origin.OriginPath ?? ""}${request.uri}${policy?.allViewer && query ? `?${query}` : ""}`;
    return new Promise<OriginResponse>((resolve, reject) => {
      const req = httpsRequest({ host: "127.0.0.1", port, method: request.method, path, headers, ca: options.certs.ca, servername: undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers as Record<string, string | string[]>, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(viewer.body);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "https://distribution");
    const method = (req.method ?? "GET").toUpperCase();
    const behavior = behaviorFor(url.pathname);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const allowed = behavior.AllowedMethods ?? ["GET", "HEAD"];
    if (!allowed.includes(method)) return send(res, { status: 403, headers: { "content-type": "text/html" }, body: Buffer.from("<h1>403 ERROR</h1>This distribution is not configured to allow the HTTP request method.") }, method);

    let request: CfRequest = {
      method,
      uri: url.pathname,
      querystring: valueMap([...url.searchParams]),
      headers: valueMap(Object.entries(req.headers).filter(([name]) => name !== "cookie").map(([name, v]) => [name, Array.isArray(v) ? v.join(",") : String(v)])),
      cookies: valueMap(
        String(req.headers.cookie ?? "")
          .split(";")
          .map((c) => c.trim())
          .filter(Boolean)
          .map((c) => [c.slice(0, c.indexOf("=")), c.slice(c.indexOf("=") + 1)]),
      ),
    };
    const ip = req.socket.remoteAddress ?? "127.0.0.1";
    for (const association of behavior.FunctionAssociations ?? []) {
      if (association.EventType !== "viewer-request") continue;
      const fn = options.functions.get(association.FunctionARN);
      if (!fn) throw new Error(`No CloudFront function ${association.FunctionARN} in the assembly.`);
      const result = fn(request, { ip, domain });
      if (isResponse(result)) return send(res, fromFunctionResponse(result), method);
      request = result;
    }
    let response = await toOrigin(behavior, request, { ip, body: Buffer.concat(chunks) });
    // Custom error responses apply to every behaviour, whatever the origin said in its body.
    const custom = config.CustomErrorResponses?.find((e) => e.ErrorCode === response.status);
    if (custom?.ResponsePagePath) {
      const page = await toOrigin(behaviorFor(custom.ResponsePagePath), { ...request, method: "GET", uri: custom.ResponsePagePath, querystring: {} }, { ip, body: Buffer.alloc(0) });
      response = { status: custom.ResponseCode ?? response.status, headers: page.headers, body: page.body };
    } else if (custom?.ResponseCode) {
      response = { ...response, status: custom.ResponseCode };
    }
    send(res, response, method);
  }

  const server: Server = createServer({ key: options.certs.key, cert: options.certs.cert }, (req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, { status: 502, headers: { "content-type": "text/html" }, body: Buffer.from(`502 ERROR: ${(error as Error).message}`) }, "GET");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  domain = `127.0.0.1:${port}`;
  return {
    url: `https://${domain}`,
    domain,
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}

function valueMap(entries: [string, string][]): CfValueMap {
  const map: CfValueMap = {};
  for (const [name, value] of entries) map[name] = { value };
  return map;
}

function fromFunctionResponse(response: CfResponse): OriginResponse {
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(response.headers ?? {})) headers[name] = v.value;
  const body = typeof response.body === "string" ? response.body : response.body ? Buffer.from(response.body.data, response.body.encoding === "base64" ? "base64" : "utf8").toString() : "";
  return { status: response.statusCode, headers, body: Buffer.from(body) };
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

function send(res: ServerResponse, response: OriginResponse, method: string) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = value;
  headers["content-length"] = String(response.body.length);
  headers["x-cache"] = "Miss from cloudfront";
  res.writeHead(response.status, headers);
  res.end(method === "HEAD" ? undefined : response.body);
}
