// GET /api/repos?page=N: one page of the signed-in user's GitHub repositories.
import { BadRequest } from "@doctown/core/errors";
import { services } from "@doctown/core/services";
import { getGitHubToken } from "@doctown/core/user";
import { json, requireUserId, route } from "../http";
import { repoView } from "../views";

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  const page = req.query.page === undefined ? 1 : Number(req.query.page);
  if (!Number.isInteger(page) || page < 1 || page > 1000) throw new BadRequest("invalid_page", "page must be an integer from 1 to 1000.");
  const token = await getGitHubToken(userId);
  // The local dev user has no GitHub account: no repositories to list (local paths still work).
  if (!token) return json(200, { repos: [], next_page: null });
  const { repos, nextPage } = await services().github.listRepos(token, page);
  return json(200, {
    repos: repos.map(repoView),
    next_page: nextPage,
  });
});
