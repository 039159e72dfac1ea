// The settings file (README, "Shared hosting"): where it is, what it may hold, which
// files are refused and with which one line, and how it merges under the environment.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { MAX_SETTINGS_FILE, mergeSettings, parseSettings, readSettings, settingsHome, settingsPath } from "../../src/request/settings.js";

const root = mkdtempSync(join(tmpdir(), "settings-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const me = process.getuid!();
const KEY = "0123456789abcdef".repeat(4);
const FILE = "/home/alice/.dbbasic-sessions/settings";

function parseError(text: string): string {
  try {
    parseSettings(text, FILE, "/home/alice");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("no ConfigError was thrown");
}

let homes = 0;
/** A fresh home with a .dbbasic-sessions folder (0700) holding `text` as settings (0600). */
function home(text?: string, fileMode = 0o600, dirMode = 0o700): string {
  const dir = join(root, `home${++homes}`);
  mkdirSync(join(dir, ".dbbasic-sessions"), { recursive: true });
  chmodSync(join(dir, ".dbbasic-sessions"), dirMode);
  if (text !== undefined) {
    writeFileSync(join(dir, ".dbbasic-sessions", "settings"), text);
    chmodSync(join(dir, ".dbbasic-sessions", "settings"), fileMode);
  }
  return dir;
}

function readError(dir: string, uid = me): string {
  try {
    readSettings(dir, uid);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("no ConfigError was thrown");
}

const at = (dir: string) => JSON.stringify(join(dir, ".dbbasic-sessions", "settings"));

describe("settingsHome and settingsPath", () => {
  it.each([
    ["/home/alice", "/home/alice"],
    ["/home/alice/", "/home/alice"],
    ["/home//alice", "/home/alice"],
    ["/var/www2", "/var/www2"],
    ["/srv/site", "/srv/site"],
  ])("takes the home %j as %j", (given, home) => {
    expect(settingsHome(() => given)).toBe(home);
    expect(settingsPath(settingsHome(() => given))).toBe(`${home}/.dbbasic-sessions/settings`);
  });

  it.each(["/", "//", "", "home/alice", "/var/www", "/var/www/", "/var//www", "/var/www/alice", "/home/../var/www", "/home/./a"])(
    "finds no settings file for the home %j",
    (given) => {
      expect(settingsHome(() => given)).toBeUndefined();
    },
  );

  it("finds no settings file for a user without a password entry", () => {
    expect(
      settingsHome(() => {
        throw new Error("ENOENT");
      }),
    ).toBeUndefined();
  });

  it("puts the settings file in the home's .dbbasic-sessions folder", () => {
    expect(settingsPath("/home/alice")).toBe("/home/alice/.dbbasic-sessions/settings");
  });
});

describe("parseSettings", () => {
  it("reads NAME=value lines, comments and blank lines, the value as it is", () => {
    const text = [
      "# a comment",
      "   # an indented comment",
      "",
      "  \t",
      `SECRET_KEY=${KEY}`,
      "SESSION_TTL=3600",
      "LOGIN_ERROR_TEXT=Falsch = wrong # not a comment",
      "SESSION_REQUIRE=group staff; user ann",
      "SESSION_COOKIE=",
    ].join("\n");
    expect({ ...parseSettings(text, FILE, "/home/alice") }).toEqual({
      SECRET_KEY: KEY,
      SESSION_TTL: "3600",
      LOGIN_ERROR_TEXT: "Falsch = wrong # not a comment",
      SESSION_REQUIRE: "group staff; user ann",
      SESSION_COOKIE: "",
    });
  });

  it("removes one pair of matching quotes around a value, and nothing inside", () => {
    const text = `LOGIN_ERROR_TEXT=" Mot de passe 'faux' "\nLOGIN_URL='/~a/login.cgi'\nSESSION_COOKIE=""\n`;
    expect({ ...parseSettings(text, FILE, "/home/alice") }).toEqual({
      LOGIN_ERROR_TEXT: " Mot de passe 'faux' ",
      LOGIN_URL: "/~a/login.cgi",
      SESSION_COOKIE: "",
    });
  });

  it("expands ~/ at the start of a path setting to the home, and each folder of GATE_ROOT", () => {
    const text = "HTPASSWD_FILE=~/.dbbasic-sessions/htpasswd\nGATE_ROOT=~/public_html:/srv/shared:~\nLOGIN_ERROR_TEXT=~/not a path\n";
    expect({ ...parseSettings(text, FILE, "/home/alice") }).toEqual({
      HTPASSWD_FILE: "/home/alice/.dbbasic-sessions/htpasswd",
      GATE_ROOT: "/home/alice/public_html:/srv/shared:/home/alice",
      LOGIN_ERROR_TEXT: "~/not a path",
    });
  });

  it("accepts a last line without a newline", () => {
    expect({ ...parseSettings("SESSION_TTL=60", FILE, "/h") }).toEqual({ SESSION_TTL: "60" });
  });

  it("gives a result without a prototype", () => {
    expect(Object.getPrototypeOf(parseSettings("SESSION_TTL=60\n", FILE, "/h"))).toBeNull();
  });

  const where = `settings file ${JSON.stringify(FILE)}`;
  it.each([
    ["an unknown name", "SESSION_TTL=60\n# x\nSESION_TTL=60\n", `${where} line 3: unknown setting "SESION_TTL" (the names are those of README, "Configuration")`],
    ["a name the server sets, not the file", "HTTP_COOKIE=session=x\n", `${where} line 1: unknown setting "HTTP_COOKIE" (the names are those of README, "Configuration")`],
    ["a repeated name", "SESSION_TTL=60\n\nSESSION_TTL=61\n", `${where} line 3: SESSION_TTL is already set on line 1`],
    ["a line without =", "SESSION_TTL=60\nSECRET_KEY\n", `${where} line 2: expected NAME=value (or a # comment)`],
    ["spaces around =", "SESSION_TTL = 60\n", `${where} line 1: expected NAME=value with NAME at the start of the line, no spaces around "=" (got "SESSION_TTL ")`],
    ["an indented setting", "  SESSION_TTL=60\n", `${where} line 1: expected NAME=value with NAME at the start of the line, no spaces around "=" (got "  SESSION_TTL")`],
    ["a lowercase name", "session_ttl=60\n", `${where} line 1: expected NAME=value with NAME at the start of the line, no spaces around "=" (got "session_ttl")`],
    ["export NAME=value", "export SESSION_TTL=60\n", `${where} line 1: expected NAME=value with NAME at the start of the line, no spaces around "=" (got "export SESSION_TTL")`],
    ["CRLF line endings", "SESSION_TTL=60\r\nLOGIN_URL=/x\r\n", `${where} line 1: ends with CR (Windows line endings): save the file with Unix (LF) line endings`],
    ["a byte order mark", "\ufeffSESSION_TTL=60\n", `${where} line 1: starts with a byte order mark (BOM): save the file as UTF-8 without one`],
    ["a NUL", "SESSION_TTL=60\nLOGIN_URL=/x\0\n", `${where} line 2: holds a control character`],
    ["bytes that are not UTF-8", "LOGIN_ERROR_TEXT=caf\ufffd\n", `${where} line 1: holds bytes that are not UTF-8 text`],
    ["a trailing space", `SECRET_KEY=${KEY} \n`, `${where} line 1: the value of SECRET_KEY starts or ends with a space or tab: remove it, or quote the whole value`],
    ["a leading tab", "SESSION_TTL=\t60\n", `${where} line 1: the value of SESSION_TTL starts or ends with a space or tab: remove it, or quote the whole value`],
    ["an unbalanced quote", `LOGIN_ERROR_TEXT="Wrong\n`, `${where} line 1: the value of LOGIN_ERROR_TEXT opens a quote (") that does not close at the end of the line`],
    ["a lone quote", `LOGIN_ERROR_TEXT='\n`, `${where} line 1: the value of LOGIN_ERROR_TEXT opens a quote (') that does not close at the end of the line`],
    ["a relative path", "HTPASSWD_FILE=private/htpasswd\n", `${where} line 1: HTPASSWD_FILE must be an absolute path or start with ~/`],
    ["a relative folder in GATE_ROOT", "GATE_ROOT=~/public_html:site\n", `${where} line 1: GATE_ROOT must be an absolute path or start with ~/`],
    ["~user/ (another user's home)", "HTPASSWD_FILE=~bob/htpasswd\n", `${where} line 1: HTPASSWD_FILE must be an absolute path or start with ~/`],
    [
      "NODE_COMPILE_CACHE",
      "NODE_COMPILE_CACHE=~/.dbbasic-sessions/cache\n",
      `${where} line 1: NODE_COMPILE_CACHE cannot be set here: Node reads it before the program starts (\`dbbasic-sessions setup-site\` puts it on the programs' first line)`,
    ],
  ])("refuses %s, naming the file and the line", (_what, text, message) => {
    expect(parseError(text)).toBe(message);
  });
});

describe("readSettings", () => {
  it("reads the settings file of a home", () => {
    const dir = home(`SECRET_KEY=${KEY}\nHTPASSWD_FILE=~/.dbbasic-sessions/htpasswd\n`);
    expect({ ...readSettings(dir, me) }).toEqual({ SECRET_KEY: KEY, HTPASSWD_FILE: `${dir}/.dbbasic-sessions/htpasswd` });
  });

  it("finds nothing where there is no folder, or no file in it", () => {
    const bare = join(root, "bare");
    mkdirSync(bare);
    expect(readSettings(bare, me)).toBeUndefined();
    expect(readSettings(home(), me)).toBeUndefined();
  });

  it("accepts a group- or world-readable file without a key", () => {
    expect({ ...readSettings(home("SESSION_TTL=60\n", 0o644), me) }).toEqual({ SESSION_TTL: "60" });
  });

  it("refuses a symlink to another user's file", () => {
    const dir = home();
    const other = join(root, "others-settings");
    writeFileSync(other, `SECRET_KEY=${KEY}\n`, { mode: 0o600 });
    if (me === 0) chownSync(other, 4243, 4243);
    symlinkSync(other, join(dir, ".dbbasic-sessions", "settings"));
    expect(readError(dir)).toBe(`settings file ${at(dir)}: is a symlink: make it a regular file`);
  });

  it("refuses a FIFO at once, without waiting for a writer", () => {
    const dir = home();
    execFileSync("mkfifo", ["-m", "600", join(dir, ".dbbasic-sessions", "settings")]);
    expect(readError(dir)).toBe(`settings file ${at(dir)}: is a FIFO: make it a regular file`);
  });

  it("refuses a directory", () => {
    const dir = home();
    mkdirSync(join(dir, ".dbbasic-sessions", "settings"), { mode: 0o700 });
    expect(readError(dir)).toBe(`settings file ${at(dir)}: is a directory: make it a regular file`);
  });

  it("refuses a file over the size limit, and reads one at it", () => {
    const line = "# " + "x".repeat(97) + "\n"; // 100 bytes
    const atLimit = line.repeat(MAX_SETTINGS_FILE / 100 - 1) + "SESSION_TTL=60\n" + "#".repeat(MAX_SETTINGS_FILE % 100 + 100 - 16) + "\n";
    expect(Buffer.byteLength(atLimit)).toBe(MAX_SETTINGS_FILE);
    expect({ ...readSettings(home(atLimit), me) }).toEqual({ SESSION_TTL: "60" });
    const dir = home(atLimit + "\n");
    expect(readError(dir)).toBe(`settings file ${at(dir)}: is over the 65536-byte limit`);
  });

  it.each([
    ["its group", 0o620, "0620"],
    ["every user", 0o602, "0602"],
  ])("refuses a file writable by %s", (who, mode, octal) => {
    const dir = home("SESSION_TTL=60\n", mode);
    expect(readError(dir)).toBe(`settings file ${at(dir)}: is writable by ${who} (mode ${octal}): chmod go-w it`);
  });

  it.each([
    ["its group", 0o770, "0770"],
    ["every user", 0o703, "0703"],
  ])("refuses a folder writable by %s", (who, mode, octal) => {
    const dir = home("SESSION_TTL=60\n", 0o600, mode);
    expect(readError(dir)).toBe(`settings file ${at(dir)}: its folder is writable by ${who} (mode ${octal}): chmod go-w it`);
  });

  it("refuses a folder that is a symlink", () => {
    const dir = join(root, "linked");
    mkdirSync(dir);
    const real = home("SESSION_TTL=60\n");
    symlinkSync(join(real, ".dbbasic-sessions"), join(dir, ".dbbasic-sessions"));
    expect(readError(dir)).toBe(`settings file ${at(dir)}: its folder ${JSON.stringify(join(dir, ".dbbasic-sessions"))} is a symlink, not a directory`);
  });

  it("refuses a file owned by another user (not root)", () => {
    const dir = home("SESSION_TTL=60\n");
    const file = join(dir, ".dbbasic-sessions", "settings");
    // As root, the file is given to another user; otherwise it is ours, and read as if by another.
    const owner = me === 0 ? 4243 : me;
    const reader = me === 0 ? 0 : me + 1;
    if (me === 0) chownSync(file, owner, owner);
    expect(readError(dir, reader)).toBe(`settings file ${at(dir)}: is owned by uid ${owner}, not by this program's user (uid ${reader}) or root`);
  });

  it.each([
    ["its group", 0o640, "0640", "SECRET_KEY"],
    ["every user", 0o604, "0604", "SECRET_KEY"],
    ["its group", 0o640, "0640", "SECRET_KEY_FALLBACKS"],
  ])("refuses a key in a file readable by %s (mode %s, %s)", (who, mode, octal, name) => {
    const dir = home(`${name}=${KEY}\n`, mode);
    expect(readError(dir)).toBe(`settings file ${at(dir)}: holds a key and is readable by ${who} (mode ${octal}): chmod 600 it`);
  });

  it("names the line of a file that does not parse", () => {
    const dir = home("SESSION_TTL=60\nSESSION_TTL=60\n");
    expect(readError(dir)).toBe(`settings file ${at(dir)} line 2: SESSION_TTL is already set on line 1`);
  });
});

describe("mergeSettings", () => {
  it("keeps what the environment sets, even empty, and adds the rest from the file", () => {
    expect(mergeSettings({ SESSION_TTL: "60", LOGIN_URL: "", PATH: "/bin" }, { SESSION_TTL: "3600", LOGIN_URL: "/a", HTPASSWD_FILE: "/h" })).toEqual({
      SESSION_TTL: "60",
      LOGIN_URL: "",
      PATH: "/bin",
      HTPASSWD_FILE: "/h",
    });
  });

  it.each(["SECRET_KEY", "SECRET_KEY_FILE", "SECRET_KEY_FALLBACKS"])("takes none of the file's key settings when the environment sets %s", (name) => {
    const file = { SECRET_KEY: KEY, SECRET_KEY_FILE: "/k", SECRET_KEY_FALLBACKS: "old", SESSION_TTL: "60" };
    expect(mergeSettings({ [name]: "env" }, file)).toEqual({ [name]: "env", SESSION_TTL: "60" });
  });

  it("takes the file's key settings when the environment sets none", () => {
    expect(mergeSettings({}, { SECRET_KEY_FILE: "/k", SECRET_KEY_FALLBACKS: "old" })).toEqual({ SECRET_KEY_FILE: "/k", SECRET_KEY_FALLBACKS: "old" });
  });

  it("leaves the environment it was given unchanged", () => {
    const env = { SESSION_TTL: "60" };
    mergeSettings(env, { LOGIN_URL: "/a" });
    expect(env).toEqual({ SESSION_TTL: "60" });
  });
});
