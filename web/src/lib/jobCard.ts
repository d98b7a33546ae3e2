/**
 * One job as a list item, updated in place on every poll (so focus on its buttons survives):
 * repository and ref, status, stage and progress, the failure reason in words, cancel while it runs.
 */
import { api, messageOf } from "./api";
import { el, formatDate, jobActivity, shortCommit, statusWords } from "./format";
import { FINISHED, type JobView } from "./types";

export type JobCard = { root: HTMLLIElement; update(job: JobView): void };

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
  const root = el(
    "li",
    { className: "job" },
    el("div", { className: "row" }, el("span", { className: "grow" }, repo, " ", ref), badge),
    progress,
    activity,
    el("div", { className: "row" }, when, links, cancel),
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

  function update(job: JobView) {
    current = job;
    const running = !FINISHED.includes(job.status);
    root.dataset.jobId = job.job_id;
    root.dataset.status = job.status;
    repo.textContent = job.repo;
    ref.textContent = `@ ${job.git_ref}${job.commit ? ` (${shortCommit(job.commit)})` : ""}`;
    badge.textContent = statusWords(job.status);
    badge.className = `badge status-${job.status}`;
    const percent = Math.max(0, Math.min(100, Math.round(Number(job.progress) || 0)));
    progress.value = job.status === "completed" ? 100 : percent;
    progress.hidden = !running;
    progress.setAttribute("aria-label", `Progress of ${job.repo}: ${percent}%`);
    activity.textContent = running && job.status === "building" ? `${jobActivity(job)} (${percent}%)` : jobActivity(job);
    activity.classList.toggle("error", job.status === "failed");
    when.textContent = `Started ${formatDate(job.created_at)}`;
    const children: Node[] = [];
    if (options.detailsLink) children.push(el("a", { href: `/job/?id=${encodeURIComponent(job.job_id)}`, textContent: "Details" }));
    if (job.docpack_id) children.push(el("a", { href: `/viewer/?id=${encodeURIComponent(job.docpack_id)}`, textContent: "Open docpack" }));
    links.replaceChildren(...children);
    cancel.hidden = !running;
    cancel.setAttribute("aria-label", `Cancel the build of ${job.repo}`);
  }

  return { root, update };
}
