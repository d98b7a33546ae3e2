// POST /api/jobs/{id}/cancel: stop one of the user's jobs.
import { cancelJobForUser } from "@doctown/core/jobSubmit";
import { json, pathParam, requireUserId, route } from "../http";
import { jobView } from "../views";

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  return json(200, jobView(await cancelJobForUser(pathParam(req, "id"), userId)));
});
