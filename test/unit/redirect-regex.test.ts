// safeNext checks characters in one loop instead of two regexes (start-up time);
// it must answer exactly what the regex version answered, for any string.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeNext } from "../../src/redirect.js";

function regexVersion(next: string | null | undefined): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return "/";
  if (next.charCodeAt(0) !== 0x2f) return "/";
  const second = next.charCodeAt(1);
  if (second === 0x2f || second === 0x5c) return "/";
  if (/[\x00-\x1f\x7f-\x9f]/.test(next)) return "/";
  if (!/[^\x21-\x7e]/.test(next)) return next;
  try {
    return encodeURI(next).replace(/%25([0-9A-Fa-f]{2})/g, "%$1");
  } catch {
    return "/";
  }
}

describe("safeNext against its regex version", () => {
  it.each(["/", "/a b", "/caf\u00e9", "/\u0085x", "/\u00a0", "/x\u007f", "/x\u009f", "/x\u00a0y", "/%41", "/\ud800", "/a\tb", "/~"])(
    "answers %j as the regex version does",
    (next) => {
      expect(safeNext(next)).toBe(regexVersion(next));
    },
  );

  it("agrees on random paths of every UTF-16 code unit", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (tail) => {
        expect(safeNext("/" + tail)).toBe(regexVersion("/" + tail));
      }),
      { numRuns: 20000 },
    );
  });

  it("agrees on random paths near the edges of the character checks", () => {
    const unit = fc.constantFrom(..."\u0000\u001f\u0020\u0021\u007e\u007f\u0080\u009f\u00a0/%\\?#aé\ud83c\udf6a");
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 20 }), (tail) => {
        expect(safeNext("/" + tail)).toBe(regexVersion("/" + tail));
      }),
      { numRuns: 20000 },
    );
  });
});
