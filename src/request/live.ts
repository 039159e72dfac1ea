/**
 * Live sessions and access rules for the CGI programs (docs/members-area.md, "Who may pass"):
 * the files named by the environment, read per request (never
 * written), through the pure rules of ../access.ts.
 */
import { allows, htpasswdHasUser, needsGroups, parseGroups, parseRequire, parseRevocations, revokes, type Groups, type Revocations, type Rule } from "../access.js";
import { ConfigError } from "../errors.js";
import { readSmallRegularFile, SmallFileError, type SmallFile } from "../files.js";
import type { SessionData } from "../token.js";
import { readHtpasswd } from "./config.js";
import { logLine, type CgiEnv } from "./reply.js";

/**
 * How the files are read: the CGI programs read them afresh on every request
 * (the default); the FastCGI authorizer passes a reader that re-reads a file
 * only when a stat shows it changed (src/request/file-cache.ts).
 */
export type FileReader = (path: string, cap: number, what: string) => SmallFile;

/** The largest revocation or group file read (4 MiB, as for HTPASSWD_FILE). */
export const MAX_LIST_FILE = 4 * 1024 * 1024;

/**
 * A setting that may differ per protected folder. Under Apache's `Action`, the
 * folder's `SetEnv` (in `<Directory>` or `.htaccess`) reaches gate.cgi renamed
 * `REDIRECT_NAME` (Apache renames a request's variables on every internal
 * redirect), so that copy wins; a client cannot set either (request headers
 * arrive as `HTTP_…`).
 */
export function folderSetting(env: CgiEnv, name: string): string | undefined {
  return env["REDIRECT_" + name] ?? env[name];
}

/** Reads a per-request list file (revocations, groups), failing closed with a ConfigError. */
function readListFile(variable: string, path: string, read: FileReader): string {
  try {
    return read(path, MAX_LIST_FILE, variable).text;
  } catch (err) {
    if (err instanceof SmallFileError) throw new ConfigError(err.message);
    throw err;
  }
}

/** The files parsed so far, by path, with the text each was parsed from (at most {@link MAX_PARSED} each; `parsed` undefined: seen once, not parsed whole yet). */
const revocationFiles = new Map<string, { text: string; parsed: Revocations | undefined }>();
const groupFiles = new Map<string, { text: string; parsed: Groups | undefined }>();
const MAX_PARSED = 4;
let parses = 0;

/** How many times this process has parsed a revocation or group file whole: for tests. */
export function listFileParses(): number {
  return parses;
}

/**
 * `parse(text)`, or what it gave for the same text of the same file before: a
 * long-lived process (the FastCGI authorizer) gets the same text back from its
 * cache of files until the file changes, and parses it once per change, not
 * once per request. The parsed value is shared: callers only read it. With
 * `once`, a text seen for the first time is read by `once` instead, and parsed
 * whole only when it comes again: a CGI program, which reads a file once,
 * pays only for what its one request needs.
 */
function parsedOnce<T>(memo: Map<string, { text: string; parsed: T | undefined }>, path: string, text: string, parse: (text: string) => T, once?: (text: string) => T): T {
  const known = memo.get(path);
  if (known !== undefined && known.text === text) {
    if (known.parsed === undefined) {
      known.parsed = parse(text);
      parses++;
    }
    return known.parsed;
  }
  if (memo.size >= MAX_PARSED && known === undefined) memo.clear();
  if (once !== undefined) {
    memo.set(path, { text, parsed: undefined });
    return once(text);
  }
  const parsed = parse(text);
  parses++;
  memo.set(path, { text, parsed });
  return parsed;
}

/** What this process has said about lines that do not parse: a long-lived one (the FastCGI authorizer) says it once, not per request. */
const badLinesLogged = new Set<string>();

function logBadLines(program: string, variable: string, path: string, lines: readonly number[]): void {
  if (lines.length === 0) return;
  const shown = lines.slice(0, 5).join(", ") + (lines.length > 5 ? ", …" : "");
  const message = `${variable} ${JSON.stringify(path)}: ignored ${lines.length} line${lines.length === 1 ? "" : "s"} that do not parse (line ${shown})`;
  if (badLinesLogged.has(message)) return;
  if (badLinesLogged.size >= 100) badLinesLogged.clear();
  badLinesLogged.add(message);
  logLine(program, message);
}

/**
 * Why a valid session is no longer live, or undefined when it is live.
 * `maxTtl` is SESSION_MAX_TTL, the longest lifetime a session is accepted
 * with: a token with more than that left is refused, and a token's issue time
 * is taken as no later than `expires - maxTtl` for revocations, so a
 * revocation covers every token made before it. `now` in unix seconds.
 * Throws ConfigError (500) for an unreadable file or a bad SESSION_CHECK_HTPASSWD.
 */
export function notLiveReason(
  env: CgiEnv,
  maxTtl: number,
  now: number,
  session: SessionData,
  program: string,
  read: FileReader = readSmallRegularFile,
): string | undefined {
  if (session.expires - now > maxTtl) return `it was made to last longer than SESSION_MAX_TTL (${maxTtl} s)`;
  const check = (env.SESSION_CHECK_HTPASSWD ?? "").toLowerCase();
  if (check !== "" && check !== "on" && check !== "off") {
    throw new ConfigError('SESSION_CHECK_HTPASSWD must be "on" (the default) or "off"');
  }
  if (env.HTPASSWD_FILE && check !== "off" && !htpasswdHasUser(readHtpasswd(env, read), session.userId)) {
    return "its user is not in HTPASSWD_FILE";
  }
  const revokedPath = env.SESSION_REVOKED_FILE;
  if (revokedPath) {
    const text = readListFile("SESSION_REVOKED_FILE", revokedPath, read);
    const revocations = parsedOnce(revocationFiles, revokedPath, text, parseRevocations, (once) => parseRevocations(once, session.userId));
    logBadLines(program, "SESSION_REVOKED_FILE", revokedPath, revocations.badLines);
    if (revokes(revocations.latest.get(session.userId), session.expires, maxTtl)) return "it was revoked";
  }
  return undefined;
}

let lastRequire: string | undefined;
let lastRules: readonly Rule[] | undefined;

/**
 * The access rules of this request's folder (SESSION_REQUIRE); a malformed value throws ConfigError.
 * The rules of the last value are kept: a folder's requests all carry the same one.
 */
export function accessRules(env: CgiEnv): readonly Rule[] {
  const value = folderSetting(env, "SESSION_REQUIRE");
  if (lastRules !== undefined && value === lastRequire) return lastRules;
  const rules = parseRequire(value);
  lastRequire = value;
  lastRules = rules;
  return rules;
}

/**
 * True when `rules` let `user` pass, reading HTGROUP_FILE when a rule names a group (ConfigError when it cannot).
 * `source` names where the rules came from, for the log line.
 */
export function userAllowed(
  env: CgiEnv,
  rules: readonly Rule[],
  user: string,
  program: string,
  read: FileReader = readSmallRegularFile,
  source = "SESSION_REQUIRE",
): boolean {
  if (!needsGroups(rules)) return allows(rules, user);
  const path = folderSetting(env, "HTGROUP_FILE");
  if (!path) throw new ConfigError(`${source} names a group but HTGROUP_FILE is not set: point it at a file of lines \`group: user user …\``);
  const groups = parsedOnce(groupFiles, path, readListFile("HTGROUP_FILE", path, read), parseGroups);
  logBadLines(program, "HTGROUP_FILE", path, groups.badLines);
  return allows(rules, user, groups);
}
