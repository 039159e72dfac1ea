/**
 * `dbbasic-sessions setup-site` (docs/command-line.md): sets up a site on shared hosting
 * from the owner's own account, without root. It installs the CGI programs from this copy
 * of the repository into the site's cgi-bin, makes ~/.dbbasic-sessions (the settings file
 * with a new key, the htpasswd and revoked files) and writes the site's .htaccess
 * from examples/htaccess/site.htaccess. It only adds what is missing or outdated, never
 * replaces a key, a settings file or an .htaccess, and prints one line per action.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { userInfo } from "node:os";
import { dirname } from "node:path";
import { spawnSync } from "node:child_process";
import { ConfigError } from "../errors.js";
import { readSettings, SETTINGS_DIR, settingsHome } from "../request/settings.js";

const PROGRAMS = ["whoami.cgi", "login.cgi", "logout.cgi", "gate.cgi"] as const;

/** The kernel reads at most this many bytes of a `#!` line (Linux BINPRM_BUF_SIZE), newline included. */
const SHEBANG_MAX = 256;

interface Options {
  site: string;
  prefix: string;
  dryRun: boolean;
}

/** Thrown for a refusal (exit 2) or a failure (exit 1); the message is the one line printed. */
class SetupError extends Error {
  constructor(readonly exitCode: 1 | 2, message: string) {
    super(message);
  }
}

function parseArgs(args: readonly string[], home: string, user: string): Options {
  const opts: Options = { site: `${home}/public_html`, prefix: `/~${user}`, dryRun: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--dry-run") opts.dryRun = true;
    else if (arg === "--site" || arg === "--prefix") {
      const value = args[++i];
      if (value === undefined) throw new SetupError(2, `${arg} takes a value`);
      if (arg === "--site") opts.site = value;
      else opts.prefix = value;
    } else throw new SetupError(2, `unknown argument ${JSON.stringify(arg)}`);
  }
  if (!opts.site.startsWith("/")) opts.site = `${process.cwd()}/${opts.site}`;
  opts.site = opts.site.replace(/\/+$/, "") || "/";
  // A URL path for Apache's Action line: "" (the site at /) or /segments of URL-safe characters.
  if (!/^(\/[A-Za-z0-9._~%+-]+)*$/.test(opts.prefix)) {
    throw new SetupError(2, `--prefix ${JSON.stringify(opts.prefix)}: give the site's URL path, like /~${user} or /site (no trailing slash), or "" for /`);
  }
  return opts;
}

function lstatOrUndefined(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/** The `#!` line: the Node running this command, with its compile cache folder where that Node reads one (22.1+). */
export function shebang(node: string, cacheDir: string, version: string = process.versions.node, envWorks: () => boolean = envSplitWorks): string {
  if (/\s/.test(node)) throw new SetupError(1, `the path of Node ${JSON.stringify(node)} holds a space, which a #! line cannot hold`);
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const readsCache = major > 22 || (major === 22 && minor >= 1);
  const withCache = `#!/usr/bin/env -S NODE_COMPILE_CACHE=${cacheDir} ${node}`;
  if (readsCache && !/[\s\\"'$]/.test(cacheDir) && withCache.length + 1 <= SHEBANG_MAX && envWorks()) return withCache;
  return `#!${node}`;
}

/** Whether /usr/bin/env splits its argument (-S, coreutils 8.30+), as the kernel passes a #! line's argument as one word. */
function envSplitWorks(): boolean {
  const r = spawnSync("/usr/bin/env", ["-S", "NODE_COMPILE_CACHE=/x /bin/sh -c true"], { stdio: "ignore" });
  return r.status === 0;
}

/** Writes `data` to `path` through a temporary file renamed over it, so that a request never runs half a program. */
function writeAtomically(path: string, data: string | Buffer, mode: number): void {
  const tmp = `${dirname(path)}/.${path.slice(dirname(path).length + 1)}.tmp-${process.pid}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  chmodSync(tmp, mode); // the umask may have taken bits away
  renameSync(tmp, path);
}

/** Creates `path` with `data` only if nothing is there (O_EXCL), at exactly `mode`. */
function createExclusive(path: string, data: string, mode: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    if (data !== "") writeSync(fd, Buffer.from(data, "utf8"));
  } finally {
    closeSync(fd);
  }
  chmodSync(path, mode);
}

/** The one-line result of a failed system call: what was being done, the path, the errno code. */
function fsFailure(what: string, path: string, err: unknown): SetupError {
  return new SetupError(1, `cannot ${what} ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
}

/**
 * The template with the site's prefix: `@PREFIX@` as it is, `@PREFIX_RE@` with
 * the characters a checked prefix may hold that mean something in a regular
 * expression (`.` and `+`) escaped.
 */
function fillTemplate(template: string, prefix: string): string {
  return template.replaceAll("@PREFIX_RE@", prefix.replace(/[.+]/g, "\\$&")).replaceAll("@PREFIX@", prefix);
}

/** The template's directive lines (no comments, no blank lines), trimmed: what an existing .htaccess must hold. */
function directiveLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/**
 * Runs `setup-site` with `args`; prints one line per action on `out` and a
 * refusal or failure on `err`. Returns the exit code: 0 done, 2 usage or
 * refusal (run as root, a home that cannot hold a settings file), 1 failure.
 *
 * @example
 * setupSite(["--dry-run"]) // prints "would create /home/alice/.dbbasic-sessions (0700)" …, returns 0
 */
export function setupSite(
  args: readonly string[],
  repo: string = dirname(dirname(realpathSync(process.argv[1]!))),
  out: (line: string) => void = (line) => console.log(line),
  err: (line: string) => void = (line) => console.error(`dbbasic-sessions setup-site: ${line}`),
): number {
  try {
    run(args, repo, out);
    return 0;
  } catch (e) {
    if (e instanceof SetupError) {
      err(e.message);
      return e.exitCode;
    }
    if (e instanceof ConfigError) {
      err(e.message);
      return 1;
    }
    err(`internal error: ${String((e as Error).message ?? e)}`);
    return 1;
  }
}

function run(args: readonly string[], repo: string, out: (line: string) => void): void {
  if (process.getuid?.() === 0) {
    throw new SetupError(2, "refused as root: run it as the site's owner, in their own account (it sets up that account's site)");
  }
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    throw new SetupError(2, "this account has no entry in the password database");
  }
  const home = settingsHome();
  if (home === undefined) {
    throw new SetupError(2, `this account's home (${JSON.stringify(userInfo().homedir)}) cannot hold a settings file: it is missing, / or under /var/www`);
  }
  const opts = parseArgs(args, home, user);
  const dry = opts.dryRun;
  let actions = 0;
  const act = (doing: string, done: string, what: string, work: () => void): void => {
    actions++;
    if (dry) {
      out(`would ${doing} ${what}`);
      return;
    }
    work();
    out(`${done} ${what}`);
  };

  // What the repository provides: the built programs and the .htaccess template.
  const sources = PROGRAMS.map((name) => {
    const path = `${repo}/cgi-bin/${name}`;
    try {
      return { name, text: readFileSync(path, "utf8") };
    } catch (e) {
      throw new SetupError(1, `cannot read ${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? "error"}): run the dbbasic-sessions of a copy of the repository, built with \`make build\``);
    }
  });
  const templatePath = `${repo}/examples/htaccess/site.htaccess`;
  let template: string;
  try {
    template = readFileSync(templatePath, "utf8");
  } catch (e) {
    throw new SetupError(1, `cannot read ${JSON.stringify(templatePath)} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }

  // ~/.dbbasic-sessions (0700), its cache folder, and the files the settings name.
  const dir = `${home}/${SETTINGS_DIR}`;
  const cacheDir = `${dir}/cache`;
  const privateDir = (path: string): void => {
    const st = lstatOrUndefined(path);
    if (st === undefined) {
      act("create", "created", `${path} (0700)`, () => {
        try {
          mkdirSync(path, { mode: 0o700 });
          chmodSync(path, 0o700);
        } catch (e) {
          throw fsFailure("create", path, e);
        }
      });
    } else if (!st.isDirectory()) {
      throw new SetupError(1, `${JSON.stringify(path)} is not a directory: move it away and run setup-site again`);
    } else if ((st.mode & 0o022) !== 0) {
      // Only what the settings reader refuses is changed: a folder opened to www-data (0711, for a host
      // without suEXEC, README "Shared hosting") stays as its owner made it.
      const mode = st.mode & 0o755;
      const octal = mode.toString(8).padStart(4, "0");
      act(`set mode ${octal} on`, `set mode ${octal} on`, path, () => chmodSync(path, mode));
    }
  };
  privateDir(dir);
  const line1 = shebang(process.execPath, cacheDir);
  if (line1.includes("NODE_COMPILE_CACHE=")) privateDir(cacheDir);

  const settingsFile = `${dir}/settings`;
  // No HTGROUP_FILE: groups are added when needed (README, "Shared hosting", step 2).
  const files = { HTPASSWD_FILE: "htpasswd", SESSION_REVOKED_FILE: "revoked" } as const;
  if (lstatOrUndefined(settingsFile) === undefined) {
    const text =
      `# dbbasic-sessions settings (README, "Shared hosting"), made by \`dbbasic-sessions setup-site\`.\n` +
      `# NAME=value lines with the names of README, "Configuration"; ~/ is ${home}/.\n` +
      `SECRET_KEY=${randomBytes(32).toString("hex")}\n` +
      Object.entries(files)
        .map(([name, file]) => `${name}=~/${SETTINGS_DIR}/${file}\n`)
        .join("") +
      `LOGIN_URL=${opts.prefix}/cgi-bin/login.cgi\n` +
      `LOGOUT_URL=${opts.prefix}/cgi-bin/logout.cgi\n`;
    act("create", "created", `${settingsFile} (0600) with a new key`, () => {
      try {
        createExclusive(settingsFile, text, 0o600);
      } catch (e) {
        throw fsFailure("create", settingsFile, e);
      }
    });
  } else {
    // Left as it is; what it lacks is reported. A file that cannot be used is a failure (in a dry
    // run, a line: the folder's mode it may complain about would have been fixed above).
    let settings;
    try {
      settings = readSettings(home);
    } catch (e) {
      if (!dry || !(e instanceof ConfigError)) throw e;
      out(e.message);
    }
    if (settings !== undefined) {
      if (settings.SECRET_KEY === undefined && settings.SECRET_KEY_FILE === undefined) {
        out(`${settingsFile} has no SECRET_KEY or SECRET_KEY_FILE line: add SECRET_KEY=<the output of \`dbbasic-sessions keygen\`>`);
      }
      for (const [name, file] of Object.entries(files)) {
        if (settings[name] === undefined) out(`${settingsFile} has no ${name} line: add ${name}=~/${SETTINGS_DIR}/${file}`);
      }
    }
  }
  let newHtpasswd = false;
  for (const file of Object.values(files)) {
    const path = `${dir}/${file}`;
    if (lstatOrUndefined(path) !== undefined) continue;
    if (file === "htpasswd") newHtpasswd = true;
    act("create", "created", `${path} (0600, empty)`, () => {
      try {
        createExclusive(path, "", 0o600);
      } catch (e) {
        throw fsFailure("create", path, e);
      }
    });
  }

  // The programs, with the #! line of the Node running this command.
  const cgiBin = `${opts.site}/cgi-bin`;
  for (const folder of [opts.site, cgiBin]) {
    const st = lstatOrUndefined(folder);
    if (st === undefined) {
      act("create", "created", `${folder} (0755)`, () => {
        try {
          mkdirSync(folder, { mode: 0o755 });
          chmodSync(folder, 0o755);
        } catch (e) {
          throw fsFailure("create", folder, e);
        }
      });
    } else if (!st.isDirectory()) {
      throw new SetupError(1, `${JSON.stringify(folder)} is not a directory`);
    }
  }
  for (const { name, text } of sources) {
    const path = `${cgiBin}/${name}`;
    const nl = text.indexOf("\n");
    const wanted = line1 + text.slice(nl === -1 ? text.length : nl);
    const st = lstatOrUndefined(path);
    if (st !== undefined && !st.isFile()) throw new SetupError(1, `${JSON.stringify(path)} is not a regular file: move it away and run setup-site again`);
    let current: string | undefined;
    try {
      current = st === undefined ? undefined : readFileSync(path, "utf8");
    } catch (e) {
      throw fsFailure("read", path, e);
    }
    if (current === wanted) {
      if ((st!.mode & 0o7777) !== 0o755) act("set mode 0755 on", "set mode 0755 on", path, () => chmodSync(path, 0o755));
      continue;
    }
    act(current === undefined ? "install" : "update", current === undefined ? "installed" : "updated", `${path} (0755, ${line1})`, () => {
      try {
        writeAtomically(path, wanted, 0o755);
      } catch (e) {
        throw fsFailure("write", path, e);
      }
    });
  }

  // The site's .htaccess: written only where there is none.
  const htaccess = `${opts.site}/.htaccess`;
  const lines = fillTemplate(template, opts.prefix);
  const existing = lstatOrUndefined(htaccess);
  if (existing === undefined) {
    act("write", "wrote", `${htaccess} (0644)`, () => {
      try {
        createExclusive(htaccess, lines, 0o644);
      } catch (e) {
        throw fsFailure("create", htaccess, e);
      }
    });
  } else {
    let text = "";
    try {
      text = existing.isFile() ? readFileSync(htaccess, "utf8") : "";
    } catch {
      // unreadable: its lines are printed
    }
    const have = new Set(directiveLines(text));
    if (!directiveLines(lines).every((l) => have.has(l))) {
      actions++;
      out(`${htaccess} exists and is left alone: add these lines to it`);
      for (const l of lines.replace(/\n$/, "").split("\n")) out(`    ${l}`);
    }
  }
  if (actions === 0) out(`nothing to do: ${opts.site} and ${dir} are set up`);
  else if (!dry && newHtpasswd) {
    out(`next: add a user with \`htpasswd -B ${dir}/htpasswd USER\`, then log in at ${opts.prefix}/cgi-bin/login.cgi`);
  }
}
