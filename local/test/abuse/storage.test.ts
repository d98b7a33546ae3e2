/** The running stack's storage, asked without its credentials: every request refused, nothing read or changed. */
import { beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../support/client";
import { figure, useAbuseStack } from "./support";

const abuse = useAbuseStack();
beforeAll(() => abuse.ready());

describe("storage requests without credentials", () => {
  it("are refused by the S3 and DynamoDB stand-ins of a running stack", async () => {
    await signIn(abuse().stack.url, "victim"); // a session and a user exist to be stolen
    const s3 = process.env.DOCTOWN_S3_ENDPOINT!;
    const dynamodb = process.env.DOCTOWN_DYNAMODB_ENDPOINT!;
    const bucket = process.env.R2_BUCKET!;
    const table = process.env.DOCTOWN_TABLE!;
    const dummyAuth = "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=" + "0".repeat(64);
    const attempts: [string, Promise<Response>][] = [
      ["S3 list", fetch(`${s3}/${bucket}?list-type=2`)],
      ["S3 get", fetch(`${s3}/${bucket}/docpacks/x.docpack.zip`)],
      ["S3 put", fetch(`${s3}/${bucket}/docpacks/x.docpack.zip`, { method: "PUT", body: "evil" })],
      ["S3 delete", fetch(`${s3}/${bucket}/docpacks/x.docpack.zip`, { method: "DELETE" })],
      ["S3 create bucket", fetch(`${s3}/another`, { method: "PUT" })],
      ["S3 cors preflight from elsewhere", fetch(`${s3}/${bucket}/k`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "GET" } })],
      ["DynamoDB scan unsigned", fetch(dynamodb, { method: "POST", headers: { "x-amz-target": "DynamoDB_20120810.Scan", "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify({ TableName: table }) })],
      ["DynamoDB scan dummy signature", fetch(dynamodb, { method: "POST", headers: { "x-amz-target": "DynamoDB_20120810.Scan", "content-type": "application/x-amz-json-1.0", "x-amz-date": "20260101T000000Z", authorization: dummyAuth }, body: JSON.stringify({ TableName: table }) })],
    ];
    let refused = 0;
    for (const [name, pending] of attempts) {
      const response = await pending;
      const text = await response.text();
      expect(response.status, name).toBe(403);
      expect(response.headers.get("access-control-allow-origin"), name).toBeNull();
      expect(text, name).not.toMatch(/SESSION#|USER#/);
      refused++;
    }
    figure(`${attempts.length} storage requests without credentials → ${refused} refused (403), 0 answered`);
  });
});
