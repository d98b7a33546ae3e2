// POST /api/github/webhook: GitHub's deliveries, authenticated by X-Hub-Signature-256 (not by Origin).
import { receiveGitHubWebhook, WEBHOOK_MAX_BODY_BYTES } from "@doctown/core/githubWebhook";
import { json, route } from "../http";

export const handler = route(
  async (req) => {
    const answer = await receiveGitHubWebhook({ headers: req.headers, rawBody: req.rawBody, callbackBaseUrl: req.siteOrigin });
    return json(answer.status, answer.body);
  },
  { checkOrigin: false, maxBodyBytes: WEBHOOK_MAX_BODY_BYTES },
);
