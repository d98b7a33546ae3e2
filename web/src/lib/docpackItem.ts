/** One docpack as a list item: repository, ref, commit, size, date, download and viewer links. */
import { el, formatBytes, formatDate, shortCommit } from "./format";
import type { DocpackView } from "./types";

export function docpackItem(docpack: DocpackView, ...extra: Node[]): HTMLLIElement {
  const viewer = `/viewer/?id=${encodeURIComponent(docpack.docpack_id)}`;
  const download = `/api/docpacks/${encodeURIComponent(docpack.docpack_id)}/download`;
  const commit = el("code", { title: docpack.commit }, shortCommit(docpack.commit));
  const item = el(
    "li",
    { className: "docpack" },
    el("div", { className: "row" }, el("a", { href: viewer, className: "grow break repo" }, el("strong", {}, docpack.repo)), ...extra),
    el(
      "p",
      { className: "muted meta" },
      `${docpack.git_ref} · `,
      commit,
      ` · ${formatBytes(docpack.size)} · ${formatDate(docpack.created_at)}`,
    ),
    el(
      "div",
      { className: "row" },
      el("a", { className: "button", href: viewer, textContent: "Open in viewer" }),
      el("a", { className: "button", href: download, download: "", textContent: "Download" }),
    ),
  );
  item.dataset.docpackId = docpack.docpack_id;
  return item;
}
