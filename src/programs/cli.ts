/**
 * dbbasic-sessions — the command line (docs/command-line.md), so shell, Perl or PHP pages
 * can make and check the same tokens.
 */
import { closeSync, constants, fstatSync, openSync, writeSync } from "node:fs";
import { MAX_REVOKED_LINE } from "../access.js";
import { lifetimes } from "../request/config.js";
import { notLiveReason } from "../request/live.js";
import { assertCookieName, readCookie } from "../cookie.js";
import { ConfigError, KeyConfigError, SessionCreateError, TokenInvalidError } from "../errors.js";
import { createSession, verifySession } from "../session.js";
import { withSettings } from "../request/settings.js";

/** setup-site's lines of the usage (the command itself, src/programs/setup-site.ts, is loaded only when run). */
const SETUP_USAGE = `  dbbasic-sessions setup-site [--site DIR] [--prefix /PATH] [--dry-run]
                                          as a site's owner (not root): install the CGI programs into
                                          DIR/cgi-bin (default ~/public_html), make ~/.dbbasic-sessions
                                          (settings file with a new key, htpasswd, revoked) and
                                          DIR/.htaccess for the site at /PATH (default /~USER)`;

const USAGE = `usage:
  dbbasic-sessions keygen                 print a new 64-hex-character key
  dbbasic-sessions create USER [--ttl S]  print a token for USER (key from SECRET_KEY or SECRET_KEY_FILE)
  dbbasic-sessions verify [TOKEN]         print the user id and exit 0; exit 1 when not valid or not live;
                                          without TOKEN, the session cookie in HTTP_COOKIE (SESSION_COOKIE)
  dbbasic-sessions revoke USER [--time T] end USER's sessions issued until now (or T): append "USER T" to
                                          SESSION_REVOKED_FILE (or --file FILE), created 0640 if missing
${SETUP_USAGE}
Settings come from the environment; when it gives no key, also from ~/.dbbasic-sessions/settings
(README, "Shared hosting").`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "setup-site") return (await import("./setup-site.js")).setupSite(rest);
  // The settings file under the environment, as the CGI programs read them (README, "Shared hosting").
  if (command === "create" || command === "verify" || command === "revoke") Object.assign(process.env, withSettings(process.env));
  if (command === "keygen" && rest.length === 0) {
    const { randomBytes } = await import("node:crypto");
    console.log(randomBytes(32).toString("hex"));
    return 0;
  }
  if (command === "create") {
    const { ttl: defaultTtl, maxTtl } = lifetimes(process.env);
    let ttl = defaultTtl;
    const users: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === "--ttl") {
        const value = rest[++i];
        if (value === undefined || !/^-?\d{1,12}$/.test(value)) return usage("--ttl takes a whole number of seconds");
        ttl = Number(value);
      } else if (rest[i]!.startsWith("--")) {
        return usage(`unknown option ${rest[i]}`);
      } else {
        users.push(rest[i]!);
      }
    }
    if (users.length !== 1) return usage();
    // Readers refuse a token that lasts longer than SESSION_MAX_TTL (docs/members-area.md, "Who may pass").
    if (ttl > maxTtl) return usage(`--ttl ${ttl} is longer than SESSION_MAX_TTL (${maxTtl}): such a token would be refused; raise SESSION_MAX_TTL wherever sessions are checked`);
    console.log(createSession(users[0]!, ttl));
    return 0;
  }
  if (command === "verify" && rest.length <= 1) {
    // Without TOKEN, the cookie the CGI programs read: a page needs no quoting, and a visitor
    // without a cookie is "not logged in" (1), never a usage error (docs/command-line.md).
    let token = rest[0];
    if (rest.length === 0) {
      const name = process.env.SESSION_COOKIE || "session";
      assertCookieName(name);
      token = readCookie(process.env.HTTP_COOKIE, name);
    }
    let session;
    try {
      session = verifySession(token);
    } catch (err) {
      if (err instanceof TokenInvalidError) return 1;
      throw err;
    }
    // Live as the CGI programs see it (docs/members-area.md, "Who may pass"): still in
    // HTPASSWD_FILE, not revoked in SESSION_REVOKED_FILE, when those are set.
    if (notLiveReason(process.env, lifetimes(process.env).maxTtl, Date.now() / 1000, session, "dbbasic-sessions") !== undefined) return 1;
    console.log(session.userId);
    return 0;
  }
  if (command === "revoke") return revoke(rest);
  return usage();
}

/**
 * Appends `USER TIME` to the revocation file in one write() on a file opened
 * O_APPEND, so concurrent calls never lose or interleave a line; the file is
 * created 0640 (before the umask) when missing, and must be a regular file.
 */
function revoke(args: string[]): number {
  let time = Math.floor(Date.now() / 1000);
  let file = process.env.SESSION_REVOKED_FILE;
  const users: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--time") {
      const value = args[++i];
      if (value === undefined || !/^\d{1,12}$/.test(value)) return usage("--time takes a unix time in whole seconds");
      time = Number(value);
    } else if (arg === "--file") {
      file = args[++i];
      if (!file) return usage("--file takes a path");
    } else if (arg.startsWith("--")) {
      return usage(`unknown option ${arg}`);
    } else {
      users.push(arg);
    }
  }
  if (users.length !== 1) return usage();
  const user = users[0]!;
  if (user === "" || /[\x00-\x1f\x7f]/.test(user)) return usage("USER must be a non-empty name without control characters");
  if (!file) return usage("set SESSION_REVOKED_FILE, or name the file with --file FILE");
  if (`${user} ${time}`.length > MAX_REVOKED_LINE) return usage(`USER is too long: a revocation line holds at most ${MAX_REVOKED_LINE} characters, and readers ignore longer ones`);
  const line = Buffer.from(`${user} ${time}\n`, "utf8");
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o640);
  try {
    if (!fstatSync(fd).isFile()) throw new ConfigError(`${JSON.stringify(file)} is not a regular file`);
    if (writeSync(fd, line) !== line.length) throw new ConfigError(`could not append the whole line to ${JSON.stringify(file)}`);
  } finally {
    closeSync(fd);
  }
  console.log(`${user} ${time}`);
  return 0;
}

function usage(message?: string): number {
  if (message) console.error(`dbbasic-sessions: ${message}`);
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof KeyConfigError || err instanceof SessionCreateError || err instanceof ConfigError) console.error(`dbbasic-sessions: ${err.message}`);
    else console.error(`dbbasic-sessions: ${String((err as Error).message ?? err)}`);
    process.exitCode = 2;
  },
);
