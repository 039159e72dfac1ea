// The demo's members' handbook, htdocs/members/handbook.pdf: one A4 page of text in the PDF
// standard fonts Helvetica and Helvetica-Bold, laid out inside 72 pt margins. Every line is
// measured with the fonts' own widths (Adobe's AFM files) and paragraphs are wrapped to fit;
// a title that does not fit is an error, not a line running off the page.
//
//   node examples/demo/handbook.mjs     rewrites htdocs/members/handbook.pdf
//
// test/unit/demo-handbook.test.ts checks that the committed file is this script's output and
// that every line of it lies inside the margins.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A4 in points, and the margins every line must keep inside. */
export const PAGE = { width: 595, height: 842, left: 72, right: 595 - 72, bottom: 72 };

// Advance widths in 1/1000 em, from Adobe's Helvetica.afm and Helvetica-Bold.afm, for the
// WinAnsiEncoding codes 32–126, then ’ (0x92), – (0x96) and — (0x97).
const ASCII = {
  F1: [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556,
    833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500,
    556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500,
    334, 260, 334, 584],
  F2: [278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611,
    833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556,
    611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500,
    389, 280, 389, 584],
};
const EXTRA = { F1: { 0x92: 222, 0x96: 556, 0x97: 1000 }, F2: { 0x92: 278, 0x96: 556, 0x97: 1000 } };
/** The fonts: F1 Helvetica, F2 Helvetica-Bold. */
export const FONTS = { F1: "Helvetica", F2: "Helvetica-Bold" };
const WIN_ANSI = { "\u2019": 0x92, "\u2013": 0x96, "\u2014": 0x97 };

/** The WinAnsiEncoding code of one character; throws for one the handbook's fonts cannot show. */
function code(ch) {
  const c = ch.codePointAt(0);
  if (c >= 32 && c <= 126) return c;
  if (WIN_ANSI[ch] !== undefined) return WIN_ANSI[ch];
  throw new Error(`handbook.mjs: no WinAnsi code for ${JSON.stringify(ch)}`);
}

/** The width in points of a line of WinAnsi codes in font F1 or F2 at a size. */
export function widthOfCodes(codes, font, size) {
  let units = 0;
  for (const c of codes) {
    const w = c <= 126 ? ASCII[font][c - 32] : EXTRA[font][c];
    if (w === undefined) throw new Error(`handbook.mjs: no width for code ${c} in ${FONTS[font]}`);
    units += w;
  }
  return (units * size) / 1000;
}

/** The width in points of a text in font F1 or F2 at a size. */
export function widthOf(text, font, size) {
  return widthOfCodes([...text].map(code), font, size);
}

/** The text's words in lines no wider than the margins allow. */
function wrap(text, font, size) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (widthOf(next, font, size) <= PAGE.right - PAGE.left) line = next;
    else {
      if (!line) throw new Error(`handbook.mjs: "${word}" is wider than the page`);
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

const TITLE = "Riverside Allotments \u2014 plot holder\u2019s handbook";
// [kind, text]: "kicker" and "title" must each fit on one line; paragraphs are wrapped.
const CONTENT = [
  ["kicker", "Riverside Allotments"],
  ["title", "Plot holder\u2019s handbook"],
  ["rule"],
  ["p", "For members only. Please keep it with your plot agreement."],
  ["h", "Your plot"],
  ["p", "Keep at least three quarters of your plot in cultivation from April to October."],
  ["p", "Paths between plots are shared: keep them clear and mown."],
  ["p", "No trees over two metres tall, and no new buildings without the committee\u2019s say."],
  ["h", "Water"],
  ["p", "Use the water butt by the shed first; the standpipes run from March to October."],
  ["p", "No sprinklers, and no hoses left running while you are away from your plot."],
  ["h", "Bonfires and the river"],
  ["p", "Bonfires only on the first Saturday of the month, before 10 am."],
  ["p", "Nothing goes into the river: no cuttings, no soil, no chemicals."],
  ["h", "Work days"],
  ["p", "Two work days a year are part of your rent. The rota is on the staff page."],
];
const FOOTER = "Riverside Allotments is the demo site of dbbasic-sessions. This handbook is made up.";

/** A PDF literal string of WinAnsi codes: ( ) \ escaped, other codes above 126 in octal. */
function pdfString(text) {
  return `(${[...text].map(code).map((c) =>
    c === 0x28 || c === 0x29 || c === 0x5c ? `\\${String.fromCharCode(c)}` : c > 126 ? `\\${c.toString(8)}` : String.fromCharCode(c),
  ).join("")})`;
}

/** The page's content stream: each line placed with its own Tm, so that each can be checked. */
function contentStream() {
  const ops = [];
  const graphics = [];
  let y = PAGE.height - 72;
  const line = (font, size, text, color) => {
    const width = widthOf(text, font, size);
    if (PAGE.left + width > PAGE.right) throw new Error(`handbook.mjs: "${text}" (${width.toFixed(1)} pt) is wider than the page`);
    ops.push(`${color ?? "0 0 0"} rg /${font} ${size} Tf 1 0 0 1 ${PAGE.left} ${y} Tm ${pdfString(text)} Tj`);
  };
  for (const [kind, text] of CONTENT) {
    if (kind === "kicker") { line("F2", 12, text, "0.18 0.44 0.24"); y -= 26; }
    else if (kind === "title") { line("F2", 22, text); y -= 13; }
    else if (kind === "rule") { graphics.push(`0.18 0.44 0.24 RG 1.5 w ${PAGE.left} ${y} m ${PAGE.right} ${y} l S`); y -= 25; }
    else if (kind === "h") { y -= 17; line("F2", 13, text); y -= 18; }
    else for (const l of wrap(text, "F1", 11)) { line("F1", 11, l); y -= 15; }
  }
  if (y < PAGE.bottom + 30) throw new Error("handbook.mjs: the text runs into the footer");
  y = PAGE.bottom;
  line("F1", 9, FOOTER, "0.36 0.38 0.34");
  return ["BT", ...ops, "ET", ...graphics, ""].join("\n");
}

/**
 * A standard font's dictionary, with its widths: the fonts are not embedded, and a viewer that
 * draws Helvetica with a wider font it has (DejaVu Sans, where fontconfig maps Helvetica to it)
 * still places each character by these widths, so the lines keep inside the margins.
 */
function fontDict(font) {
  const widths = [];
  for (let c = 32; c <= 0x97; c++) widths.push(c <= 126 ? ASCII[font][c - 32] : (EXTRA[font][c] ?? 0));
  return `<< /Type /Font /Subtype /Type1 /BaseFont /${FONTS[font]} /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar ${0x97} /Widths [${widths.join(" ")}] >>`;
}

/** The whole PDF file: catalog, page, two standard fonts, the content, and an Info title. */
export function handbookPdf() {
  const utf16 = (s) => `<FEFF${[...s].map((ch) => ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")).join("")}>`;
  const stream = contentStream();
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>`,
    fontDict("F1"),
    fontDict("F2"),
    `<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}endstream`,
    `<< /Title ${utf16(TITLE)} /Producer (dbbasic-sessions demo, examples/demo/handbook.mjs) >>`,
  ];
  let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** Where the committed handbook lives. */
export const HANDBOOK_PATH = fileURLToPath(new URL("htdocs/members/handbook.pdf", import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(HANDBOOK_PATH, handbookPdf());
  console.log(`wrote ${HANDBOOK_PATH}`);
}
