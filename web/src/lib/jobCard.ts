/**
 * One job as a list item, updated in place on every poll (so focus on its buttons survives):
 * repository and ref, status, stage and progress, the failure reason in words, cancel while it
 * runs, and earlier builds of the same commit folded into it.
 */
import { api, messageOf } from "./api";
import { el, formatDate, jobActivity, shortCommit, statusWords } from "./format";
import { FINISHED, type JobView } from "./types";

export type JobCard = { root: HTMLLIElement; update(job: JobView, repeats?: readonly JobView[]): void };

export const jobName = (job: JobView) => job.name ?? job.repo;

export function createJobCard(onChange: (job: JobView) => void, options: { detailsLink?: boolean } = {}): JobCard {
  const repo = el("strong", { className: "break" });
  const ref = el("span", { className: "muted break" });
  const badge = el("span", { className: "badge" });
  const progress = el("progress", { max: 100 });
  const activity = el("p", { className: "activity break" });
  const when = el("span", { className: "muted" });
  const links = el("span", { className: "row" });
  const cancel = el("button", { type: "button", className: "danger", textContent: "Cancel" });
  const problem = el("p", { className: "error", role: "alert" } as Partial<HTMLParagraphElement>);
  const earlier = el("details", { className: "earlier" });
  const root = el(
    "li",
    { className: "job" },
    el("div", { className: "row" }, el("span", { className: "grow" }, repo, " ", ref), badge),
    progress,
    activity,
    el("div", { className: "row" }, when, links, cancel),
    earlier,
    problem,
  );
  let current: JobView | undefined;

  cancel.addEventListener("click", async () => {
    if (!current) return;
    cancel.disabled = true;
    problem.textContent = "";
    try {
      const job = await api<JobView>(`/api/jobs/${encodeURIComponent(current.job_id)}/cancel`, { method: "POST" });
      update(job);
      onChange(job);
    } catch (error) {
      problem.textContent = `Could not cancel: ${messageOf(error)}`;
    } finally {
      cancel.disabled = false;
    }
  });

  function update(job: JobView, repeats: readonly JobView[] = []) {
    current = job;
    const running = !FINISHED.includes(job.status);
    const name = jobName(job);
    root.dataset.jobId = job.job_id;
    root.dataset.status = job.status;
    root.dataset.stage = job.stage ?? "";
    root.dataset.progress = String(job.progress);
    repo.textContent = name;
    repo.title = job.repo;
    ref.textContent = `@ ${job.git_ref}${job.commit ? ` (${shortCommit(job.commit)})` : ""}`;
    badge.textContent = statusWords(job.status);
    badge.className = `badge status-${job.status}`;
    const percent = Math.max(0, Math.min(100, Math.round(Number(job.progress) || 0)));
    progress.value = job.status === "completed" ? 100 : percent;
    progress.hidden = !running;
    progress.setAttribute("aria-label", `Progress of ${name}: ${percent}%`);
    activity.textContent = running && job.status === "building" ? `${jobActivity(job)} (${percent}%)` : jobActivity(job);
    activity.classList.toggle("error", job.status === "failed");
    when.textContent = `Started ${formatDate(job.created_at)}`;
    const children: Node[] = [];
    if (options.detailsLink) children.push(el("a", { href: `/job/?id=${encodeURIComponent(job.job_id)}`, textContent: "Details" }));
    if (job.docpack_id) children.push(el("a", { href: `/viewer/?id=${encodeURIComponent(job.docpack_id)}`, textContent: "Open docpack" }));
    links.replaceChildren(...children);
    cancel.hidden = !running;
    cancel.setAttribute("aria-label", `Cancel the build of ${name}`);
    // Rebuilds of the same commit with the same outcome: one row, the earlier ones folded in.
    earlier.hidden = repeats.length === 0;
    if (repeats.length) {
      const wasOpen = earlier.open;
      earlier.replaceChildren(
        el("summary", {}, `${repeats.length} earlier ${repeats.length === 1 ? "build" : "builds"} of this commit`),
        el(
          "ul",
          {},
          ...repeats.map((other) =>
            el("li", {}, el("a", { href: `/job/?id=${encodeURIComponent(other.job_id)}` }, `${statusWords(other.status)}, started ${formatDate(other.created_at)}`)),
          ),
        ),
      );
      earlier.open = wasOpen;
    }
  }

  return { root, update };
}
