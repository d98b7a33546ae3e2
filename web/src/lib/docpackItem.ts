/**
 * One docpack as a list item: the repository's name (never a local path on the commons), owner,
 * ref, commit, counts, size, date, download and viewer links.
 */
import { el, formatBytes, formatDate, plural, shortCommit } from "./format";
import type { DocpackView } from "./types";

export const docpackName = (docpack: DocpackView) => docpack.name ?? docpack.repo;

export function docpackItem(docpack: DocpackView, ...extra: Node[]): HTMLLIElement {
  const viewer = `/viewer/?id=${encodeURIComponent(docpack.docpack_id)}`;
  const download = `/api/docpacks/${encodeURIComponent(docpack.docpack_id)}/download`;
  const commit = el("code", { title: docpack.commit }, shortCommit(docpack.commit));
  const name = docpackName(docpack);
  const facts: (string | Node)[] = [];
  if (docpack.owner) facts.push(`by ${docpack.owner} · `);
  facts.push(`${docpack.git_ref} · `, commit);
  if (docpack.stats) facts.push(` · ${plural(docpack.stats.files, "file")} · ${plural(docpack.stats.symbols, "symbol")}`);
  facts.push(` · ${formatBytes(docpack.size)} · ${formatDate(docpack.created_at)}`);
  const item = el(
    "li",
    { className: "docpack" },
    el("div", { className: "row" }, el("a", { href: viewer, className: "grow break repo" }, el("strong", {}, name)), ...extra),
    el("p", { className: "muted meta" }, ...facts),
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
