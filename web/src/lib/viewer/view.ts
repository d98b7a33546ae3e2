/**
 * The viewer's DOM: a search box driving a ranked result list by keyboard, the file tree (a
 * drawer on a phone), and one page at a time chosen by the address's fragment, so every view is
 * a link that survives a reload:
 *   #overview · #package/<name> · #file/<path> · #file/<path>:L<line> · #symbol/<id>
 * and a page's heading: #overview#<anchor> · #package/<name>#<anchor> · #file/<path>#<anchor>
 * (anchors.ts; the inner # is escaped as %23).
 * Every string from the docpack goes in as text; only DOMPurify's fragments carry markup.
 */
import { el, formatBytes, formatDate, plural, shortCommit } from "../format";
import type { Docpack, FileEntry, SymbolEntry } from "./docpack";
import { ANCHOR_ID_PREFIX, linkAnchor, pageAnchors, parseRoute, withAnchor, type PageAnchors } from "./anchors";
import type { MarkdownRenderer } from "./markdown";
import { buildIndex, fileTree, markdownHeadings, packageOfPath, packagesOf, search, sortedChildren, symbolsByFile, type SearchEntry, type TreeNode } from "./search";

export type ViewerParts = {
  summary: HTMLElement;
  tree: HTMLElement;
  drawer: HTMLElement;
  drawerToggle: HTMLButtonElement;
  drawerClose: HTMLButtonElement;
  search: HTMLInputElement;
  results: HTMLElement;
  resultsStatus: HTMLElement;
  heading: HTMLElement;
  body: HTMLElement;
};

/** Rows of a long list shown at once; "Show more" adds as many again. */
const PAGE_ROWS = 100;
/** Lines of a long Markdown page rendered before "Show the rest". */
const PAGE_LINES = 80;
/** Lines of a long source file shown before "Show more lines". */
const SOURCE_LINES = 2000;
/** Entries of one directory shown before "Show all". */
const TREE_ENTRIES = 300;
const TYPE_KINDS = new Set(["class", "interface", "type", "enum", "struct", "trait"]);

/**
 * Cuts Markdown after about `maxLines` lines, where a cut changes nothing: outside code fences,
 * not inside a table or paragraph (before a blank line, a heading or a list item).
 */
export function splitMarkdown(text: string, maxLines: number): [string, string] {
  const lines = text.split("\n");
  if (lines.length <= maxLines * 1.5) return [text, ""];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(```|~~~)/.test(lines[i])) fenced = !fenced;
    if (i < maxLines || fenced || i === 0) continue;
    const line = lines[i];
    const previous = lines[i - 1];
    const safe = line.trim() === "" || /^#{1,6}\s/.test(line) || (/^\s{0,3}([-*+]|\d+[.)])\s/.test(line) && /^\s{0,3}([-*+]|\d+[.)])\s/.test(previous));
    if (safe && !/^\s*\|/.test(previous)) {
      const tail = lines.slice(i).join("\n");
      return tail.trim() ? [lines.slice(0, i).join("\n"), tail] : [text, ""];
    }
  }
  return [text, ""];
}

/**
 * The docpack entry a relative link on `fromPage` leads to, its path decoded (the builder encodes
 * each segment: spaces, parentheses, non-ASCII), or null when it cannot be decoded.
 */
export function docLinkTarget(fromPage: string, href: string): string | null {
  const parts = fromPage.split("/").slice(0, -1);
  for (const segment of href.replace(/#.*$/, "").split("/")) {
    if (segment === "..") parts.pop();
    else if (segment && segment !== ".") {
      try {
        parts.push(decodeURIComponent(segment));
      } catch {
        return null;
      }
    }
  }
  return parts.join("/");
}

/** Fragment ↔ route: paths and ids stay readable; only what a fragment cannot hold is escaped. */
export const routeHref = (route: string) => `#${encodeURI(route).replace(/#/g, "%23")}`;
function routeFromHash(hash: string): string {
  try {
    return decodeURIComponent(hash.replace(/^#/, ""));
  } catch {
    return "";
  }
}

export function mountViewer(parts: ViewerParts, docpack: Docpack, markdown: MarkdownRenderer, legacyFile: string | null) {
  const { manifest } = docpack;
  const byFile = symbolsByFile(docpack.symbols);
  const files = new Map(docpack.files.map((file) => [file.path, file]));
  const symbols = new Map(docpack.symbols.map((symbol) => [symbol.id, symbol]));
  const packages = packagesOf(docpack);
  const overview = docpack.readPage(null);
  const index = buildIndex(docpack, overview ? markdownHeadings(overview) : []);
  const typesByName = new Map<string, SymbolEntry>();
  for (const symbol of docpack.symbols) if (TYPE_KINDS.has(symbol.kind) && !typesByName.has(symbol.name)) typesByName.set(symbol.name, symbol);

  // ---- summary
  const facts: (string | Node)[] = [
    `${manifest.repo.full_name ?? manifest.name} @ ${manifest.repo.git_ref} (`,
    el("code", { title: manifest.repo.commit }, shortCommit(manifest.repo.commit)),
    `) · ${plural(manifest.stats.files, "file")} · ${plural(manifest.stats.symbols, "symbol")} · ${formatBytes(manifest.stats.bytes)} of source`,
  ];
  if (manifest.generated_at) facts.push(` · generated ${formatDate(manifest.generated_at)}`);
  parts.summary.replaceChildren(el("p", {}, ...facts));
  if (manifest.docs.mode === "placeholder") parts.summary.append(el("p", { className: "hint" }, "These docs are placeholders: this docpack was built without a language model."));
  if (docpack.dropped.files || docpack.dropped.symbols)
    parts.summary.append(
      el("p", { className: "error" }, `Skipped ${docpack.dropped.files} file and ${docpack.dropped.symbols} symbol entries that do not fit the docpack format${docpack.dropped.reason ? ` (first: ${docpack.dropped.reason})` : ""}.`),
    );

  // ---- helpers
  const link = (route: string, ...children: (string | Node)[]) => el("a", { href: routeHref(route) }, ...children);
  const fileLink = (path: string, line?: number) => link(line ? `file/${path}:L${line}` : `file/${path}`, line ? `${path}:${line}` : path);
  /** The viewer route that shows a docpack page (null: none). */
  function pageRoute(page: string): string | null {
    const match = /^docs\/files\/(.+)\.md$/.exec(page) ?? /^docs\/pages\/(.+)\.md$/.exec(page);
    if (match && files.has(match[1])) return `file/${match[1]}`;
    const pkg = packages.find((candidate) => candidate.page === page);
    if (pkg) return `package/${pkg.name}`;
    return page === "docs/index.md" ? "overview" : null;
  }
  /** Where a relative link between docpack pages leads, its #anchor kept, as a viewer route (null: nowhere known). */
  function docLinkRoute(fromPage: string, href: string): string | null {
    const resolved = docLinkTarget(fromPage, href);
    const route = resolved === null ? null : pageRoute(resolved);
    return route && withAnchor(route, linkAnchor(href));
  }
  /**
   * Markdown with links between pages routed (and `#anchor` links within `page`), its headings
   * given their anchors' ids, its scrollable parts focusable by keyboard.
   */
  function renderMarkdown(text: string, page: string, anchors: PageAnchors, ownPage = true): DocumentFragment {
    const fragment = markdown(text, anchors);
    // The page's own headings sit below the viewer's (h2 for the page, h3 for its sections).
    for (const heading of fragment.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
      const level = Math.min(6, Number(heading.tagName[1]) + 2);
      const moved = document.createElement(`h${level}`);
      if (heading.id) moved.id = heading.id;
      moved.append(...heading.childNodes);
      heading.replaceWith(moved);
    }
    for (const a of fragment.querySelectorAll<HTMLAnchorElement>("a[data-doc-link]")) {
      const route = docLinkRoute(page, a.dataset.docLink ?? "");
      if (route) a.href = routeHref(route);
    }
    // A link to a heading of the same page ([Install](#install)) goes to that page's heading.
    const self = ownPage ? pageRoute(page) : null;
    for (const a of fragment.querySelectorAll<HTMLAnchorElement>('a[href^="#"]:not([data-doc-link])')) {
      const anchor = linkAnchor(a.getAttribute("href") ?? "");
      if (self && anchor) a.href = routeHref(withAnchor(self, anchor));
      else a.removeAttribute("href");
    }
    for (const pre of fragment.querySelectorAll("pre")) pre.tabIndex = 0;
    for (const table of fragment.querySelectorAll("table")) {
      const wrap = el("div", { className: "table-wrap", tabIndex: 0 });
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table");
      table.replaceWith(wrap);
      wrap.append(table);
    }
    return fragment;
  }
  /**
   * A long Markdown page renders its first PAGE_LINES lines; the rest is rendered only when asked
   * for (a page listing 2,400 files stays short, and opening it stays fast).
   */
  function collapsed(text: string, page: string, what: string, ownPage = true): Node {
    const box = el("div", { className: "doc" });
    const [head, tail] = splitMarkdown(text, PAGE_LINES);
    // One page, one set of anchors: the rest continues the first part's numbering of repeats.
    const anchors = pageAnchors();
    box.append(renderMarkdown(head, page, anchors, ownPage));
    if (tail) {
      const more = el("button", { type: "button", className: "more" }, `Show the rest of ${what} (${tail.split("\n").length} more lines)`);
      more.addEventListener("click", () => {
        more.replaceWith(renderMarkdown(tail, page, anchors, ownPage));
      });
      box.append(more);
    }
    return box;
  }
  /** A list that shows PAGE_ROWS rows at a time. */
  function paged<T>(items: readonly T[], render: (item: T) => HTMLElement, className: string): HTMLElement {
    const list = el("ul", { className });
    const box = el("div", {}, list);
    let shown = 0;
    const more = el("button", { type: "button", className: "more" });
    const next = () => {
      list.append(...items.slice(shown, shown + PAGE_ROWS).map(render));
      shown = Math.min(items.length, shown + PAGE_ROWS);
      more.textContent = `Show more (${items.length - shown} left)`;
      more.hidden = shown >= items.length;
    };
    more.addEventListener("click", next);
    next();
    box.append(more);
    return box;
  }
  function symbolRow(symbol: SymbolEntry): HTMLElement {
    const row = el(
      "li",
      { className: "symbol-row" },
      el("span", { className: "badge" }, symbol.kind),
      " ",
      link(`symbol/${symbol.id}`, el("strong", {}, symbol.title)),
      el("span", { className: "muted" }, ` line ${symbol.start_line}`),
    );
    row.dataset.symbol = symbol.name;
    if (symbol.signature) row.append(el("code", { className: "signature" }, symbol.signature));
    if (symbol.summary) row.append(el("p", { className: "hint" }, symbol.summary));
    return row;
  }
  const emptyNote = (text: string) => el("p", { className: "muted" }, text);

  // ---- tree (directories render their entries when first opened)
  const treeButtons = new Map<string, HTMLAnchorElement>();
  function renderDir(node: TreeNode, into: HTMLElement) {
    const children = sortedChildren(node);
    const list = el("ul");
    const item = (child: TreeNode) => {
      if (child.file) {
        const a = link(`file/${child.path}`, child.name);
        a.className = "file";
        a.title = child.path;
        treeButtons.set(child.path, a);
        return el("li", {}, a);
      }
      const details = el("details", {}, el("summary", {}, `${child.name}/`));
      details.dataset.path = child.path;
      const open = () => {
        if (details.dataset.rendered) return;
        details.dataset.rendered = "1";
        renderDir(child, details);
      };
      details.addEventListener("toggle", () => details.open && open());
      (details as HTMLDetailsElement & { renderNow?: () => void }).renderNow = open;
      return el("li", {}, details);
    };
    list.append(...children.slice(0, TREE_ENTRIES).map(item));
    into.append(list);
    if (children.length > TREE_ENTRIES) {
      const all = el("button", { type: "button", className: "more" }, `Show all ${children.length} entries`);
      all.addEventListener("click", () => {
        list.append(...children.slice(TREE_ENTRIES).map(item));
        all.remove();
      });
      into.append(all);
    }
  }
  const root = fileTree(docpack.files.map((file) => file.path));
  const overviewLink = link("overview", "Overview");
  overviewLink.className = "file";
  const packageLinks = packages.map((pkg) => {
    const a = link(`package/${pkg.name}`, pkg.name);
    a.className = "file";
    return el("li", {}, a);
  });
  parts.tree.replaceChildren(el("ul", {}, el("li", {}, overviewLink)));
  if (packageLinks.length) parts.tree.append(el("h2", { className: "tree-title" }, "Packages"), el("ul", {}, ...packageLinks));
  parts.tree.append(el("h2", { className: "tree-title" }, "Files"));
  renderDir(root, parts.tree);

  /** Opens the directories above `path` and marks it current. */
  function revealInTree(path: string | null) {
    for (const current of parts.tree.querySelectorAll("[aria-current]")) current.removeAttribute("aria-current");
    if (path === null) return;
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join("/");
      const details = [...parts.tree.querySelectorAll<HTMLDetailsElement>("details")].find((d) => d.dataset.path === dir);
      if (!details) break;
      (details as HTMLDetailsElement & { renderNow?: () => void }).renderNow?.();
      details.open = true;
    }
    treeButtons.get(path)?.setAttribute("aria-current", "page");
  }

  // ---- drawer (phone): the tree slides over the content; choosing anything closes it
  const setDrawer = (open: boolean) => {
    parts.drawer.classList.toggle("open", open);
    parts.drawerToggle.setAttribute("aria-expanded", String(open));
    if (open) parts.drawer.querySelector<HTMLElement>("a, summary")?.focus();
  };
  parts.drawerToggle.onclick = () => setDrawer(!parts.drawer.classList.contains("open"));
  parts.drawer.onkeydown = (event) => {
    if (event.key === "Escape" && parts.drawer.classList.contains("open")) {
      setDrawer(false);
      parts.drawerToggle.focus();
    }
  };
  parts.drawer.onclick = (event) => {
    if ((event.target as HTMLElement).closest("a")) setDrawer(false);
  };
  parts.drawerClose.onclick = () => {
    setDrawer(false);
    parts.drawerToggle.focus();
  };
  // A tap beside the open drawer (on the dimmed page) closes it.
  document.onpointerdown = (event) => {
    const target = event.target as Node;
    if (parts.drawer.classList.contains("open") && !parts.drawer.contains(target) && !parts.drawerToggle.contains(target)) setDrawer(false);
  };

  // ---- pages
  function showOverview(heading?: string, anchor?: string) {
    parts.heading.textContent = "Overview";
    const body: Node[] = [];
    if (packages.length)
      body.push(
        el("h3", {}, "Packages"),
        el("ul", { className: "packages" }, ...packages.map((pkg) => el("li", {}, link(`package/${pkg.name}`, pkg.name), pkg.description ? el("span", { className: "muted" }, ` — ${pkg.description}`) : ""))),
      );
    body.push(overview === null ? emptyNote("This docpack has no overview page.") : collapsed(overview, "docs/index.md", "the overview"));
    parts.body.replaceChildren(...body);
    revealInTree(null);
    overviewLink.setAttribute("aria-current", "page");
    scrollToHeading("overview", heading, anchor);
  }

  function showPackage(name: string, anchor?: string) {
    const pkg = packages.find((candidate) => candidate.name === name);
    if (!pkg) return notFound(`This docpack has no package “${name}”.`);
    parts.heading.textContent = pkg.name;
    const inPackage = docpack.files.filter((file) => (file.package ? file.package === pkg.name : packageOfPath(packages, file.path)?.name === pkg.name));
    const api = pkg.public_api.length
      ? pkg.public_api.flatMap((id) => symbols.get(id) ?? [])
      : inPackage.flatMap((file) => (file.role === "source" ? (byFile.get(file.path) ?? []).filter((symbol) => symbol.exported && !symbol.parent) : []));
    const body: Node[] = [el("p", { className: "muted" }, `${pkg.path || "repository root"} · ${plural(inPackage.length, "file")}`)];
    const page = pkg.page ? docpack.readEntry(pkg.page) : null;
    // A format-2 package page says what the package is itself.
    if (pkg.description && !page) body.push(el("p", {}, pkg.description));
    if (page) body.push(collapsed(page, pkg.page!, "this page"));
    body.push(el("h3", {}, `Public API (${api.length})`), api.length ? paged(api, symbolRow, "symbol-list") : emptyNote("No exported symbols found."));
    body.push(el("h3", {}, `Files (${inPackage.length})`), paged(inPackage, (file) => el("li", {}, fileLink(file.path), el("span", { className: "muted" }, ` ${file.role}`)), "file-list"));
    parts.body.replaceChildren(...body);
    revealInTree(null);
    scrollToHeading(`package/${pkg.name}`, undefined, anchor);
  }

  function sourceView(file: FileEntry, line?: number): HTMLElement | null {
    const text = docpack.readSource(file.path);
    if (text === null) return null;
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const pre = el("pre", { className: "source", tabIndex: 0 });
    pre.setAttribute("aria-label", `Source of ${file.path}`);
    const code = el("code");
    pre.append(code);
    let shown = 0;
    const more = el("button", { type: "button", className: "more" });
    const next = (upTo: number) => {
      const chunk = document.createDocumentFragment();
      for (; shown < Math.min(lines.length, upTo); shown++) {
        const number = shown + 1;
        const anchor = el("a", { className: "ln", href: routeHref(`file/${file.path}:L${number}`), id: `L${number}` }, String(number));
        anchor.setAttribute("aria-label", `Line ${number}`);
        const row = el("span", { className: number === line ? "line highlight" : "line" }, anchor, `${lines[shown]}\n`);
        chunk.append(row);
      }
      code.append(chunk);
      more.textContent = `Show more lines (${lines.length - shown} left)`;
      more.hidden = shown >= lines.length;
    };
    more.addEventListener("click", () => next(shown + SOURCE_LINES));
    next(Math.max(SOURCE_LINES, (line ?? 0) + 50));
    return el("section", { className: "source-view" }, el("h3", {}, "Source"), pre, more);
  }

  function showFile(path: string, line?: number, heading?: string, anchor?: string) {
    const file = files.get(path);
    if (!file && !byFile.has(path)) return notFound(`This docpack has no file “${path}”.`);
    parts.heading.textContent = path;
    const list = byFile.get(path) ?? [];
    const body: Node[] = [];
    if (file) {
      const pkg = file.package ?? packageOfPath(packages, path)?.name;
      const meta: (string | Node)[] = [`${file.language || "unknown language"} · ${file.role} · ${plural(file.lines, "line")} · ${formatBytes(file.bytes)}`];
      if (pkg) meta.push(" · package ", link(`package/${pkg}`, pkg));
      if (manifest.repo.host_url) meta.push(" · ", el("a", { href: `${manifest.repo.host_url}${encodeURI(path)}`, rel: "noopener noreferrer" }, "on the host"));
      body.push(el("p", { className: "muted" }, ...meta));
    }
    const pagePath = file?.page ?? `docs/files/${path}.md`;
    const page = file?.page ? docpack.readEntry(file.page) : docpack.readPage(path);
    body.push(page === null ? emptyNote("This file has no docs page.") : collapsed(page, pagePath, "this page"));
    if (!file || file.kind === "code") body.push(el("h3", {}, `Symbols (${list.length})`), list.length ? paged(list, symbolRow, "symbol-list") : emptyNote("No symbols found in this file."));
    const source = file ? sourceView(file, line) : null;
    if (source) body.push(source);
    parts.body.replaceChildren(...body);
    revealInTree(path);
    if (line) {
      const target = parts.body.querySelector<HTMLElement>(`[id="L${line}"]`);
      target?.scrollIntoView({ block: "center" });
    }
    scrollToHeading(`file/${path}`, heading, anchor);
  }

  function showSymbol(id: string) {
    const symbol = symbols.get(id);
    if (!symbol) return notFound("This docpack has no such symbol.");
    parts.heading.textContent = symbol.title;
    const at = symbol.source ?? { path: symbol.file, start_line: symbol.start_line, end_line: symbol.end_line };
    const where: (string | Node)[] = [
      el("span", { className: "badge" }, symbol.kind),
      symbol.exported ? " exported" : "",
      " · defined in ",
      link(`file/${symbol.file}:L${at.start_line}`, `${symbol.file}, lines ${at.start_line}–${at.end_line}`),
    ];
    if (symbol.source?.url) where.push(" · ", el("a", { href: symbol.source.url, rel: "noopener noreferrer" }, "on the host"));
    const body: Node[] = [el("p", {}, ...where)];
    if (symbol.doc?.deprecated !== undefined) body.push(el("p", { className: "error" }, `Deprecated${symbol.doc.deprecated ? `: ${symbol.doc.deprecated}` : "."}`));
    const signature = el("pre", { className: "signature-block", tabIndex: 0 }, el("code", {}, symbol.signature || symbol.name));
    signature.setAttribute("aria-label", "Signature");
    body.push(signature);
    if (symbol.parent) {
      const parent = (byFile.get(symbol.file) ?? []).find((other) => other.title === symbol.parent || other.name === symbol.parent);
      body.push(el("p", {}, "Member of ", parent ? link(`symbol/${parent.id}`, symbol.parent) : symbol.parent));
    }
    if (symbol.summary) body.push(el("p", { className: "summary" }, symbol.summary));
    const docText = symbol.doc?.markdown || symbol.doc_comment;
    if (docText) body.push(el("h3", {}, "Documentation"), collapsed(docText, "docs/index.md", "the documentation", false));
    if (symbol.doc?.params.length)
      body.push(el("h3", {}, "Parameters"), el("dl", { className: "params" }, ...symbol.doc.params.flatMap((param) => [el("dt", {}, el("code", {}, param.name), param.type ? el("span", { className: "muted" }, ` ${param.type}`) : ""), el("dd", {}, param.description)])));
    if (symbol.doc?.returns) body.push(el("h3", {}, "Returns"), el("p", {}, symbol.doc.returns));
    for (const example of symbol.doc?.examples ?? []) {
      const pre = el("pre", { tabIndex: 0 }, el("code", {}, example));
      pre.setAttribute("aria-label", "Example");
      body.push(el("h3", {}, "Example"), pre);
    }
    // The types its signature uses: the docpack's links (v2), else type names found in the signature.
    const types = symbol.type_links.length
      ? symbol.type_links.flatMap((typeLink) => (symbols.has(typeLink.id) ? [{ name: typeLink.name, id: typeLink.id }] : []))
      : [...new Set(symbol.signature.match(/[A-Za-z_$][\w$]*/g) ?? [])].flatMap((word) => {
          const type = typesByName.get(word);
          return type && type.id !== symbol.id ? [{ name: word, id: type.id }] : [];
        });
    if (types.length) body.push(el("h3", {}, "Types used"), el("ul", { className: "inline-list" }, ...types.map((type) => el("li", {}, link(`symbol/${type.id}`, el("code", {}, type.name))))));
    const members = (byFile.get(symbol.file) ?? []).filter((other) => other.parent && (other.parent === symbol.title || other.parent === symbol.name) && other.id !== symbol.id);
    if (members.length) body.push(el("h3", {}, `Members (${members.length})`), paged(members, symbolRow, "symbol-list"));
    parts.body.replaceChildren(...body);
    revealInTree(symbol.file);
  }

  function notFound(message: string) {
    parts.heading.textContent = "Not found";
    parts.body.replaceChildren(el("p", { className: "error" }, message), el("p", {}, link("overview", "Back to the overview")));
    revealInTree(null);
  }

  /** The page's heading with this anchor (its id) or, failing that, this text. */
  function findHeading(anchor?: string, text?: string): HTMLElement | undefined {
    const headings = [...parts.body.querySelectorAll<HTMLElement>(".doc :is(h1, h2, h3, h4, h5, h6)")];
    return (anchor !== undefined ? headings.find((heading) => heading.id === `${ANCHOR_ID_PREFIX}${anchor}`) : undefined) ?? (text ? headings.find((heading) => heading.textContent?.trim() === text) : undefined);
  }

  /**
   * Scrolls to the heading a route's anchor (or a search result's heading text) names, marks it
   * and moves focus to it, so the reader (and a screen reader) starts there; the address then
   * names its anchor. No such heading: the page opens at its top, nothing said (an old link).
   */
  function scrollToHeading(route: string, text?: string, anchor?: string) {
    if (!text && anchor === undefined) return;
    let target = findHeading(anchor, text);
    if (!target) {
      // The heading may be in the part of the page not rendered yet.
      const more = parts.body.querySelector<HTMLButtonElement>(".doc > button.more");
      more?.click();
      target = more ? findHeading(anchor, text) : undefined;
    }
    if (!target) {
      // No such heading (an old link, a page rebuilt since): the page from its top.
      parts.heading.scrollIntoView({ block: "nearest" });
      return;
    }
    target.tabIndex = -1;
    target.classList.add("targeted");
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
    const found = target.id.startsWith(ANCHOR_ID_PREFIX) ? target.id.slice(ANCHOR_ID_PREFIX.length) : undefined;
    // A search result found by text: the address names the heading from now on.
    if (found && found !== anchor) history.replaceState(history.state, "", routeHref(withAnchor(route, found)));
  }

  /** Shows what the fragment names; `heading` (from a search result) is scrolled to. */
  function render(heading?: string) {
    const route = parseRoute(routeFromHash(location.hash), { file: (path) => files.has(path) || byFile.has(path), package: (name) => packages.some((pkg) => pkg.name === name) });
    if (route.kind === "symbol") showSymbol(route.id);
    else if (route.kind === "package") showPackage(route.name, route.anchor);
    else if (route.kind === "file") showFile(route.path, route.line, heading, route.anchor);
    else showOverview(heading, route.anchor);
    document.title = `${parts.heading.textContent} · ${manifest.repo.full_name ?? manifest.name} · Doctown`;
  }

  /** Goes to a route as a new history entry; the heading moves focus for keyboard users (or the heading it opens at). */
  function go(route: string, heading?: string) {
    const href = routeHref(route);
    // First: the page's heading, if the route names one, takes focus from it when shown.
    parts.heading.focus({ preventScroll: !!heading });
    if (location.hash === href) render(heading);
    else {
      pendingHeading = heading;
      location.hash = href;
    }
  }
  let pendingHeading: string | undefined;
  window.onhashchange = () => {
    render(pendingHeading);
    pendingHeading = undefined;
  };

  // ---- search: a combobox whose options the arrow keys walk and Enter opens
  let current: SearchEntry[] = [];
  let active = -1;
  const optionId = (i: number) => `viewer-result-${i}`;
  function setActive(next: number) {
    const options = parts.results.children;
    if (options[active]) options[active].setAttribute("aria-selected", "false");
    active = current.length ? (next + current.length) % current.length : -1;
    if (active >= 0) {
      options[active].setAttribute("aria-selected", "true");
      (options[active] as HTMLElement).scrollIntoView({ block: "nearest" });
      parts.search.setAttribute("aria-activedescendant", optionId(active));
    } else parts.search.removeAttribute("aria-activedescendant");
  }
  function choose(entry: SearchEntry) {
    go(entry.route, entry.heading);
  }
  function runSearch() {
    const query = parts.search.value.trim();
    const { results, total } = search(index, query);
    current = results;
    active = -1;
    parts.search.removeAttribute("aria-activedescendant");
    parts.resultsStatus.textContent = !query ? "" : total === 0 ? `Nothing matches “${query}”.` : total > results.length ? `${total} matches; showing the first ${results.length}.` : `${plural(total, "match")}.`.replace("matchs", "matches");
    parts.results.replaceChildren(
      ...results.map((entry, i) => {
        const option = el("li", { id: optionId(i), className: `result role-${entry.role}` }, el("strong", {}, entry.label), el("span", { className: "muted" }, ` ${entry.kind === entry.detail.split(" ")[0] ? "" : `${entry.kind} · `}${entry.detail}`));
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.route = entry.route;
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => choose(entry));
        return option;
      }),
    );
    parts.results.hidden = results.length === 0;
    parts.search.setAttribute("aria-expanded", String(results.length > 0));
  }
  parts.search.oninput = runSearch;
  parts.search.onkeydown = (event) => {
    if (event.key === "ArrowDown" && current.length) {
      event.preventDefault();
      setActive(active + 1);
    } else if (event.key === "ArrowUp" && current.length) {
      event.preventDefault();
      setActive(active - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const entry = current[active >= 0 ? active : 0];
      if (entry) choose(entry);
    } else if (event.key === "Escape") {
      parts.search.value = "";
      runSearch();
    }
  };
  runSearch();

  // An old link (?file=) still opens its file.
  if (!location.hash && legacyFile) history.replaceState(null, "", routeHref(`file/${legacyFile}`));
  render();
}
