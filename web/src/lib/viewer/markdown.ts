/**
 * Docs pages are Markdown from an untrusted docpack: rendered with marked, then sanitised by
 * DOMPurify into a DocumentFragment (never assigned as an HTML string). No images, styles, forms
 * or embedded content; links open as plain links without a referrer.
 */
import type { Marked } from "marked";
import type { DOMPurify } from "dompurify";

const FORBID_TAGS = ["img", "style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed", "svg", "math", "video", "audio", "source", "picture"];
const SAFE_URL = /^(https?:|mailto:|#)/i;
/** A relative link to another Markdown page of the docpack: kept aside for the viewer to route. */
const DOC_LINK = /^(?![a-z][a-z0-9+.-]*:|\/\/)[^?]*\.md(#[^\s]*)?$/i;

export type MarkdownRenderer = (markdown: string) => DocumentFragment;

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
  return (markdown) => {
    const html = marked.parse(markdown, { async: false, gfm: true });
    return purify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS, FORBID_ATTR: ["style", "class", "id"] });
  };
}
