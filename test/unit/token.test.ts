// The wire format and the exact rules for a valid token.
import { describe, expect, it } from "vitest";
import { decodeToken, encodeToken, Keyring, MAX_TOKEN_LENGTH, TokenInvalidError } from "../../src/index.js";

const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const ring = new Keyring(KEY);
const NOW = 1_700_000_000;

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url").padEnd(Math.ceil(Buffer.byteLength(text) / 3) * 4, "=");
/** A token whose signature is right for whatever payload text it carries. */
const signed = (payload: string) => payload + "." + ring.sign(payload);
/** A correctly signed token around any JSON text. */
const forge = (json: string) => signed(b64(json));

function invalid(token: unknown, now = NOW): TokenInvalidError {
  try {
    decodeToken(ring, token, now);
  } catch (err) {
    return err as TokenInvalidError;
  }
  throw new Error("token was accepted");
}

describe("encodeToken", () => {
  it("makes padded URL-safe base64 of the JSON, a dot and a lowercase hex HMAC-SHA256", () => {
    const token = encodeToken(ring, "alice", NOW);
    const [payload, sig, ...rest] = token.split(".");
    expect(rest).toEqual([]);
    expect(Buffer.from(payload!, "base64url").toString()).toBe('{"user_id": "alice", "expires": 1700000000}');
    expect(payload).toMatch(/^[A-Za-z0-9_-]*={0,2}$/);
    expect(payload!.length % 4).toBe(0);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
  });

  it("signs the payload text with HMAC-SHA256 under the UTF-8 key", async () => {
    const { createHmac } = await import("node:crypto");
    const token = encodeToken(ring, "alice", NOW);
    const [payload, sig] = token.split(".");
    expect(sig).toBe(createHmac("sha256", Buffer.from(KEY, "utf8")).update(payload!).digest("hex"));
  });

  it("is deterministic: same user, expiry and key give the same token", () => {
    expect(encodeToken(ring, "alice", NOW)).toBe(encodeToken(new Keyring(KEY), "alice", NOW));
  });

  it("changes with the user, the expiry and the key", () => {
    const base = encodeToken(ring, "alice", NOW);
    expect(encodeToken(ring, "alicf", NOW)).not.toBe(base);
    expect(encodeToken(ring, "alice", NOW + 1)).not.toBe(base);
    expect(encodeToken(new Keyring("another key, 32+ characters long!"), "alice", NOW)).not.toBe(base);
  });
});

describe("decodeToken", () => {
  it("returns the user id and expiry of a valid token", () => {
    expect(decodeToken(ring, encodeToken(ring, "alice", NOW + 60), NOW)).toEqual({ userId: "alice", expires: NOW + 60 });
  });

  it("accepts a token until the second of its expiry (expires > now)", () => {
    const token = encodeToken(ring, "alice", NOW);
    expect(decodeToken(ring, token, NOW - 1).userId).toBe("alice");
    expect(decodeToken(ring, token, NOW - 0.001).userId).toBe("alice");
    expect(invalid(token, NOW).code).toBe("ERR_TOKEN_INVALID");
    expect(invalid(token, NOW + 1).code).toBe("ERR_TOKEN_INVALID");
  });

  it("throws one generic error, with a stable code, that never says which check failed", () => {
    const reasons = [
      "",
      "nodot",
      encodeToken(ring, "alice", NOW - 1), // expired
      encodeToken(new Keyring("yet another key, 32+ characters long"), "alice", NOW + 1), // another key
      forge('{"user_id": 42, "expires": 1800000000}'), // wrong type
    ].map((t) => invalid(t));
    for (const err of reasons) {
      expect(err).toBeInstanceOf(TokenInvalidError);
      expect(err.name).toBe("TokenInvalidError");
      expect(err.code).toBe("ERR_TOKEN_INVALID");
      expect(err.message).toBe("invalid session token");
    }
  });

  it("accepts other key orders, compact separators and extra members, as Python's json.loads does", () => {
    expect(decodeToken(ring, forge('{"expires": 1800000000, "user_id": "ann"}'), NOW).userId).toBe("ann");
    expect(decodeToken(ring, forge('{"user_id":"ann","expires":1800000000}'), NOW).userId).toBe("ann");
    expect(decodeToken(ring, forge('{"user_id": "ann", "expires": 1800000000, "role": "admin"}'), NOW)).toEqual({
      userId: "ann",
      expires: 1800000000,
    });
  });

  it("takes the last of duplicate members, as Python's json.loads does", () => {
    expect(decodeToken(ring, forge('{"user_id": "a", "user_id": "b", "expires": 1800000000}'), NOW).userId).toBe("b");
  });

  it("decodes escaped and raw UTF-8 user ids", () => {
    expect(decodeToken(ring, forge('{"user_id": "\\u5c71\\ud83d\\ude00", "expires": 1800000000}'), NOW).userId).toBe("山😀");
    expect(decodeToken(ring, forge('{"user_id": "山😀", "expires": 1800000000}'), NOW).userId).toBe("山😀");
  });

  it("does not let a __proto__ member stand in for user_id", () => {
    expect(invalid(forge('{"__proto__": {"user_id": "admin"}, "expires": 1800000000}')).code).toBe("ERR_TOKEN_INVALID");
  });

  // Correctly signed, so only the payload rules can refuse them.
  it.each([
    ["not JSON", "hello"],
    ["truncated JSON", '{"user_id": "ann", "expires": 18'],
    ["a JSON array", '["ann", 1800000000]'],
    ["JSON null", "null"],
    ["a JSON string", '"ann"'],
    ["a JSON number", "1800000000"],
    ["no user_id", '{"expires": 1800000000}'],
    ["a numeric user_id", '{"user_id": 42, "expires": 1800000000}'],
    ["a null user_id", '{"user_id": null, "expires": 1800000000}'],
    ["an array user_id", '{"user_id": ["ann"], "expires": 1800000000}'],
    ["an empty user_id", '{"user_id": "", "expires": 1800000000}'],
    ["no expires", '{"user_id": "ann"}'],
    ["a string expires", '{"user_id": "ann", "expires": "1800000000"}'],
    ["a fractional expires", '{"user_id": "ann", "expires": 1800000000.5}'],
    ["an expires beyond 2**53", '{"user_id": "ann", "expires": 1e300}'],
    ["a null expires", '{"user_id": "ann", "expires": null}'],
    ["a boolean expires", '{"user_id": "ann", "expires": true}'],
    ["a past expires", '{"user_id": "ann", "expires": 1600000000}'],
    ["a negative expires", '{"user_id": "ann", "expires": -1}'],
    ["Python's NaN", '{"user_id": "ann", "expires": NaN}'],
    ["Python's Infinity", '{"user_id": "ann", "expires": Infinity}'],
  ])("refuses a signed payload holding %s", (_name, json) => {
    expect(invalid(forge(json)).code).toBe("ERR_TOKEN_INVALID");
  });

  it.each([
    ["unpadded base64", (p: string) => p.replace(/=+$/, "")],
    ["standard-alphabet base64 (+ and /)", (p: string) => p.replace(/-/g, "+").replace(/_/g, "/")],
    ["extra padding", (p: string) => p + "=="],
    ["whitespace inside", (p: string) => p.slice(0, 4) + " " + p.slice(4)],
    ["a stray character", (p: string) => p.slice(0, 4) + "!" + p.slice(5)],
  ])("refuses a payload with %s even when it is signed", (_name, mangle) => {
    const payload = mangle(b64('{"user_id": "~~~???>>>", "expires": 1800000000}'));
    expect(payload).not.toBe(b64('{"user_id": "~~~???>>>", "expires": 1800000000}'));
    expect(invalid(signed(payload)).code).toBe("ERR_TOKEN_INVALID");
  });

  it("refuses a payload that is empty", () => {
    expect(invalid(signed("")).code).toBe("ERR_TOKEN_INVALID");
  });

  it("refuses a signature in upper-case hex", () => {
    const token = encodeToken(ring, "alice", NOW + 60);
    const [payload, sig] = token.split(".");
    expect(sig).toMatch(/[a-f]/);
    expect(invalid(payload + "." + sig!.toUpperCase()).code).toBe("ERR_TOKEN_INVALID");
  });

  it.each([
    ["63 hex characters", (s: string) => s.slice(0, 63)],
    ["65 hex characters", (s: string) => s + "0"],
    ["a non-hex character", (s: string) => s.slice(0, 63) + "g"],
    ["a trailing newline", (s: string) => s + "\n"],
    ["surrounding spaces", (s: string) => " " + s],
    ["all zeros", () => "0".repeat(64)],
    ["one flipped digit", (s: string) => s.slice(0, 10) + (s[10] === "0" ? "1" : "0") + s.slice(11)],
  ])("refuses a signature with %s", (_name, mangle) => {
    const [payload, sig] = encodeToken(ring, "alice", NOW + 60).split(".");
    expect(invalid(payload + "." + mangle(sig!)).code).toBe("ERR_TOKEN_INVALID");
  });

  it("accepts a token of exactly the largest length and refuses a signed one over MAX_TOKEN_LENGTH", () => {
    expect(MAX_TOKEN_LENGTH).toBe(4096);
    let longest = "";
    let tooLong = "";
    for (let n = 2900; n < 3100 && !tooLong; n++) {
      const t = encodeToken(ring, "x".repeat(n), NOW + 60);
      if (t.length <= MAX_TOKEN_LENGTH) longest = t;
      else tooLong = t;
    }
    expect(longest.length).toBeGreaterThan(MAX_TOKEN_LENGTH - 4);
    expect(decodeToken(ring, longest, NOW).userId).toMatch(/^x{2900,}$/);
    expect(tooLong.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expect(invalid(tooLong).code).toBe("ERR_TOKEN_INVALID");
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
    ["an object", { toString: () => "x" }],
    ["a Buffer", Buffer.from("a.b")],
  ])("refuses %s in place of a string", (_name, value) => {
    expect(invalid(value).code).toBe("ERR_TOKEN_INVALID");
  });
});
