/**
 * Key loading, fail closed (README, "Configuration"). There is no default key, ever: a missing,
 * empty, short or well-known key refuses to sign or verify anything.
 */
import { statSync } from "node:fs";
import { KeyConfigError } from "./errors.js";
import { octalMode, readSmallRegularFile, SmallFileError, writableByOthers } from "./files.js";
import { HmacKey, timingSafeEqualString } from "./hmac.js";

export const MIN_KEY_LENGTH = 32;
/** The Python library's placeholder: a key everyone knows is no key. */
const KNOWN_BAD_KEYS = new Set(["CHANGE-ME-IN-PRODUCTION"]);
const HOW_TO_GENERATE =
  "generate one with `dbbasic-sessions keygen` or `openssl rand -hex 32`";

/** The environment variables that configure keys. */
export interface KeyEnv {
  SECRET_KEY?: string | undefined;
  SECRET_KEY_FILE?: string | undefined;
  SECRET_KEY_FALLBACKS?: string | undefined;
}

/** The largest key file read: a key is a line of some dozens of characters. */
export const MAX_KEY_FILE = 4096;

/**
 * What is wrong with a key of the right length that holds characters other
 * than encodeURIComponent's unreserved ones: a control character (NUL, tab,
 * newline… C0, DEL and C1), U+FFFD (what bytes that are not UTF-8 decode to),
 * or only whitespace. `undefined` when nothing is.
 */
function textProblem(key: string): string | undefined {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return "holds a NUL or another control character";
    if (c === 0xfffd) return "holds bytes that are not UTF-8 text";
  }
  return key.trim() === "" ? "is only whitespace" : undefined;
}

/** The whole key is its first character (a code unit, or a surrogate pair) repeated. */
function oneCharacterRepeated(key: string): boolean {
  const unit = key.codePointAt(0)! > 0xffff ? 2 : 1;
  return key === key.slice(0, unit).repeat(Math.ceil(key.length / unit));
}

/**
 * `what` names the key in the message; `fix` says which variable to set.
 * Refuses an empty or short key, the Python placeholder, and a key that is no
 * random key however long: holding a control character or U+FFFD, only
 * whitespace, or one character repeated. The message never shows the key.
 *
 * This runs on every request in a process that has run no JavaScript yet,
 * where compiling a function costs more than running it: the usual hex or
 * base64url key is decided here, by built-ins (≈ 10 µs); the loops run only
 * for other keys.
 */
function checkKey(key: string, what: string, fix: string): void {
  if (key.length === 0) {
    throw new KeyConfigError("ERR_KEY_MISSING", `${what} is empty: ${fix} a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`);
  }
  // Every refusal names the variable to set (README, "Configuration"), not only "too weak".
  let problem: string | undefined;
  // Counted in characters (code points); a key of twice that many UTF-16 units has enough of them.
  if (KNOWN_BAD_KEYS.has(key) || (key.length < 2 * MIN_KEY_LENGTH && [...key].length < MIN_KEY_LENGTH)) {
    problem = "is too weak";
  } else {
    let unreserved = false; // only A–Z a–z 0–9 - _ . ! ~ * ' ( )
    try {
      unreserved = encodeURIComponent(key).length === key.length;
    } catch {
      // a lone surrogate
    }
    if (!unreserved) problem = textProblem(key);
    const first = key.charCodeAt(0);
    // The next character starts like the first one (else it is not one character repeated).
    if (problem === undefined && key.charCodeAt(first >= 0xd800 && first <= 0xdbff ? 2 : 1) === first && oneCharacterRepeated(key)) {
      problem = "is one character repeated";
    }
  }
  if (problem !== undefined) {
    throw new KeyConfigError("ERR_KEY_WEAK", `${what} ${problem}: ${fix} a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`);
  }
}

/**
 * The current signing key and the older keys still accepted for verification.
 * Newest signs; verification tries each (rolling rotation without logouts).
 *
 * @example
 * const ring = new Keyring("0123…(64 hex)", ["old key …"]);
 * const sig = ring.sign(payload);
 */
export class Keyring {
  readonly #current: HmacKey;
  readonly #all: HmacKey[];

  constructor(current: string, fallbacks: readonly string[] = []) {
    if (typeof current !== "string") {
      throw new KeyConfigError("ERR_KEY_MISSING", `no secret key: set SECRET_KEY or SECRET_KEY_FILE; ${HOW_TO_GENERATE}`);
    }
    checkKey(current, "the secret key", "set SECRET_KEY or SECRET_KEY_FILE to");
    fallbacks.forEach((k) => checkKey(k, "a key in SECRET_KEY_FALLBACKS", "remove it from SECRET_KEY_FALLBACKS or replace it with"));
    this.#current = new HmacKey(current);
    this.#all = [this.#current, ...fallbacks.map((k) => new HmacKey(k))];
  }

  /** Lowercase hex HMAC-SHA256 under the current key. */
  sign(payload: string): string {
    return this.#current.hex(payload);
  }

  /** True when `signature` is the HMAC of `payload` under any accepted key (constant-time per key). */
  verify(payload: string, signature: string): boolean {
    let ok = false;
    for (const key of this.#all) ok = timingSafeEqualString(key.hex(payload), signature) || ok;
    return ok;
  }
}

/** Splits `SECRET_KEY_FALLBACKS` on whitespace and commas. */
export function parseFallbacks(value: string | undefined): string[] {
  if (!value) return []; // the usual case, without a first regex split (≈ 40 µs of start-up, `make bench`)
  return value.split(/[\s,]+/).filter((k) => k.length > 0);
}

/**
 * The key in SECRET_KEY_FILE: a regular file of at most {@link MAX_KEY_FILE}
 * bytes holding one line (one trailing LF or CRLF is dropped). A second line
 * is refused rather than kept as part of the key or silently dropped.
 */
/** The mode and group of the key file last read, so that {@link keyFileWarning} need not stat it again. */
let lastKeyFile: { path: string; mode: number; uid: number; gid: number } | undefined;

function readKeyFile(path: string): string {
  let text: string;
  try {
    const file = readSmallRegularFile(path, MAX_KEY_FILE, "SECRET_KEY_FILE");
    lastKeyFile = { path, mode: file.mode, uid: file.uid, gid: file.gid };
    text = file.text;
  } catch (err) {
    if (!(err instanceof SmallFileError)) throw err;
    const message =
      err.code === "ENOTREG" || err.code === "EFBIG"
        ? `${err.message}: set SECRET_KEY_FILE to a regular file holding only the key; ${HOW_TO_GENERATE}`
        : `${err.message}; ${HOW_TO_GENERATE} and store it there`;
    throw new KeyConfigError("ERR_KEY_FILE", message);
  }
  // One trailing newline, without a regex (this runs on every request).
  let end = text.length;
  if (text.charCodeAt(end - 1) === 10) end -= text.charCodeAt(end - 2) === 13 ? 2 : 1;
  const key = text.slice(0, end);
  if (key.includes("\n") || key.includes("\r")) {
    throw new KeyConfigError(
      "ERR_KEY_FILE",
      `SECRET_KEY_FILE ${JSON.stringify(path)} holds more than one line: set SECRET_KEY or SECRET_KEY_FILE to a random key on a single line; ${HOW_TO_GENERATE}`,
    );
  }
  return key;
}

let egid: number | undefined | null = null;

/** The process's effective group, asked once: the FastCGI authorizer checks the key file at every request. */
function effectiveGid(): number | undefined {
  if (egid === null) egid = process.getegid?.();
  return egid;
}

/**
 * A one-line warning when `SECRET_KEY_FILE` can be written by anyone but its
 * owner (the group or "other" write bit: whoever can write it can choose the
 * key and forge any session), or read by other users: the "other" read bit, or
 * the group read bit for a group this process is not running as (0640
 * root:www-data, read by the server as www-data, is fine).
 * `undefined` when the file is private enough, unset or unreadable (that is
 * {@link keyringFromEnv}'s error to report).
 *
 * @example
 * keyFileWarning({ SECRET_KEY_FILE: "/etc/dbbasic/key" }) // 'SECRET_KEY_FILE "/etc/dbbasic/key" is readable by every user (mode 0644): …'
 */
export function keyFileWarning(env: KeyEnv, gid: number | undefined = effectiveGid()): string | undefined {
  const path = env.SECRET_KEY_FILE;
  if (!path) return undefined;
  const known = lastKeyFile;
  if (known?.path === path) {
    // The FastCGI authorizer asks at every request: judged once per read of the file.
    if (judged?.file !== known || judged.gid !== gid) judged = { file: known, gid, warning: judgeKeyFile(path, known, gid) };
    return judged.warning;
  }
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  return judgeKeyFile(path, st, gid);
}

/** What {@link keyFileWarning} last said of the key file last read, for the group it was asked for. */
let judged: { file: NonNullable<typeof lastKeyFile>; gid: number | undefined; warning: string | undefined } | undefined;

function judgeKeyFile(path: string, file: { mode: number; uid: number; gid: number }, gid: number | undefined): string | undefined {
  const { mode, uid: fileUid, gid: fileGid } = file;
  // A file of another account's, neither ours nor root's: a site's owner on a host that runs CGI
  // programs as the server's user, who can neither chown nor chgrp it to that user.
  const othersFile = fileUid !== 0 && fileUid !== process.getuid?.();
  const fix = othersFile
    ? 'this host runs CGI programs as the web server\'s user, so every account\'s programs can read it: ask the host for suEXEC (README, "Shared hosting")'
    : "chmod 600 it, or chmod 640 and chgrp it to the web server's group";
  const writers = (mode & 0o022) !== 0 ? writableByOthers(mode) : undefined;
  if (writers) {
    return `SECRET_KEY_FILE ${JSON.stringify(path)} is writable by ${writers} (mode ${octalMode(mode)}), who can then forge any session: ${fix}`;
  }
  const world = (mode & 0o004) !== 0;
  if (!world && !((mode & 0o040) !== 0 && fileGid !== gid)) return undefined;
  return `SECRET_KEY_FILE ${JSON.stringify(path)} is readable by ${world ? "every user" : "its group"} (mode ${octalMode(mode)}): ${fix}`;
}

/**
 * Builds the keyring from the environment: `SECRET_KEY_FILE` (preferred, keeps
 * the key out of every process's environment) or `SECRET_KEY`, plus
 * `SECRET_KEY_FALLBACKS`. Throws {@link KeyConfigError} with what to set.
 *
 * @example
 * const ring = keyringFromEnv(process.env);
 */
export function keyringFromEnv(env: KeyEnv = process.env): Keyring {
  let current: string;
  if (env.SECRET_KEY_FILE) {
    current = readKeyFile(env.SECRET_KEY_FILE);
  } else if (env.SECRET_KEY !== undefined) {
    current = env.SECRET_KEY;
  } else {
    throw new KeyConfigError(
      "ERR_KEY_MISSING",
      `no secret key: set SECRET_KEY or SECRET_KEY_FILE to a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`,
    );
  }
  return new Keyring(current, parseFallbacks(env.SECRET_KEY_FALLBACKS));
}
