/**
 * The repositories the signed-in user reaches through the app's installations, fetched once per
 * page (picker and settings share them), and where to install the app on more of them.
 */
import { api } from "./api";
import type { RepoView } from "./types";

const MAX_REPO_PAGES = 5;
type Reachable = { repos: RepoView[]; installUrl: string | null };
let all: Promise<Reachable> | undefined;

function reachable(): Promise<Reachable> {
  all ??= (async () => {
    const repos: RepoView[] = [];
    let installUrl: string | null = null;
    for (let page = 1; page && page <= MAX_REPO_PAGES; ) {
      const body = await api<{ repos: RepoView[]; next_page: number | null; install_url?: string | null }>(`/api/repos?page=${page}`);
      repos.push(...body.repos);
      // Only an http(s) address, as the API gives it (GitHub's, or the local stage's stand-in).
      if (body.install_url && /^https?:\/\//.test(body.install_url)) installUrl = body.install_url;
      page = body.next_page ?? 0;
    }
    return { repos, installUrl };
  })();
  return all;
}

export const myRepos = (): Promise<RepoView[]> => reachable().then((r) => r.repos);
/** "Install on GitHub": add the app to an account or choose more repositories; null when unknown. */
export const appInstallUrl = (): Promise<string | null> => reachable().then((r) => r.installUrl);
