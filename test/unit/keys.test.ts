// README, "Configuration": keys fail closed. No key, an empty, short or well-known key refuses everything,
// with a typed error that says what to set and how to generate a key.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KeyConfigError, Keyring, keyringFromEnv, MIN_KEY_LENGTH, parseFallbacks, SessionError } from "../../src/index.js";
import { keyFileWarning, MAX_KEY_FILE } from "../../src/keys.js";

const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OLD = "an-older-key-that-is-still-accepted-for-now";
/** A third key, for signatures the ring must not accept. */
const STRANGER = "7c1e9a04d2b85f36e0a9c4d71b28f5e3";
const PAYLOAD = "eyJ1c2VyX2lkIjogImFsaWNlIiwgImV4cGlyZXMiOiAxNzAwMDAwMDAwfQ==";

const dir = mkdtempSync(join(tmpdir(), "keys-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function keyFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function keyError(fn: () => unknown): KeyConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyConfigError);
    expect(err).toBeInstanceOf(SessionError);
    return err as KeyConfigError;
  }
  throw new Error("no KeyConfigError was thrown");
}

/** Every refusal says which variable to set and how to make a key. */
function expectHelpful(err: KeyConfigError): void {
  expect(err.message).toMatch(/SECRET_KEY/);
  expect(err.message).toMatch(/dbbasic-sessions keygen/);
  expect(err.message).toMatch(/openssl rand -hex 32/);
  expect(err.message).not.toMatch(/\n/);
}

describe("Keyring", () => {
  it("signs with the current key: lowercase hex HMAC-SHA256", async () => {
    const { createHmac } = await import("node:crypto");
    expect(new Keyring(KEY).sign(PAYLOAD)).toBe(createHmac("sha256", KEY).update(PAYLOAD).digest("hex"));
  });

  it("encodes the key as UTF-8, as Python's key.encode() does", async () => {
    const { createHmac } = await import("node:crypto");
    const key = "clé secrète — 鍵 — 🔑 — at least thirty-two characters";
    expect(new Keyring(key).sign(PAYLOAD)).toBe(createHmac("sha256", Buffer.from(key, "utf8")).update(PAYLOAD).digest("hex"));
  });

  it("verifies a signature made by the current key", () => {
    const ring = new Keyring(KEY);
    expect(ring.verify(PAYLOAD, ring.sign(PAYLOAD))).toBe(true);
  });

  it("verifies a signature made by a fallback key", () => {
    expect(new Keyring(KEY, [OLD]).verify(PAYLOAD, new Keyring(OLD).sign(PAYLOAD))).toBe(true);
  });

  it("never signs with a fallback key", () => {
    expect(new Keyring(KEY, [OLD]).sign(PAYLOAD)).toBe(new Keyring(KEY).sign(PAYLOAD));
    expect(new Keyring(KEY, [OLD]).sign(PAYLOAD)).not.toBe(new Keyring(OLD).sign(PAYLOAD));
  });

  it("refuses a signature made by a key it does not hold", () => {
    expect(new Keyring(KEY, [OLD]).verify(PAYLOAD, new Keyring(STRANGER).sign(PAYLOAD))).toBe(false);
  });

  it("refuses a signature that is not exactly the hex digest", () => {
    const ring = new Keyring(KEY);
    const sig = ring.sign(PAYLOAD);
    for (const bad of ["", sig.slice(1), sig + "0", sig.toUpperCase(), "0".repeat(64)]) expect(ring.verify(PAYLOAD, bad)).toBe(false);
  });

  it("accepts a key of exactly 32 characters", () => {
    expect(MIN_KEY_LENGTH).toBe(32);
    expect(() => new Keyring(KEY.slice(0, 32))).not.toThrow();
  });

  it("counts characters, not bytes or UTF-16 units, for the minimum length", () => {
    expect(() => new Keyring("éè".repeat(16))).not.toThrow();
    expect(keyError(() => new Keyring("😀".repeat(31))).code).toBe("ERR_KEY_WEAK");
  });

  it.each([
    ["empty", "", "ERR_KEY_MISSING"],
    ["31 characters", "k".repeat(31), "ERR_KEY_WEAK"],
    ["the Python default CHANGE-ME-IN-PRODUCTION", "CHANGE-ME-IN-PRODUCTION", "ERR_KEY_WEAK"],
  ])("refuses a current key that is %s", (_name, key, code) => {
    const err = keyError(() => new Keyring(key));
    expect(err.code).toBe(code);
    expectHelpful(err);
  });

  it("refuses a missing current key (not a string)", () => {
    const err = keyError(() => new Keyring(undefined as unknown as string));
    expect(err.code).toBe("ERR_KEY_MISSING");
    expectHelpful(err);
  });

  it.each([
    ["empty", "", "ERR_KEY_MISSING"],
    ["31 characters", "k".repeat(31), "ERR_KEY_WEAK"],
    ["CHANGE-ME-IN-PRODUCTION", "CHANGE-ME-IN-PRODUCTION", "ERR_KEY_WEAK"],
  ])("refuses a fallback key that is %s, naming SECRET_KEY_FALLBACKS", (_name, key, code) => {
    const err = keyError(() => new Keyring(KEY, [OLD, key]));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(/SECRET_KEY_FALLBACKS/);
    expect(err.message).toMatch(/keygen/);
  });
});

describe("parseFallbacks", () => {
  it.each([
    ["undefined", undefined, []],
    ["empty", "", []],
    ["only separators", " ,\t\n, ", []],
    ["one key", "a", ["a"]],
    ["spaces", "a b  c", ["a", "b", "c"]],
    ["commas", "a,b,,c", ["a", "b", "c"]],
    ["commas and spaces", "a, b ,c", ["a", "b", "c"]],
    ["tabs and newlines", "a\tb\nc\r\nd", ["a", "b", "c", "d"]],
    ["leading and trailing separators", ", a b ,", ["a", "b"]],
  ])("splits %s on whitespace and commas", (_name, value, expected) => {
    expect(parseFallbacks(value)).toEqual(expected);
  });
});

describe("keyringFromEnv", () => {
  const tokenSig = (ring: Keyring) => ring.sign(PAYLOAD);

  it("reads SECRET_KEY", () => {
    expect(tokenSig(keyringFromEnv({ SECRET_KEY: KEY }))).toBe(tokenSig(new Keyring(KEY)));
  });

  it("reads SECRET_KEY_FILE, ignoring one trailing newline", () => {
    expect(tokenSig(keyringFromEnv({ SECRET_KEY_FILE: keyFile("lf", KEY + "\n") }))).toBe(tokenSig(new Keyring(KEY)));
    expect(tokenSig(keyringFromEnv({ SECRET_KEY_FILE: keyFile("crlf", KEY + "\r\n") }))).toBe(tokenSig(new Keyring(KEY)));
    expect(tokenSig(keyringFromEnv({ SECRET_KEY_FILE: keyFile("bare", KEY) }))).toBe(tokenSig(new Keyring(KEY)));
  });

  it("prefers SECRET_KEY_FILE to SECRET_KEY", () => {
    const env = { SECRET_KEY_FILE: keyFile("pref", KEY + "\n"), SECRET_KEY: OLD };
    expect(tokenSig(keyringFromEnv(env))).toBe(tokenSig(new Keyring(KEY)));
  });

  it("refuses an unreadable SECRET_KEY_FILE without falling back to SECRET_KEY", () => {
    const err = keyError(() => keyringFromEnv({ SECRET_KEY_FILE: join(dir, "does-not-exist"), SECRET_KEY: KEY }));
    expect(err.code).toBe("ERR_KEY_FILE");
    expect(err.message).toMatch(/SECRET_KEY_FILE/);
    expect(err.message).toMatch(/does-not-exist/);
    expect(err.message).toMatch(/ENOENT/);
    expect(err.message).toMatch(/keygen/);
  });

  it("refuses a SECRET_KEY_FILE that is a directory", () => {
    expect(keyError(() => keyringFromEnv({ SECRET_KEY_FILE: dir })).code).toBe("ERR_KEY_FILE");
  });

  it.each([
    ["empty", "", "ERR_KEY_MISSING"],
    ["a lone newline", "\n", "ERR_KEY_MISSING"],
    ["31 characters", "k".repeat(31) + "\n", "ERR_KEY_WEAK"],
    ["CHANGE-ME-IN-PRODUCTION", "CHANGE-ME-IN-PRODUCTION\n", "ERR_KEY_WEAK"],
  ])("refuses a SECRET_KEY_FILE that holds %s", (name, content, code) => {
    const err = keyError(() => keyringFromEnv({ SECRET_KEY_FILE: keyFile("bad-" + name.replace(/\W/g, "_"), content), SECRET_KEY: KEY }));
    expect(err.code).toBe(code);
    expectHelpful(err);
  });

  it.each([
    ["no variables", {}, "ERR_KEY_MISSING"],
    ["SECRET_KEY undefined", { SECRET_KEY: undefined }, "ERR_KEY_MISSING"],
    ["SECRET_KEY empty", { SECRET_KEY: "" }, "ERR_KEY_MISSING"],
    ["SECRET_KEY of 31 characters", { SECRET_KEY: "k".repeat(31) }, "ERR_KEY_WEAK"],
    ["SECRET_KEY=CHANGE-ME-IN-PRODUCTION", { SECRET_KEY: "CHANGE-ME-IN-PRODUCTION" }, "ERR_KEY_WEAK"],
    ["only fallbacks", { SECRET_KEY_FALLBACKS: OLD }, "ERR_KEY_MISSING"],
  ])("refuses %s with a message that says what to set and how to generate a key", (_name, env, code) => {
    const err = keyError(() => keyringFromEnv(env));
    expect(err.code).toBe(code);
    expectHelpful(err);
  });

  it("accepts fallbacks separated by whitespace and commas, for verification only", () => {
    const older = STRANGER + "-older";
    const ring = keyringFromEnv({ SECRET_KEY: KEY, SECRET_KEY_FALLBACKS: ` ${OLD},\n${older} ` });
    expect(ring.verify(PAYLOAD, new Keyring(OLD).sign(PAYLOAD))).toBe(true);
    expect(ring.verify(PAYLOAD, new Keyring(older).sign(PAYLOAD))).toBe(true);
    expect(ring.sign(PAYLOAD)).toBe(new Keyring(KEY).sign(PAYLOAD));
  });

  it("refuses the whole configuration when one fallback is weak", () => {
    const err = keyError(() => keyringFromEnv({ SECRET_KEY: KEY, SECRET_KEY_FALLBACKS: `${OLD} short` }));
    expect(err.code).toBe("ERR_KEY_WEAK");
    expect(err.message).toMatch(/SECRET_KEY_FALLBACKS/);
  });

  it("does not read process.env when given an environment", () => {
    const err = keyError(() => keyringFromEnv({}));
    expect(err.code).toBe("ERR_KEY_MISSING");
  });
});

// A key of the right length can still be no key: one character repeated, only
// whitespace, or bytes that are no text (a file of NULs, of tabs, a binary file).
describe("keys that are long enough but are not random keys", () => {
  const WEAK: Array<[string, string, RegExp]> = [
    ["64 NUL bytes", "\0".repeat(64), /holds a NUL or another control character/],
    ["a good key with one NUL in it", KEY.slice(0, 32) + "\0" + KEY.slice(32), /holds a NUL or another control character/],
    ["33 tabs", "\t".repeat(33), /holds a NUL or another control character/],
    ["a good key with a DEL in it", KEY + "\x7f", /holds a NUL or another control character/],
    ["a good key with a C1 control (U+0085) in it", KEY + "\u0085", /holds a NUL or another control character/],
    ["a good key with an escape sequence in it", "\x1b[2J" + KEY, /holds a NUL or another control character/],
    ["bytes that are not UTF-8 (decoded to U+FFFD)", KEY + "\ufffd", /holds bytes that are not UTF-8 text/],
    ["32 spaces", " ".repeat(32), /is only whitespace/],
    ["40 no-break and ideographic spaces", "\u00a0\u3000".repeat(20), /is only whitespace/],
    ["64 times the letter a", "a".repeat(64), /is one character repeated/],
    ["32 times the digit 0", "0".repeat(32), /is one character repeated/],
    ["32 times one emoji (a surrogate pair)", "🔑".repeat(32), /is one character repeated/],
  ];

  it.each(WEAK)("refuses a current key that is %s, saying what is wrong without showing it", (_name, key, why) => {
    const err = keyError(() => new Keyring(key));
    expect(err.code).toBe("ERR_KEY_WEAK");
    expect(err.message).toMatch(/^the secret key /);
    expect(err.message).toMatch(why);
    expect(err.message).toMatch(/set SECRET_KEY or SECRET_KEY_FILE to a random key of at least 32 characters; generate one with/);
    expectHelpful(err);
    expect(err.message).not.toContain(key);
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toMatch(/[\0-\x1f\x7f-\x9f]/);
  });

  it.each(WEAK)("refuses a fallback key that is %s, naming SECRET_KEY_FALLBACKS", (_name, key, why) => {
    const err = keyError(() => new Keyring(KEY, [OLD, key]));
    expect(err.code).toBe("ERR_KEY_WEAK");
    expect(err.message).toMatch(/^a key in SECRET_KEY_FALLBACKS /);
    expect(err.message).toMatch(why);
    expect(err.message).not.toContain(key);
  });

  it("refuses a control character that reaches SECRET_KEY_FALLBACKS through the environment", () => {
    const err = keyError(() => keyringFromEnv({ SECRET_KEY: KEY, SECRET_KEY_FALLBACKS: `${OLD},${"\0".repeat(40)}` }));
    expect(err.message).toMatch(/^a key in SECRET_KEY_FALLBACKS holds a NUL or another control character: remove it from SECRET_KEY_FALLBACKS/);
  });

  it("refuses SECRET_KEY of 32 spaces with a message that says what to set", () => {
    const err = keyError(() => keyringFromEnv({ SECRET_KEY: " ".repeat(32) }));
    expect(err.message).toBe(
      "the secret key is only whitespace: set SECRET_KEY or SECRET_KEY_FILE to a random key of at least 32 characters; generate one with `dbbasic-sessions keygen` or `openssl rand -hex 32`",
    );
  });

  it.each([
    ["hex from openssl rand -hex 32", KEY],
    ["base64url", "q3Jx0_pV8mZ-2aLw9cY4tN6eHs1oRb7uKd5fGi0jXyE"],
    ["two characters alternating (only one repeated character is refused)", "ab".repeat(16)],
    ["a passphrase with inner spaces", "correct horse battery staple, 32+ characters long!"],
    ["a key with a space at each end", " " + KEY + " "],
    ["non-ASCII letters", "clé secrète — 鍵 — 🔑 — at least thirty-two characters"],
  ])("accepts %s", (_name, key) => {
    expect(() => new Keyring(key)).not.toThrow();
  });
});

describe("SECRET_KEY_FILE must be a small regular file holding one line", () => {
  it.each([
    ["64 NUL bytes (head -c 64 /dev/zero)", "\0".repeat(64), "ERR_KEY_WEAK", /holds a NUL or another control character/],
    ["33 tabs and a newline", "\t".repeat(33) + "\n", "ERR_KEY_WEAK", /holds a NUL or another control character/],
    ["32 spaces and a newline", " ".repeat(32) + "\n", "ERR_KEY_WEAK", /is only whitespace/],
    ["40 newlines", "\n".repeat(40), "ERR_KEY_FILE", /holds more than one line/],
    ["a key and a second line", KEY + "\n" + OLD + "\n", "ERR_KEY_FILE", /holds more than one line/],
    ["a key and a blank line", KEY + "\n\n", "ERR_KEY_FILE", /holds more than one line/],
    ["a key and a blank CRLF line", KEY + "\r\n\r\n", "ERR_KEY_FILE", /holds more than one line/],
    ["a key split by a lone CR", KEY.slice(0, 32) + "\r" + KEY.slice(32), "ERR_KEY_FILE", /holds more than one line/],
    ["random bytes (not UTF-8 text)", "\ufffd".repeat(2) + KEY, "ERR_KEY_WEAK", /holds bytes that are not UTF-8 text/],
  ])("refuses a file of %s", (name, content, code, why) => {
    const path = keyFile("weak-" + name.replace(/\W/g, "_"), content);
    const err = keyError(() => keyringFromEnv({ SECRET_KEY_FILE: path, SECRET_KEY: KEY }));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(why);
    expectHelpful(err);
    expect(err.message).not.toContain(KEY);
  });

  it("says which file holds more than one line", () => {
    const path = keyFile("two-lines", KEY + "\n" + KEY + "\n");
    expect(keyError(() => keyringFromEnv({ SECRET_KEY_FILE: path })).message).toBe(
      `SECRET_KEY_FILE ${JSON.stringify(path)} holds more than one line: set SECRET_KEY or SECRET_KEY_FILE to a random key on a single line; generate one with \`dbbasic-sessions keygen\` or \`openssl rand -hex 32\``,
    );
  });

  it("refuses /dev/zero at once instead of reading it forever", () => {
    const err = keyError(() => keyringFromEnv({ SECRET_KEY_FILE: "/dev/zero" }));
    expect(err.code).toBe("ERR_KEY_FILE");
    expect(err.message).toBe(
      'SECRET_KEY_FILE "/dev/zero" is not a regular file (a character device): set SECRET_KEY_FILE to a regular file holding only the key; generate one with `dbbasic-sessions keygen` or `openssl rand -hex 32`',
    );
  });

  it("refuses a FIFO at once instead of waiting for a writer", () => {
    const fifo = join(dir, "key.fifo");
    execFileSync("mkfifo", [fifo]);
    const err = keyError(() => keyringFromEnv({ SECRET_KEY_FILE: fifo }));
    expect(err.code).toBe("ERR_KEY_FILE");
    expect(err.message).toMatch(/^SECRET_KEY_FILE ".*key\.fifo" is not a regular file \(a FIFO\): /);
    expectHelpful(err);
  });

  it("refuses a directory, naming what it is", () => {
    expect(keyError(() => keyringFromEnv({ SECRET_KEY_FILE: dir })).message).toMatch(/is not a regular file \(a directory\)/);
  });

  it(`reads a key file of exactly ${MAX_KEY_FILE} bytes and refuses one a byte larger`, () => {
    expect(MAX_KEY_FILE).toBe(4096);
    const long = KEY.repeat(64); // 4096 characters
    const ok = keyFile("at-cap", long);
    expect(keyringFromEnv({ SECRET_KEY_FILE: ok }).sign(PAYLOAD)).toBe(new Keyring(long).sign(PAYLOAD));
    const err = keyError(() => keyringFromEnv({ SECRET_KEY_FILE: keyFile("over-cap", long + "\n") }));
    expect(err.code).toBe("ERR_KEY_FILE");
    expect(err.message).toMatch(/^SECRET_KEY_FILE ".*over-cap" is over the 4096-byte limit: set SECRET_KEY_FILE to a regular file holding only the key; /);
  });
});

describe("keyFileWarning", () => {
  const modeFile = (name: string, mode: number): string => {
    const path = keyFile(name, KEY + "\n");
    chmodSync(path, mode);
    return path;
  };
  const gid = process.getegid!();

  it.each([
    [0o602, "every user"],
    [0o622, "every user"],
    [0o666, "every user"],
    [0o620, "its group"],
    [0o660, "its group"],
  ])("warns that a key file of mode %o is writable by %s", (mode, who) => {
    const path = modeFile("w" + mode.toString(8), mode);
    const octal = "0" + mode.toString(8);
    expect(keyFileWarning({ SECRET_KEY_FILE: path }, gid)).toBe(
      `SECRET_KEY_FILE ${JSON.stringify(path)} is writable by ${who} (mode ${octal}), who can then forge any session: chmod 600 it, or chmod 640 and chgrp it to the web server's group`,
    );
  });

  it("still warns about a key file readable by every user, and not about modes 600 and 640 of its own group", () => {
    const path = modeFile("r644", 0o644);
    expect(keyFileWarning({ SECRET_KEY_FILE: path }, gid)).toMatch(/is readable by every user \(mode 0644\)/);
    expect(keyFileWarning({ SECRET_KEY_FILE: modeFile("r600", 0o600) }, gid)).toBeUndefined();
    expect(keyFileWarning({ SECRET_KEY_FILE: modeFile("r640", 0o640) }, gid)).toBeUndefined();
  });
});
