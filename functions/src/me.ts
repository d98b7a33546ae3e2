// GET /api/me: the signed-in user, and whether this is the local stage (the dashboard then offers local paths).
import { findUser } from "@doctown/core/user";
import { isLocalStage } from "@doctown/core/config";
import { Unauthorized } from "@doctown/core/errors";
import { json, requireUserId, route } from "./http";
import { meView } from "./views";

export const handler = route(async (req) => {
  const user = await findUser(await requireUserId(req));
  if (!user) throw new Unauthorized("unauthorized", "Sign in first.");
  return json(200, meView(user, isLocalStage()));
});
