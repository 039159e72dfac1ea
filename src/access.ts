/**
 * Live sessions and access rules (docs/members-area.md, "Who may pass"), as
 * pure functions over the text of the files involved, so the CGI programs and
 * the library share one implementation and tests need no files or clock.
 *
 * A session is live when its token is valid and
 * - its user still has a line in the htpasswd file (when that is checked):
 *   `htpasswd -D FILE alice` ends alice's sessions at her next request;
 * - the revocation file holds no line `USER UNIXTIME` for its user with
 *   UNIXTIME at or after the token's issue time (`expires - ttl`).
 *
 * Access rules are Apache's `Require` words: `valid-user`, `user NAME…`,
 * `group NAME…` (an AuthGroupFile), several separated by ";" (SESSION_REQUIRE)
 * or on lines of their own (a folder's `.htsession`), any one passing.
 */
import { ConfigError } from "./errors.js";

/**
 * True when `text` (an htpasswd file) has a line for exactly `user`, as
 * Apache's mod_authn_file reads it: the name is everything before the first
 * ":" of a line. A name holding ":", CR or LF, or starting with "#" (a comment
 * line), can have no line.
 *
 * @example
 * htpasswdHasUser("alice:$2y$05$…\nbob:{SHA}…\n", "bob") // true
 */
export function htpasswdHasUser(text: string, user: string): boolean {
  // Apache skips lines that start with "#": a name starting with it has no line either.
  if (user === "" || user.startsWith("#") || user.includes(":") || user.includes("\n") || user.includes("\r")) return false;
  const entry = user + ":";
  // A byte-order mark before the first line is not part of the first name.
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.startsWith(entry, start)) return true;
  return text.includes("\n" + entry);
}

/** The longest line of a revocation file read (readers ignore longer ones; `revoke` refuses to write them). */
export const MAX_REVOKED_LINE = 1024;

/** A whole revocation file: each user's latest revocation time, and the lines that do not parse. */
export interface Revocations {
  latest: Map<string, number>;
  /** 1-based numbers of the lines that do not parse (for one log line). */
  badLines: number[];
}

/**
 * Reads a revocation file (lines `USER UNIXTIME`, as `dbbasic-sessions revoke`
 * appends them; blank lines and `#` comments skipped; CRLF and a leading BOM
 * accepted): each user's latest time. The name is everything before the line's
 * last space, so a name may hold spaces. Lines that do not parse are listed,
 * never fatal. A long-lived process (the FastCGI authorizer) parses a file once
 * per change, then looks users up; with `only`, the times of that one user
 * alone are kept (a CGI program's one request: no map of every user).
 *
 * @example
 * parseRevocations("alice 1700000000\nalice 1700000500\n").latest.get("alice") // 1700000500
 */
export function parseRevocations(text: string, only?: string): Revocations {
  const latest = new Map<string, number>();
  const badLines: number[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (i === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const time = line.slice(space + 1);
    if (space <= 0 || line.length > MAX_REVOKED_LINE || !/^\d{1,12}$/.test(time)) {
      badLines.push(i + 1);
      continue;
    }
    const user = line.slice(0, space);
    if (only !== undefined && user !== only) continue;
    const t = Number(time);
    const before = latest.get(user);
    if (before === undefined || t > before) latest.set(user, t);
  }
  return { latest, badLines };
}

/**
 * True when a revocation at `revokedAt` ends a token that expires at `expires`,
 * for tokens made with a lifetime of at most `maxTtl` seconds: its issue time
 * is then at least `expires - maxTtl`, so a token made with a shorter lifetime
 * counts as issued earlier, and revocation errs on the side of logging out.
 */
export function revokes(revokedAt: number | undefined, expires: number, maxTtl: number): boolean {
  return revokedAt !== undefined && revokedAt >= expires - maxTtl;
}

/** One access rule of SESSION_REQUIRE. */
export type Rule = { kind: "valid-user" } | { kind: "user"; names: string[] } | { kind: "group"; names: string[] };

/**
 * Parses SESSION_REQUIRE: unset or empty is `valid-user`; otherwise rules
 * separated by ";", each `valid-user`, `user NAME…` or `group NAME…` (the
 * keyword in any case, as Apache reads it). Anything else throws
 * {@link ConfigError}: a malformed rule must never mean "anyone".
 *
 * @example
 * parseRequire("group staff; user carol") // [{kind:"group",names:["staff"]},{kind:"user",names:["carol"]}]
 */
export function parseRequire(value: string | undefined): Rule[] {
  if (value === undefined || value.trim() === "") return [{ kind: "valid-user" }];
  return parseRules(value);
}

/** The rules of a SESSION_REQUIRE that says something (apart: a CGI process without rules never compiles it). */
function parseRules(value: string): Rule[] {
  const rules: Rule[] = [];
  for (const part of value.split(";")) {
    const rule = parseRule(part.trim().split(/\s+/).filter((w) => w !== ""));
    if (!rule) {
      const shown = part.trim() === "" ? "an empty rule" : JSON.stringify(part.trim().slice(0, 100));
      throw new ConfigError(`SESSION_REQUIRE has ${shown}: use "valid-user", "user NAME ..." or "group NAME ...", several separated by ";"`);
    }
    rules.push(rule);
  }
  return rules;
}

/** One rule from its words (`valid-user` / `user NAME…` / `group NAME…`, the keyword in any case), or undefined. */
function parseRule(words: readonly string[]): Rule | undefined {
  const keyword = (words[0] ?? "").toLowerCase();
  const names = words.slice(1);
  if (keyword === "valid-user" && names.length === 0) return { kind: "valid-user" };
  if ((keyword === "user" || keyword === "group") && names.length > 0) return { kind: keyword, names };
  return undefined;
}

/** A `.htsession` that is not a list of rules: `line` is the 1-based line at fault (0: the whole file), `message` says what is wrong. */
export class RuleFileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses a folder's `.htsession` file (docs/members-area.md, "Who may pass"):
 * lines `Require valid-user`, `Require user NAME…` or `Require group NAME…`,
 * as Apache writes them (words in any case), any one of them passing; blank
 * lines and lines starting with `#` skipped; CRLF and a leading UTF-8 BOM
 * accepted (Apache 2.4 skips a BOM in its own files). Anything else —
 * `Require all granted`, `Require not …`, another directive, a `#` after a
 * rule, a line ending in `\`, a file without any `Require` line — throws
 * {@link RuleFileError}: a rule that cannot be read never means "anyone".
 *
 * @example
 * parseHtsession("# staff only\nRequire group staff\n") // [{ kind: "group", names: ["staff"] }]
 */
export function parseHtsession(text: string): Rule[] {
  const rules: Rule[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (i === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    line = line.replace(/^[ \t]+|[ \t]+$/g, ""); // not trim(): it would also drop a stray BOM or other spaces Apache keeps
    if (line === "" || line.startsWith("#")) continue;
    const shown = JSON.stringify(line.slice(0, 100));
    if (line.endsWith("\\")) throw new RuleFileError(i + 1, `${shown} continues on the next line: write each rule on one line`);
    const words = line.split(/[ \t]+/);
    if (words[0]!.toLowerCase() !== "require") {
      throw new RuleFileError(i + 1, `${shown} is not a Require line: a .htsession holds only "Require valid-user", "Require user NAME ..." or "Require group NAME ..."`);
    }
    if (words.some((w) => w.startsWith("#"))) throw new RuleFileError(i + 1, `${shown} has a "#" after the rule: put a comment on a line of its own`);
    const rule = parseRule(words.slice(1));
    if (!rule) {
      throw new RuleFileError(i + 1, `${shown} is not a rule gate.cgi knows: use "Require valid-user", "Require user NAME ..." or "Require group NAME ..."`);
    }
    rules.push(rule);
  }
  if (rules.length === 0) throw new RuleFileError(0, 'has no Require line: write "Require valid-user" for anyone logged in');
  return rules;
}

/** True when any rule names a group (so HTGROUP_FILE must be read). */
export function needsGroups(rules: readonly Rule[]): boolean {
  return rules.some((r) => r.kind === "group");
}

/** The groups of an AuthGroupFile and the numbers of the lines that do not parse. */
export interface Groups {
  members: Map<string, Set<string>>;
  badLines: number[];
}

/**
 * Parses an Apache AuthGroupFile: `group: user user …` per line, `#` comments
 * and blank lines skipped, CRLF and a leading BOM accepted. A group named on
 * several lines has all their members. A line without ":" or with an empty
 * group name is listed as not parsing.
 *
 * @example
 * parseGroups("staff: alice bob\n").members.get("staff")?.has("bob") // true
 */
export function parseGroups(text: string): Groups {
  const members = new Map<string, Set<string>>();
  const badLines: number[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (i === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    line = line.trim();
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    const group = colon > 0 ? line.slice(0, colon).trim() : "";
    if (group === "") {
      badLines.push(i + 1);
      continue;
    }
    let set = members.get(group);
    if (!set) members.set(group, (set = new Set()));
    for (const name of line.slice(colon + 1).split(/\s+/)) if (name !== "") set.add(name);
  }
  return { members, badLines };
}

/**
 * True when one of `rules` lets `user` pass. `groups` is needed only when a
 * rule names a group (see {@link needsGroups}).
 *
 * @example
 * allows(parseRequire("user alice bob"), "bob") // true
 */
export function allows(rules: readonly Rule[], user: string, groups?: Groups): boolean {
  return rules.some((rule) => {
    if (rule.kind === "valid-user") return true;
    if (rule.kind === "user") return rule.names.includes(user);
    return rule.names.some((g) => groups?.members.get(g)?.has(user) === true);
  });
}
