// README, "Configuration": keys fail closed. No key, an empty, short or well-known key refuses everything,
// with a typed error that says what to set and how to generate a key.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KeyConfigError, Keyring, keyringFromEnv, MIN_KEY_LENGTH, parseFallbacks, SessionError } from "../../src/index.js";

const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OLD = "an-older-key-that-is-still-accepted-for-now";
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
    expect(new Keyring(KEY, [OLD]).verify(PAYLOAD, new Keyring("z".repeat(32)).sign(PAYLOAD))).toBe(false);
  });

  it("refuses a signature that is not exactly the hex digest", () => {
    const ring = new Keyring(KEY);
    const sig = ring.sign(PAYLOAD);
    for (const bad of ["", sig.slice(1), sig + "0", sig.toUpperCase(), "0".repeat(64)]) expect(ring.verify(PAYLOAD, bad)).toBe(false);
  });

  it("accepts a key of exactly 32 characters", () => {
    expect(MIN_KEY_LENGTH).toBe(32);
    expect(() => new Keyring("k".repeat(32))).not.toThrow();
  });

  it("counts characters, not bytes or UTF-16 units, for the minimum length", () => {
    expect(() => new Keyring("é".repeat(32))).not.toThrow();
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
    const older = "o".repeat(40);
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
