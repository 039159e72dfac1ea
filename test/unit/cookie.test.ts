// docs/members-area.md, "Behaviour worth knowing" (cookie rules used by every program): reading the first cookie of a name,
// DQUOTE unwrapping, no percent-decoding; serialisers that never emit CR, LF or ";" from input.
import { describe, expect, it } from "vitest";
import { assertCookieName } from "../../src/cookie.js";
import { readCookie, serializeDeleteCookie, serializeSessionCookie } from "../../src/index.js";

const TOKEN = "eyJ1c2VyX2lkIjogImFsaWNlIiwgImV4cGlyZXMiOiAxNzAwMDAwMDAwfQ==.1a88a1f589a8f76dae691bc2fcdba687ead9347a0ae67b7c74ead71d355b6263";

describe("readCookie", () => {
  it.each([
    ["a lone cookie", "session=abc", "abc"],
    ["a cookie among others", "a=1; session=abc; b=2", "abc"],
    ["no spaces after semicolons", "a=1;session=abc;b=2", "abc"],
    ["the first of two cookies with the same name", "session=first; session=second", "first"],
    ["the first even when it is empty", "session=; session=second", ""],
    ["a DQUOTE-wrapped value, unwrapped", 'session="abc"', "abc"],
    ["an empty DQUOTE-wrapped value", 'session=""', ""],
    ["a lone DQUOTE, kept", 'session="', '"'],
    ["an unbalanced DQUOTE, kept", 'session="abc', '"abc'],
    ["a percent sequence, not decoded", "session=a%20b%3D", "a%20b%3D"],
    ["a plus sign, not turned into a space", "session=a+b", "a+b"],
    ["padding '=' signs inside the value", "session=abc==.def", "abc==.def"],
    ["whitespace around the value, trimmed", "session=  abc  ; x=1", "abc"],
    ["a real token", `other=1; session=${TOKEN}`, TOKEN],
    ["a quoted real token", `session="${TOKEN}"`, TOKEN],
  ])("reads %s", (_name, header, expected) => {
    expect(readCookie(header, "session")).toBe(expected);
  });

  it.each([
    ["an undefined header", undefined],
    ["an empty header", ""],
    ["a header without the cookie", "a=1; b=2"],
    ["another name that starts with it", "sessionx=abc; xsession=def"],
    ["a name differing in case", "Session=abc; SESSION=def"],
    ["a pair without '='", "session"],
    ["garbage", ";;;==;"],
  ])("returns undefined for %s", (_name, header) => {
    expect(readCookie(header, "session")).toBeUndefined();
  });

  it("treats names as case-sensitive", () => {
    const header = "Session=upper; session=lower";
    expect(readCookie(header, "session")).toBe("lower");
    expect(readCookie(header, "Session")).toBe("upper");
  });

  it("reads a cookie named __proto__ as an ordinary cookie", () => {
    expect(readCookie("__proto__=abc; session=x", "__proto__")).toBe("abc");
    expect(readCookie("__proto__=abc; session=x", "session")).toBe("x");
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])(
    "finds nothing inherited under the name %s",
    (name) => {
      expect(readCookie("a=1", name)).toBeUndefined();
    },
  );

  it("never throws on hostile headers", () => {
    for (const header of ["=", "%", "session=%E0%A4%A", "session=\u0000\uffff", "a".repeat(100_000), "session=\ud800"]) {
      expect(() => readCookie(header, "session")).not.toThrow();
    }
    expect(readCookie("session=%E0%A4%A", "session")).toBe("%E0%A4%A");
  });
});

describe("serializeSessionCookie", () => {
  it("writes the token with HttpOnly, SameSite=Lax, Path=/ and Max-Age", () => {
    expect(serializeSessionCookie("session", TOKEN, 2592000, { secure: false })).toBe(
      `session=${TOKEN}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000`,
    );
  });

  it("adds Secure for HTTPS", () => {
    expect(serializeSessionCookie("sid", "abc.def", 60, { secure: true })).toBe(
      "sid=abc.def; HttpOnly; SameSite=Lax; Path=/; Max-Age=60; Secure",
    );
  });

  it("accepts Max-Age 0", () => {
    expect(serializeSessionCookie("session", "x", 0, { secure: false })).toBe("session=x; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
  });

  it.each([
    ["empty", ""],
    ["a space", "my session"],
    ["a semicolon", "a;b"],
    ["an equals sign", "a=b"],
    ["CR", "a\rb"],
    ["LF", "a\nb"],
    ["CRLF and a header", "a\r\nSet-Cookie: evil=1"],
    ["NUL", "a\x00b"],
    ["a tab", "a\tb"],
    ["a comma", "a,b"],
    ["a DQUOTE", 'a"b'],
    ["parentheses", "a(b)"],
    ["a slash", "a/b"],
    ["non-ASCII", "séssion"],
  ])("throws TypeError for a name with %s", (_name, name) => {
    expect(() => serializeSessionCookie(name, "abc", 60, { secure: false })).toThrow(TypeError);
    expect(() => serializeDeleteCookie(name, { secure: false })).toThrow(TypeError);
    expect(() => assertCookieName(name)).toThrow(TypeError);
  });

  it.each(["session", "__Host-session", "__Secure-sid", "a!#$%&'*+-.^_`|~9", "__proto__"])("accepts the name %s", (name) => {
    expect(serializeSessionCookie(name, "abc", 60, { secure: false })).toMatch(new RegExp(`^${name.replace(/[$^.*+|]/g, "\\$&")}=abc; `));
  });

  it.each([
    ["a semicolon", "abc;def"],
    ["an attribute injection", "abc; Domain=evil.example"],
    ["CR", "abc\rdef"],
    ["LF", "abc\ndef"],
    ["CRLF and a header", "abc\r\nSet-Cookie: evil=1"],
    ["a space", "abc def"],
    ["a comma", "abc,def"],
    ["a DQUOTE", 'abc"def'],
    ["a backslash", "abc\\def"],
    ["NUL", "abc\x00"],
    ["DEL", "abc\x7f"],
    ["non-ASCII", "abcé"],
  ])("throws TypeError for a value with %s", (_name, value) => {
    expect(() => serializeSessionCookie("session", value, 60, { secure: false })).toThrow(TypeError);
  });

  it.each([
    ["negative", -1],
    ["fractional", 1.5],
    ["NaN", NaN],
    ["Infinity", Infinity],
  ])("throws TypeError for a Max-Age that is %s", (_name, maxAge) => {
    expect(() => serializeSessionCookie("session", "abc", maxAge, { secure: false })).toThrow(TypeError);
  });
});

describe("serializeDeleteCookie", () => {
  it("sends an empty value with the same name, path and flags and Max-Age=0", () => {
    expect(serializeDeleteCookie("session", { secure: false })).toBe("session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    expect(serializeDeleteCookie("sid", { secure: true })).toBe("sid=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure");
  });

  it("mirrors the session cookie's attributes exactly", () => {
    const attrs = (s: string) => s.slice(s.indexOf(";"));
    for (const secure of [false, true]) {
      expect(attrs(serializeDeleteCookie("session", { secure }))).toBe(attrs(serializeSessionCookie("session", TOKEN, 0, { secure })));
    }
  });
});
