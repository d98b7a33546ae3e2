// GET /api/jobs/{id} (alias /api/jobs/status/{id}): one of the user's jobs, with stage and progress.
import { getJobForUser } from "@doctown/core/job";
import { json, pathParam, requireUserId, route } from "../http";
import { jobView } from "../views";

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  return json(200, jobView(await getJobForUser(pathParam(req, "id"), userId)));
});
