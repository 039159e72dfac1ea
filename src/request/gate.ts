/**
 * gate.cgi's rules (docs/members-area.md, "Protect an existing CGI script"), kept apart from the process plumbing in
 * `../cgi/gate-target.ts`: which file a request names, whether that file may be run,
 * the environment the protected program gets, and where an anonymous visitor
 * is sent.
 *
 * Policy (docs/members-area.md, "Protect an existing CGI script"):
 * - The target must be inside the document root (`DOCUMENT_ROOT`, or one of the
 *   directories listed in `GATE_ROOT`). An executable regular file starting with a
 *   `#!` line or an ELF header is run with execve(), never through a shell.
 * - No symbolic link may lie between the root and the target, unless
 *   `GATE_FOLLOW_SYMLINKS=1`; even then only the target's own name may be a link, to a
 *   file in the same folder, so the folder's rules are always those of the real file.
 * - No dot-file and nothing in a dot-folder below the root (`.htsession`, `.git/`) is
 *   served or run (404), nor gate.cgi itself (500).
 * - A program is run only as suEXEC would: neither it nor its folder writable by its
 *   group or others or owned by anyone but this program's user or root, and not setuid
 *   or setgid.
 * - A folder's `.htsession` (the nearest at or above it, up to the root) adds its rules.
 * - Otherwise a regular file whose extension has a known static type (../mime.ts) is served
 *   (./static.ts); a folder is its index.html, or 403 without one.
 * - Anything else (a script without its run bit, an unknown type) is a 500 with one log line,
 *   and nothing is run or sent.
 */
import { accessSync, closeSync, constants, lstatSync, openSync, readFileSync, readSync, realpathSync, statSync, type Stats } from "node:fs";
import { dirname, isAbsolute, resolve, sep } from "node:path";
import { parseHtsession, RuleFileError, type Rule } from "../access.js";
import { ConfigError } from "../errors.js";
import { writableByOthers } from "../files.js";
import { extensionOf, staticType } from "../mime.js";
import { safeNext, sitePrefix } from "../redirect.js";

export type GateEnv = Record<string, string | undefined>;

/** How the server named the program to protect. */
export type GateForm =
  /** lighttpd `cgi.assign = ( ".pcgi" => "/path/gate.cgi" )`: the target is the first argument. */
  | "argument"
  /** Apache `Action` + `AddHandler`: an internal redirect, the target in `PATH_TRANSLATED`. */
  | "path-translated";

/** The program a request asks the gate to run, before any check. */
export interface GateRequest {
  form: GateForm;
  path: string;
  /** Path info after the file (Apache form only; lighttpd passes PATH_INFO itself). */
  pathInfo?: string;
}

/** A target that passed every check: its resolved path and the directory it runs in. */
export interface GateTarget extends GateRequest {
  realPath: string;
  cwd: string;
  /** Set when the target is a file to serve rather than a program to run: its Content-Type. */
  contentType?: string;
  /** A program's first bytes (up to the kernel's #! limit), as checkTarget read them: execReady looks at them again. */
  head?: Buffer;
}

/** The target is missing or may not be run or served. `message` is the one line for the error log. */
export class GateTargetError extends Error {
  constructor(message: string, readonly status: 403 | 404 | 500 = 500) {
    super(message);
  }
}

const DEFAULT_LOGIN_URL = "/cgi-bin/login.cgi";
/** A Location longer than this loses its `next` rather than being cut (safeNext caps paths at 2048). */
const MAX_LOCATION = 2048;

/**
 * The file this request asks for, in either invocation form, or a {@link GateTargetError}.
 *
 * The first argument counts only when `SCRIPT_FILENAME` is absent or names the
 * same file: Apache passes the words of a query string without "=" as
 * arguments (RFC 3875 §4.4), and those must never choose what runs.
 *
 * @example
 * gateRequest({ SCRIPT_FILENAME: "/www/a.pcgi" }, ["/www/a.pcgi"]) // { form: "argument", path: "/www/a.pcgi" }
 */
export function gateRequest(env: GateEnv, args: readonly string[]): GateRequest {
  const first = args[0];
  if (args.length === 1 && first && (env.SCRIPT_FILENAME === undefined || env.SCRIPT_FILENAME === first)) {
    return { form: "argument", path: first };
  }
  const translated = env.PATH_TRANSLATED;
  if (translated) {
    // Apache's Action reaches the gate by an internal redirect to /cgi-bin/gate.cgi + the page's
    // URL path, so REDIRECT_URL (set only by such a redirect) equals PATH_INFO. A direct request
    // for /cgi-bin/gate.cgi/some/file has neither, and must not run whatever file it names.
    if (!env.PATH_INFO || env.REDIRECT_URL !== env.PATH_INFO) {
      throw new GateTargetError(
        `refusing a direct request for ${JSON.stringify(translated)}: gate.cgi runs programs only as the server's handler for them (Apache Action + AddHandler, or lighttpd cgi.assign)`,
      );
    }
    return { form: "path-translated", ...splitPathInfo(translated) };
  }
  throw new GateTargetError(
    "no target: configure gate.cgi as a handler (lighttpd cgi.assign, or Apache Action + AddHandler)",
  );
}

/**
 * Apache hands the gate the page's whole URL path, extra path info included
 * (`/report.pcgi/2024` → PATH_TRANSLATED `…/report.pcgi/2024`): walk back to the
 * file, as Apache itself does, and keep the rest as the target's PATH_INFO.
 */
function splitPathInfo(translated: string): { path: string; pathInfo?: string } {
  let path = translated;
  let pathInfo = "";
  for (;;) {
    try {
      statSync(path);
    } catch (err) {
      const slash = path.lastIndexOf("/");
      if ((err as NodeJS.ErrnoException).code === "ENOTDIR" && slash > 0) {
        pathInfo = path.slice(slash) + pathInfo;
        path = path.slice(0, slash);
        continue;
      }
    }
    return pathInfo ? { path, pathInfo } : { path };
  }
}

function within(path: string, root: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The folders protected programs may live in: `GATE_ROOT`, a list separated by
 * ":" like PATH (e.g. the document root and the cgi-bin folder), else the
 * site's folder when it lies below a URL prefix (`CONTEXT_DOCUMENT_ROOT`, see
 * sitePrefix), else `DOCUMENT_ROOT`; each as given and with its symbolic links resolved.
 */
function gateRoots(env: GateEnv): Array<{ raw: string; given: string; real: string }> {
  // Loops rather than callbacks here and in checkTarget: each callback is one more function V8 compiles per request.
  const list: string[] = [];
  let allAbsolute = true;
  for (const root of (env.GATE_ROOT || sitePrefix(env)?.root || env.DOCUMENT_ROOT || "").split(":")) {
    if (root === "") continue;
    allAbsolute &&= isAbsolute(root);
    list.push(root);
  }
  if (list.length === 0 || !allAbsolute) {
    throw new ConfigError("neither GATE_ROOT nor DOCUMENT_ROOT names an absolute directory: gate.cgi cannot check its target");
  }
  const roots: Array<{ raw: string; given: string; real: string }> = [];
  for (const root of list) {
    let real: string;
    try {
      real = realpathSync.native(root);
    } catch {
      throw new ConfigError(`the document root ${JSON.stringify(root)} does not exist (set GATE_ROOT or DOCUMENT_ROOT)`);
    }
    roots.push({ raw: root, given: resolve(root), real });
  }
  return roots;
}

/**
 * Checks the target against the policy above and returns where it really is.
 * `self` is gate.cgi's own file (process.argv[1]), which it never runs.
 * Throws {@link GateTargetError} (a 500 or 404, nothing run) or {@link ConfigError}.
 */
export function checkTarget(request: GateRequest, env: GateEnv, self?: string): GateTarget {
  const roots = gateRoots(env);
  const shown = JSON.stringify(request.path);
  if (!isAbsolute(request.path)) throw new GateTargetError(`target ${shown} is not an absolute path`);
  // Where the target would be if nothing below its root were a symbolic link.
  const asGiven = resolve(request.path);
  const positions: string[] = [];
  for (const { given, real } of roots) {
    const at = within(asGiven, given) ? real + asGiven.slice(given.length) : within(asGiven, real) ? asGiven : undefined;
    if (at !== undefined) {
      refuseHidden(at, roots, shown);
      positions.push(at);
    }
  }
  let realPath: string;
  try {
    realPath = realpathSync.native(request.path); // one realpath(3) call: cheaper than the JavaScript walk
  } catch {
    throw new GateTargetError(`target ${shown} does not exist`);
  }
  let found = false;
  for (const root of roots) found ||= within(realPath, root.real);
  if (!found) {
    throw new GateTargetError(
      `target ${shown} is outside the document root ${JSON.stringify(roots.map((r) => r.raw).join(":"))}: set GATE_ROOT to the directory that holds protected programs`,
    );
  }
  refuseHidden(realPath, roots, shown);
  const position = positions.includes(realPath) ? realPath : positions[0];
  if (position !== realPath) {
    if (env.GATE_FOLLOW_SYMLINKS !== "1") {
      throw new GateTargetError(
        `target ${shown} is reached through a symbolic link: put the real file there, or set GATE_FOLLOW_SYMLINKS=1`,
      );
    }
    // The server chose the folder's rules by the link's URL: its real file must be under the same rules.
    if (position === undefined || dirname(position) !== dirname(realPath)) {
      throw new GateTargetError(
        `target ${shown} is a symbolic link into another folder (${JSON.stringify(dirname(realPath))}): GATE_FOLLOW_SYMLINKS=1 follows only a link to a file in the link's own folder`,
      );
    }
  }
  let isFile = false;
  let executable = false;
  let st: Stats | undefined;
  try {
    st = statSync(realPath);
    if (st.isDirectory()) return directoryIndex(request, env, shown, self);
    isFile = st.isFile();
    if (isFile) {
      accessSync(realPath, constants.X_OK);
      executable = true;
    }
  } catch (err) {
    if (err instanceof GateTargetError || err instanceof ConfigError) throw err;
    executable = false;
  }
  const cwd = dirname(realPath);
  // A program is run whatever its name; any other file is served only with a known static type
  // (docs/members-area.md, "Protect a whole folder"), so a script without its run bit is never sent as text.
  const head = executable ? readHead(realPath, SHEBANG_MAX) : undefined;
  if (head && st && startsLikeAProgram(head)) {
    refuseSelf(realPath, st, self, shown);
    refuseUnsafeProgram(realPath, st, cwd, shown);
    return { ...request, realPath, cwd, head };
  }
  return notAProgram(request, env, shown, realPath, cwd, isFile, executable);
}

/** 404 for a dot-file or anything in a dot-folder below the root `path` lies in (`.htsession`, `.git/config`). */
function refuseHidden(path: string, roots: ReadonlyArray<{ real: string }>, shown: string): void {
  for (const { real } of roots) {
    if (!within(path, real)) continue;
    const rest = path.slice(real.endsWith(sep) ? real.length - 1 : real.length); // from the "/" after the root
    const dot = rest.indexOf("/.");
    if (dot < 0) continue;
    const name = rest.slice(dot + 1).split("/")[0]!;
    throw new GateTargetError(`target ${shown} is hidden (${JSON.stringify(name.slice(0, 100))}): gate.cgi never serves or runs a dot-file or anything in a dot-folder`, 404);
  }
}

/** gate.cgi run as its own target (a query word `/x.pcgi?/…/cgi-bin/gate.cgi` that Apache passes as an argument). */
function refuseSelf(realPath: string, st: Stats, self: string | undefined, shown: string): void {
  if (!self) return;
  let own: Stats;
  let ownPath: string;
  try {
    own = statSync(self);
    ownPath = realpathSync.native(self);
  } catch {
    return;
  }
  if ((own.ino === st.ino && own.dev === st.dev) || ownPath === realPath) {
    throw new GateTargetError(`target ${shown} is gate.cgi itself: gate.cgi may not be its own target`);
  }
}

/**
 * suEXEC's rules for a program gate.cgi runs: not setuid or setgid, and
 * neither the program nor its folder writable by its group or others, or
 * owned by anyone but this program's user or root (who could then make it run
 * anything as this user).
 */
function refuseUnsafeProgram(realPath: string, st: Stats, cwd: string, shown: string): void {
  const why = " (as suEXEC): only the program's owner may change it or its folder";
  if ((st.mode & 0o6000) !== 0) {
    throw new GateTargetError(`target ${shown} is setuid or setgid (mode ${modeOf(st)}): gate.cgi never runs such a program (as suEXEC)`);
  }
  let folder: Stats;
  try {
    folder = statSync(cwd);
  } catch (err) {
    throw new GateTargetError(`the folder of target ${shown} cannot be checked (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  for (const [what, s] of [[`target ${shown}`, st], [`the folder ${JSON.stringify(cwd)} of target ${shown}`, folder]] as const) {
    const writers = writableByOthers(s.mode);
    if (writers) throw new GateTargetError(`${what} is writable by ${writers} (mode ${modeOf(s)}): gate.cgi runs nothing others may change${why}`);
    const owner = foreignOwner(s.uid);
    if (owner) throw new GateTargetError(`${what} is owned by ${owner}: gate.cgi runs nothing others may change${why}`);
  }
}

/** "uid N, neither this program's user (uid M) nor root", or undefined for this user or root. */
function foreignOwner(uid: number): string | undefined {
  const mine = process.getuid?.() ?? -1;
  return uid === 0 || uid === mine ? undefined : `uid ${uid}, neither this program's user (uid ${mine}) nor root`;
}

function modeOf(st: { mode: number }): string {
  return (st.mode & 0o7777).toString(8).padStart(4, "0");
}

/** The largest `.htsession` read: a few rules, never a megabyte. */
export const MAX_RULE_FILE = 64 * 1024;

/** A folder's `.htsession`: where it is and its rules. */
export interface RuleFile {
  path: string;
  rules: Rule[];
}

/**
 * The rules of the nearest `.htsession` at or above the folder of the file
 * this request names (its real folder: a symbolic link gets the rules of
 * where its file really is), up to the protected root; undefined when there
 * is none, or when the target is not inside a root (checkTarget refuses it
 * later). A nearer file replaces those further up (Apache's `AuthMerging Off`).
 * Throws ConfigError (500 for everyone) for a file that cannot be used.
 */
export function ruleFileFor(request: GateRequest, env: GateEnv): RuleFile | undefined {
  let roots;
  try {
    roots = gateRoots(env);
  } catch {
    return undefined; // checkTarget reports it after the session, as before
  }
  if (!isAbsolute(request.path)) return undefined;
  // The real folder of the target, or of its nearest existing ancestor.
  let folder: string | undefined;
  for (let path = resolve(request.path); folder === undefined; ) {
    try {
      const real = realpathSync.native(path);
      folder = statSync(real).isDirectory() ? real : dirname(real);
    } catch {
      const up = dirname(path);
      if (up === path) return undefined;
      path = up;
    }
  }
  let top: string | undefined;
  // The outermost root that holds it: every .htsession between it and the folder counts.
  for (const { real } of roots) if ((folder === real || within(folder, real)) && (top === undefined || real.length < top.length)) top = real;
  if (top === undefined) return undefined;
  for (let dir = folder; ; dir = dirname(dir)) {
    const found = readRuleFile(dir.endsWith("/") ? dir + ".htsession" : dir + "/.htsession");
    if (found) return found;
    if (dir === top || dir === dirname(dir)) return undefined;
  }
}

/** One `.htsession`, if there is one; ConfigError for one that is unsafe or does not parse. */
function readRuleFile(path: string): RuleFile | undefined {
  const shown = `.htsession ${JSON.stringify(path)}`;
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    if (code === "ENOENT") return undefined;
    throw new ConfigError(`${shown} cannot be read (${code})`);
  }
  if (!st.isFile()) throw new ConfigError(`${shown} is not a regular file${st.isSymbolicLink() ? " (a symbolic link)" : ""}`);
  if (st.size > MAX_RULE_FILE) throw new ConfigError(`${shown} is over the ${MAX_RULE_FILE}-byte limit`);
  const writers = writableByOthers(st.mode);
  if (writers) throw new ConfigError(`${shown} is writable by ${writers} (mode ${modeOf(st)}), who could change who may pass: chmod 644 it`);
  const owner = foreignOwner(st.uid);
  if (owner) throw new ConfigError(`${shown} is owned by ${owner}: it must be this program's user's own file`);
  let text: string;
  try {
    const bytes = readFileSync(path, { flag: (constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK) as unknown as string });
    if (bytes.length > MAX_RULE_FILE) throw new ConfigError(`${shown} is over the ${MAX_RULE_FILE}-byte limit`);
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ERR_ENCODING_INVALID_ENCODED_DATA" ? `${shown} is not UTF-8 text` : `${shown} cannot be read (${String(code ?? "error")})`);
  }
  try {
    return { path, rules: parseHtsession(text) };
  } catch (err) {
    if (!(err instanceof RuleFileError)) throw err;
    throw new ConfigError(`${shown}${err.line > 0 ? ` line ${err.line}` : ""}: ${err.message}`);
  }
}

/** checkTarget for a target that is not a program to run: a file to serve, or the error to report. */
function notAProgram(request: GateRequest, env: GateEnv, shown: string, realPath: string, cwd: string, isFile: boolean, executable: boolean): GateTarget {
  const contentType = isFile ? staticType(realPath) : undefined;
  if (contentType !== undefined) {
    const extra = request.form === "path-translated" ? request.pathInfo : env.PATH_INFO;
    if (extra) throw new GateTargetError(`target ${shown} is a file, not a program: it takes no path info (${JSON.stringify(extra.slice(0, 200))})`, 404);
    return { ...request, realPath, cwd, contentType };
  }
  if (executable) {
    // execve() refuses such a file (ENOEXEC) and so do Apache and lighttpd; Node would hand it to /bin/sh.
    throw new GateTargetError(`target ${shown} has no #! line and is not an ELF program`);
  }
  if (isFile && !SCRIPT_EXTENSIONS.includes(extensionOf(realPath))) {
    throw new GateTargetError(`target ${shown} is neither an executable program nor a file of a known static type`);
  }
  throw new GateTargetError(`target ${shown} is not an executable regular file`);
}

/** Programs by their usual names: without their run bit they are reported as such (and never served). */
const SCRIPT_EXTENSIONS = ["pcgi", "cgi", "pl", "php", "sh", "py", "rb"];

/**
 * A directory the server handed to the gate (Apache's SetHandler on a folder URL
 * such as /members/): its index.html, checked like any target, or 403.
 */
function directoryIndex(request: GateRequest, env: GateEnv, shown: string, self: string | undefined): GateTarget {
  const index = request.path.replace(/\/+$/, "") + "/index.html";
  try {
    lstatSync(index);
  } catch {
    throw new GateTargetError(`target ${shown} is a folder without index.html`, 403);
  }
  return checkTarget({ ...request, path: index }, env, self);
}

/** A script with a `#!` line, or an ELF binary, by its first bytes. */
function startsLikeAProgram(head: Buffer): boolean {
  return (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) || isElf(head);
}

/** Linux reads this much of a script to find its `#!` line (BINPRM_BUF_SIZE). */
const SHEBANG_MAX = 256;
/** Linux refuses (E2BIG) one environment string longer than this (MAX_ARG_STRLEN). */
const ENV_STRING_MAX = 128 * 1024;
/** A total well under the smallest usual ARG_MAX share for the environment. */
const ENV_TOTAL_MAX = 1024 * 1024;

/**
 * Whether execve() of `target` with `env` will succeed, as far as can be told
 * beforehand: an ELF program, or a `#!` script whose interpreter is an
 * executable ELF file, and an environment the kernel accepts. Node's
 * process.execve aborts the process (no reply, a stack trace in the error log)
 * when execve() fails, so gate.cgi uses it only when this holds; otherwise it
 * runs the target as a child process, which reports a failure as a 500.
 */
export function execReady(target: GateTarget, env: Record<string, string>): boolean {
  let total = 0;
  for (const name in env) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: bytes are counted only for a string that might be too long.
    let size = (name.length + env[name]!.length + 2) * 3;
    if (size > ENV_STRING_MAX) {
      size = Buffer.byteLength(name) + Buffer.byteLength(env[name]!) + 2;
      if (size > ENV_STRING_MAX) return false;
    }
    total += size;
  }
  if (total > ENV_TOTAL_MAX) return false;
  const head = target.head ?? readHead(target.realPath, SHEBANG_MAX);
  if (isElf(head)) return true;
  if (head.length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return false;
  const end = head.indexOf(0x0a);
  if (end < 0) return false; // a #! line longer than the kernel reads
  // As the kernel reads it: spaces and tabs skipped, then up to the next one (a "\r" stays part of the name).
  let start = 2;
  while (start < end && (head[start] === 0x20 || head[start] === 0x09)) start++;
  let stop = start;
  while (stop < end && head[stop] !== 0x20 && head[stop] !== 0x09) stop++;
  if (stop === start) return false;
  const interpreter = head.toString("latin1", start, stop);
  const path = interpreter.startsWith("/") ? interpreter : target.cwd + "/" + interpreter; // as execve() finds it after the chdir
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
  } catch {
    return false;
  }
  return isElf(readHead(path, 4)); // an interpreter that is itself a script: leave it to the child path
}

function isElf(head: Buffer): boolean {
  return head.length >= 4 && head.toString("latin1", 0, 4) === "\x7fELF";
}

function readHead(path: string, size: number): Buffer {
  const head = Buffer.alloc(size);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return head.subarray(0, readSync(fd, head, 0, size, 0));
  } catch {
    return head.subarray(0, 0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The Cookie header without any cookie called `name` (every occurrence, so
 * the protected program never sees a token); `undefined` when nothing is left.
 *
 * @example
 * stripCookie("a=1; session=x.y; b=2", "session") // "a=1; b=2"
 */
export function stripCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const kept: string[] = [];
  for (const raw of header.split(";")) {
    const part = raw.trim();
    if (part.length > 0 && (part.includes("=") ? part.slice(0, part.indexOf("=")).trim() : part) !== name) kept.push(part);
  }
  return kept.length > 0 ? kept.join("; ") : undefined;
}

/**
 * The environment the protected program runs with: the gate's own, plus
 * `REMOTE_USER` and `AUTH_TYPE=Cookie`, without the session cookie and
 * without any `SECRET_KEY*` variable (nor Apache's `REDIRECT_` copies of
 * them), and with the CGI variables describing the target rather than the gate.
 */
export function targetEnv(env: GateEnv, target: GateTarget, userId: string, cookieName: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    // Apache keeps a copy of the environment as REDIRECT_<name> after the Action's internal redirect.
    let base = name;
    while (base.startsWith("REDIRECT_")) base = base.slice(9); // a loop, not a regex compiled per request
    if (base.startsWith("SECRET_KEY")) continue;
    if (base === "HTTP_COOKIE") {
      const kept = stripCookie(value, cookieName);
      if (kept !== undefined) out[name] = kept;
      continue;
    }
    out[name] = value;
  }
  out.REMOTE_USER = userId;
  out.AUTH_TYPE = "Cookie";
  out.SCRIPT_FILENAME = target.realPath;
  if (target.form === "path-translated") {
    // Apache ran /cgi-bin/gate.cgi with the page's URL path as PATH_INFO: the page sees itself as the
    // script, with only its own extra path info, as when Apache runs a CGI program directly.
    const extra = target.pathInfo ?? "";
    const urlPath = env.PATH_INFO ?? "";
    out.SCRIPT_NAME = extra && urlPath.endsWith(extra) ? urlPath.slice(0, -extra.length) : urlPath;
    delete out.PATH_INFO;
    delete out.PATH_TRANSLATED;
    if (extra) {
      out.PATH_INFO = extra;
      if (env.DOCUMENT_ROOT) out.PATH_TRANSLATED = env.DOCUMENT_ROOT.replace(/\/+$/, "") + extra;
    }
  }
  return out;
}

/**
 * The logout form's address for the 403 page: `LOGOUT_URL`, default
 * `/cgi-bin/logout.cgi`, or PREFIX/cgi-bin/logout.cgi for a site below a prefix (sitePrefix).
 */
export function logoutUrl(env: GateEnv): string {
  const site = env.LOGOUT_URL ? undefined : sitePrefix(env);
  return safeNext(env.LOGOUT_URL || (site ? site.prefix : "") + "/cgi-bin/logout.cgi");
}

/**
 * Where an anonymous GET/HEAD is sent: `LOGIN_URL` (a local path, default
 * `/cgi-bin/login.cgi`, or PREFIX/cgi-bin/login.cgi for a site below a
 * prefix: sitePrefix) with `next` = the requested URL, percent-encoded as
 * `encodeURIComponent` does. Throws ConfigError for a LOGIN_URL that is not a local path.
 *
 * @example
 * loginLocation({ REQUEST_URI: "/a.pcgi?x=1" }) // "/cgi-bin/login.cgi?next=%2Fa.pcgi%3Fx%3D1"
 */
export function loginLocation(env: GateEnv): string {
  const site = env.LOGIN_URL ? undefined : sitePrefix(env);
  const loginUrl = env.LOGIN_URL || (site ? site.prefix + DEFAULT_LOGIN_URL : DEFAULT_LOGIN_URL);
  if (safeNext(loginUrl) !== loginUrl) {
    throw new ConfigError("LOGIN_URL must be a local path such as /cgi-bin/login.cgi (one leading '/', no control characters)");
  }
  const requested = env.REQUEST_URI ?? (env.SCRIPT_NAME ?? "") + (env.PATH_INFO ?? "") + (env.QUERY_STRING ? "?" + env.QUERY_STRING : "");
  if (!requested) return loginUrl;
  let next: string;
  try {
    next = encodeURIComponent(requested);
  } catch {
    return loginUrl; // a lone surrogate cannot be encoded
  }
  const location = loginUrl + (loginUrl.includes("?") ? "&" : "?") + "next=" + next;
  return location.length > MAX_LOCATION ? loginUrl : location;
}
