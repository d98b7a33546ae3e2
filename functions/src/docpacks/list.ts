// GET /api/docpacks?limit=&cursor=: the signed-in user's docpacks, newest first.
import { listDocpacksForUser } from "@doctown/core/docpack";
import { parseLimit } from "@doctown/core/pagination";
import { json, requireUserId, route } from "../http";
import { docpackView } from "../views";

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  const page = await listDocpacksForUser(userId, { limit: parseLimit(req.query.limit), cursor: req.query.cursor });
  return json(200, { docpacks: page.items.map(docpackView), next_cursor: page.nextCursor });
});
