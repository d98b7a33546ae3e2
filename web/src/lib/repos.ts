/** The signed-in user's GitHub repositories, fetched once per page (picker and settings share them). */
import { api } from "./api";
import type { RepoView } from "./types";

const MAX_REPO_PAGES = 5;
let all: Promise<RepoView[]> | undefined;

export function myRepos(): Promise<RepoView[]> {
  all ??= (async () => {
    const repos: RepoView[] = [];
    for (let page = 1; page && page <= MAX_REPO_PAGES; ) {
      const body = await api<{ repos: RepoView[]; next_page: number | null }>(`/api/repos?page=${page}`);
      repos.push(...body.repos);
      page = body.next_page ?? 0;
    }
    return repos;
  })();
  return all;
}
