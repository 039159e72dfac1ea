// docs/members-area.md, "Behaviour worth knowing": redirect targets are local paths only; anything else becomes "/".
import { describe, expect, it } from "vitest";
import { safeNext } from "../../src/index.js";

describe("safeNext", () => {
  it.each([
    ["/", "/"],
    ["/account", "/account"],
    ["/account?tab=1&x=2#top", "/account?tab=1&x=2#top"],
    ["/a/b/../c", "/a/b/../c"],
    ["/cgi-bin/whoami.cgi", "/cgi-bin/whoami.cgi"],
    ["/search?q=a%20b", "/search?q=a%20b"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/?next=//evil.example", "/?next=//evil.example"],
    ["/a//b", "/a//b"],
    ["/a\\b", "/a\\b"],
    ["/:colon", "/:colon"],
  ])("keeps the local path %j", (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });

  it.each([
    ["/café", "/caf%C3%A9"],
    ["/山", "/%E5%B1%B1"],
    ["/😀", "/%F0%9F%98%80"],
    ["/a b", "/a%20b"],
    ["/100%/é", "/100%25/%C3%A9"],
    ["/a%20b é", "/a%20b%20%C3%A9"],
    ["/%25é", "/%25%C3%A9"],
    ["/\u2028", "/%E2%80%A8"],
    ["/x\u00a0y", "/x%C2%A0y"],
  ])("percent-encodes non-ASCII and spaces in %j, keeping existing escapes", (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });

  it.each([
    ["empty", ""],
    ["null", null],
    ["undefined", undefined],
    ["protocol-relative //x", "//evil.example"],
    ["protocol-relative ///x", "///evil.example"],
    ["backslash /\\x", "/\\evil.example"],
    ["backslash /\\\\x", "/\\\\evil.example"],
    ["\\\\x", "\\\\evil.example"],
    ["\\/x", "\\/evil.example"],
    ["http://x", "http://evil.example/"],
    ["https://x", "https://evil.example/"],
    ["HTTP://X", "HTTP://EVIL.EXAMPLE"],
    ["javascript:", "javascript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["a relative path", "account"],
    ["a dot path", "./account"],
    ["a parent path", "../account"],
    ["a query only", "?x=1"],
    ["a fragment only", "#top"],
    ["a leading space", " /account"],
    ["a leading tab", "\t/account"],
    ["a tab inside", "/\t/evil.example"],
    ["a tab later", "/account\tx"],
    ["LF inside", "/account\nSet-Cookie: x=1"],
    ["CR inside", "/account\rx"],
    ["CRLF inside", "/a\r\nLocation: //evil.example"],
    ["a trailing LF", "/account\n"],
    ["NUL", "/account\x00"],
    ["DEL", "/account\x7f"],
    ["a C1 control", "/account\x85"],
    ["a lone surrogate", "/a\ud800"],
    ["over 2048 characters", "/" + "a".repeat(2048)],
  ])("replaces %s with /", (_name, input) => {
    expect(safeNext(input as string | null | undefined)).toBe("/");
  });

  it("keeps a path of exactly 2048 characters", () => {
    const path = "/" + "a".repeat(2047);
    expect(safeNext(path)).toBe(path);
  });

  it("always returns printable ASCII starting with a single /", () => {
    const samples = ["/ok", "//x", "/\\x", "/é", "/a\nb", "x", "/\u{10ffff}", "/ \t", "/%"];
    for (const s of samples) {
      const out = safeNext(s);
      expect(out).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
    }
  });

  it.each([42, {}, ["/a"]])("replaces a non-string %j with /", (value) => {
    expect(safeNext(value as unknown as string)).toBe("/");
  });
});
