/** An address the viewer may link to: http(s), mailto or relative. */
export function safeUrl(url: string): boolean {
  // Browsers drop tabs and line breaks inside an address, and the viewer leaves a character
  // reference written in it (`\&#106;`, `&colon;`) for the browser to decode: neither may hide a scheme.
  const head = url.replace(/[\u0000-\u0020]/g, "").split(/[/?#]/, 1)[0]!;
  if (head.includes("&")) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(head)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === "http" || scheme === "https" || scheme === "mailto";
}
