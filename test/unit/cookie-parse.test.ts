// readCookie reads one name the way jshttp's `cookie` parses the whole header (start-up time dropped
// the library from the bundles for start-up time); this checks the two agree on any header.
import { parseCookie } from "cookie";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCookie } from "../../src/cookie.js";

const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);
const library = (header: string, name: string) => parseCookie(header, { decode: unquote })[name];

describe("readCookie against jshttp/cookie", () => {
  it.each([
    ["session=abc", "session"],
    ["a=1; session=abc; session=def", "session"],
    [' session = "abc" ; x=1', "session"],
    ["\tsession=\tabc\t", "session"],
    ["a=1;;session=x", "session"],
    ["novalue; session=x", "session"],
    ["session", "session"],
    ["Session=a; session=b", "session"],
    ["x=1; y=2", "session"],
    ["session=", "session"],
    ['session=""', "session"],
    ['session="', "session"],
    ["=abc; session=1", "session"],
    ["a=b=c; session=d=e", "session"],
    ["__proto__=1", "__proto__"],
  ])("reads %j for %s as the library does", (header, name) => {
    expect(readCookie(header, name)).toBe(library(header, name));
  });

  it("agrees with the library on random headers made of the characters that matter", () => {
    const chars = fc.constantFrom(..."ab=; \t\"s,%");
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), fc.constantFrom("a", "b", "s", "ab"), (header, name) => {
        expect(readCookie(header, name)).toBe(library(header, name));
      }),
      { numRuns: 3000 },
    );
  });
});
