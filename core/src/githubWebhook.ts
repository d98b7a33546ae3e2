/**
 * The GitHub App's webhook deliveries (one endpoint for every installation): authenticate
 * (X-Hub-Signature-256 over the raw body, with the app's GITHUB_WEBHOOK_SECRET), validate, record
 * the delivery once by id and by signed content, then act: `ping` answers, `installation` and
 * `installation_repositories` update the installation records, `push` may start a build
 * (pushBuild.ts), every other event is acknowledged and ignored. Nothing is written before the
 * signature checks out. Only quick work happens here: GitHub gives up after 10 s.
 */
import { verify } from "@octokit/webhooks-methods";
import { secret } from "./config";
import { AppError, BadRequest, Unauthorized } from "./errors";
import { bestEffort } from "./jobSubmit";
import { buildPush, parsePushPayload, type PushOutcome, type PushPayload } from "./pushBuild";
import { applyInstallationEvent, parseInstallationEvent } from "./installationEvents";
import { claimDelivery, DeliveryId } from "./webhookDelivery";

/** GitHub caps payloads at 25 MB, Lambda's synchronous payload at 6 MB (base64 adds a third). */
export const WEBHOOK_MAX_BODY_BYTES = 4 * 1024 * 1024;

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

export type WebhookDelivery = {
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  /** The body exactly as received (already base64-decoded when API Gateway encoded it). */
  rawBody: Buffer | undefined;
  /** The site's origin; push builds call back to it. */
  callbackBaseUrl: string;
};

export type WebhookAnswer = { status: 200 | 202; body: Record<string, unknown> };

export async function receiveGitHubWebhook(delivery: WebhookDelivery): Promise<WebhookAnswer> {
  const { headers } = delivery;
  const signature = headers["x-hub-signature-256"];
  const deliveryId = headers["x-github-delivery"];
  const event = headers["x-github-event"];
  if (!signature) throw new Unauthorized("missing_signature", "The X-Hub-Signature-256 header is required; set a secret on the webhook.");
  if (!deliveryId || !event) throw new Unauthorized("missing_webhook_headers", "The X-GitHub-Delivery and X-GitHub-Event headers are required.");
  const payloadText = await verifiedPayload(delivery.rawBody, signature);

  // Authentic from here on; still, only well-formed input goes further.
  if (!DeliveryId.safeParse(deliveryId).success) throw new BadRequest("invalid_delivery_id", "X-GitHub-Delivery must be a GUID.");
  if (!EVENT_NAME.test(event)) throw new BadRequest("invalid_event", "X-GitHub-Event is not an event name.");
  if ((headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded"))
    throw new AppError(415, "unsupported_content_type", "Set the webhook's content type to application/json.");
  const push = event === "push" ? parsePushPayload(parseJson(payloadText)) : undefined;
  const installation =
    event === "installation" || event === "installation_repositories" ? parseInstallationEvent(event, parseJson(payloadText)) : undefined;
  if (event === "ping") parseJson(payloadText);

  const claim = await claimDelivery(deliveryId, event, delivery.rawBody!);
  if (!claim) return { status: 200, body: { result: "duplicate_delivery", delivery: deliveryId } };
  try {
    if (installation) return { status: 202, body: await applyInstallationEvent(installation) };
    return await act(event, push, delivery.callbackBaseUrl);
  } catch (error) {
    // Forget the delivery so that GitHub's "Redeliver" retries it.
    await bestEffort("release a failed webhook delivery", () => claim.release());
    throw error;
  }
}

async function act(event: string, push: PushPayload | undefined, callbackBaseUrl: string): Promise<WebhookAnswer> {
  if (event === "ping") return { status: 200, body: { result: "pong" } };
  if (!push) return { status: 202, body: { result: "ignored", reason: "unsupported_event", event } };
  return { status: 202, body: pushAnswer(await buildPush(push, { callbackBaseUrl })) };
}

function pushAnswer(outcome: PushOutcome): Record<string, unknown> {
  switch (outcome.result) {
    case "ignored":
      return { result: "ignored", reason: outcome.reason };
    case "superseded":
      return { result: "superseded", job_id: outcome.jobId };
    case "build_started":
      return { result: "build_started", job_id: outcome.jobId, superseded_job_id: outcome.supersededJobId };
  }
}

/** The body as text if its signature is valid; a 401 otherwise. The HMAC covers the exact bytes. */
async function verifiedPayload(rawBody: Buffer | undefined, signature: string): Promise<string> {
  const webhookSecret = secret("GITHUB_WEBHOOK_SECRET");
  const invalid = () => new Unauthorized("invalid_signature", "The X-Hub-Signature-256 signature does not match the body.");
  if (!SIGNATURE.test(signature) || !rawBody || rawBody.length === 0) throw invalid();
  const text = rawBody.toString("utf8");
  // verify() signs a string as UTF-8: bytes that are not UTF-8 would not survive the round trip.
  if (!Buffer.from(text, "utf8").equals(rawBody)) throw invalid();
  if (!(await verify(webhookSecret, text, signature))) throw invalid();
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest("invalid_json", "The webhook body is not JSON; set the webhook's content type to application/json.");
  }
}
