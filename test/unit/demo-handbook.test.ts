/**
 * The demo's handbook PDF (examples/demo/htdocs/members/handbook.pdf): made by
 * examples/demo/handbook.mjs, every line inside the page's margins by the fonts' own widths,
 * and the widths in the file, so that a viewer drawing Helvetica with a wider font it has
 * (DejaVu Sans) still keeps each line where it belongs.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module script, without types
import { HANDBOOK_PATH, PAGE, handbookPdf, widthOfCodes } from "../../examples/demo/handbook.mjs";

const REPO = resolve(import.meta.dirname, "../..");
const committed = readFileSync(join(REPO, "examples/demo/htdocs/members/handbook.pdf"));
const text = committed.toString("latin1");

/** The codes of a PDF literal string's content: \ddd octal, \( \) \\ escapes. */
function codes(literal: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < literal.length; i++) {
    if (literal[i] !== "\\") out.push(literal.charCodeAt(i));
    else if (/[0-7]/.test(literal[i + 1]!)) {
      const octal = /^[0-7]{1,3}/.exec(literal.slice(i + 1))![0];
      out.push(parseInt(octal, 8));
      i += octal.length;
    } else out.push(literal.charCodeAt(++i));
  }
  return out;
}

describe("the demo's handbook PDF", () => {
  it("is what examples/demo/handbook.mjs makes", () => {
    expect(HANDBOOK_PATH).toBe(join(REPO, "examples/demo/htdocs/members/handbook.pdf"));
    expect(committed.equals(handbookPdf())).toBe(true);
  });

  it("keeps every line inside the page's 72 pt margins", () => {
    const lines = [...text.matchAll(/\/(F[12]) (\d+) Tf 1 0 0 1 (\d+) (\d+) Tm \(((?:[^()\\]|\\.)*)\) Tj/g)];
    expect(lines.length).toBe(16);
    expect(text.split(" Tj").length - 1).toBe(lines.length); // every line shown is measured
    for (const [, font, size, x, y, literal] of lines) {
      const width = widthOfCodes(codes(literal!), font, Number(size));
      expect({ literal, left: Number(x), right: Number(x) + width <= PAGE.right, y: Number(y) >= PAGE.bottom && Number(y) <= PAGE.height - 72 })
        .toEqual({ literal, left: PAGE.left, right: true, y: true });
    }
  });

  it("gives each font its widths, one for every code from /FirstChar to /LastChar", () => {
    const fonts = [...text.matchAll(/\/BaseFont \/(Helvetica(?:-Bold)?) \/Encoding \/WinAnsiEncoding \/FirstChar (\d+) \/LastChar (\d+) \/Widths \[([\d ]+)\]/g)];
    expect(fonts.map((m) => m[1])).toEqual(["Helvetica", "Helvetica-Bold"]);
    for (const [, , first, last, widths] of fonts) {
      expect(widths!.split(" ").length).toBe(Number(last) - Number(first) + 1);
    }
  });

  it("has a cross-reference table whose offsets point at its objects", () => {
    const start = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
    expect(text.slice(start, start + 5)).toBe("xref\n");
    const entries = [...text.slice(start).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(entries.length).toBe(7);
    entries.forEach((offset, i) => expect(text.slice(offset, offset + 8)).toBe(`${i + 1} 0 obj\n`));
  });
});
