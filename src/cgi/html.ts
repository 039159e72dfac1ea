/** The few HTML pages the programs show. Everything reflected is escaped. */

/** `&` first, then the rest. String replaceAll, not a regex: ≈ 40 µs less start-up (issue 5). */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/** Headers for every HTML page: no framing, no scripts, forms post only to this site. */
export const HTML_HEADERS: Array<[string, string]> = [
  ["Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"],
  ["X-Frame-Options", "DENY"],
];

const STYLE =
  "body{font:16px/1.5 system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}" +
  "label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;box-sizing:border-box}" +
  "button{margin-top:1rem;padding:.5rem 1.25rem}.error{color:#a00}";

export function page(title: string, content: string): string {
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n` +
    `<body><main>${content}</main></body></html>\n`
  );
}

export function loginPage(opts: { action: string; next: string; username?: string; error?: string }): string {
  const error = opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : "";
  return page(
    "Log in",
    `<h1>Log in</h1>${error}<form method="post" action="${escapeHtml(opts.action)}">` +
      `<label>Username <input name="username" autocomplete="username" required autofocus value="${escapeHtml(opts.username ?? "")}"></label>` +
      `<label>Password <input type="password" name="password" autocomplete="current-password" required></label>` +
      `<input type="hidden" name="next" value="${escapeHtml(opts.next)}">` +
      `<button type="submit">Log in</button></form>`,
  );
}

export function logoutPage(opts: { action: string; next: string }): string {
  return page(
    "Log out",
    `<h1>Log out</h1><form method="post" action="${escapeHtml(opts.action)}">` +
      `<input type="hidden" name="next" value="${escapeHtml(opts.next)}">` +
      `<button type="submit">Log out</button></form>`,
  );
}

export function seeOtherPage(location: string): string {
  return page("See Other", `<p><a href="${escapeHtml(location)}">Continue</a></p>`);
}
