import { Duration } from "aws-cdk-lib";
import { HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy } from "aws-cdk-lib/aws-cloudfront";
import type { Construct } from "constructs";
import { HSTS_MAX_AGE_SECONDS, pageContentSecurityPolicy, R2_STORAGE_ORIGIN } from "../functions/src/securityHeaders";

/**
 * CloudFront's security headers for every answer of the distribution (functions/src/securityHeaders.ts
 * has the values): HSTS, nosniff, frame DENY always; the pages' CSP and referrer policy where the
 * origin set none, so the API keeps its own stricter CSP.
 */
export function securityHeadersPolicy(scope: Construct): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, "SecurityHeaders", {
    comment: "Doctown security headers",
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: pageContentSecurityPolicy([R2_STORAGE_ORIGIN]), override: false },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.SAME_ORIGIN, override: false },
      strictTransportSecurity: { accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS), includeSubdomains: true, override: true },
    },
  });
}
