/**
 * Reading and writing the session cookie (RFC 6265). Reading follows jshttp's
 * `cookie` parser (first occurrence of a name wins, never throws) for the one
 * name we look up; the library itself cost ≈ 0.25 ms of start-up per request,
 * loading and running code for every cookie (`make bench`).
 * Serialising is ours because the attribute set is fixed (docs/members-area.md, "Behaviour worth knowing").
 */

// RFC 6265 §4.1.1: cookie-name = token (RFC 2616 §2.2): any CHAR except CTLs or separators.
const COOKIE_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 §4.1.1: cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
const COOKIE_VALUE_RE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

/** RFC 6265 §4.1.1: cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ). */
function unquote(value: string): string {
  return value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22
    ? value.slice(1, -1)
    : value;
}

/**
 * The value of the first cookie called `name` in a Cookie header (names are
 * case-sensitive), DQUOTE-unwrapped, without percent-decoding; `undefined` when absent.
 *
 * @example
 * readCookie('a=1; session="abc.def"', "session") // "abc.def"
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  // Pairs split on ";"; a pair without "=" is skipped; name and value trimmed of spaces and tabs.
  for (let start = 0; start < header.length; ) {
    let end = header.indexOf(";", start);
    if (end === -1) end = header.length;
    const eq = header.indexOf("=", start);
    if (eq === -1) return undefined;
    if (eq < end && trimSpTab(header.slice(start, eq)) === name) return unquote(trimSpTab(header.slice(eq + 1, end)));
    start = end + 1;
  }
  return undefined;
}

function trimSpTab(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return s.slice(a, b);
}

/** Throws TypeError unless `name` is an RFC 6265 cookie name. */
export function assertCookieName(name: string): void {
  if (!COOKIE_NAME_RE.test(name)) throw new TypeError(`invalid cookie name: set SESSION_COOKIE to letters, digits or !#$%&'*+-.^_\`|~`);
}

export interface CookieFlags {
  /** Add `Secure` (the request came over HTTPS). */
  secure: boolean;
}

function attributes(maxAge: number, flags: CookieFlags): string {
  return "; HttpOnly; SameSite=Lax; Path=/; Max-Age=" + maxAge + (flags.secure ? "; Secure" : "");
}

/**
 * The Set-Cookie value carrying a session token.
 *
 * @example
 * serializeSessionCookie("session", token, 2592000, { secure: true })
 * // "session=…; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000; Secure"
 */
export function serializeSessionCookie(name: string, token: string, maxAge: number, flags: CookieFlags): string {
  assertCookieName(name);
  if (!COOKIE_VALUE_RE.test(token)) throw new TypeError("invalid cookie value");
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new TypeError("invalid Max-Age");
  return name + "=" + token + attributes(maxAge, flags);
}

/** The Set-Cookie value that deletes the session cookie: same name, path and flags, `Max-Age=0`. */
export function serializeDeleteCookie(name: string, flags: CookieFlags): string {
  assertCookieName(name);
  return name + "=" + attributes(0, flags);
}
