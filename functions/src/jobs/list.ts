// GET /api/jobs?limit=&cursor=: the signed-in user's jobs, newest first.
import { listJobsForUser } from "@doctown/core/job";
import { parseLimit } from "@doctown/core/pagination";
import { json, requireUserId, route } from "../http";
import { jobView } from "../views";

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  const page = await listJobsForUser(userId, { limit: parseLimit(req.query.limit), cursor: req.query.cursor });
  return json(200, { jobs: page.items.map(jobView), next_cursor: page.nextCursor });
});
