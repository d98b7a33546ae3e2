/**
 * The viewer's DOM: summary, file tree, symbol search, one file's docs and symbols. Every string
 * from the docpack goes in as text; only DOMPurify's fragments carry markup.
 */
import { el, formatBytes, formatDate, shortCommit } from "../format";
import type { Docpack, SymbolEntry } from "./docpack";
import type { MarkdownRenderer } from "./markdown";
import { fileTree, searchSymbols, sortedChildren, symbolsByFile, type TreeNode } from "./search";

export type ViewerParts = {
  summary: HTMLElement;
  tree: HTMLElement;
  search: HTMLInputElement;
  results: HTMLElement;
  resultsStatus: HTMLElement;
  heading: HTMLElement;
  doc: HTMLElement;
  symbols: HTMLElement;
};

export function mountViewer(parts: ViewerParts, docpack: Docpack, markdown: MarkdownRenderer, initialFile: string | null) {
  const byFile = symbolsByFile(docpack.symbols);
  const known = new Set(docpack.files.map((file) => file.path));
  const { manifest } = docpack;

  const facts: (string | Node)[] = [
    `${manifest.repo.full_name ?? manifest.name} @ ${manifest.repo.git_ref} (`,
    el("code", { title: manifest.repo.commit }, shortCommit(manifest.repo.commit)),
    `) · ${manifest.stats.files} files · ${manifest.stats.symbols} symbols · ${formatBytes(manifest.stats.bytes)} of source`,
  ];
  if (manifest.generated_at) facts.push(` · generated ${formatDate(manifest.generated_at)}`);
  parts.summary.replaceChildren(el("p", {}, ...facts));
  if (manifest.docs.mode === "placeholder")
    parts.summary.append(el("p", { className: "hint" }, "These docs are placeholders: this docpack was built without a language model."));
  if (docpack.dropped.files || docpack.dropped.symbols)
    parts.summary.append(el("p", { className: "error" }, `Skipped ${docpack.dropped.files} file and ${docpack.dropped.symbols} symbol entries that do not fit the docpack format.`));

  function renderTree(node: TreeNode): HTMLUListElement {
    return el(
      "ul",
      {},
      ...sortedChildren(node).map((child) => {
        if (child.file) {
          const button = el("button", { type: "button", className: "file", textContent: child.name, title: child.path });
          button.dataset.path = child.path;
          button.addEventListener("click", () => openFile(child.path));
          return el("li", {}, button);
        }
        const details = el("details", { open: child.path.split("/").length < 2 }, el("summary", { textContent: `${child.name}/` }), renderTree(child));
        return el("li", {}, details);
      }),
    );
  }
  const overview = el("button", { type: "button", className: "file", textContent: "Overview" });
  overview.addEventListener("click", () => openFile(null));
  parts.tree.replaceChildren(el("ul", {}, el("li", {}, overview)), renderTree(fileTree(docpack.files.map((file) => file.path))));

  function showPage(path: string | null) {
    const text = docpack.readPage(path);
    if (text === null) parts.doc.replaceChildren(el("p", { className: "muted" }, path === null ? "This docpack has no overview page." : "This file has no docs page."));
    else parts.doc.replaceChildren(markdown(text));
  }

  const rowOf = new Map<SymbolEntry, HTMLTableRowElement>();
  function symbolTable(list: SymbolEntry[]) {
    rowOf.clear();
    if (list.length === 0) return el("p", { className: "muted" }, "No symbols found in this file.");
    const head = el("tr", {}, ...["Kind", "Name", "Signature", "Line"].map((title) => el("th", { scope: "col", textContent: title })));
    const rows = list.map((symbol) => {
      const row = el(
        "tr",
        { tabIndex: -1 },
        el("td", {}, el("span", { className: "badge" }, symbol.kind)),
        el("td", { className: "break" }, el("strong", {}, symbol.name), symbol.parent ? el("span", { className: "muted" }, ` in ${symbol.parent}`) : "", symbol.summary ? el("div", { className: "hint" }, symbol.summary) : ""),
        el("td", { className: "break" }, el("code", {}, symbol.signature)),
        el("td", {}, String(symbol.start_line)),
      );
      row.dataset.symbol = symbol.name;
      rowOf.set(symbol, row);
      return row;
    });
    return el("div", { className: "table-wrap" }, el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
  }

  function openFile(path: string | null, focusSymbol?: SymbolEntry) {
    if (path !== null && !known.has(path) && !byFile.has(path)) path = null;
    for (const button of parts.tree.querySelectorAll<HTMLButtonElement>("button.file"))
      button.toggleAttribute("aria-current", (button.dataset.path ?? null) === path);
    parts.heading.textContent = path ?? "Overview";
    showPage(path);
    if (path === null) parts.symbols.replaceChildren();
    else parts.symbols.replaceChildren(el("h3", {}, `Symbols (${byFile.get(path)?.length ?? 0})`), symbolTable(byFile.get(path) ?? []));
    const url = new URL(location.href);
    if (path === null) url.searchParams.delete("file");
    else url.searchParams.set("file", path);
    history.replaceState(null, "", url);
    if (focusSymbol) {
      const row = rowOf.get(focusSymbol);
      row?.classList.add("highlight");
      row?.scrollIntoView({ block: "center" });
      row?.focus();
    }
  }

  parts.search.addEventListener("input", () => {
    const { results, total } = searchSymbols(docpack.symbols, parts.search.value);
    const query = parts.search.value.trim();
    parts.resultsStatus.textContent = !query ? "" : total === 0 ? `No symbol matches “${query}”.` : total > results.length ? `${total} symbols match; showing the first ${results.length}.` : `${total} symbol${total === 1 ? "" : "s"} match.`;
    parts.results.replaceChildren(
      ...results.map((symbol) => {
        const button = el("button", { type: "button", className: "result" }, el("strong", {}, symbol.name), el("span", { className: "muted" }, ` ${symbol.kind} · ${symbol.file}:${symbol.start_line}`));
        button.addEventListener("click", () => openFile(symbol.file, symbol));
        return el("li", {}, button);
      }),
    );
  });

  openFile(initialFile);
}
