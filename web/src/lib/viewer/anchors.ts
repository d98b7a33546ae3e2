/**
 * Routes with a heading anchor, so a link to a definition lands on it and the address keeps it
 * (back, forward and reload land there too): `overview#<anchor>`, `package/<name>#<anchor>`,
 * `file/<path>#<anchor>`. An anchor is the GitHub-style slug of a heading on that page (what the
 * builder writes after `#` in links between pages); a slug never holds `#`, so the last `#`
 * separates it — unless the whole value names something (a path may hold `#`).
 * The page loads this up front, github-slugger (~3 KB gzipped) with it: the lazy chunks (zod, marked,
 * DOMPurify) are near their budget, the first load is far from its own (web/scripts/size.mjs).
 */
import GithubSlugger from "github-slugger";

/** Headings' ids are this plus their anchor: no docpack heading can take an id the viewer uses. */
export const ANCHOR_ID_PREFIX = "doc-";

/** The anchors of one page's headings, in page order (one per page, across all its rendered parts). */
export type PageAnchors = { slug(text: string): string };

/**
 * Anchors for one page, as the builder makes them: github-slugger over the page's headings in
 * order (lower case, punctuation dropped, spaces to `-`, a repeat suffixed -1, -2, …).
 */
export const pageAnchors = (): PageAnchors => new GithubSlugger();

export type Route =
  | { kind: "overview"; anchor?: string }
  | { kind: "package"; name: string; anchor?: string }
  | { kind: "file"; path: string; line?: number; anchor?: string }
  | { kind: "symbol"; id: string };

/** What the docpack holds, to tell a name with `#` in it from a name and an anchor. */
export type Known = { file(path: string): boolean; package(name: string): boolean };

/** A route with an anchor to scroll to (none: the route itself). */
export const withAnchor = (route: string, anchor?: string) => (anchor ? `${route}#${anchor}` : route);

/** The decoded fragment of a link (`../a.ts.md#widget` → `widget`), or undefined when it has none. */
export function linkAnchor(href: string): string | undefined {
  const at = href.indexOf("#");
  const raw = at < 0 ? "" : href.slice(at + 1);
  if (!raw) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** `value` as a known name and an anchor; an unknown name is returned whole (the page says not found). */
function splitAnchor(value: string, known: (name: string) => boolean): [string, string | undefined] {
  const at = value.lastIndexOf("#");
  if (at < 0 || known(value)) return [value, undefined];
  const name = value.slice(0, at);
  return known(name) ? [name, value.slice(at + 1) || undefined] : [value, undefined];
}

/** A route (the address's fragment, decoded) as what to show; anything unknown is the overview. */
export function parseRoute(route: string, known: Known): Route {
  const slash = route.indexOf("/");
  const kind = slash < 0 ? route : route.slice(0, slash);
  const value = slash < 0 ? "" : route.slice(slash + 1);
  if (kind === "symbol" && value) return { kind: "symbol", id: value };
  if (kind === "package" && value) {
    const [name, anchor] = splitAnchor(value, known.package);
    return { kind: "package", name, anchor };
  }
  if (kind === "file" && value) {
    const line = /^(.*):L(\d+)$/.exec(value);
    if (line && known.file(line[1])) return { kind: "file", path: line[1], line: Number(line[2]) };
    const [path, anchor] = splitAnchor(value, known.file);
    return { kind: "file", path, anchor };
  }
  return { kind: "overview", anchor: route.startsWith("overview#") ? route.slice("overview#".length) || undefined : undefined };
}
