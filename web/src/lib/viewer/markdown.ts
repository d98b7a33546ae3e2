/**
 * Docs pages are Markdown from an untrusted docpack: rendered with marked, then sanitised by
 * DOMPurify into a DocumentFragment (never assigned as an HTML string). No images, styles, forms
 * or embedded content; links open as plain links without a referrer.
 * Headings get ids after sanitising, made from their text: the GitHub-style anchors the builder
 * links to (github-slugger over a page's headings in order, repeats suffixed -1, -2, …), prefixed
 * so that no page can take an id the viewer uses (anchors.ts).
 */
import type { Marked } from "marked";
import type { DOMPurify } from "dompurify";
import { ANCHOR_ID_PREFIX, type PageAnchors } from "./anchors";

const FORBID_TAGS = ["img", "style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed", "svg", "math", "video", "audio", "source", "picture"];
const SAFE_URL = /^(https?:|mailto:|#)/i;
/** A relative link to another Markdown page of the docpack: kept aside for the viewer to route. */
const DOC_LINK = /^(?![a-z][a-z0-9+.-]*:|\/\/)[^?]*\.md(#[^\s]*)?$/i;

/** Markdown as a sanitised fragment; with `anchors` (one page's), each heading gets the id of its anchor. */
export type MarkdownRenderer = (markdown: string, anchors?: PageAnchors) => DocumentFragment;

export function createMarkdownRenderer(marked: Marked, purify: DOMPurify): MarkdownRenderer {
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      const href = node.getAttribute("href") ?? "";
      if (!SAFE_URL.test(href)) {
        if (DOC_LINK.test(href)) node.setAttribute("data-doc-link", href);
        node.removeAttribute("href");
      }
      node.setAttribute("rel", "noopener noreferrer nofollow");
    }
  });
  return (markdown, anchors) => {
    const html = marked.parse(markdown, { async: false, gfm: true });
    const fragment = purify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS, FORBID_ATTR: ["style", "class", "id"] });
    if (anchors)
      for (const heading of fragment.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
        const text = heading.textContent?.trim() ?? "";
        if (text) heading.id = `${ANCHOR_ID_PREFIX}${anchors.slug(text)}`;
      }
    return fragment;
  };
}
