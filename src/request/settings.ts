/**
 * The settings file (README, "Shared hosting"): `NAME=value` lines in
 * `~/.dbbasic-sessions/settings`, for hosts where no variable reaches a CGI program (suEXEC
 * passes only its own fixed list, so `SetEnv` lines never arrive). The home is the running
 * user's, from the password database, never `HOME` (which suEXEC does not pass, and a
 * client cannot set). It is read only when the environment gives no key; then the
 * environment still wins name by name.
 */
import { constants, lstatSync, readFileSync, type Stats } from "node:fs";
import type * as Os from "node:os";
import { ConfigError } from "../errors.js";
import { octalMode, writableByOthers } from "../files.js";

declare const require: (name: string) => unknown; // the bundles are CommonJS

/**
 * node:os, loaded only when a settings file is looked for: loading it costs
 * ≈ 0.4 ms, which every request on a server that passes the key would pay.
 */
function os(): typeof Os {
  return (process.getBuiltinModule?.("node:os") ?? require("node:os")) as typeof Os;
}

/** The names a settings file may set: those of the README's Configuration table. */
export const SETTING_NAMES: ReadonlySet<string> = new Set([
  "SECRET_KEY",
  "SECRET_KEY_FILE",
  "SECRET_KEY_FALLBACKS",
  "SESSION_COOKIE",
  "SESSION_TTL",
  "SESSION_MAX_TTL",
  "HTPASSWD_FILE",
  "SESSION_CHECK_HTPASSWD",
  "SESSION_REVOKED_FILE",
  "SESSION_REQUIRE",
  "HTGROUP_FILE",
  "LOGOUT_URL",
  "LOGIN_URL",
  "GATE_ROOT",
  "GATE_FOLLOW_SYMLINKS",
  "LOGIN_TEMPLATE",
  "LOGOUT_TEMPLATE",
  "FORBIDDEN_TEMPLATE",
  "LOGIN_ERROR_TEXT",
  "CGI_BODY_TIMEOUT",
]);

/** Settings that name files or folders: `~/` at their start is the home; they must be absolute. */
const PATH_SETTINGS: ReadonlySet<string> = new Set([
  "SECRET_KEY_FILE",
  "HTPASSWD_FILE",
  "SESSION_REVOKED_FILE",
  "HTGROUP_FILE",
  "GATE_ROOT",
  "LOGIN_TEMPLATE",
  "LOGOUT_TEMPLATE",
  "FORBIDDEN_TEMPLATE",
]);

/** The largest settings file read: some hundred lines of settings fit in a few KiB. */
export const MAX_SETTINGS_FILE = 64 * 1024;

/** The folder in the home that holds the settings file (and, made by `setup-site`, the key, htpasswd and revoked files). */
export const SETTINGS_DIR = ".dbbasic-sessions";

/** A settings file's values, by name (no prototype: the names come from a file). */
export type Settings = Record<string, string>;

/**
 * The running user's home from the password database, or `undefined` where
 * there must be no settings file: no entry, no absolute home, `/`, or `/var/www`
 * and below (www-data's home on Debian: a folder a stock server serves).
 *
 * @example
 * settingsHome() // "/home/alice"
 */
export function settingsHome(home: () => string = () => os().userInfo().homedir): string | undefined {
  let dir: string;
  try {
    dir = home();
  } catch {
    return undefined; // no password entry for this uid
  }
  if (typeof dir !== "string" || !dir.startsWith("/")) return undefined;
  // Without "//" and trailing slashes, so that "/var//www/" is seen as /var/www (no regex on the usual path: start-up time).
  if (dir.includes("//") || dir.endsWith("/")) dir = dir.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  if (dir === "" || (dir.includes("/.") && dir.split("/").some((part) => part === "." || part === ".."))) return undefined;
  if (dir === "/var/www" || dir.startsWith("/var/www/")) return undefined;
  return dir;
}

/** `<home>/.dbbasic-sessions/settings`, or `undefined` when that home has none (see {@link settingsHome}). */
export function settingsPath(home: string | undefined = settingsHome()): string | undefined {
  return home === undefined ? undefined : `${home}/${SETTINGS_DIR}/settings`;
}

function refuse(path: string, line: number | undefined, problem: string): never {
  throw new ConfigError(`settings file ${JSON.stringify(path)}${line === undefined ? "" : ` line ${line}`}: ${problem}`);
}

/** `~/x` → `<home>/x`; each `:`-separated folder of GATE_ROOT likewise. Every path must then be absolute. */
function expandPath(name: string, value: string, home: string, path: string, line: number): string {
  if (value === "") return value;
  const parts = name === "GATE_ROOT" ? value.split(":") : [value];
  const out = parts.map((p) => (p === "~" ? home : p.startsWith("~/") ? home + p.slice(1) : p));
  if (out.some((p) => !p.startsWith("/"))) refuse(path, line, `${name} must be an absolute path or start with ~/`);
  return out.join(":");
}

/**
 * Parses the text of a settings file. Each line is blank, a comment (`#` as
 * its first character other than spaces and tabs), or `NAME=value`: NAME one
 * of {@link SETTING_NAMES} at the very start of the line, the value the rest of
 * the line, taken as it is except that one pair of matching quotes around all
 * of it (`"…"` or `'…'`) is removed (nothing inside is processed). A value with
 * spaces or tabs at either end must be quoted (else a stray space would become
 * part of a key). Refused, naming the line: an unknown or repeated name, a line
 * without `=`, an unbalanced quote, a CR (Windows line endings), a byte order
 * mark, a control character, bytes that are not UTF-8, and NODE_COMPILE_CACHE
 * (Node reads it before the program starts).
 *
 * @example
 * parseSettings("# mine\nSESSION_TTL=3600\nHTPASSWD_FILE=~/.dbbasic-sessions/htpasswd\n", "/home/a/.dbbasic-sessions/settings", "/home/a")
 * // { SESSION_TTL: "3600", HTPASSWD_FILE: "/home/a/.dbbasic-sessions/htpasswd" }
 */
export function parseSettings(text: string, path: string, home: string): Settings {
  const out: Settings = Object.create(null);
  const seen: Record<string, number> = Object.create(null);
  if (text.charCodeAt(0) === 0xfeff) refuse(path, 1, "starts with a byte order mark (BOM): save the file as UTF-8 without one");
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // the newline that ends the last line
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.includes("\r")) refuse(path, n, "ends with CR (Windows line endings): save the file with Unix (LF) line endings");
    if (line.includes("\ufffd")) refuse(path, n, "holds bytes that are not UTF-8 text");
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) refuse(path, n, "holds a control character");
    const trimmed = line.replace(/^[ \t]+/, "");
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const eq = line.indexOf("=");
    if (eq === -1) refuse(path, n, "expected NAME=value (or a # comment)");
    const name = line.slice(0, eq);
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) {
      refuse(path, n, `expected NAME=value with NAME at the start of the line, no spaces around "=" (got ${JSON.stringify(name.slice(0, 40))})`);
    }
    if (name === "NODE_COMPILE_CACHE") {
      refuse(path, n, "NODE_COMPILE_CACHE cannot be set here: Node reads it before the program starts (`dbbasic-sessions setup-site` puts it on the programs' first line)");
    }
    if (!SETTING_NAMES.has(name)) refuse(path, n, `unknown setting ${JSON.stringify(name)} (the names are those of README, "Configuration")`);
    if (seen[name] !== undefined) refuse(path, n, `${name} is already set on line ${seen[name]}`);
    seen[name] = n;
    let value = line.slice(eq + 1);
    const q = value.charAt(0);
    if (q === '"' || q === "'") {
      if (value.length < 2 || !value.endsWith(q)) refuse(path, n, `the value of ${name} opens a quote (${q}) that does not close at the end of the line`);
      value = value.slice(1, -1);
    } else if (value !== value.trim()) {
      refuse(path, n, `the value of ${name} starts or ends with a space or tab: remove it, or quote the whole value`);
    }
    out[name] = PATH_SETTINGS.has(name) ? expandPath(name, value, home, path, n) : value;
  });
  return out;
}

function kindOf(st: Stats): string {
  switch (st.mode & constants.S_IFMT) {
    case constants.S_IFLNK:
      return "a symlink";
    case constants.S_IFDIR:
      return "a directory";
    case constants.S_IFIFO:
      return "a FIFO";
    case constants.S_IFSOCK:
      return "a socket";
    case constants.S_IFCHR:
    case constants.S_IFBLK:
      return "a device";
    default:
      return "not a regular file";
  }
}

/** Owned by this user or root, and writable by no one else; else why not. */
function ownershipProblem(st: Stats, uid: number): string | undefined {
  if (st.uid !== uid && st.uid !== 0) return `is owned by uid ${st.uid}, not by this program's user (uid ${uid}) or root`;
  const writers = writableByOthers(st.mode);
  return writers ? `is writable by ${writers} (mode ${octalMode(st.mode)}): chmod go-w it` : undefined;
}

// O_NOFOLLOW: a symlink is refused even when swapped in after the lstat (ELOOP); O_NONBLOCK: a FIFO
// swapped in fails instead of waiting for a writer; O_NOCTTY: a terminal never becomes ours. A number
// is a valid flag (fs.open's rules; @types/node lists only the strings).
const READ_OPTIONS = {
  encoding: "utf8",
  flag: (constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY) as unknown as string,
} as const;

/**
 * Reads and parses the settings file in `home`: `undefined` when there is no
 * `.dbbasic-sessions` folder or no `settings` file in it (the environment alone
 * then, as before there was a settings file). Throws ConfigError (one log line,
 * `500`) for a folder or file that is not what it must be: a real directory
 * and a regular file (no symlink, FIFO or device), each owned by this user or
 * root and writable by no one else, the file at most {@link MAX_SETTINGS_FILE}
 * bytes, and readable by no one else when it holds a key.
 *
 * lstat, then open with O_NOFOLLOW and read, rather than open then fstat: on
 * Node 20 the first openSync/fstatSync/readSync of a process cost ≈ 0.45 ms
 * more, on every request. Nobody but the owner (or root) can swap the file
 * between the two, since the folder is writable by no one else; and a symlink
 * or FIFO swapped in is still refused or never waited for.
 */
export function readSettings(home: string, uid: number = process.getuid?.() ?? -1): Settings | undefined {
  const dir = `${home}/${SETTINGS_DIR}`;
  const path = `${dir}/settings`;
  const dirStat = lstatSync(dir, { throwIfNoEntry: false });
  if (dirStat === undefined) return undefined;
  if ((dirStat.mode & constants.S_IFMT) !== constants.S_IFDIR) refuse(path, undefined, `its folder ${JSON.stringify(dir)} is ${kindOf(dirStat)}, not a directory`);
  const dirProblem = ownershipProblem(dirStat, uid);
  if (dirProblem) refuse(path, undefined, `its folder ${dirProblem}`);
  let st: Stats | undefined;
  let text = "";
  try {
    st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined) return undefined;
    if ((st.mode & constants.S_IFMT) === constants.S_IFREG && st.size <= MAX_SETTINGS_FILE) text = readFileSync(path, READ_OPTIONS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    refuse(path, undefined, code === "ELOOP" ? "is a symlink: make it a regular file" : `cannot be read (${code ?? "error"})`);
  }
  if ((st.mode & constants.S_IFMT) !== constants.S_IFREG) refuse(path, undefined, `is ${kindOf(st)}: make it a regular file`);
  const problem = ownershipProblem(st, uid);
  if (problem) refuse(path, undefined, problem);
  if (st.size > MAX_SETTINGS_FILE || Buffer.byteLength(text) > MAX_SETTINGS_FILE) refuse(path, undefined, `is over the ${MAX_SETTINGS_FILE}-byte limit`);
  const settings = parseSettings(text, path, home);
  if ((st.mode & 0o044) !== 0 && (settings.SECRET_KEY !== undefined || settings.SECRET_KEY_FALLBACKS !== undefined)) {
    refuse(path, undefined, `holds a key and is readable by ${(st.mode & 0o004) !== 0 ? "every user" : "its group"} (mode ${octalMode(st.mode)}): chmod 600 it`);
  }
  return settings;
}

/**
 * Merges `file` under `env`: a name the environment sets (even to "") keeps
 * the environment's value, since an administrator's SetEnv for a folder is the
 * more specific setting. The key goes as a whole: when the environment sets
 * SECRET_KEY, SECRET_KEY_FILE or SECRET_KEY_FALLBACKS, none of the file's three
 * is used (else a file's SECRET_KEY_FILE would win over the environment's SECRET_KEY).
 *
 * @example
 * mergeSettings({ SESSION_TTL: "60" }, { SESSION_TTL: "3600", LOGIN_URL: "/~a/cgi-bin/login.cgi" })
 * // { SESSION_TTL: "60", LOGIN_URL: "/~a/cgi-bin/login.cgi" }
 */
export function mergeSettings<E extends Record<string, string | undefined>>(env: E, file: Settings): E {
  const out: Record<string, string | undefined> = { ...env };
  const keyInEnv = env.SECRET_KEY !== undefined || env.SECRET_KEY_FILE !== undefined || env.SECRET_KEY_FALLBACKS !== undefined;
  for (const name of Object.keys(file)) {
    if (env[name] !== undefined) continue;
    if (keyInEnv && name.startsWith("SECRET_KEY")) continue;
    out[name] = file[name];
  }
  return out as E;
}

let loaded: { settings: Settings | undefined } | { error: unknown } | undefined;

/**
 * The program's configuration: `env` with the running user's settings file
 * merged under it (read once per process). Returns `env` itself when there is
 * no settings file, and without looking for one when `env` already gives a key
 * (SECRET_KEY, SECRET_KEY_FILE or SECRET_KEY_FALLBACKS): a server that passes
 * the key passes its settings too, and such a request is spared the password
 * database and the file system (≈ 0.6 ms of every request on Node 20).
 * Throws ConfigError for a settings file that cannot be used.
 *
 * @example
 * withSettings(process.env).SECRET_KEY // from the environment, else from ~/.dbbasic-sessions/settings
 */
export function withSettings<E extends Record<string, string | undefined>>(env: E): E {
  if (env.SECRET_KEY !== undefined || env.SECRET_KEY_FILE !== undefined || env.SECRET_KEY_FALLBACKS !== undefined) return env;
  if (loaded === undefined) {
    try {
      const home = settingsHome();
      loaded = { settings: home === undefined ? undefined : readSettings(home) };
    } catch (err) {
      loaded = { error: err };
    }
  }
  if ("error" in loaded) throw loaded.error;
  return loaded.settings === undefined ? env : mergeSettings(env, loaded.settings);
}
