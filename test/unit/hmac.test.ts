// src/hmac.ts is a hand-written SHA-256: every answer must equal node:crypto's, at every length
// where the padding changes shape, for ASCII and non-ASCII keys and messages.
import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HmacKey, timingSafeEqualString } from "../../src/hmac.js";

const nodeHmac = (key: string, message: string) => createHmac("sha256", Buffer.from(key, "utf8")).update(message, "utf8").digest("hex");

// Messages of n bytes cross the 55/56/64-byte edges of SHA-256 padding; keys cross the 64-byte block.
const EDGES = [0, 1, 3, 4, 31, 32, 54, 55, 56, 57, 63, 64, 65, 111, 119, 120, 127, 128, 129, 200, 1000];

describe("HmacKey", () => {
  it("matches the RFC 4231 test case 2 (key \"Jefe\")", () => {
    expect(new HmacKey("Jefe").hex("what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it.each(EDGES)("matches node:crypto for an ASCII message of %i bytes under keys shorter than, equal to and longer than a block", (n) => {
    const message = "m".repeat(n);
    for (const keyLength of [1, 32, 63, 64, 65, 100, 200]) {
      const key = "k".repeat(keyLength);
      expect(new HmacKey(key).hex(message)).toBe(nodeHmac(key, message));
    }
  });

  it("encodes non-ASCII keys and messages as UTF-8, as the Python library does", () => {
    const key = "clé secrète 🔑 of more than thirty-two characters";
    for (const message of ["é", "naïve café", "🍪".repeat(30), "\u0000\u007f\u0080\u07ff\u0800\uffff"]) {
      expect(new HmacKey(key).hex(message)).toBe(nodeHmac(key, message));
    }
  });

  it("gives the same answer on every call with the same key object", () => {
    const key = new HmacKey("0123456789abcdef0123456789abcdef");
    const first = key.hex("payload");
    expect(key.hex("other")).toBe(nodeHmac("0123456789abcdef0123456789abcdef", "other"));
    expect(key.hex("payload")).toBe(first);
  });

  it("matches node:crypto for random keys and messages", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 150 }), fc.string({ unit: "binary", maxLength: 300 }), (key, message) => {
        expect(new HmacKey(key).hex(message)).toBe(nodeHmac(key, message));
      }),
      { numRuns: 500 },
    );
  });

  it("matches node:crypto for random hex keys over base64 payloads like real tokens", () => {
    for (let i = 0; i < 200; i++) {
      const key = randomBytes(32).toString("hex");
      const payload = randomBytes(i).toString("base64url");
      expect(new HmacKey(key).hex(payload)).toBe(nodeHmac(key, payload));
    }
  });
});

describe("timingSafeEqualString", () => {
  it.each([
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["abc", "ab", false],
    ["", "", true],
    ["0".repeat(64), "0".repeat(63) + "1", false],
  ])("compares %j with %j as %s", (a, b, expected) => {
    expect(timingSafeEqualString(a, b)).toBe(expected);
  });
});
