// The user's documents: the README stays a short guide (the two set-up commands, under 350
// lines), the install blocks that test/bats/debian and test/bats/shared-hosting run are still in
// it, and every relative link of README.md, SECURITY.md and docs/*.md leads to a file that exists
// and, with a #fragment, to a heading (or <a id>) that exists in it, as GitHub renders them.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const README = join(ROOT, "README.md");
const DOCS = [README, join(ROOT, "SECURITY.md"), ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => join(ROOT, "docs", f))];

/** The text outside fenced and indented code blocks, line by line (links there are not links). */
function proseLines(text: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  let previousBlank = true;
  let inIndented = false;
  for (const line of text.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      out.push("");
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      out.push("");
      continue;
    }
    // An indented code block starts after a blank line (list items' continuation lines are prose).
    if (line.startsWith("    ") && (previousBlank || inIndented) && !/^\s*([-*]|\d+\.) /.test(line)) {
      inIndented = true;
      out.push("");
      previousBlank = false;
      continue;
    }
    if (line.trim() !== "") inIndented = false;
    previousBlank = line.trim() === "";
    out.push(line.replace(/`[^`]*`/g, "``"));
  }
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen (github-slugger). */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link: its text
    .replace(/<[^>]+>/g, "") // HTML tags
    .replace(/[`*]/g, "");
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** Every anchor of a markdown file: its headings' slugs (repeats numbered as GitHub does) and <a id>/<a name>. */
function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8");
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | undefined;
  for (const line of text.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^ {0,3}#{1,6} +(.*?)(?: +#+)? *$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a (?:id|name)="([^"]+)"/g)) out.add(m[1]!);
  }
  return out;
}

/** The relative links of a markdown file: [text](target) and ![alt](target), outside code. */
function relativeLinks(file: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  proseLines(readFileSync(file, "utf8")).forEach((text, i) => {
    for (const m of text.matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      out.push({ target, line: i + 1 });
    }
  });
  return out;
}

describe("README.md", () => {
  const text = readFileSync(README, "utf8");

  it("is a short guide: under 350 lines", () => {
    expect(text.split("\n").length).toBeLessThan(350);
  });

  it("gives the two set-up commands, make demo and make test", () => {
    expect(text).toContain("make demo");
    expect(text).toContain("make test");
  });

  // The names test/bats/debian/debian.bats and test/bats/shared-hosting/shared-hosting.bats run.
  it.each([
    "debian:common",
    "debian:apache2",
    "debian:lighttpd",
    "debian:fail2ban-apache2",
    "debian:fail2ban-lighttpd",
    "debian:authorizer-lighttpd",
    "debian:authorizer-service",
    "debian:authorizer-apache2",
    "shared-hosting:user",
    "shared-hosting:user-with-suexec",
    "shared-hosting:user-without-suexec",
  ])("holds the tested install block %s, a fenced block right after its mark", (name) => {
    expect(text).toMatch(new RegExp(`^<!-- ${name} -->\\n\`\`\`sh\\n[^\`]+\\n\`\`\`$`, "m"));
  });
});

describe("relative links", () => {
  const links = DOCS.flatMap((file) => relativeLinks(file).map((l) => ({ file: relative(ROOT, file), ...l })));

  it("are found in every document (the checker reads them)", () => {
    for (const file of DOCS) expect(relativeLinks(file).length, relative(ROOT, file)).toBeGreaterThan(0);
  });

  it.each(links)("$file:$line → $target resolves", ({ file, target }) => {
    const [path, fragment] = target.split("#", 2) as [string, string | undefined];
    const to = path === "" ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURI(path));
    expect(existsSync(to), `${target}: no such file`).toBe(true);
    expect(to.startsWith(ROOT + "/") || to === ROOT, `${target}: outside the repository`).toBe(true);
    if (fragment !== undefined) {
      expect(statSync(to).isFile() && to.endsWith(".md"), `${target}: an anchor into a file that is not markdown`).toBe(true);
      expect([...anchors(to)], `${target}: no heading with that anchor`).toContain(fragment);
    }
  });
});

describe("the anchor rule", () => {
  it.each([
    ["Install on Debian and Ubuntu", "install-on-debian-and-ubuntu"],
    ["A folder's own rule: .htsession", "a-folders-own-rule-htsession"],
    ["The #! line and PATH", "the--line-and-path"],
    ["Why mod_authnz_fcgi and not mod_fcgid", "why-mod_authnz_fcgi-and-not-mod_fcgid"],
    ["Banning password guessers (fail2ban)", "banning-password-guessers-fail2ban"],
    ["`SESSION_REQUIRE` rules", "session_require-rules"],
  ])("turns the heading %j into #%s, as GitHub does", (heading, anchor) => {
    expect(slug(heading)).toBe(anchor);
  });
});
