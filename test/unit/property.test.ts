/**
 * Property-based tests, with fast-check: seeded and reproducible
 * (FC_SEED=<n> re-runs another seed), over 100 000 generated cases per run.
 *
 * - create → get round-trips for any user id (astral, lone surrogates, controls, quotes);
 * - any single-byte change, truncation, extension, case change or re-encoding of a valid token is refused;
 * - the cookie parser never throws and returns the first cookie of a name;
 * - safeNext never yields a Location that leaves the site or holds CR/LF;
 * - the JSON whoami writes parses back to the same user id (in-process, and through real whoami.cgi runs).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCookie, serializeSessionCookie } from "../../src/cookie.js";
import { formatReply, jsonReply } from "../../src/request/reply.js";
import { SessionCreateError } from "../../src/errors.js";
import { Keyring } from "../../src/keys.js";
import { safeNext } from "../../src/redirect.js";
import { createSession, getSession, verifySession } from "../../src/session.js";
import { MAX_TOKEN_LENGTH } from "../../src/token.js";

const SEED = Number(process.env.FC_SEED ?? 20240604);
const KEY = "8f3b1c0e5d7a49b2a6c4e1f0d9b8a7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0";
const OTHER_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
const NOW = 1_700_000_000;
const ring = new Keyring(KEY);
const opts = { keys: ring, now: () => NOW };
const WHOAMI = fileURLToPath(new URL("../../cgi-bin/whoami.cgi", import.meta.url));

/** Counts the cases each property actually ran (after fc.pre filtering), for the closing figure. */
const ran: Record<string, number> = {};
function check<T>(name: string, arb: fc.Arbitrary<T>, numRuns: number, predicate: (v: T) => void): void {
  ran[name] = 0;
  fc.assert(
    fc.property(arb, (v) => {
      predicate(v);
      ran[name]!++;
    }),
    { seed: SEED, numRuns },
  );
}

beforeAll(() => {
  console.log(`fast-check seed ${SEED} (re-run with FC_SEED=${SEED})`);
});
afterAll(() => {
  const total = Object.values(ran).reduce((a, b) => a + b, 0);
  console.log(`fast-check: ${total} generated cases (seed ${SEED}): ${JSON.stringify(ran)}`);
});

// ---------------------------------------------------------------- arbitraries

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c));
const tricky = fc.constantFrom('"', "\\", "'", "`", "\n", "\r", "\t", "\b", "\f", "\0", "\u2028", "\u2029", "\ufeff", "😀", "𝄞", "é", "ß", "İ", ";", "=", ",", " ", "<", ">", "&", "%", "/", ".");
/** One UTF-16 unit or code point of any kind: astral characters, lone surrogates, controls, quotes. */
const anyChar = fc.oneof(
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), weight: 4 },
  { arbitrary: tricky, weight: 3 },
  { arbitrary: control, weight: 2 },
  { arbitrary: loneSurrogate, weight: 1 },
);
/** A user id short enough that its cookie always fits in 4096 bytes (≤ 12 ASCII bytes per UTF-16 unit as JSON). */
const userId = fc.string({ unit: anyChar, minLength: 1, maxLength: 100 });
const ttl = fc.integer({ min: 1, max: 2 ** 31 });

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const cookieName = fc.oneof(
  fc.constantFrom("session", "Session", "SESSION", "session ", "sid", "__proto__", "constructor", "toString", "hasOwnProperty", "__Host-session"),
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 }),
);

// ---------------------------------------------------------------- 1. round trips

describe("a session round-trips for any user id", () => {
  it("gets back exactly the user id and expiry that were signed, for 20 000 arbitrary unicode ids", () => {
    check("round-trip", fc.tuple(userId, ttl), 20_000, ([id, t]) => {
      const token = createSession(id, t, opts);
      expect(token).toMatch(/^[A-Za-z0-9_=-]+\.[0-9a-f]{64}$/);
      expect(getSession(token, opts)).toBe(id);
      expect(verifySession(token, opts)).toEqual({ userId: id, expires: NOW + t });
      // And the token is always a legal cookie value.
      expect(() => serializeSessionCookie("session", token, t, { secure: false })).not.toThrow();
    });
  });

  it("turns any safe integer id into its decimal string", () => {
    check("numeric-id", fc.maxSafeInteger(), 2_000, (n) => {
      expect(getSession(createSession(n, 60, opts), opts)).toBe(String(n));
    });
  });

  it("either issues a token that fits a 4096-byte cookie or refuses with ERR_TOKEN_TOO_LARGE, for long ids", () => {
    check("size-limit", fc.string({ unit: anyChar, minLength: 200, maxLength: 1200 }), 2_000, (id) => {
      let token: string;
      try {
        token = createSession(id, 60, opts);
      } catch (err) {
        expect(err).toBeInstanceOf(SessionCreateError);
        expect((err as SessionCreateError).code).toBe("ERR_TOKEN_TOO_LARGE");
        return;
      }
      expect(("session=" + token).length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
      expect(getSession(token, opts)).toBe(id);
    });
  });

  it("refuses a token once its expiry is reached, for any ttl and clock", () => {
    check("expiry", fc.tuple(userId, fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: 200_000 })), 10_000, ([id, t, later]) => {
      const token = createSession(id, t, opts);
      const at = { keys: ring, now: () => NOW + later };
      expect(getSession(token, at)).toBe(NOW + t > NOW + later ? id : null);
    });
  });
});

// ---------------------------------------------------------------- 2. tampering

type Mutation =
  | { kind: "byte"; pos: number; code: number }
  | { kind: "truncate-end"; n: number }
  | { kind: "truncate-start"; n: number }
  | { kind: "delete"; pos: number }
  | { kind: "insert"; pos: number; text: string }
  | { kind: "case"; pos: number }
  | { kind: "case-all"; upper: boolean }
  | { kind: "reencode"; how: (typeof REENCODINGS)[number] }
  | { kind: "splice"; other: string }
  | { kind: "other-key" };

const REENCODINGS = [
  "standard-base64", "unpadded", "percent-encoded", "uppercase-signature", "base64-signature",
  "whole-token-base64", "compact-json", "raw-utf8-json", "dquoted", "leading-space", "trailing-newline",
  "extra-padding", "signature-first",
] as const;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("byte" as const), pos: fc.nat(), code: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff })) }),
  fc.record({ kind: fc.constant("truncate-end" as const), n: fc.nat() }),
  fc.record({ kind: fc.constant("truncate-start" as const), n: fc.nat() }),
  fc.record({ kind: fc.constant("delete" as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), pos: fc.nat(), text: fc.string({ unit: anyChar, minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("case" as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant("case-all" as const), upper: fc.boolean() }),
  fc.record({ kind: fc.constant("reencode" as const), how: fc.constantFrom(...REENCODINGS) }),
  fc.record({ kind: fc.constant("splice" as const), other: userId }),
  fc.record({ kind: fc.constant("other-key" as const) }),
);

const toggleCase = (c: string) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
const b64urlPadded = (s: string) => Buffer.from(s, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");

function reencode(token: string, how: (typeof REENCODINGS)[number], id: string, expires: number): string {
  const [payload, sig] = token.split(".") as [string, string];
  switch (how) {
    case "standard-base64": return payload.replace(/-/g, "+").replace(/_/g, "/") + "." + sig;
    case "unpadded": return payload.replace(/=+$/, "") + "." + sig;
    case "percent-encoded": return encodeURIComponent(token);
    case "uppercase-signature": return payload + "." + sig.toUpperCase();
    case "base64-signature": return payload + "." + Buffer.from(sig, "hex").toString("base64url");
    case "whole-token-base64": return Buffer.from(token).toString("base64url");
    // The same claims written as JavaScript or a non-ASCII JSON encoder would: another payload string.
    case "compact-json": return b64urlPadded(JSON.stringify({ user_id: id, expires })) + "." + sig;
    case "raw-utf8-json": return b64urlPadded(`{"user_id": ${JSON.stringify(id)}, "expires": ${expires}}`) + "." + sig;
    case "dquoted": return `"${token}"`;
    case "leading-space": return " " + token;
    case "trailing-newline": return token + "\n";
    case "extra-padding": return payload + "==" + "." + sig;
    case "signature-first": return sig + "." + payload;
  }
}

function mutate(token: string, m: Mutation, id: string, expires: number): string {
  const len = token.length;
  switch (m.kind) {
    case "byte": {
      const pos = m.pos % len;
      return token.slice(0, pos) + String.fromCharCode(m.code) + token.slice(pos + 1);
    }
    case "truncate-end": return token.slice(0, m.n % len);
    case "truncate-start": return token.slice(1 + (m.n % len));
    case "delete": {
      const pos = m.pos % len;
      return token.slice(0, pos) + token.slice(pos + 1);
    }
    case "insert": {
      const pos = m.pos % (len + 1);
      return token.slice(0, pos) + m.text + token.slice(pos);
    }
    case "case": {
      // The first letter at or after pos (cyclically) changes case: base64 and hex both hold letters.
      for (let i = 0; i < len; i++) {
        const p = (m.pos + i) % len;
        const c = token[p]!;
        if (toggleCase(c) !== c) return token.slice(0, p) + toggleCase(c) + token.slice(p + 1);
      }
      return token;
    }
    case "case-all": return m.upper ? token.toUpperCase() : token.toLowerCase();
    case "reencode": return reencode(token, m.how, id, expires);
    case "splice": return token.split(".")[0] + "." + createSession(m.other, 3600, opts).split(".")[1];
    case "other-key": return createSession(id, expires - NOW, { keys: OTHER_KEY, now: () => NOW });
  }
}

describe("a changed token is refused", () => {
  it("refuses every single-byte change, truncation, extension, case change, re-encoding and splice, for 40 000 cases", () => {
    check("tamper", fc.tuple(userId, ttl, mutation), 40_000, ([id, t, m]) => {
      const token = createSession(id, t, opts);
      const changed = mutate(token, m, id, NOW + t);
      fc.pre(changed !== token);
      expect(getSession(changed, opts)).toBeNull();
      expect(() => verifySession(changed, opts)).toThrow(expect.objectContaining({ code: "ERR_TOKEN_INVALID", message: "invalid session token" }));
    });
  });

  it("refuses arbitrary strings that only look like tokens", () => {
    const looksLike = fc.tuple(fc.stringMatching(/^[A-Za-z0-9_=-]{0,80}$/), fc.stringMatching(/^[0-9a-f]{64}$/)).map(([p, s]) => p + "." + s);
    check("forgery", fc.oneof(looksLike, fc.string({ unit: anyChar, maxLength: 200 })), 5_000, (s) => {
      expect(getSession(s, opts)).toBeNull();
    });
  });
});

// ---------------------------------------------------------------- 3. cookie parser

describe("the cookie parser", () => {
  const cookieish = fc.oneof(
    { arbitrary: anyChar, weight: 3 },
    { arbitrary: fc.constantFrom(";", "=", " ", "\t", '"', ",", "session", "__proto__", "constructor", "; ", "=\"", "\";"), weight: 3 },
  );

  it("never throws, and returns a string only for a name the header holds, for 20 000 arbitrary headers", () => {
    check("cookie-any", fc.tuple(fc.string({ unit: cookieish, maxLength: 300 }), cookieName), 20_000, ([header, name]) => {
      const value = readCookie(header, name);
      expect(value === undefined || typeof value === "string").toBe(true);
      if (value !== undefined) expect(header).toContain(name.trim());
    });
  });

  const cookieOctets = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).filter((c) => c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c).map((c) => String.fromCharCode(c)), maxLength: 40 });
  const pair = fc.record({ name: cookieName.filter((n) => n.trim() === n), value: cookieOctets, quoted: fc.boolean() });
  const ows = fc.constantFrom("", " ", "  ", "\t");

  it("returns the first cookie of exactly that name, DQUOTE-unwrapped, for 10 000 well-formed headers", () => {
    check("cookie-model", fc.tuple(fc.array(fc.tuple(pair, ows), { maxLength: 8 }), cookieName.filter((n) => n.trim() === n)), 10_000, ([pairs, name]) => {
      const header = pairs.map(([p, sp]) => `${sp}${p.name}=${p.quoted ? `"${p.value}"` : p.value}`).join(";");
      const first = pairs.find(([p]) => p.name === name);
      expect(readCookie(header, name)).toBe(first ? first[0].value : undefined);
    });
  });
});

// ---------------------------------------------------------------- 4. redirects

describe("safeNext", () => {
  const urlish = fc.oneof(
    { arbitrary: anyChar, weight: 2 },
    { arbitrary: fc.constantFrom("/", "/", "//", "\\", ":", "@", ".", "..", "%", "%2f", "%5c", "%0d%0a", "?", "#", "\t", "\r", "\n", " ", "http:", "https://", "javascript:", "evil.example", "\uff0f", "\u3002", "\u2215"), weight: 5 },
  );
  const BASES = ["http://site.example/", "https://site.example:8443/deep/path/page.cgi?q=1#f"];

  it("always yields a same-site local path of printable ASCII, for 20 000 hostile inputs", () => {
    check("next-any", fc.oneof(fc.string({ unit: urlish, maxLength: 40 }), fc.string({ unit: urlish, maxLength: 40 }).map((s) => "/" + s)), 20_000, (input) => {
      const next = safeNext(input);
      expect(next).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/); // no CR, LF, space or other control; not "//" or "/\"
      for (const base of BASES) {
        const url = new URL(next, base);
        expect(url.origin).toBe(new URL(base).origin);
        expect(url.username + url.password).toBe("");
      }
      expect(safeNext(next)).toBe(next); // a sanitised target is stable
    });
  });

  it("keeps every printable-ASCII local path unchanged", () => {
    const local = fc.tuple(fc.stringMatching(/^[\x21-\x2e\x30-\x5b\x5d-\x7e]$/), fc.stringMatching(/^[\x21-\x7e]{0,60}$/)).map(([a, b]) => "/" + a + b);
    check("next-local", fc.oneof(local, fc.constant("/")), 5_000, (path) => {
      expect(safeNext(path)).toBe(path);
    });
  });
});

// ---------------------------------------------------------------- 5. whoami JSON

describe("the JSON whoami writes", () => {
  it("parses back to the same user id, for 10 000 ids formatted as whoami formats its reply", () => {
    check("whoami-json", fc.tuple(userId, fc.integer({ min: 0, max: 2 ** 40 })), 10_000, ([id, expires]) => {
      const out = formatReply(jsonReply(200, { user_id: id, expires }));
      const body = Buffer.from(out, "utf8").toString("utf8").split("\r\n\r\n").slice(1).join("\r\n\r\n");
      expect(JSON.parse(body)).toEqual({ user_id: id, expires });
    });
  });

  it("parses back to the same user id from 300 real whoami.cgi runs", async () => {
    expect(existsSync(WHOAMI), "cgi-bin/whoami.cgi is built by `make`").toBe(true);
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", SECRET_KEY: KEY, SESSION_TTL: "3600", REQUEST_METHOD: "GET", REMOTE_ADDR: "127.0.0.1" };
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(userId, async (id) => {
        const token = createSession(id, 3600, { keys: ring });
        const { code, stdout, stderr } = await run(WHOAMI, { ...env, HTTP_COOKIE: `sid=x; session=${token}` });
        expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
        const text = stdout.toString("utf8");
        const split = text.indexOf("\r\n\r\n");
        expect(text.slice(0, split).split("\r\n")).toEqual(["Status: 200 OK", "Content-Type: application/json", "Cache-Control: no-store"]);
        const json = JSON.parse(text.slice(split + 4)) as { user_id: string; expires: number };
        expect(json.user_id).toBe(id);
        expect(Number.isSafeInteger(json.expires)).toBe(true);
        runs++;
      }),
      { seed: SEED, numRuns: 300 },
    );
    ran["whoami-process"] = runs;
  }, 120_000);
});

function run(file: string, env: Record<string, string>): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

// ---------------------------------------------------------------- total

describe("the property run as a whole", () => {
  it("generated at least 100 000 cases", () => {
    const total = Object.values(ran).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(100_000);
  });
});
