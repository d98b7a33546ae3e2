/**
 * CloudFront's security headers policy on its own (fast; stacks.test.ts checks that Web.ts attaches
 * it to every behaviour of the synthesized distribution).
 */
import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, it } from "vitest";
import { pageContentSecurityPolicy, R2_STORAGE_ORIGIN } from "../../functions/src/securityHeaders";
import { securityHeadersPolicy } from "../securityHeaders";

describe("securityHeadersPolicy", () => {
  it("sets HSTS, nosniff and frame DENY on every answer, and the pages' CSP and referrer policy where the origin sets none", () => {
    const stack = new Stack(new App(), "Test");
    securityHeadersPolicy(stack);
    Template.fromStack(stack).hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: pageContentSecurityPolicy([R2_STORAGE_ORIGIN]), Override: false },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: "DENY", Override: true },
          ReferrerPolicy: { ReferrerPolicy: "same-origin", Override: false },
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
        },
      }),
    });
  });
});
