// The JSON inside a token is exactly what Python's json.dumps writes by default.
// Python itself is consulted in interop.test.ts; here the expected strings are written out by hand.
import { describe, expect, it } from "vitest";
import { pyDumpsSession, pyJsonString } from "../../src/pyjson.js";

describe("pyJsonString", () => {
  it.each([
    ["plain ASCII is copied", "alice", '"alice"'],
    ["the empty string", "", '""'],
    ["every printable ASCII character except quote and backslash is copied", " !#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~", '" !#$%&\'()*+,-./09:;<=>?@AZ[]^_`az{|}~"'],
    ["a double quote becomes \\\"", 'say "hi"', '"say \\"hi\\""'],
    ["a backslash becomes \\\\", "C:\\x\\", '"C:\\\\x\\\\"'],
    ["a slash is not escaped", "</script>", '"</script>"'],
    ["newline becomes \\n", "a\nb", '"a\\nb"'],
    ["carriage return becomes \\r", "a\rb", '"a\\rb"'],
    ["tab becomes \\t", "a\tb", '"a\\tb"'],
    ["backspace becomes \\b", "a\bb", '"a\\bb"'],
    ["form feed becomes \\f", "a\fb", '"a\\fb"'],
    ["NUL becomes \\u0000", "a\x00b", '"a\\u0000b"'],
    ["0x01 becomes \\u0001", "\x01", '"\\u0001"'],
    ["vertical tab 0x0b becomes \\u000b", "\x0b", '"\\u000b"'],
    ["0x1f becomes \\u001f (lowercase hex)", "\x1f", '"\\u001f"'],
    ["DEL 0x7f becomes \\u007f", "\x7f", '"\\u007f"'],
    ["a C1 control 0x85 becomes \\u0085", "\x85", '"\\u0085"'],
    ["latin-1 é becomes \\u00e9", "é", '"\\u00e9"'],
    ["CJK becomes \\uXXXX with lowercase hex", "山田", '"\\u5c71\\u7530"'],
    ["BOM becomes \\ufeff", "\ufeff", '"\\ufeff"'],
    ["U+2028 becomes \\u2028", "\u2028", '"\\u2028"'],
    ["U+FFFF becomes \\uffff", "\uffff", '"\\uffff"'],
    ["an astral emoji becomes a surrogate pair", "😀", '"\\ud83d\\ude00"'],
    ["U+10FFFF becomes \\udbff\\udfff", "\u{10ffff}", '"\\udbff\\udfff"'],
    ["a lone high surrogate is escaped as it stands", "\ud800", '"\\ud800"'],
    ["a lone low surrogate is escaped as it stands", "x\udfffy", '"x\\udfffy"'],
    ["escapes and plain text interleave", 'a"b\\c\nd😀e', '"a\\"b\\\\c\\nd\\ud83d\\ude00e"'],
  ])("%s", (_name, input, expected) => {
    expect(pyJsonString(input)).toBe(expected);
  });

  it("writes only printable ASCII for every UTF-16 code unit", () => {
    for (let c = 0; c <= 0xffff; c++) {
      expect(pyJsonString(String.fromCharCode(c))).toMatch(/^"[\x20-\x7e]+"$/);
    }
  });

  it("round-trips through JSON.parse for every UTF-16 code unit", () => {
    let all = "";
    for (let c = 0; c <= 0xffff; c++) all += String.fromCharCode(c);
    expect(JSON.parse(pyJsonString(all))).toBe(all);
  });
});

describe("pyDumpsSession", () => {
  it("writes user_id then expires with Python's ', ' and ': ' separators", () => {
    expect(pyDumpsSession("alice", 1700000000)).toBe('{"user_id": "alice", "expires": 1700000000}');
  });

  it("writes expires as a bare integer", () => {
    expect(pyDumpsSession("a", 0)).toBe('{"user_id": "a", "expires": 0}');
    expect(pyDumpsSession("a", -5)).toBe('{"user_id": "a", "expires": -5}');
    expect(pyDumpsSession("a", 2 ** 53 - 1)).toBe('{"user_id": "a", "expires": 9007199254740991}');
  });

  it("escapes the user id as json.dumps does", () => {
    expect(pyDumpsSession('é"\n', 1)).toBe('{"user_id": "\\u00e9\\"\\n", "expires": 1}');
  });
});
