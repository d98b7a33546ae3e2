import { Fn } from "aws-cdk-lib";
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
import { StaticSite, use, type StackContext } from "sst/constructs";
import { Api } from "./Api";
import { securityHeadersPolicy } from "./securityHeaders";

/** Paths the distribution sends to the API instead of the static site. */
export const API_PATH_PATTERNS = ["/api/*", "/auth/*"] as const;

/**
 * The dashboard (web/) on CloudFront, with the API behind the same distribution: one origin for
 * the browser, so the session cookie is first-party and no CORS is needed.
 */
export function Web({ stack }: StackContext) {
  const { api } = use(Api);

  // API Gateway sees its own host; the handlers need the site's to check Origin and build redirects.
  const forwardHost = new CloudFrontFunction(stack, "ForwardSiteHost", {
    runtime: FunctionRuntime.JS_2_0,
    code: FunctionCode.fromInline(
      "function handler(event){var r=event.request;r.headers['x-forwarded-host']={value:r.headers.host.value};return r;}",
    ),
  });
  const securityHeaders = securityHeadersPolicy(stack);
  const apiBehavior: BehaviorOptions = {
    origin: new HttpOrigin(Fn.select(2, Fn.split("/", api.url)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    }),
    allowedMethods: AllowedMethods.ALLOW_ALL,
    cachePolicy: CachePolicy.CACHING_DISABLED,
    originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    functionAssociations: [{ function: forwardHost, eventType: FunctionEventType.VIEWER_REQUEST }],
    responseHeadersPolicy: securityHeaders,
  };

  const site = new StaticSite(stack, "Site", {
    path: "web",
    buildCommand: "npm run build",
    buildOutput: "dist",
    errorPage: "404.html",
    cdk: {
      distribution: {
        defaultBehavior: { responseHeadersPolicy: securityHeaders },
        additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
      },
    },
  });

  stack.addOutputs({ SiteUrl: site.url ?? "" });
  return { site };
}
