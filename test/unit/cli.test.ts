// docs/command-line.md: the dbbasic-sessions command, run as a real process (bin/dbbasic-sessions,
// built by `make`) with an explicit environment: no process.env leaks in, nothing mutated.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, Keyring, verifySession } from "../../src/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "bin", "dbbasic-sessions");
const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OLD = "an-older-key-that-is-still-accepted-for-now";
const BASE_ENV = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, LANG: "C.UTF-8" };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...BASE_ENV, ...env }, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const withKey = (args: string[], env: Record<string, string> = {}) => cli(args, { SECRET_KEY: KEY, ...env });
const nowSec = () => Math.floor(Date.now() / 1000);

const dir = mkdtempSync(join(tmpdir(), "cli-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`make build\` first`);
});

describe("dbbasic-sessions keygen", () => {
  it("prints 64 lowercase hex characters and a newline, exit 0, nothing on stderr", () => {
    const r = cli(["keygen"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(r.stderr).toBe("");
  });

  it("prints a different key each run", () => {
    expect(cli(["keygen"]).stdout).not.toBe(cli(["keygen"]).stdout);
  });

  it("needs no key in the environment, and its key is accepted as SECRET_KEY", () => {
    const key = cli(["keygen"]).stdout.trim();
    const token = cli(["create", "ann"], { SECRET_KEY: key }).stdout.trim();
    expect(cli(["verify", token], { SECRET_KEY: key })).toEqual({ status: 0, stdout: "ann\n", stderr: "" });
  });

  it("runs through its #!/usr/bin/env node line as an executable", () => {
    const r = spawnSync(CLI, ["keygen"], { env: BASE_ENV, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
  });
});

describe("dbbasic-sessions create and verify", () => {
  it("round-trips a user: create prints one token line, verify prints the user id, exit 0", () => {
    const created = withKey(["create", "alice"]);
    expect(created.status).toBe(0);
    expect(created.stderr).toBe("");
    expect(created.stdout).toMatch(/^[A-Za-z0-9_-]+={0,2}\.[0-9a-f]{64}\n$/);
    expect(withKey(["verify", created.stdout.trim()])).toEqual({ status: 0, stdout: "alice\n", stderr: "" });
  });

  it("makes a 30-day token by default and honours --ttl", () => {
    const before = nowSec();
    const long = verifySession(withKey(["create", "alice"]).stdout.trim(), { keys: KEY });
    const short = verifySession(withKey(["create", "alice", "--ttl", "60"]).stdout.trim(), { keys: KEY });
    const after = nowSec();
    expect(long.expires).toBeGreaterThanOrEqual(before + 2592000);
    expect(long.expires).toBeLessThanOrEqual(after + 2592000);
    expect(short.expires).toBeGreaterThanOrEqual(before + 60);
    expect(short.expires).toBeLessThanOrEqual(after + 60);
  });

  it("makes the byte-identical token the library makes for the same user, expiry and key", () => {
    const token = withKey(["create", "ann@example.com", "--ttl", "3600"]).stdout.trim();
    const { expires } = verifySession(token, { keys: KEY });
    expect(token).toBe(createSession("ann@example.com", 3600, { keys: KEY, now: () => expires - 3600 }));
  });

  it("handles unicode and punctuation in user ids", () => {
    for (const user of ["山田太郎", "José 😀", 'a"b\\c', "42", "-dash-first"]) {
      const token = withKey(["create", user]).stdout.trim();
      expect(withKey(["verify", token])).toEqual({ status: 0, stdout: user + "\n", stderr: "" });
    }
  });

  it("verifies a token the library made", () => {
    const token = createSession("lib-user", 600, { keys: KEY });
    expect(withKey(["verify", token]).stdout).toBe("lib-user\n");
  });

  it("reads the key from SECRET_KEY_FILE", () => {
    const path = join(dir, "key");
    writeFileSync(path, KEY + "\n");
    const token = cli(["create", "filed"], { SECRET_KEY_FILE: path }).stdout.trim();
    expect(createSession("filed", 1, { keys: KEY, now: () => verifySession(token, { keys: KEY }).expires - 1 })).toBe(token);
    expect(cli(["verify", token], { SECRET_KEY_FILE: path }).stdout).toBe("filed\n");
  });

  it("verifies a token signed with a key in SECRET_KEY_FALLBACKS, and signs only with SECRET_KEY", () => {
    const oldToken = cli(["create", "rotated"], { SECRET_KEY: OLD }).stdout.trim();
    expect(withKey(["verify", oldToken], { SECRET_KEY_FALLBACKS: `x${"y".repeat(40)}, ${OLD}` }).stdout).toBe("rotated\n");
    const newToken = withKey(["create", "rotated"], { SECRET_KEY_FALLBACKS: OLD }).stdout.trim();
    expect(verifySession(newToken, { keys: KEY }).userId).toBe("rotated");
    expect(cli(["verify", newToken], { SECRET_KEY: OLD }).status).toBe(1);
  });

  it.each([
    ["expired (--ttl 0)", () => withKey(["create", "alice", "--ttl", "0"]).stdout.trim()],
    ["expired (--ttl -60)", () => withKey(["create", "alice", "--ttl", "-60"]).stdout.trim()],
    ["signed with another key", () => cli(["create", "alice"], { SECRET_KEY: OLD }).stdout.trim()],
    ["tampered", () => withKey(["create", "alice"]).stdout.trim().replace(/.$/, (c) => (c === "0" ? "1" : "0"))],
    ["upper-case hex", () => withKey(["create", "alice"]).stdout.trim().toUpperCase()],
    ["garbage", () => "not-a-token"],
    ["a.b.c.d", () => "a.b.c.d"],
    ["empty", () => ""],
    ["10 000 characters", () => "a".repeat(10_000)],
  ])("exits 1 with nothing on stdout or stderr for a token that is %s", (_name, make) => {
    expect(withKey(["verify", make()])).toEqual({ status: 1, stdout: "", stderr: "" });
  });
});

describe("dbbasic-sessions key errors", () => {
  it.each([
    ["no key", {}, /no secret key: set SECRET_KEY or SECRET_KEY_FILE/],
    ["an empty key", { SECRET_KEY: "" }, /empty: set SECRET_KEY or SECRET_KEY_FILE/],
    ["a 31-character key", { SECRET_KEY: "k".repeat(31) }, /too weak: set SECRET_KEY or SECRET_KEY_FILE/],
    ["CHANGE-ME-IN-PRODUCTION", { SECRET_KEY: "CHANGE-ME-IN-PRODUCTION" }, /too weak/],
    ["an unreadable SECRET_KEY_FILE", { SECRET_KEY_FILE: "/nonexistent/key", SECRET_KEY: KEY }, /SECRET_KEY_FILE "\/nonexistent\/key" cannot be read/],
    ["a weak fallback", { SECRET_KEY: KEY, SECRET_KEY_FALLBACKS: "short" }, /SECRET_KEY_FALLBACKS/],
  ])("exits 2 with one line on stderr and nothing on stdout for %s", (_name, env, message) => {
    for (const args of [["create", "alice"], ["verify", "a.b"]]) {
      const r = cli(args, env as Record<string, string>);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^dbbasic-sessions: [^\n]+\n$/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/keygen/);
    }
  });

  it("never falls back to a default key", () => {
    const r = cli(["create", "alice"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
  });
});

describe("dbbasic-sessions usage errors", () => {
  it.each([
    ["no arguments", []],
    ["an unknown command", ["frobnicate"]],
    ["keygen with an argument", ["keygen", "extra"]],
    ["create without a user", ["create"]],
    ["create with two users", ["create", "a", "b"]],
    ["--ttl without a value", ["create", "alice", "--ttl"]],
    ["--ttl that is not a number", ["create", "alice", "--ttl", "soon"]],
    ["a fractional --ttl", ["create", "alice", "--ttl", "1.5"]],
    ["an unknown option", ["create", "alice", "--ttk", "60"]],
    ["create whose only argument is --ttl", ["create", "--ttl"]],
    ["verify with two tokens", ["verify", "a", "b"]],
  ])("exits 2 with usage on stderr and nothing on stdout for %s", (_name, args) => {
    const r = withKey(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/usage:/);
  });

  it("accepts --ttl before the user as well as after it", () => {
    const r = withKey(["create", "--ttl", "60", "ann"]);
    expect(r.status).toBe(0);
    const payload = JSON.parse(Buffer.from(r.stdout.trim().split(".")[0]!, "base64url").toString());
    expect(payload.user_id).toBe("ann");
    expect(payload.expires - nowSec()).toBeGreaterThanOrEqual(59);
    expect(payload.expires - nowSec()).toBeLessThanOrEqual(60);
  });

  it("exits 2 with a one-line reason for an empty user id", () => {
    const r = withKey(["create", ""]);
    expect(r).toMatchObject({ status: 2, stdout: "" });
    expect(r.stderr).toMatch(/^dbbasic-sessions: user id must not be empty\n$/);
  });

  it("exits 2 with a one-line reason for a user id too long for a cookie", () => {
    const r = withKey(["create", "x".repeat(5000)]);
    expect(r).toMatchObject({ status: 2, stdout: "" });
    expect(r.stderr).toMatch(/^dbbasic-sessions: the session cookie would be \d+ bytes, over the 4096[^\n]*\n$/);
  });

  it("signs the same payload as the library's keyring", () => {
    const token = withKey(["create", "ring"]).stdout.trim();
    const [payload, sig] = token.split(".");
    expect(new Keyring(KEY).sign(payload!)).toBe(sig);
  });
});
