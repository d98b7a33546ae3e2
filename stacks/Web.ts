import { Fn, Lazy } from "aws-cdk-lib";
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { StringParameter } from "aws-cdk-lib/aws-ssm";
import { StaticSite, use, type StackContext } from "sst/constructs";
import { Api, ORIGIN_VERIFY_HEADER, siteUrlParameterName } from "./Api";
import { securityHeadersPolicy } from "./securityHeaders";
import { siteRoutesFunctionCode } from "./siteRoutes";

/** Paths the distribution sends to the API instead of the static site. */
export const API_PATH_PATTERNS = ["/api/*", "/auth/*"] as const;

/**
 * The dashboard (web/) on CloudFront, with the API behind the same distribution: one origin for
 * the browser, so the session cookie is first-party and no CORS is needed.
 */
export function Web({ stack, app }: StackContext) {
  const { api, originVerify } = use(Api);
  const securityHeaders = securityHeadersPolicy(stack);

  const apiBehavior: BehaviorOptions = {
    origin: new HttpOrigin(Fn.select(2, Fn.split("/", api.url)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      // The API answers only requests carrying this (see functions/src/http.ts checkViaSite).
      customHeaders: { [ORIGIN_VERIFY_HEADER]: originVerify },
    }),
    allowedMethods: AllowedMethods.ALLOW_ALL,
    cachePolicy: CachePolicy.CACHING_DISABLED,
    originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    responseHeadersPolicy: securityHeaders,
  };

  // The site's routes and 404 page, at the edge and for site paths only (see siteRoutes.ts). The
  // code is produced at synthesis, after StaticSite has built web/dist.
  const siteRoutes = new CloudFrontFunction(stack, "SiteRoutes", {
    runtime: FunctionRuntime.JS_2_0,
    code: FunctionCode.fromInline(Lazy.string({ produce: () => siteRoutesFunctionCode("web/dist") })),
  });

  const site = new StaticSite(stack, "Site", {
    path: "web",
    buildCommand: "npm run build",
    buildOutput: "dist",
    cdk: {
      distribution: {
        // No custom error responses: they would apply to the API's paths too.
        errorResponses: [],
        defaultBehavior: {
          functionAssociations: [{ function: siteRoutes, eventType: FunctionEventType.VIEWER_REQUEST }],
          responseHeadersPolicy: securityHeaders,
        },
        additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
      },
    },
  });

  // The API stack cannot reference the distribution (Web already depends on Api: a cycle), so the
  // site's URL reaches the API's functions through SSM, in the layout of an SST parameter; they
  // read it on first use (core/src/config.ts) and use it for the Origin check and callback URLs.
  new StringParameter(stack, "SiteUrlParameter", {
    parameterName: siteUrlParameterName(app),
    stringValue: site.url ?? "",
    description: "The site's URL; the API's functions read it as their origin.",
  });

  stack.addOutputs({ SiteUrl: site.url ?? "" });
  return { site };
}
