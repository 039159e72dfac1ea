/**
 * The answer to a request, as every program and both protocols write it: the
 * Reply and its CGI/1.1 header block (RFC 3875), the one log line on stderr, the
 * generic answer to a failure, and the parts of a request any handler reads
 * (QUERY_STRING, Origin, HTTPS). Nothing here reads stdin or writes stdout: the
 * CGI adapter (../cgi/adapter.ts) and the FastCGI server do.
 */
import { writeSync } from "node:fs";
import { ConfigError, KeyConfigError } from "../errors.js";
import { pyJsonString } from "../pyjson.js";

export type CgiEnv = Record<string, string | undefined>;

/** The request's body as an `application/x-www-form-urlencoded` form, read by the protocol's adapter (readForm in ../cgi/adapter.ts). */
export type FormReader = (env: CgiEnv) => URLSearchParams;

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
