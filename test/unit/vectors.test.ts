// Golden vectors: tokens the Python algorithm made for a fixed user, expiry
// and key (test/python/pysessions.py vectors > test/unit/vectors.json). Node must make the
// same bytes. interop.test.ts re-runs Python and checks this file has not drifted.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createSession, decodeToken, encodeToken, getSession, Keyring, verifySession } from "../../src/index.js";
import { pyDumpsSession } from "../../src/pyjson.js";

interface Vector {
  name: string;
  user_id: string | number;
  expires: number;
  key: string;
  json: string;
  token: string;
}

const vectors: Vector[] = JSON.parse(readFileSync(new URL("./vectors.json", import.meta.url), "utf8"));
const table = vectors.map((v) => [v.name, v] as const);

describe("golden vectors from the Python algorithm", () => {
  it("cover ASCII, e-mail, quotes, backslashes, control characters, CJK, emoji and lone surrogates", () => {
    const ids = vectors.map((v) => String(v.user_id));
    expect(ids).toContain("alice");
    expect(ids.some((id) => id.includes("@"))).toBe(true);
    expect(ids.some((id) => id.includes('"'))).toBe(true);
    expect(ids.some((id) => id.includes("\\"))).toBe(true);
    for (const c of ["\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f"]) expect(ids.some((id) => id.includes(c))).toBe(true);
    expect(ids.some((id) => /[\u4e00-\u9fff]/.test(id))).toBe(true);
    expect(ids.some((id) => /[\ud800-\udbff][\udc00-\udfff]/.test(id))).toBe(true);
    expect(ids.some((id) => /[\ud800-\udbff](?![\udc00-\udfff])/.test(id))).toBe(true);
    expect(vectors.some((v) => typeof v.user_id === "number")).toBe(true);
  });

  it("cover every base64 padding length and both URL-safe characters", () => {
    const payloads = vectors.map((v) => v.token.split(".")[0]!);
    expect(payloads.some((p) => !p.endsWith("="))).toBe(true);
    expect(payloads.some((p) => p.endsWith("=") && !p.endsWith("=="))).toBe(true);
    expect(payloads.some((p) => p.endsWith("=="))).toBe(true);
    expect(payloads.some((p) => p.includes("-"))).toBe(true);
    expect(payloads.some((p) => p.includes("_"))).toBe(true);
  });

  it.each(table)("%s: the JSON is byte-identical to json.dumps", (_name, v) => {
    expect(pyDumpsSession(String(v.user_id), v.expires)).toBe(v.json);
  });

  it.each(table)("%s: encodeToken makes the exact token", (_name, v) => {
    expect(encodeToken(new Keyring(v.key), String(v.user_id), v.expires)).toBe(v.token);
  });

  it.each(table)("%s: createSession makes the exact token from user, ttl and clock", (_name, v) => {
    const ttl = 3600;
    // A fractional clock is floored, as Python's int(time.time()) does (where a double can hold the fraction).
    const fraction = v.expires < 2 ** 52 ? 0.999 : 0;
    const token = createSession(v.user_id, ttl, { keys: v.key, now: () => v.expires - ttl + fraction });
    expect(token).toBe(v.token);
  });

  it.each(table)("%s: the token verifies until, and not at, its expiry", (_name, v) => {
    expect(verifySession(v.token, { keys: v.key, now: () => v.expires - 1 })).toEqual({
      userId: String(v.user_id),
      expires: v.expires,
    });
    expect(getSession(v.token, { keys: v.key, now: () => v.expires - 0.5 })).toBe(String(v.user_id));
    expect(getSession(v.token, { keys: v.key, now: () => v.expires })).toBeNull();
  });

  it.each(table)("%s: the token is refused under another key", (_name, v) => {
    const other = new Keyring("fe".repeat(32));
    expect(() => decodeToken(other, v.token, v.expires - 1)).toThrow(/invalid session token/);
  });
});
