// GET /api/docpacks/public?limit=&cursor=: the commons, open to everyone.
import { listPublicDocpacks } from "@doctown/core/docpack";
import { parseLimit } from "@doctown/core/pagination";
import { json, route } from "../http";
import { docpackView } from "../views";

export const handler = route(async (req) => {
  const page = await listPublicDocpacks({ limit: parseLimit(req.query.limit), cursor: req.query.cursor });
  return json(200, { docpacks: page.items.map(docpackView), next_cursor: page.nextCursor });
});
