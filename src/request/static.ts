/**
 * gate.cgi serving a file of a protected folder (docs/members-area.md, "Protect a whole folder"):
 * validators, conditional requests and one byte
 * range (RFC 9110 §8.8, §13, §14), answered as CGI (RFC 3875 §6) and streamed
 * in 64 KiB chunks, so memory does not grow with the file.
 *
 * Loaded only when a file is served: src/build/bundle.mjs keeps it as a
 * string until ../cgi/gate-target.ts imports it, so the other paths never compile it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

export type StaticEnv = Record<string, string | undefined>;

/** What a served answer depends on: the file's size, modification time and identity. */
export interface FileFacts {
  size: number;
  /** Modification time in whole seconds since the epoch (what Last-Modified can say). */
  mtimeSec: number;
  etag: string;
  lastModified: string;
}

/** What to answer: status, header lines (Status first), and the bytes of the file to send. */
export interface Plan {
  status: 200 | 206 | 304 | 412 | 416;
  headers: Array<[string, string]>;
  /** Inclusive byte range of the file to send; absent when no body is sent. */
  body?: { start: number; end: number };
  /** A short text body instead of file bytes (412; not for HEAD). */
  text?: string;
}

/** A request refused before anything was written: gate.cgi answers `status` with its usual plain reply and logs `log`. */
export interface Refusal {
  status: number;
  log: string;
}

/** Where the answer goes: stdout (writeOut in ../cgi/adapter.ts) and the error log (logLine). */
export interface StaticOutput {
  write(bytes: string | Uint8Array): void;
  log(message: string): void;
}

const REASONS = { 200: "OK", 206: "Partial Content", 304: "Not Modified", 412: "Precondition Failed", 416: "Range Not Satisfiable" } as const;

const CACHE_CONTROL = "private, no-cache";
const CHUNK = 64 * 1024;

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * An IMF-fixdate (RFC 9110 §5.6.7) for `sec` seconds since the epoch.
 *
 * @example
 * formatHttpDate(784111777) // "Sun, 06 Nov 1994 08:49:37 GMT"
 */
export function formatHttpDate(sec: number): string {
  const d = new Date(sec * 1000);
  const two = (n: number) => (n < 10 ? "0" + n : String(n));
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCFullYear()).padStart(4, "0")} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z][a-z]) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/;
const RFC850_DATE = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d\d)-([A-Z][a-z][a-z])-(\d\d) (\d\d):(\d\d):(\d\d) GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z][a-z]) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})$/;

/**
 * An HTTP-date in any of its three forms (RFC 9110 §5.6.7) as seconds since
 * the epoch, or undefined for anything else (a date that does not exist, such
 * as 31 Feb, included). A two-digit RFC 850 year more than 50 years ahead of
 * `nowSec` is in the previous century.
 *
 * @example
 * parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT") // 784111777
 * parseHttpDate("yesterday") // undefined
 */
export function parseHttpDate(text: string, nowSec = Date.now() / 1000): number | undefined {
  const parts = dateParts(text.trim(), nowSec);
  if (!parts) return undefined;
  const [day, month, year, h, m, s] = parts.map((p, i) => (i === 1 ? MONTHS.indexOf(p) : Number(p))) as [number, number, number, number, number, number];
  if (month < 0 || day < 1 || h > 23 || m > 59 || s > 60) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  if (d.getUTCDate() !== day) return undefined; // 31 Feb and the like
  d.setUTCHours(h, m, Math.min(s, 59)); // a leap second counts as :59
  return d.getTime() / 1000;
}

/** [day, month name, year, hour, minute, second] of an HTTP-date in any of its forms. */
function dateParts(value: string, nowSec: number): string[] | undefined {
  let match = IMF_FIXDATE.exec(value);
  if (match) return match.slice(1);
  match = RFC850_DATE.exec(value);
  if (match) {
    const thisYear = new Date(nowSec * 1000).getUTCFullYear();
    let year = 2000 + Number(match[3]);
    while (year > thisYear + 50) year -= 100;
    return [match[1]!, match[2]!, String(year), match[4]!, match[5]!, match[6]!];
  }
  match = ASCTIME_DATE.exec(value);
  if (match) return [match[2]!.trim(), match[1]!, match[6]!, match[3]!, match[4]!, match[5]!];
  return undefined;
}

/**
 * The strong ETag of a file: its size, its modification time in nanoseconds
 * and its inode number, each in hexadecimal. Any change to the file through
 * the file system changes the size or the time; replacing it changes the inode.
 *
 * @example
 * etagOf(1234n, 1700000000123456789n, 42n) // '"4d2-17979cfe3d85cd15-2a"'
 */
export function etagOf(size: bigint, mtimeNs: bigint, ino: bigint): string {
  return `"${size.toString(16)}-${mtimeNs.toString(16)}-${ino.toString(16)}"`;
}

/** One entity-tag of a list: its opaque tag (quotes included) and whether it was marked weak. */
interface EntityTag {
  weak: boolean;
  tag: string;
}

/**
 * An If-Match / If-None-Match value (RFC 9110 §8.8.3, §13.1.1): "*", a list
 * of entity-tags (empty elements allowed), or undefined when it is malformed.
 *
 * @example
 * parseEntityTags('W/"a", "b"') // [{ weak: true, tag: '"a"' }, { weak: false, tag: '"b"' }]
 */
export function parseEntityTags(value: string): "*" | EntityTag[] | undefined {
  const text = value.trim();
  if (text === "*") return "*";
  const tags: EntityTag[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) break;
    if (text[i] === ",") {
      i++;
      continue;
    }
    let weak = false;
    if (text.startsWith("W/", i)) {
      weak = true;
      i += 2;
    }
    if (text[i] !== '"') return undefined;
    const close = text.indexOf('"', i + 1);
    if (close < 0) return undefined;
    const tag = text.slice(i, close + 1);
    for (let k = 1; k < tag.length - 1; k++) {
      const c = tag.charCodeAt(k);
      if (c < 0x21 || c === 0x7f || c > 0xff) return undefined; // etagc: %x21 / %x23-7E / obs-text
    }
    tags.push({ weak, tag });
    i = close + 1;
    skipSpace();
    if (i < text.length && text[i] !== ",") return undefined;
  }
  return tags.length > 0 ? tags : undefined;
}

/** RFC 9110 §8.8.3.2: weak comparison (the W/ marks ignored); "*" matches any existing file. */
function weakMatch(list: "*" | EntityTag[] | undefined, etag: string): boolean {
  if (list === undefined) return false;
  return list === "*" || list.some((t) => t.tag === etag);
}

/** Strong comparison: neither tag weak, and equal. */
function strongMatch(list: "*" | EntityTag[] | undefined, etag: string): boolean {
  if (list === undefined) return false;
  return list === "*" || list.some((t) => !t.weak && t.tag === etag);
}

const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * A `Range` header (RFC 9110 §14.2) against a file of `size` bytes:
 * - `{ start, end }` (inclusive) for exactly one satisfiable byte range;
 * - "unsatisfiable" for one range that lies wholly past the end (or `bytes=-0`);
 * - undefined, meaning "send the whole file", for anything else: no header, a
 *   unit other than bytes, a malformed or reversed range (`bytes=5-2`), or
 *   several ranges.
 * Numbers of any length are read exactly (BigInt), so a range past 2^53 is
 * just a range past the end.
 *
 * @example
 * parseRange("bytes=0-99", 1000) // { start: 0, end: 99 }
 * parseRange("bytes=-100", 1000) // { start: 900, end: 999 }
 * parseRange("bytes=2000-", 1000) // "unsatisfiable"
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const eq = header.indexOf("=");
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return undefined;
  const specs = header
    .slice(eq + 1)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (specs.length !== 1) return undefined;
  const match = RANGE_SPEC.exec(specs[0]!);
  if (!match) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  const total = BigInt(size);
  if (first === "") {
    if (last === "") return undefined;
    const suffix = BigInt(last);
    if (suffix === 0n || total === 0n) return "unsatisfiable";
    return { start: Number(suffix >= total ? 0n : total - suffix), end: size - 1 };
  }
  const start = BigInt(first);
  if (last !== "" && BigInt(last) < start) return undefined; // invalid (RFC 9110 §14.1.1): ignored
  if (start >= total) return "unsatisfiable";
  const end = last === "" || BigInt(last) >= total ? total - 1n : BigInt(last);
  return { start: Number(start), end: Number(end) };
}

/**
 * What to answer for `method` (GET or HEAD) with the request's conditional
 * and Range headers, in the order of RFC 9110 §13.2.2: If-Match, else
 * If-Unmodified-Since (412); If-None-Match, else If-Modified-Since (304);
 * then one Range, honoured only when If-Range (if any) matches strongly.
 * Header values that cannot be parsed are ignored, except a malformed
 * If-Match (fails) and If-None-Match (matches nothing).
 */
export function planResponse(method: string, env: StaticEnv, file: FileFacts, contentType: string, nowSec = Date.now() / 1000): Plan {
  const validators: Array<[string, string]> = [
    ["Last-Modified", file.lastModified],
    ["ETag", file.etag],
  ];
  const status = (code: Plan["status"]): [string, string] => ["Status", `${code} ${REASONS[code]}`];
  const ifMatch = env.HTTP_IF_MATCH;
  const ifUnmodified = ifMatch === undefined && env.HTTP_IF_UNMODIFIED_SINCE !== undefined ? parseHttpDate(env.HTTP_IF_UNMODIFIED_SINCE, nowSec) : undefined;
  if ((ifMatch !== undefined && !strongMatch(parseEntityTags(ifMatch), file.etag)) || (ifUnmodified !== undefined && file.mtimeSec > ifUnmodified)) {
    const text = REASONS[412] + "\n";
    return {
      status: 412,
      headers: [status(412), ["Content-Type", "text/plain; charset=utf-8"], ["Content-Length", String(text.length)], ["Cache-Control", CACHE_CONTROL]],
      ...(method !== "HEAD" ? { text } : {}),
    };
  }
  const ifNoneMatch = env.HTTP_IF_NONE_MATCH;
  const ifModified = ifNoneMatch === undefined && env.HTTP_IF_MODIFIED_SINCE !== undefined ? parseHttpDate(env.HTTP_IF_MODIFIED_SINCE, nowSec) : undefined;
  if ((ifNoneMatch !== undefined && weakMatch(parseEntityTags(ifNoneMatch), file.etag)) || (ifModified !== undefined && file.mtimeSec <= ifModified)) {
    return { status: 304, headers: [status(304), ...validators, ["Cache-Control", CACHE_CONTROL]] };
  }
  const common: Array<[string, string]> = [...validators, ["Accept-Ranges", "bytes"], ["Cache-Control", CACHE_CONTROL], ["X-Content-Type-Options", "nosniff"]];
  const whole = (): Plan => ({
    status: 200,
    headers: [status(200), ["Content-Type", contentType], ["Content-Length", String(file.size)], ...common],
    ...(file.size > 0 && method !== "HEAD" ? { body: { start: 0, end: file.size - 1 } } : {}),
  });
  // Range is defined for GET only (RFC 9110 §14.2).
  if (method !== "GET" || env.HTTP_RANGE === undefined || !ifRangeHolds(env.HTTP_IF_RANGE, file, nowSec)) return whole();
  const range = parseRange(env.HTTP_RANGE, file.size);
  if (range === undefined) return whole();
  if (range === "unsatisfiable") {
    return {
      status: 416,
      headers: [status(416), ["Content-Range", `bytes */${file.size}`], ["Content-Length", "0"], ["Cache-Control", CACHE_CONTROL]],
    };
  }
  return {
    status: 206,
    headers: [
      status(206),
      ["Content-Type", contentType],
      ["Content-Length", String(range.end - range.start + 1)],
      ["Content-Range", `bytes ${range.start}-${range.end}/${file.size}`],
      ...common,
    ],
    body: range,
  };
}

/**
 * If-Range (RFC 9110 §13.1.5): absent, or an entity-tag that matches strongly,
 * or an HTTP-date exactly equal to Last-Modified while Last-Modified is a
 * strong validator (its second is over). Anything else: send the whole file.
 */
function ifRangeHolds(value: string | undefined, file: FileFacts, nowSec: number): boolean {
  if (value === undefined) return true;
  const text = value.trim();
  if (text.startsWith('"') || text.startsWith("W/")) {
    const tags = parseEntityTags(text);
    return tags !== undefined && tags !== "*" && tags.length === 1 && strongMatch(tags, file.etag);
  }
  const date = parseHttpDate(text, nowSec);
  return date !== undefined && date === file.mtimeSec && file.mtimeSec < Math.floor(nowSec);
}

function header(plan: Plan): string {
  let out = "";
  for (const [name, value] of plan.headers) out += name + ": " + value + "\r\n";
  return out + "\r\n";
}

/**
 * Serves the file `path` (a regular file gate.cgi has checked) as
 * `contentType` to this request (GET or HEAD), writing the CGI answer to
 * `out`. Returns a {@link Refusal} when nothing could be sent (the file cannot
 * be opened); a write that fails midway (the client left) is logged once and
 * makes the exit status 1.
 */
export function serveFile(path: string, contentType: string, env: StaticEnv, out: StaticOutput, nowSec = Date.now() / 1000): Refusal | undefined {
  const shown = JSON.stringify(path);
  let fd: number;
  try {
    // O_NOFOLLOW: the checked path was already resolved; O_NONBLOCK: a FIFO swapped in cannot hang the open.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    return code === "EACCES"
      ? { status: 403, log: `target ${shown} is not readable by the server's user (EACCES)` }
      : { status: 500, log: `cannot open target ${shown} (${code})` };
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (!st.isFile()) return { status: 500, log: `target ${shown} is not a regular file` };
    const mtimeSec = Number(st.mtimeNs / 1_000_000_000n);
    const file: FileFacts = { size: Number(st.size), mtimeSec, etag: etagOf(st.size, st.mtimeNs, st.ino), lastModified: formatHttpDate(mtimeSec) };
    const plan = planResponse(env.REQUEST_METHOD ?? "GET", env, file, contentType, nowSec);
    try {
      out.write(header(plan) + (plan.text ?? ""));
      if (plan.body) sendBytes(fd, plan.body.start, plan.body.end, out, shown);
    } catch (err) {
      // The client left (EPIPE) or the server gave no usable stdout (EBADF): nothing more can be answered.
      const code = (err as NodeJS.ErrnoException).code;
      out.log(`cannot write the reply to stdout (${typeof code === "string" ? code : "error"})`);
      process.exitCode = 1;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Copies bytes start..end (inclusive) of `fd` to `out`, one reused 64 KiB buffer at a time. */
function sendBytes(fd: number, start: number, end: number, out: StaticOutput, shown: string): void {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - start + 1));
  for (let pos = start; pos <= end; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos + 1), pos);
    if (n === 0) {
      // The file shrank while it was sent: the server sees a body shorter than Content-Length.
      out.log(`target ${shown} shrank while it was sent (${pos - start} of ${end - start + 1} bytes)`);
      process.exitCode = 1;
      return;
    }
    out.write(n === buf.length ? buf : buf.subarray(0, n));
    pos += n;
  }
}
