// dbbasic-sessions-cgi: the public API's declarations (built by src/build/lib.mjs).
declare const MIN_KEY_LENGTH = 32;
/** The environment variables that configure keys. */
interface KeyEnv {
    SECRET_KEY?: string | undefined;
    SECRET_KEY_FILE?: string | undefined;
    SECRET_KEY_FALLBACKS?: string | undefined;
}
/**
 * The current signing key and the older keys still accepted for verification.
 * Newest signs; verification tries each (rolling rotation without logouts).
 *
 * @example
 * const ring = new Keyring("0123…(64 hex)", ["old key …"]);
 * const sig = ring.sign(payload);
 */
declare class Keyring {
    #private;
    constructor(current: string, fallbacks?: readonly string[]);
    /** Lowercase hex HMAC-SHA256 under the current key. */
    sign(payload: string): string;
    /** True when `signature` is the HMAC of `payload` under any accepted key (constant-time per key). */
    verify(payload: string, signature: string): boolean;
}
/** Splits `SECRET_KEY_FALLBACKS` on whitespace and commas. */
declare function parseFallbacks(value: string | undefined): string[];
/**
 * Builds the keyring from the environment: `SECRET_KEY_FILE` (preferred, keeps
 * the key out of every process's environment) or `SECRET_KEY`, plus
 * `SECRET_KEY_FALLBACKS`. Throws {@link KeyConfigError} with what to set.
 *
 * @example
 * const ring = keyringFromEnv(process.env);
 */
declare function keyringFromEnv(env?: KeyEnv): Keyring;
/** RFC 6265 user agents keep at most 4096 bytes of name=value; a longer token is never ours. */
declare const MAX_TOKEN_LENGTH = 4096;
/** What a valid token says. */
interface SessionData {
    userId: string;
    expires: number;
}
/** Signs `{user_id, expires}` exactly as the Python library does. */
declare function encodeToken(keys: Keyring, userId: string, expires: number): string;
/**
 * Verifies a token and returns what it says, or throws {@link TokenInvalidError}
 * (one generic error for every failure). `now` is in seconds.
 */
declare function decodeToken(keys: Keyring, token: unknown, now: number): SessionData;
/** 30 days, as in the Python library. */
declare const DEFAULT_TTL = 2592000;
/** Where keys and time come from; every field is optional. */
interface SessionOptions {
    /** A ready keyring, or the current key (string). Default: {@link keyringFromEnv}(`env`). */
    keys?: Keyring | string;
    /** Environment to read keys from when `keys` is not given. Default: `process.env`. */
    env?: KeyEnv;
    /** Current time in unix seconds. Default: `Date.now() / 1000`. */
    now?: () => number;
    /** Cookie name the token will travel in, for the 4096-byte limit. Default `"session"`. */
    cookieName?: string;
}
/** The keyring for these options; the environment's keyring is cached while its variables are unchanged. */
declare function resolveKeys(options?: SessionOptions): Keyring;
/**
 * Creates a signed session token for `userId`, valid for `ttl` seconds.
 * Throws {@link SessionCreateError} for an empty user id, a bad TTL or a token
 * too large for a cookie, and {@link KeyConfigError} when no usable key is set.
 *
 * @example
 * const token = createSession(42);            // key from SECRET_KEY / SECRET_KEY_FILE
 * const token = createSession("ann", 3600, { keys: ring, now: () => 1_700_000_000 });
 */
declare function createSession(userId: string | number, ttl?: number, options?: SessionOptions): string;
/**
 * Verifies a token and returns `{ userId, expires }`, or throws
 * TokenInvalidError (code `ERR_TOKEN_INVALID`, a generic message).
 *
 * @example
 * const { userId, expires } = verifySession(token, { now: () => 1_700_000_000 });
 */
declare function verifySession(token: unknown, options?: SessionOptions): SessionData;
/**
 * The user id a token names, or `null` for anything that is not a valid,
 * unexpired token. Never throws for bad tokens; throws KeyConfigError when no
 * usable key is configured (a caller mistake, not bad input).
 *
 * @example
 * const user = getSession(cookies.session);   // "42" or null
 */
declare function getSession(token: string | null | undefined, options?: SessionOptions): string | null;
/**
 * Logout. A no-op on the server, as in the seed: the client deletes the cookie.
 * Stateless tokens stay valid until they expire; see SECURITY.md.
 */
declare function destroySession(_token?: string): void;
/**
 * Typed errors with stable codes (for logs and tests). Messages for token
 * failures are deliberately generic: they never say which check failed.
 */
type SessionErrorCode = "ERR_KEY_MISSING" | "ERR_KEY_WEAK" | "ERR_KEY_FILE" | "ERR_CONFIG" | "ERR_USER_ID_INVALID" | "ERR_TTL_INVALID" | "ERR_TOKEN_TOO_LARGE" | "ERR_TOKEN_INVALID";
declare class SessionError extends Error {
    readonly code: SessionErrorCode;
    constructor(code: SessionErrorCode, message: string);
}
/** The key configuration is missing or unsafe: nothing can be signed or verified. */
declare class KeyConfigError extends SessionError {
}
/** Another setting (SESSION_COOKIE, SESSION_TTL, HTPASSWD_FILE…) is unusable. */
declare class ConfigError extends SessionError {
    constructor(message: string);
}
/** A caller passed something that cannot become a session (empty user id, bad TTL, too large). */
declare class SessionCreateError extends SessionError {
}
/** A token failed verification. The message never says why. */
declare class TokenInvalidError extends SessionError {
    constructor();
}
/**
 * The value of the first cookie called `name` in a Cookie header (names are
 * case-sensitive), DQUOTE-unwrapped, without percent-decoding; `undefined` when absent.
 *
 * @example
 * readCookie('a=1; session="abc.def"', "session") // "abc.def"
 */
declare function readCookie(header: string | undefined, name: string): string | undefined;
interface CookieFlags {
    /** Add `Secure` (the request came over HTTPS). */
    secure: boolean;
}
/**
 * The Set-Cookie value carrying a session token.
 *
 * @example
 * serializeSessionCookie("session", token, 2592000, { secure: true })
 * // "session=…; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000; Secure"
 */
declare function serializeSessionCookie(name: string, token: string, maxAge: number, flags: CookieFlags): string;
/** The Set-Cookie value that deletes the session cookie: same name, path and flags, `Max-Age=0`. */
declare function serializeDeleteCookie(name: string, flags: CookieFlags): string;
/**
 * Redirect targets stay on this site (docs/members-area.md, "Behaviour worth knowing"): a local path that starts with
 * one "/" (not "//" or "/\", which browsers treat as another host), with no
 * control characters. Anything else becomes "/".
 *
 * @example
 * safeNext("/account?tab=1") // "/account?tab=1"
 * safeNext("//evil.example") // "/"
 */
declare function safeNext(next: string | null | undefined): string;
/** Parses `user:hash` lines; blank lines and `#` comments are skipped; the first entry for a user wins. */
declare function parseHtpasswd(text: string): Map<string, string>;
type HashScheme = "bcrypt" | "apr1" | "sha" | "unsupported";
interface HtpasswdResult {
    /** The password matched the user's entry. */
    ok: boolean;
    /** Why not, for the log line (never for the client). */
    reason: "ok" | "unknown-user" | "bad-password" | "unsupported-hash";
    /** The hash scheme whose work was done (for an unknown user or an unsupported entry: the dummy's). */
    scheme: HashScheme;
}
/**
 * Checks `user`/`password` against htpasswd text. An unknown user, or an entry
 * in a hash type we do not support, costs the same work as a wrong password:
 * a dummy hash of the file's most expensive scheme (and bcrypt cost) is
 * checked instead.
 *
 * @example
 * await verifyHtpasswd(readFileSync(".htpasswd", "utf8"), "ann", "s3cret") // { ok: true, … }
 */
declare function verifyHtpasswd(text: string, user: string, password: string): Promise<HtpasswdResult>;
export { createSession, getSession, destroySession, verifySession, resolveKeys, DEFAULT_TTL, Keyring, keyringFromEnv, parseFallbacks, MIN_KEY_LENGTH, encodeToken, decodeToken, MAX_TOKEN_LENGTH, SessionError, KeyConfigError, ConfigError, SessionCreateError, TokenInvalidError, readCookie, serializeSessionCookie, serializeDeleteCookie, safeNext, verifyHtpasswd, parseHtpasswd };
export type { SessionOptions, KeyEnv, SessionData, SessionErrorCode, CookieFlags, HtpasswdResult, HashScheme };
