/**
 * The few HTML pages the programs show, built in or from the site's own
 * template (docs/members-area.md, "Pages in your site's look"). Everything reflected is escaped.
 */
import { escapeHtml, readTemplate, renderTemplate } from "./template.js";

export { escapeHtml };

/**
 * Headers for every HTML page: no scripts, no framing, forms post only to this site. Styles,
 * images and fonts may come from the site itself, so a template can use the site's stylesheet.
 */
export const HTML_HEADERS: Array<[string, string]> = [
  [
    "Content-Security-Policy",
    "default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'",
  ],
  ["X-Frame-Options", "DENY"],
];

/** The page from the template file `path` (read now) when one is set, else the built-in page. */
function fromTemplate(variable: string, path: string | undefined, values: Record<string, string>, builtIn: () => string): string {
  return path ? renderTemplate(readTemplate(variable, path), values) : builtIn();
}

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

/**
 * The login form. With `template` (LOGIN_TEMPLATE) its placeholders are `{{action}}`, `{{next}}`,
 * `{{username}}` and `{{error}}` (empty unless a login just failed).
 */
export function loginPage(opts: { action: string; next: string; username?: string; error?: string }, template?: string): string {
  const values = { action: opts.action, next: opts.next, username: opts.username ?? "", error: opts.error ?? "" };
  return fromTemplate("LOGIN_TEMPLATE", template, values, () => {
    const error = values.error ? `<p class="error" role="alert">${escapeHtml(values.error)}</p>` : "";
    return page(
      "Log in",
      `<h1>Log in</h1>${error}<form method="post" action="${escapeHtml(values.action)}">` +
        `<label>Username <input name="username" autocomplete="username" required autofocus value="${escapeHtml(values.username)}"></label>` +
        `<label>Password <input type="password" name="password" autocomplete="current-password" required></label>` +
        `<input type="hidden" name="next" value="${escapeHtml(values.next)}">` +
        `<button type="submit">Log in</button></form>`,
    );
  });
}

/** A one-button form posting to `action` with `next`: how every page logs out. */
function logoutForm(action: string, next: string): string {
  return (
    `<form method="post" action="${escapeHtml(action)}">` +
    `<input type="hidden" name="next" value="${escapeHtml(next)}">` +
    `<button type="submit">Log out</button></form>`
  );
}

/**
 * The logout page: who is logged in (`user`; empty or absent when the cookie holds no valid
 * session) and a button that posts to `action`. With `template` (LOGOUT_TEMPLATE) its
 * placeholders are `{{user}}`, `{{action}}` and `{{next}}`.
 */
export function logoutPage(opts: { action: string; next: string; user?: string }, template?: string): string {
  const values = { user: opts.user ?? "", action: opts.action, next: opts.next };
  return fromTemplate("LOGOUT_TEMPLATE", template, values, () => {
    const who = values.user
      ? `<p>Logged in as <strong>${escapeHtml(values.user)}</strong>.</p>`
      : `<p>You are not logged in.</p>`;
    return page("Log out", `<h1>Log out</h1>${who}${logoutForm(values.action, values.next)}`);
  });
}

/**
 * The 403 page for a live session that the access rules do not let in: names the user and
 * offers a button that logs out through `logoutAction` (then on to `next`, default "/").
 * With `template` (FORBIDDEN_TEMPLATE) its placeholders are `{{user}}`, `{{action}}` (the
 * logout URL) and `{{next}}`. Send it with status 403.
 */
export function forbiddenPage(opts: { user: string; logoutAction: string; next?: string }, template?: string): string {
  const values = { user: opts.user, action: opts.logoutAction, next: opts.next ?? "/" };
  return fromTemplate("FORBIDDEN_TEMPLATE", template, values, () =>
    page(
      "Not allowed",
      `<h1>Not allowed</h1><p>You are logged in as <strong>${escapeHtml(values.user)}</strong>, ` +
        `and this page is not open to you.</p>${logoutForm(values.action, values.next)}`,
    ),
  );
}

export function seeOtherPage(location: string): string {
  return page("See Other", `<p><a href="${escapeHtml(location)}">Continue</a></p>`);
}
