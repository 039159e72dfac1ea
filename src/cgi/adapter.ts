/**
 * The CGI/1.1 adapter (RFC 3875): runs a handler on the process's environment
 * and writes its Reply to stdout, and reads a request body from stdin, waiting
 * on a non-blocking descriptor without spinning.
 */
import { readSync, writeSync } from "node:fs";
import { ConfigError } from "../errors.js";
import { failure, formatReply, HttpError, logLine, textReply, type CgiEnv, type Reply } from "../request/reply.js";
import { withSettings } from "../request/settings.js";

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
  // request, and Accept-Ranges: none on every answer to one (docs/members-area.md, "Protect a whole folder").
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
