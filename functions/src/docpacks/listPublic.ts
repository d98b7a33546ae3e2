// GET /api/docpacks/public?limit=&cursor=: the commons, open to everyone. Entries show the
// repository's display name (never a local path) and the publisher's login.
import { listPublicDocpacks } from "@doctown/core/docpack";
import { parseLimit } from "@doctown/core/pagination";
import { findUser } from "@doctown/core/user";
import { json, route } from "../http";
import { publicDocpackView } from "../views";

export const handler = route(async (req) => {
  const page = await listPublicDocpacks({ limit: parseLimit(req.query.limit), cursor: req.query.cursor });
  const logins = new Map<string, Promise<string | null>>();
  for (const docpack of page.items)
    if (!logins.has(docpack.userId)) logins.set(docpack.userId, findUser(docpack.userId).then((user) => user?.login ?? null, () => null));
  const docpacks = await Promise.all(page.items.map(async (docpack) => publicDocpackView(docpack, await logins.get(docpack.userId)!)));
  return json(200, { docpacks, next_cursor: page.nextCursor });
});
