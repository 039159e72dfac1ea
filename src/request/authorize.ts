/**
 * The FastCGI authorizer's answer to one request (FastCGI 1.0, section 6.3),
 * with the same live-session and access rules as gate.cgi (docs/members-area.md, "Who may pass"),
 * from the same code:
 *
 * - a live session the rules let in: `Status: 200` with
 *   `Variable-REMOTE_USER` and `Variable-AUTH_TYPE: Cookie` (the server hands
 *   these to whatever serves the request) and nothing else;
 * - no live session: `303` to LOGIN_URL with `?next=` for GET and HEAD,
 *   `401` for other methods; a live session the rules refuse: `403` with the
 *   same page as gate.cgi. The server passes these to the client as they are.
 * - any failure (a missing key, an unreadable file, a malformed rule): `500`,
 *   never `200`.
 */
import { TokenInvalidError } from "../errors.js";
import type { Keyring } from "../keys.js";
import { decodeToken, type SessionData } from "../token.js";
import { admit } from "./admit.js";
import { failure, formatReply, logLine, textReply, type CgiEnv, type Reply } from "./reply.js";
import type { FileCache } from "./file-cache.js";
import { LogLimiter } from "../log-limiter.js";

export const PROGRAM = "authorizer.fcgi";

/** A request's parameters as the server decoded them: name → value, in an object that inherits nothing. */
export type Params = Record<string, string>;

/**
 * The settings the authorizer takes from its own environment (lighttpd's
 * `bin-environment`, a systemd unit's `Environment=`) when the server does not
 * pass them with the request. What the server passes wins: lighttpd sends a
 * location's `setenv.add-environment`, Apache a location's `SetEnvIf`.
 */
export const SETTINGS = [
  "SECRET_KEY",
  "SECRET_KEY_FILE",
  "SECRET_KEY_FALLBACKS",
  "HTPASSWD_FILE",
  "HTGROUP_FILE",
  "SESSION_REVOKED_FILE",
  "SESSION_CHECK_HTPASSWD",
  "SESSION_COOKIE",
  "SESSION_TTL",
  "SESSION_MAX_TTL",
  "SESSION_REQUIRE",
  "LOGIN_URL",
  "LOGOUT_URL",
  "FORBIDDEN_TEMPLATE",
] as const;

/** The settings of {@link SETTINGS} found in `env`. */
export function defaultSettings(env: CgiEnv): CgiEnv {
  const out: CgiEnv = {};
  for (const name of SETTINGS) if (env[name] !== undefined) out[name] = env[name];
  return out;
}

/** What a request may still set when the authorizer runs as a service: a folder's rules. */
const FOLDER_SETTINGS = new Set(["SESSION_REQUIRE", "HTGROUP_FILE"]);
/** The names (with their REDIRECT_ copies) a request may not set when the authorizer runs as a service. */
const SERVICE_ONLY = SETTINGS.filter((name) => !FOLDER_SETTINGS.has(name)).flatMap((name) => [name, "REDIRECT_" + name]);

/**
 * The request's environment: the process's settings, overridden by what the
 * server passed. When the process's own environment names the key, it runs as
 * a service whose TCP port anyone on the host can connect to: a request may
 * then set only a folder's rules (SESSION_REQUIRE, HTGROUP_FILE, also as
 * REDIRECT_ copies), never another key (sessions signed by whoever connected)
 * nor another file to read (FORBIDDEN_TEMPLATE would show any file the
 * service can read). Started by lighttpd, on a socket only the server's user
 * can connect to, it takes every setting from the request.
 * A `params` object (as the server decodes it, inheriting nothing) becomes the environment itself.
 */
export function requestEnv(defaults: CgiEnv, params: Map<string, string> | Params): CgiEnv {
  let env: CgiEnv;
  if (params instanceof Map) {
    env = Object.create(null) as CgiEnv;
    for (const [name, value] of params) env[name] = value;
  } else {
    env = params;
  }
  if (defaults.SECRET_KEY !== undefined || defaults.SECRET_KEY_FILE !== undefined) {
    for (const name of SERVICE_ONLY) if (env[name] !== undefined) delete env[name];
  }
  for (const name in defaults) if (env[name] === undefined) env[name] = defaults[name];
  return env;
}

/** Tokens already verified under a keyring (a new keyring starts afresh), at most {@link MAX_VERIFIED} each. */
const verified = new WeakMap<Keyring, Map<string, SessionData>>();
const MAX_VERIFIED = 4096;
/** The last token found valid, checked first: a browser sends the same cookie with every request of a page. */
let lastKeys: Keyring | undefined;
let lastToken: string | undefined;
let lastSession: SessionData | undefined;

/**
 * decodeToken, remembering tokens it accepted: a browser sends the same cookie
 * with every request of a page, and its signature need not be computed again
 * under the same keys. Only the expiry is checked again (`now`, in seconds).
 */
export function verifiedSession(keys: Keyring, token: string | undefined, now: number): SessionData {
  if (token !== undefined && token === lastToken && keys === lastKeys && lastSession!.expires > now) return lastSession!;
  let known = verified.get(keys);
  if (!known) verified.set(keys, (known = new Map()));
  let session = token === undefined ? undefined : known.get(token);
  if (session) {
    if (session.expires <= now) {
      known.delete(token!);
      throw new TokenInvalidError();
    }
  } else {
    session = decodeToken(keys, token, now);
    if (known.size >= MAX_VERIFIED) known.clear();
    known.set(token!, session);
  }
  lastKeys = keys;
  lastToken = token;
  lastSession = session;
  return session;
}

/** What the authorizer decided: let `user` pass, or answer the client with `reply`. */
export type Decision = { allow: string } | { reply: Reply };

/** One line in the error log. */
export type Log = (message: string) => void;

const logDirect: Log = (message) => logLine(PROGRAM, message);

/**
 * Decides one request. Throws for configuration errors (the caller answers 500). `now` in seconds.
 * A cookie that is not a valid session is logged through `log` (the service
 * rate-limits it: any client can send one with every request).
 */
export function decide(env: CgiEnv, files: FileCache, now: number, log: Log = logDirect): Decision {
  const admission = admit(env, PROGRAM, { now, verify: verifiedSession, read: files.read, keyring: files.keyring, logInvalidCookie: log });
  return "reply" in admission ? admission : { allow: admission.user };
}

/**
 * The reply with every character outside ASCII in an HTML body written as a
 * numeric character reference: Apache sends an authorizer's refusal as its
 * own error page, labelled `charset=iso-8859-1` whatever the authorizer said,
 * and an ASCII page reads the same in any charset.
 */
export function asciiBody(reply: Reply): Reply {
  if (!reply.contentType.startsWith("text/html") || !/[^\x00-\x7f]/.test(reply.body)) return reply;
  return { ...reply, body: reply.body.replace(/[^\x00-\x7f]/gu, (c) => `&#${c.codePointAt(0)};`) };
}

let allowedUser: string | undefined;
let allowedResponse = "";

/** The answer that lets `user` pass (the same string as last time for the same user). */
function allowed(user: string): string {
  if (user !== allowedUser) {
    if (user.includes("\r") || user.includes("\n") || user.includes("\0")) throw new Error("user name holds a control character");
    // Only Status and Variable- headers: Apache keeps other headers of a 200 for the client's response.
    allowedResponse = `Status: 200 OK\r\nVariable-REMOTE_USER: ${user}\r\nVariable-AUTH_TYPE: Cookie\r\n\r\n`;
    allowedUser = user;
  }
  return allowedResponse;
}

/**
 * The authorizer's response (CGI header block and body) for `env`: 200 with
 * the Variable- headers and no body, or the reply for the client. Never
 * throws: any failure is logged in one line and answered 500.
 */
export function authorizerResponse(env: CgiEnv, files: FileCache, now: number = Date.now() / 1000, log: Log = logDirect): string {
  try {
    const decision = decide(env, files, now, log);
    if ("reply" in decision) return formatReply(asciiBody(decision.reply));
    return allowed(decision.allow);
  } catch (err) {
    return formatReply(textReply(failure(PROGRAM, err, log).status));
  }
}

/** Lines about single requests (a bad cookie, a failure) the service logs per {@link REQUEST_LOG_WINDOW_MS}, at most. */
export const REQUEST_LOG_BURST = 10;
export const REQUEST_LOG_WINDOW_MS = 10_000;

/**
 * The service's answer to each request: {@link authorizerResponse} with the
 * process's settings as defaults, its files through `files`, and its lines
 * about single requests rate-limited (at most {@link REQUEST_LOG_BURST} per
 * {@link REQUEST_LOG_WINDOW_MS}, then one line counting the rest), since any
 * client can cause one with every request. `now` is the clock in milliseconds.
 */
export function authorizerHandler(defaults: CgiEnv, files: FileCache, log: Log = logDirect, now: () => number = Date.now): (params: Map<string, string> | Params) => string {
  const limiter = new LogLimiter(log, REQUEST_LOG_BURST, REQUEST_LOG_WINDOW_MS, now);
  const line: Log = (message) => limiter.line(message);
  return (params) => authorizerResponse(requestEnv(defaults, params), files, now() / 1000, line);
}
