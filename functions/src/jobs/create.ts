// POST /api/jobs (and the seed's alias /api/jobs/create): { repo, git_ref, public? } → 202.
import { submitJob } from "@doctown/core/jobSubmit";
import { json, rawJson, requireUserId, route } from "../http";

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  const job = await submitJob({ userId, request: rawJson(req), callbackBaseUrl: req.siteOrigin, clientIp: req.clientIp });
  return json(202, { job_id: job.id, status: job.status, created_at: job.createdAt });
});
