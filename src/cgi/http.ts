/**
 * CGI/1.1 (RFC 3875) plumbing shared by every program: the reply we write to
 * stdout, the one log line we write to stderr, request-body limits, and the
 * wrapper that turns every failure into a generic answer.
 */
import { readSync, writeSync } from "node:fs";
import { ConfigError, KeyConfigError } from "../errors.js";
import { pyJsonString } from "../pyjson.js";
import { withSettings } from "../request/settings.js";

export type CgiEnv = Record<string, string | undefined>;

export interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Array<[string, string]>;
}

const REASONS: Record<number, string> = {
  200: "OK", 303: "See Other", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
  405: "Method Not Allowed", 408: "Request Timeout", 411: "Length Required", 413: "Content Too Large",
  415: "Unsupported Media Type", 500: "Internal Server Error",
};

/** A request we refuse: `status` and a short public message; `log` is the one line for the error log. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly log?: string, readonly headers: Array<[string, string]> = []) {
    super(REASONS[status] ?? "Error");
  }
}

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Error";
}

/** RFC 3875 §6.3 header block + body. Throws if any header would carry CR, LF or NUL. */
export function formatReply(r: Reply): string {
  const headers: Array<[string, string]> = [
    ["Status", `${r.status} ${reasonPhrase(r.status)}`],
    ["Content-Type", r.contentType],
    ["Cache-Control", "no-store"],
    ...(r.headers ?? []),
  ];
  let out = "";
  for (const [name, value] of headers) {
    // includes(), not a regex: a regex's first two runs compile it (≈ 50 µs of start-up, `make bench`).
    if (value.includes("\r") || value.includes("\n") || value.includes("\0")) throw new Error("header value holds a control character");
    out += name + ": " + value + "\r\n";
  }
  return out + "\r\n" + r.body;
}

let sleeper: Int32Array | undefined;

/**
 * Blocks for `ms` milliseconds without using the CPU: how the synchronous
 * reads and writes below wait for a non-blocking stdin or stdout (Node has no
 * synchronous poll()). Atomics.wait on a word nobody changes just times out.
 */
function pause(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The longest wait between two tries on a non-blocking descriptor (tries start 1 ms apart and double). */
const MAX_PAUSE_MS = 20;
/** How long a non-blocking stdout may stay full before the reply is given up. */
const WRITE_TIMEOUT_MS = 10_000;

/** Writes all of `text` to stdout. Throws the write's error (EPIPE, EBADF…); a full non-blocking pipe is waited for. */
export function writeOut(text: string | Uint8Array): void {
  const buf = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  let wait = 1;
  let stalledSince = 0;
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(1, buf, off);
      wait = 1;
      stalledSince = 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      const now = Date.now();
      if (stalledSince === 0) stalledSince = now;
      else if (now - stalledSince >= WRITE_TIMEOUT_MS) throw err;
      pause(wait);
      wait = Math.min(wait * 2, MAX_PAUSE_MS);
    }
  }
}

/**
 * One line on stderr (the server's error log), with everything outside
 * printable ASCII escaped. A stderr that cannot be written loses the line:
 * there is nowhere else to report it.
 */
export function logLine(program: string, message: string): void {
  const safe = message.replace(/[^\x20-\x7e]/g, (c) => pyJsonString(c).slice(1, -1));
  try {
    writeSync(2, `${program}: ${safe}\n`);
  } catch {
    // stderr closed or broken.
  }
}

/** A user-chosen string quoted for a log line: `"ann"`, control characters and quotes escaped. */
export function quoteForLog(value: string): string {
  return pyJsonString(value.length > 200 ? value.slice(0, 200) + "…" : value);
}

export const MAX_BODY = 64 * 1024;

/** Seconds a request body may take to arrive on a non-blocking stdin (README, "Configuration": CGI_BODY_TIMEOUT). */
export const DEFAULT_BODY_TIMEOUT = 10;

/** CGI_BODY_TIMEOUT in milliseconds: a number of seconds (decimals allowed) greater than 0, at most an hour. */
export function bodyTimeoutMs(env: CgiEnv): number {
  const text = env.CGI_BODY_TIMEOUT;
  if (text === undefined || text === "") return DEFAULT_BODY_TIMEOUT * 1000;
  const seconds = Number(text);
  if (!/^\d{1,4}(?:\.\d{1,3})?$/.test(text) || !(seconds > 0) || seconds > 3600) {
    throw new ConfigError("CGI_BODY_TIMEOUT must be a number of seconds greater than 0 and at most 3600");
  }
  return seconds * 1000;
}

/**
 * Reads exactly CONTENT_LENGTH bytes of the body, refusing what is missing,
 * malformed, too large or short. A non-blocking stdin with nothing to read yet
 * is waited for without spinning, for at most `timeoutMs` from the first time
 * it had nothing; a body still incomplete then is a 408. (A blocking stdin
 * blocks in read(), using no CPU; the server's own CGI timeout ends a stalled one.)
 */
export function readBody(env: CgiEnv, fd = 0, timeoutMs = bodyTimeoutMs(env)): Buffer {
  const length = env.CONTENT_LENGTH;
  if (length === undefined || length === "") throw new HttpError(411, "POST without CONTENT_LENGTH");
  if (!/^\d+$/.test(length)) throw new HttpError(400, "malformed CONTENT_LENGTH");
  // 1*DIGIT (RFC 9110 §8.6): a length too long for a number is just too large.
  const n = length.length > 15 ? Infinity : Number(length);
  if (n > MAX_BODY) throw new HttpError(413, `request body of ${length.length > 15 ? "over 10^15" : n} bytes is over the ${MAX_BODY}-byte limit`);
  const buf = Buffer.alloc(n);
  let got = 0;
  let started = 0;
  let wait = 1;
  while (got < n) {
    let r: number;
    try {
      r = readSync(fd, buf, got, n - got, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        // Nothing yet on a non-blocking stdin: wait, never spin.
        const now = Date.now();
        if (started === 0) started = now;
        const left = timeoutMs - (now - started);
        if (left <= 0) throw new HttpError(408, `request body stalled: ${got} of ${n} bytes after ${timeoutMs / 1000} s`);
        pause(Math.min(wait, left));
        wait = Math.min(wait * 2, MAX_PAUSE_MS);
        continue;
      }
      if (code === "EOF") break;
      throw err;
    }
    if (r === 0) break;
    got += r;
    wait = 1;
  }
  if (got < n) throw new HttpError(400, `request body truncated: ${got} of ${n} bytes`);
  return buf;
}

/** The body as an `application/x-www-form-urlencoded` form; other media types answer 415. */
export function readForm(env: CgiEnv, fd = 0): URLSearchParams {
  const type = (env.CONTENT_TYPE ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new HttpError(415, "POST body is not application/x-www-form-urlencoded");
  }
  return new URLSearchParams(readBody(env, fd).toString("utf8"));
}

/** A POST whose Origin names another host than HTTP_HOST is cross-site: 403. No Origin (curl, old agents) passes. */
export function checkOrigin(env: CgiEnv): void {
  const origin = env.HTTP_ORIGIN;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (!host || !env.HTTP_HOST || host.toLowerCase() !== env.HTTP_HOST.toLowerCase()) {
    throw new HttpError(403, `cross-site POST refused (Origin ${quoteForLog(origin)}, Host ${quoteForLog(env.HTTP_HOST ?? "")})`);
  }
}

/**
 * The first value of `name` in QUERY_STRING, exactly as `URLSearchParams#get`
 * answers, without its first-use cost (≈ 0.2 ms of start-up, `make bench`): a query
 * that needs its lenient decoding (a malformed escape, bytes that are not UTF-8)
 * or starts with "?" is handed to it.
 */
export function queryParam(env: CgiEnv, name: string): string | null {
  const query = env.QUERY_STRING ?? "";
  if (!query.startsWith("?")) {
    try {
      for (const pair of query.split("&")) {
        if (pair === "") continue;
        const eq = pair.indexOf("=");
        if (formDecode(eq === -1 ? pair : pair.slice(0, eq)) === name) return eq === -1 ? "" : formDecode(pair.slice(eq + 1));
      }
      return null;
    } catch {
      // decodeURIComponent refused it: URLSearchParams decodes leniently.
    }
  }
  return new URLSearchParams(query).get(name);
}

/** application/x-www-form-urlencoded decoding of a name or value; throws where URLSearchParams is lenient. */
function formDecode(s: string): string {
  return s.includes("+") || s.includes("%") ? decodeURIComponent(s.replaceAll("+", " ")) : s;
}

export function isHttps(env: CgiEnv): boolean {
  const v = (env.HTTPS ?? "").toLowerCase();
  return v === "on" || v === "1";
}

export function textReply(status: number, message = reasonPhrase(status)): Reply {
  return { status, contentType: "text/plain; charset=utf-8", body: message + "\n" };
}

export function jsonReply(status: number, value: unknown, headers?: Array<[string, string]>): Reply {
  return { status, contentType: "application/json", body: JSON.stringify(value), ...(headers ? { headers } : {}) };
}

/**
 * What a failure answers: its status (500 unless an HttpError says otherwise)
 * and extra headers, after writing its one log line — the HttpError's own, a
 * configuration error's message, or "internal error" with the code and message
 * — through `log` (default: straight to the error log).
 */
export function failure(
  program: string,
  err: unknown,
  log: (message: string) => void = (message) => logLine(program, message),
): { status: number; headers: Array<[string, string]> } {
  if (err instanceof HttpError) {
    if (err.log) log(err.log);
    return { status: err.status, headers: err.headers };
  }
  if (err instanceof KeyConfigError || err instanceof ConfigError) {
    log(err.message);
  } else {
    const e = err as { code?: unknown; message?: unknown };
    log(`internal error: ${typeof e.code === "string" ? e.code : ""} ${String(e.message ?? err)}`.trim());
  }
  return { status: 500, headers: [] };
}

/**
 * Runs one CGI request: the handler's reply, or for any failure a generic
 * reply built by `onError`, with at most one line in the error log and never
 * a stack trace, a cookie or an internal path in the body. Without `env`, the
 * handler gets the process's environment with the running user's settings
 * file merged in (README, "Shared hosting"); a settings file that cannot be used is a 500.
 */
export async function runCgi(
  program: string,
  handler: (env: CgiEnv) => Reply | Promise<Reply>,
  onError: (status: number) => Reply = (status) => textReply(status),
  env?: CgiEnv,
): Promise<void> {
  let reply: Reply;
  try {
    reply = await handler(env ?? withSettings(process.env));
    formatReply(reply);
  } catch (err) {
    const { status, headers } = failure(program, err);
    reply = onError(status);
    reply.headers = [...(reply.headers ?? []), ...headers];
  }
  // A Range request here is a resumed download that was sent on to us (wget -c or curl -C -
  // without the cookie, redirected to the login page with its Range header). lighttpd would cut a
  // 206 out of a 200 page, which the client appends to its file, and wget writes a whole 200 page
  // over the file; any 4xx leaves the file alone and makes both fail. So no page to a Range
  // request, and Accept-Ranges: none on every answer to one (README, "Members area: protect a
  // whole folder").
  if ((env ?? process.env).HTTP_RANGE !== undefined) {
    if (reply.status === 200) {
      logLine(program, "refused a Range request for a page (a download resumed without the session cookie)");
      reply = onError(403);
    }
    reply.headers = [...(reply.headers ?? []), ["Accept-Ranges", "none"]];
  }
  try {
    writeOut(formatReply(reply));
  } catch (err) {
    // The client left (EPIPE) or the server gave no usable stdout (EBADF): nothing can be answered.
    const code = (err as NodeJS.ErrnoException).code;
    logLine(program, `cannot write the reply to stdout (${typeof code === "string" ? code : "error"})`);
    process.exitCode = 1;
  }
}
