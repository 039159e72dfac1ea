/** The configuration every CGI program shares (README, "Configuration"), read from the environment. */
import { lstatSync, readdirSync, statSync, type Dirent } from "node:fs";
import { assertCookieName, type CookieFlags } from "../cookie.js";
import { ConfigError } from "../errors.js";
import { octalMode, readSmallRegularFile, SmallFileError, writableByOthers, type SmallFile } from "../files.js";
import { keyFileWarning, keyringFromEnv, type Keyring } from "../keys.js";
import { DEFAULT_TTL } from "../session.js";
import { isHttps, logLine, type CgiEnv } from "./reply.js";

export interface CgiConfig {
  keys: Keyring;
  cookieName: string;
  ttl: number;
  /** SESSION_MAX_TTL: the longest lifetime a session is accepted with (docs/members-area.md, "Who may pass"). */
  maxTtl: number;
  flags: CookieFlags;
}

/** The last cookie name found valid (the FastCGI authorizer checks the same one at every request). */
let validCookieName: string | undefined;

/**
 * Throws KeyConfigError or ConfigError (logged, 500) for a missing key or a bad SESSION_COOKIE / SESSION_TTL.
 * `keyring` builds the keys (the FastCGI authorizer passes one that rebuilds them only when the key file changed).
 */
export function loadConfig(env: CgiEnv, keyring: (env: CgiEnv) => Keyring = keyringFromEnv): CgiConfig {
  const keys = keyring(env);
  warnKeyFile(env);
  if (env.NODE_COMPILE_CACHE) warnCompileCache(env.NODE_COMPILE_CACHE);
  const cookieName = env.SESSION_COOKIE || "session";
  if (cookieName !== validCookieName) {
    try {
      assertCookieName(cookieName);
    } catch {
      throw new ConfigError("SESSION_COOKIE is not a valid cookie name: use letters, digits, '-' or '_'");
    }
    validCookieName = cookieName;
  }
  const { ttl, maxTtl } = lifetimes(env);
  return { keys, cookieName, ttl, maxTtl, flags: { secure: isHttps(env) } };
}

function seconds(env: CgiEnv, name: "SESSION_TTL" | "SESSION_MAX_TTL", fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (!/^\d{1,10}$/.test(text) || Number(text) <= 0) throw new ConfigError(`${name} must be a whole number of seconds greater than 0`);
  return Number(text);
}

/**
 * SESSION_TTL, the lifetime of the sessions this program makes, and
 * SESSION_MAX_TTL (default: SESSION_TTL), the longest lifetime a session is
 * accepted with. A token carries only its expiry, so the bound is what lets a
 * revocation cover every token made before it (docs/members-area.md, "Who may pass").
 * ConfigError when either is malformed, or when SESSION_TTL exceeds SESSION_MAX_TTL.
 */
export function lifetimes(env: CgiEnv): { readonly ttl: number; readonly maxTtl: number } {
  const ttlText = env.SESSION_TTL;
  const maxTtlText = env.SESSION_MAX_TTL;
  if (lastLifetimes !== undefined && ttlText === lastLifetimes.ttlText && maxTtlText === lastLifetimes.maxTtlText) return lastLifetimes;
  const ttl = seconds(env, "SESSION_TTL", DEFAULT_TTL);
  const maxTtl = seconds(env, "SESSION_MAX_TTL", ttl);
  if (ttl > maxTtl) {
    throw new ConfigError(`SESSION_TTL (${ttl}) is longer than SESSION_MAX_TTL (${maxTtl}): its sessions would be refused; raise SESSION_MAX_TTL wherever sessions are checked`);
  }
  lastLifetimes = { ttlText, maxTtlText, ttl, maxTtl };
  return lastLifetimes;
}

/** The lifetimes of the last settings read (the FastCGI authorizer reads the same ones at every request). */
let lastLifetimes: { readonly ttlText: string | undefined; readonly maxTtlText: string | undefined; readonly ttl: number; readonly maxTtl: number } | undefined;

let keyFileWarned = false;

function programName(): string {
  return (process.argv[1] ?? "dbbasic-sessions").replace(/^.*\//, "");
}

/** Warns once per process on stderr (the error log) when SECRET_KEY_FILE is readable or writable by other users. */
function warnKeyFile(env: CgiEnv): void {
  if (keyFileWarned || !env.SECRET_KEY_FILE) return; // SECRET_KEY in the environment: no file to check
  const warning = keyFileWarning(env);
  if (!warning) return;
  keyFileWarned = true;
  logLine(programName(), warning);
}

let compileCacheWarned = false;

/** Whether this Node reads NODE_COMPILE_CACHE (22.1 and later): older Node ignores it, so there is nothing to warn about. */
function readsCompileCache(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 1);
}

/** Who besides this program's user (or root) may write the folder `st` describes, or undefined. */
function otherWriters(st: { uid: number; mode: number }): string | undefined {
  const owner = st.uid !== 0 && st.uid !== process.getuid?.() ? `uid ${st.uid}` : undefined;
  return writableByOthers(st.mode) ?? owner;
}

/**
 * Warns once per process when NODE_COMPILE_CACHE (docs/performance.md) names a
 * folder that anyone but this program's user (or root) may write, or holds a
 * folder they may write (Node makes one per Node version and user, with the
 * server's umask): Node runs the compiled code it finds there after checking
 * only its size and checksum. A folder Node has not made yet has nothing to check.
 */
function warnCompileCache(dir: string): void {
  if (compileCacheWarned || !readsCompileCache()) return;
  let st;
  try {
    st = statSync(dir);
  } catch {
    return;
  }
  let where = dir;
  let writers = otherWriters(st);
  if (!writers && st.isDirectory()) {
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      // unreadable: Node cannot use it either
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = `${dir.replace(/\/+$/, "")}/${entry.name}`;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      writers = otherWriters(st);
      if (writers) {
        where = path;
        break;
      }
    }
  }
  if (!writers) return;
  compileCacheWarned = true;
  logLine(
    programName(),
    `NODE_COMPILE_CACHE ${where === dir ? "" : "folder "}${JSON.stringify(where)} is writable by ${writers} (mode ${octalMode(st.mode)}), who can then run code as this program: make it the web server user's own folder, mode 0700`,
  );
}

/**
 * The largest htpasswd file read (4 MiB, some 55 000 bcrypt users): it is read
 * and parsed on every form login. Larger user lists belong in a database.
 */
export const MAX_HTPASSWD_FILE = 4 * 1024 * 1024;

let htpasswdWarned = false;

/**
 * The text of HTPASSWD_FILE: a regular file of at most {@link MAX_HTPASSWD_FILE}
 * bytes, else ConfigError (500, one log line). Warns once per process when the
 * file is writable by anyone but its owner (they could add a user of their own).
 */
export function readHtpasswd(env: CgiEnv, read: (path: string, cap: number, what: string) => SmallFile = readSmallRegularFile): string {
  const path = env.HTPASSWD_FILE;
  if (!path) throw new ConfigError("HTPASSWD_FILE is not set: point it at a file made with `htpasswd -B -c FILE USER`");
  let file;
  try {
    file = read(path, MAX_HTPASSWD_FILE, "HTPASSWD_FILE");
  } catch (err) {
    if (!(err instanceof SmallFileError)) throw err;
    throw new ConfigError(err.code === "ENOTREG" || err.code === "EFBIG" ? `${err.message}: point it at a file made with \`htpasswd -B -c FILE USER\`` : err.message);
  }
  const writers = writableByOthers(file.mode);
  if (writers && !htpasswdWarned) {
    htpasswdWarned = true;
    logLine(
      programName(),
      `HTPASSWD_FILE ${JSON.stringify(path)} is writable by ${writers} (mode ${octalMode(file.mode)}), who can then add a user and log in: chmod 644 it, or chmod 640 and chgrp it to the web server's group`,
    );
  }
  return file.text;
}
