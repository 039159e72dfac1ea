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

/** What the authorizer decided: let `allow` (a user) pass, whose session lasts until `expires` (unix seconds), or answer the client with `reply`. */
export type Decision = { allow: string; expires: number } | { reply: Reply };

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
  return "reply" in admission ? admission : { allow: admission.user, expires: admission.expires };
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
  return respond(env, files, now, log).response;
}

/** {@link authorizerResponse}, and until when (unix seconds) the session it let pass lasts, if it let one pass. */
function respond(env: CgiEnv, files: FileCache, now: number, log: Log): { response: string; expires?: number } {
  try {
    const decision = decide(env, files, now, log);
    if ("reply" in decision) return { response: formatReply(asciiBody(decision.reply)) };
    return { response: allowed(decision.allow), expires: decision.expires };
  } catch (err) {
    return { response: formatReply(textReply(failure(PROGRAM, err, log).status)) };
  }
}

/**
 * The params that change from one request of a page to the next (the
 * client's port, the address asked for, the kind of resource) and that the
 * decision to let a session pass never reads: only a refusal's redirect and
 * log line read some of them. Requests that differ in nothing else get the
 * same answer (test/unit/fcgi-authorizer.test.ts records what the decision reads).
 */
export const NOT_DECIDING: ReadonlySet<string> = new Set([
  "REMOTE_PORT",
  "REQUEST_URI",
  "QUERY_STRING",
  "SCRIPT_NAME",
  "SCRIPT_FILENAME",
  "PATH_INFO",
  "PATH_TRANSLATED",
  "DOCUMENT_URI",
  "UNIQUE_ID",
  "HTTP_ACCEPT",
  "HTTP_REFERER",
  "HTTP_RANGE",
  "HTTP_IF_RANGE",
  "HTTP_IF_MODIFIED_SINCE",
  "HTTP_IF_NONE_MATCH",
  "HTTP_PRIORITY",
  "HTTP_SEC_FETCH_DEST",
  "HTTP_SEC_FETCH_MODE",
  "HTTP_SEC_FETCH_SITE",
  "HTTP_SEC_FETCH_USER",
]);

/** Answers {@link DecisionMemo} remembers at most. */
export const MEMO_SIZE = 4;

interface Remembered {
  /** The request's params, as names and values. */
  names: string[];
  values: string[];
  /** How many of them are not in {@link NOT_DECIDING} (counted when first needed: -1 until then). */
  deciding: number;
  response: string;
  /** The answer holds while the files' generation is this one… */
  generation: number;
  /** …and the clock (ms) is before this. */
  until: number;
}

/**
 * The last few answers that let a session pass, so that the requests of a
 * page (the same cookie, the same folder's rules, other addresses) are let
 * through without deciding again. An answer is used only for a request whose
 * params are the same but for {@link NOT_DECIDING}, while nothing the cache
 * of files holds has changed (a watch event or a new read changes its
 * generation), before the first of those files is due its next check (so a
 * change counts as soon as without the memo), and before the session
 * expires. Refusals and failures are never remembered.
 */
export class DecisionMemo {
  readonly #entries: Remembered[] = [];
  #next = 0;
  /** Where the last request that missed first differed (an index into an entry's names): looked at first. */
  #hint = 0;
  /** Answers given from the memo so far: for tests. */
  hits = 0;

  constructor(
    readonly files: FileCache,
    readonly size = MEMO_SIZE,
  ) {}

  /** The answer remembered for `env` at time `t` (ms), or undefined. */
  find(env: CgiEnv, t: number): string | undefined {
    const generation = this.files.generation;
    for (const e of this.#entries) {
      if (e.generation !== generation || t >= e.until) continue;
      const at = firstDifference(e, env, this.#hint);
      if (at < 0) {
        this.hits++;
        return e.response;
      }
      this.#hint = at;
    }
    return undefined;
  }

  /** Remembers `response`, which let a session pass, for requests like `env` until `until` (ms) at the latest. */
  remember(env: CgiEnv, response: string, until: number): void {
    const names = Object.keys(env);
    const values = Object.values(env);
    if (values.includes(undefined)) return; // (a name without a value: never from a server)
    const entry: Remembered = { names, values: values as string[], deciding: -1, response, generation: this.files.generation, until };
    if (this.#entries.length < this.size) this.#entries.push(entry);
    else this.#entries[this.#next] = entry;
    this.#next = (this.#next + 1) % this.size;
  }
}

/**
 * -1 when `env` has the same params as `e`, but for those of {@link NOT_DECIDING};
 * else where they first differ (an index into `e.names`; names.length: in a name `e` lacks).
 * The param at `hint` is compared first: requests that miss tend to differ in the same one
 * (another user's cookie), so a miss costs one comparison per entry.
 */
function firstDifference(e: Remembered, env: CgiEnv, hint: number): number {
  const { names, values } = e;
  if (hint < names.length && env[names[hint]!] !== values[hint] && !NOT_DECIDING.has(names[hint]!)) return hint;
  // Whether env has every name of e (then, with as many names in all, it has no other).
  let hasAll = true;
  for (let i = 0; i < names.length; i++) {
    const value = env[names[i]!];
    if (value === values[i]) continue;
    if (!NOT_DECIDING.has(names[i]!)) return i;
    if (value === undefined) hasAll = false;
  }
  let count = 0;
  for (const _ in env) count++;
  if (hasAll && count === names.length) return -1;
  // Every name of e that decides has the same value in env: env may have no other such name.
  if (e.deciding < 0) e.deciding = names.filter((name) => !NOT_DECIDING.has(name)).length;
  count = 0;
  for (const name in env) if (env[name] !== undefined && !NOT_DECIDING.has(name)) count++;
  return count === e.deciding ? -1 : names.length;
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
 * Answers that let a session pass are remembered in `memo` (null: every
 * request is decided afresh).
 */
export function authorizerHandler(
  defaults: CgiEnv,
  files: FileCache,
  log: Log = logDirect,
  now: () => number = Date.now,
  memo: DecisionMemo | null = new DecisionMemo(files),
): (params: Map<string, string> | Params) => string {
  const limiter = new LogLimiter(log, REQUEST_LOG_BURST, REQUEST_LOG_WINDOW_MS, now);
  const line: Log = (message) => limiter.line(message);
  return (params) => {
    const env = requestEnv(defaults, params);
    const t = now();
    if (!memo) return authorizerResponse(env, files, t / 1000, line);
    const known = memo.find(env, t);
    if (known !== undefined) return known;
    files.due = Infinity;
    const { response, expires } = respond(env, files, t / 1000, line);
    if (expires !== undefined) memo.remember(env, response, Math.min(files.due, expires * 1000));
    return response;
  };
}
