// GET/PUT /api/repos/{owner}/{name}/settings: { auto_build, branches } for push builds.
import { AppError } from "@doctown/core/errors";
import { getRepoSettingsForUser, putRepoSettingsForUser } from "@doctown/core/repoSettingsAccess";
import { json, pathParam, rawJson, requireUserId, route } from "../http";

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  const owner = pathParam(req, "owner");
  const name = pathParam(req, "name");
  if (req.method === "GET") return json(200, await getRepoSettingsForUser(userId, owner, name));
  if (req.method === "PUT") return json(200, await putRepoSettingsForUser(userId, owner, name, rawJson(req)));
  throw new AppError(405, "method_not_allowed", "Use GET or PUT.");
});
