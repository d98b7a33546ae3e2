// GET /api/repos?page=N: one page of the repositories the signed-in user reaches through the app's installations.
import { BadRequest } from "@doctown/core/errors";
import { installUrl, listReachableRepos } from "@doctown/core/installationAccess";
import { json, requireUserId, route } from "../http";
import { repoView } from "../views";

export const handler = route(async (req) => {
  const userId = await requireUserId(req);
  const page = req.query.page === undefined ? 1 : Number(req.query.page);
  if (!Number.isInteger(page) || page < 1 || page > 1000) throw new BadRequest("invalid_page", "page must be an integer from 1 to 1000.");
  const { repos, nextPage, truncated } = await listReachableRepos(userId, page);
  return json(200, {
    repos: repos.map((repo) => ({ ...repoView(repo), installation_id: repo.installationId })),
    next_page: nextPage,
    truncated,
    // "Install on GitHub": add the app to an account or choose more repositories.
    install_url: installUrl(),
  });
});
