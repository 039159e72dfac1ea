// docs/library.md: createSession / getSession / destroySession, with keys and the clock injected.
// Includes every case of the Python dbbasic-sessions test suite.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createSession,
  DEFAULT_TTL,
  destroySession,
  encodeToken,
  getSession,
  KeyConfigError,
  Keyring,
  resolveKeys,
  SessionCreateError,
  SessionError,
  TokenInvalidError,
  verifySession,
} from "../../src/index.js";

const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OTHER_KEY = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const NOW = 1_700_000_000;
const opts = { keys: KEY, now: () => NOW };
const at = (now: number) => ({ keys: KEY, now: () => now });

const create = (user: string | number, ttl?: number) => createSession(user, ttl, opts);
const get = (token: string | null | undefined, now = NOW) => getSession(token, at(now));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("nothing was thrown");
}

describe("createSession", () => {
  it("returns a token that getSession maps back to the user id", () => {
    expect(get(create("alice"))).toBe("alice");
  });

  it("turns a numeric user id into its string, as str(42) does", () => {
    const token = create(42);
    expect(get(token)).toBe("42");
    expect(token).toBe(createSession("42", undefined, opts));
    expect(Buffer.from(token.split(".")[0]!, "base64url").toString()).toContain('"user_id": "42"');
  });

  it("writes every digit of a large integer id, as Python's str(10**21) does", () => {
    expect(get(create(1e21))).toBe("1000000000000000000000");
    expect(get(create(-7))).toBe("-7");
  });

  it("defaults the TTL to 30 days (2592000 s)", () => {
    expect(DEFAULT_TTL).toBe(2592000);
    expect(verifySession(create("alice"), opts).expires).toBe(NOW + 2592000);
    expect(get(create("alice"), NOW + 2592000 - 1)).toBe("alice");
    expect(get(create("alice"), NOW + 2592000)).toBeNull();
  });

  it("sets expires to the whole-second clock plus the TTL", () => {
    const token = createSession("alice", 60, { keys: KEY, now: () => NOW + 0.999 });
    expect(verifySession(token, at(NOW)).expires).toBe(NOW + 60);
  });

  it("makes the same token for the same user, expiry and key, and different tokens otherwise", () => {
    expect(create("alice", 60)).toBe(create("alice", 60));
    expect(create("alice", 60)).not.toBe(create("alice", 61));
    expect(create("alice", 60)).not.toBe(createSession("alice", 60, { keys: OTHER_KEY, now: () => NOW }));
  });

  it("accepts a TTL of a year", () => {
    const year = 365 * 24 * 3600;
    const token = create("alice", year);
    expect(get(token, NOW + year - 1)).toBe("alice");
    expect(get(token, NOW + year)).toBeNull();
  });

  it("makes an already-expired token for a TTL of 0, as Python does", () => {
    expect(get(create("alice", 0))).toBeNull();
    expect(get(create("alice", 0), NOW - 1)).toBe("alice");
  });

  it("makes an already-expired token for a negative TTL, as Python does", () => {
    expect(get(create("alice", -1))).toBeNull();
    expect(get(create("alice", -3600), NOW - 3601)).toBe("alice");
  });

  it("keeps 100 users' sessions apart", () => {
    const tokens = Array.from({ length: 100 }, (_, i) => create(`user${i}`));
    expect(new Set(tokens).size).toBe(100);
    tokens.forEach((t, i) => expect(get(t)).toBe(`user${i}`));
  });

  it.each([
    ["special characters", "user@example.com!#$%^&*()"],
    ["a dot", "first.last"],
    ["quotes and backslashes", `a"b'c\\d`],
    ["a semicolon and equals sign", "a=b; c"],
    ["control characters", "a\n\r\t\b\f\x00\x1f\x7fb"],
    ["accents", "José Müller"],
    ["CJK", "用户名"],
    ["Arabic", "مستخدم"],
    ["an emoji", "👤😀"],
    ["a lone surrogate", "x\ud800y"],
    ["a long id", "u".repeat(2000)],
  ])("round-trips a user id with %s", (_name, user) => {
    const token = create(user);
    expect(token).toMatch(/^[A-Za-z0-9_-]+={0,2}\.[0-9a-f]{64}$/);
    expect(get(token)).toBe(user);
  });

  it.each([
    ["an empty string", ""],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["null", null],
    ["undefined", undefined],
    ["an object", { id: 1 }],
    ["a boolean", true],
  ])("throws SessionCreateError ERR_USER_ID_INVALID for %s", (_name, user) => {
    const err = thrown(() => createSession(user as unknown as string, 60, opts));
    expect(err).toBeInstanceOf(SessionCreateError);
    expect(err).toBeInstanceOf(SessionError);
    expect((err as SessionCreateError).code).toBe("ERR_USER_ID_INVALID");
    expect(err.message).toMatch(/user id/);
  });

  it.each([
    ["fractional", 1.5],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["a string", "3600"],
    ["beyond 2**53", 2 ** 53],
    ["pushing expires beyond 2**53", Number.MAX_SAFE_INTEGER - 10],
  ])("throws SessionCreateError ERR_TTL_INVALID for a TTL that is %s", (_name, ttl) => {
    const err = thrown(() => createSession("alice", ttl as number, opts));
    expect(err).toBeInstanceOf(SessionCreateError);
    expect((err as SessionCreateError).code).toBe("ERR_TTL_INVALID");
    expect(err.message).toMatch(/ttl/);
  });

  it("throws ERR_TOKEN_TOO_LARGE exactly when name=token would exceed 4096 bytes", () => {
    const ring = new Keyring(KEY);
    let sawLimit = false;
    for (let n = 2950; n <= 3020; n++) {
      const user = "x".repeat(n);
      const cookie = "session=" + encodeToken(ring, user, NOW + 60);
      if (cookie.length <= 4096) {
        expect(createSession(user, 60, opts)).toBe(cookie.slice("session=".length));
      } else {
        sawLimit = true;
        const err = thrown(() => createSession(user, 60, opts));
        expect(err).toBeInstanceOf(SessionCreateError);
        expect((err as SessionCreateError).code).toBe("ERR_TOKEN_TOO_LARGE");
        expect(err.message).toMatch(/4096/);
        expect(err.message).toMatch(/shorter user id/);
      }
    }
    expect(sawLimit).toBe(true);
  });

  it("counts the cookie name toward the 4096-byte limit", () => {
    const user = "x".repeat(2950);
    const length = ("session=" + createSession(user, 60, opts)).length;
    const longName = "n".repeat(4096 - length + "session".length + 1);
    const err = thrown(() => createSession(user, 60, { ...opts, cookieName: longName }));
    expect((err as SessionCreateError).code).toBe("ERR_TOKEN_TOO_LARGE");
  });

  it("counts escaped characters at their escaped size", () => {
    // Each emoji is 12 bytes of JSON (two \uXXXX escapes): 300 of them make a 4 KiB cookie.
    const err = thrown(() => create("😀".repeat(300)));
    expect((err as SessionCreateError).code).toBe("ERR_TOKEN_TOO_LARGE");
    expect(get(create("😀".repeat(200)))).toBe("😀".repeat(200));
  });

  it("signs with the current key only, never a fallback", () => {
    const ring = new Keyring(KEY, [OTHER_KEY]);
    const token = createSession("alice", 60, { keys: ring, now: () => NOW });
    expect(token).toBe(create("alice", 60));
    expect(getSession(token, { keys: OTHER_KEY, now: () => NOW })).toBeNull();
  });
});

describe("getSession", () => {
  const valid = create("alice", 3600);
  const [payload, sig] = valid.split(".") as [string, string];
  const forged = createSession("alice", 3600, { keys: OTHER_KEY, now: () => NOW });
  const otherPayload = create("admin", 3600).split(".")[0]!;
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  const flipHex = (s: string, i: number) => s.slice(0, i) + (s[i] === "0" ? "1" : "0") + s.slice(i + 1);

  it("returns the user id of a valid token", () => {
    expect(get(valid)).toBe("alice");
  });

  it("returns null once the token has expired", () => {
    expect(get(valid, NOW + 3599)).toBe("alice");
    expect(get(valid, NOW + 3600)).toBeNull();
    expect(get(valid, NOW + 365 * 86400)).toBeNull();
  });

  it("accepts a token signed with a fallback key", () => {
    expect(getSession(forged, { keys: new Keyring(KEY, [OTHER_KEY]), now: () => NOW })).toBe("alice");
  });

  it("accepts fallback keys from the environment option", () => {
    const env = { SECRET_KEY: KEY, SECRET_KEY_FALLBACKS: `${OTHER_KEY}, ${"an-older-key-".repeat(3)}` };
    expect(getSession(forged, { env, now: () => NOW })).toBe("alice");
    expect(createSession("alice", 3600, { env, now: () => NOW })).toBe(valid);
  });

  // Every way a token can be bad: getSession answers null and never throws.
  it.each([
    ["an empty string", ""],
    ["null", null],
    ["undefined", undefined],
    ["a tampered payload (one character)", flip(payload, 5) + "." + sig],
    ["a payload swapped for another user's", otherPayload + "." + sig],
    ["a payload re-encoded with a later expiry", Buffer.from(`{"user_id": "alice", "expires": ${NOW + 999999}}`).toString("base64url") + "." + sig],
    ["a signature with its first digit changed", payload + "." + flipHex(sig, 0)],
    ["a signature with its last digit changed", payload + "." + flipHex(sig, 63)],
    ["a zeroed signature", payload + "." + "0".repeat(64)],
    ["an upper-case hex signature", payload + "." + sig.toUpperCase()],
    ["a truncated signature", payload + "." + sig.slice(0, 32)],
    ["an empty signature", payload + "."],
    ["a missing payload", "." + sig],
    ["a token forged with another key", forged],
    ["no dot", payload + sig],
    ["a.b.c.d", "a.b.c.d"],
    ["two dots around a valid token", valid + "." + sig],
    ["just a dot", "."],
    ["bad base64", "!!!not-base64!!!." + sig],
    ["base64 of garbage, signed nowhere", Buffer.from([0xff, 0xfe, 0x00]).toString("base64url") + "." + sig],
    ["a 10 000-character token", "a".repeat(10_000)],
    ["a 10 000-character token with a dot", "a".repeat(5000) + "." + "b".repeat(4999)],
    ["binary data", "\x00\x01\x02\xff\xfe.\x80\x81"],
    ["binary data decoded from random bytes", Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("latin1")],
    ["whitespace around a valid token", ` ${valid} `],
    ["a valid token with a trailing newline", valid + "\n"],
    ["a quoted valid token", `"${valid}"`],
    ["a percent-encoded valid token", encodeURIComponent(valid)],
    ["a number", 12345 as unknown as string],
    ["an object", { token: valid } as unknown as string],
    ["an array", [valid] as unknown as string],
  ])("returns null, without throwing, for %s", (_name, token) => {
    expect(() => get(token)).not.toThrow();
    expect(get(token)).toBeNull();
  });

  it("returns null for an expired token even with every other check passing", () => {
    expect(get(create("alice", -1))).toBeNull();
  });

  it("throws KeyConfigError, not null, when no usable key is configured (a caller mistake)", () => {
    expect(() => getSession(valid, { env: {}, now: () => NOW })).toThrow(KeyConfigError);
    expect(() => getSession(valid, { keys: "short", now: () => NOW })).toThrow(KeyConfigError);
    expect(() => getSession(null, { env: { SECRET_KEY: "CHANGE-ME-IN-PRODUCTION" } })).toThrow(KeyConfigError);
  });
});

describe("verifySession", () => {
  it("returns the user id and expiry", () => {
    expect(verifySession(create("alice", 60), opts)).toEqual({ userId: "alice", expires: NOW + 60 });
  });

  it("throws TokenInvalidError ERR_TOKEN_INVALID with a generic message", () => {
    for (const bad of ["", "a.b", create("alice", 0)]) {
      const err = thrown(() => verifySession(bad, opts));
      expect(err).toBeInstanceOf(TokenInvalidError);
      expect((err as TokenInvalidError).code).toBe("ERR_TOKEN_INVALID");
      expect(err.message).toBe("invalid session token");
    }
  });
});

describe("keys and clock options", () => {
  const dir = mkdtempSync(join(tmpdir(), "session-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads keys from the env option, never from process.env", () => {
    const before = { ...process.env };
    const token = createSession("alice", 60, { env: { SECRET_KEY: KEY }, now: () => NOW });
    expect(token).toBe(create("alice", 60));
    expect(process.env).toEqual(before);
    expect(() => createSession("alice", 60, { env: {} })).toThrow(KeyConfigError);
  });

  it("reads SECRET_KEY_FILE from the env option", () => {
    const path = join(dir, "key");
    writeFileSync(path, KEY + "\n");
    expect(createSession("alice", 60, { env: { SECRET_KEY_FILE: path }, now: () => NOW })).toBe(create("alice", 60));
  });

  it("refuses to create anything with a missing, short or default key", () => {
    for (const [env, code] of [
      [{}, "ERR_KEY_MISSING"],
      [{ SECRET_KEY: "" }, "ERR_KEY_MISSING"],
      [{ SECRET_KEY: "k".repeat(31) }, "ERR_KEY_WEAK"],
      [{ SECRET_KEY: "CHANGE-ME-IN-PRODUCTION" }, "ERR_KEY_WEAK"],
      [{ SECRET_KEY_FILE: join(dir, "missing"), SECRET_KEY: KEY }, "ERR_KEY_FILE"],
    ] as const) {
      const err = thrown(() => createSession("alice", 60, { env }));
      expect(err).toBeInstanceOf(KeyConfigError);
      expect((err as KeyConfigError).code).toBe(code);
    }
  });

  it("accepts a ready Keyring or a key string", () => {
    expect(createSession("alice", 60, { keys: new Keyring(KEY), now: () => NOW })).toBe(create("alice", 60));
  });

  it("resolveKeys returns the Keyring it is given", () => {
    const ring = new Keyring(KEY);
    expect(resolveKeys({ keys: ring })).toBe(ring);
  });

  it("resolveKeys re-reads the environment when its variables change", () => {
    const env: Record<string, string> = { SECRET_KEY: KEY };
    const first = resolveKeys({ env });
    expect(resolveKeys({ env })).toBe(first);
    env.SECRET_KEY = OTHER_KEY;
    const second = resolveKeys({ env });
    expect(second).not.toBe(first);
    expect(second.sign("x")).toBe(new Keyring(OTHER_KEY).sign("x"));
    env.SECRET_KEY = "short";
    expect(() => resolveKeys({ env })).toThrow(KeyConfigError);
  });

  it("uses the injected clock for both creating and checking", () => {
    const token = createSession("alice", 10, { keys: KEY, now: () => 5_000 });
    expect(getSession(token, { keys: KEY, now: () => 5_009 })).toBe("alice");
    expect(getSession(token, { keys: KEY, now: () => 5_010 })).toBeNull();
  });

  it("uses the system clock by default", () => {
    const token = createSession("alice", 60, { keys: KEY });
    expect(getSession(token, { keys: KEY })).toBe("alice");
    const expires = verifySession(token, { keys: KEY }).expires;
    expect(Math.abs(expires - (Date.now() / 1000 + 60))).toBeLessThan(5);
  });
});

describe("destroySession", () => {
  it("is a no-op that returns undefined, as in the seed", () => {
    const token = create("alice", 60);
    expect(destroySession(token)).toBeUndefined();
    expect(destroySession()).toBeUndefined();
    expect(get(token)).toBe("alice"); // stateless: the client deletes the cookie
  });
});
