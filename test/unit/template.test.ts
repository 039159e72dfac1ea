// Pages in the site's own look (docs/members-area.md, "Pages in your site's look"): placeholder rendering,
// escaping, template files, and the built-in pages, including the 403 page.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { forbiddenPage, HTML_HEADERS, loginPage, logoutPage } from "../../src/request/html.js";
import { escapeHtml, MAX_TEMPLATE_BYTES, readTemplate, renderTemplate } from "../../src/request/template.js";

const dir = mkdtempSync(join(tmpdir(), "dbs-template-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function templateFile(text: string): string {
  const path = join(dir, `t${files++}.html`);
  writeFileSync(path, text);
  return path;
}

const HOSTILE = `"><script>alert('x')</script>&amp;`;
const HOSTILE_HTML = "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;";

describe("renderTemplate", () => {
  it("replaces each placeholder by its value", () => {
    expect(renderTemplate("<p>{{a}} and {{b}}, {{a}} again</p>", { a: "one", b: "two" })).toBe("<p>one and two, one again</p>");
  });

  it("HTML-escapes every value: & < > \" '", () => {
    expect(renderTemplate(`<input value="{{v}}">{{v}}`, { v: HOSTILE })).toBe(`<input value="${HOSTILE_HTML}">${HOSTILE_HTML}`);
    expect(escapeHtml(`a&b<c>d"e'f`)).toBe("a&amp;b&lt;c&gt;d&quot;e&#39;f");
  });

  it("removes a placeholder that has no value, and keeps the text around it", () => {
    expect(renderTemplate("a{{nope}}b{{Next}}c{{user_2}}d", { next: "x" })).toBe("abcd");
  });

  it("allows spaces and tabs around the name", () => {
    expect(renderTemplate("[{{ next }}][{{\tnext\t}}]", { next: "/x" })).toBe("[/x][/x]");
  });

  it("leaves text that is not a placeholder as it is", () => {
    const text = "{{}} {{ }} {{a b}} {{-x}} {{1a}} {{a-b}} {{#if}} {{/if}} {{a.b}} {single} }} {{ unclosed";
    expect(renderTemplate(text, { a: "A", b: "B", if: "IF" })).toBe(text);
  });

  it("never expands a value, even one holding a placeholder", () => {
    const values = { next: "{{user}}", user: "{{next}}" };
    expect(renderTemplate("{{next}}|{{user}}", values)).toBe("{{user}}|{{next}}");
  });

  it("keeps values holding }} or {{ as text", () => {
    expect(renderTemplate("<b>{{next}}</b>{{user}}", { next: "}}x{{", user: "a}}" })).toBe("<b>}}x{{</b>a}}");
  });

  it("reads triple braces as a placeholder inside literal braces (values stay escaped)", () => {
    expect(renderTemplate("{{{next}}}", { next: "<i>" })).toBe("{&lt;i&gt;}");
  });

  it("finds a placeholder after a stray {{ and across split braces", () => {
    expect(renderTemplate("{{a {{next}}", { next: "N" })).toBe("{{a N");
    expect(renderTemplate("{ {next}} {{next} }", { next: "N" })).toBe("{ {next}} {{next} }");
    expect(renderTemplate("{{{{next}}}}", { next: "N" })).toBe("{{N}}");
    expect(renderTemplate("{{next}}}}{{", { next: "N" })).toBe("N}}{{");
  });

  it("uses only the values' own names, not inherited ones", () => {
    expect(renderTemplate("[{{constructor}}][{{toString}}][{{hasOwnProperty}}]", {})).toBe("[][][]");
  });

  it("leaves a template without placeholders unchanged, non-ASCII text included", () => {
    const text = "<p>Connexion — {déjà} 登录</p>\n";
    expect(renderTemplate(text, { next: "x" })).toBe(text);
    expect(renderTemplate("", { next: "x" })).toBe("");
  });
});

describe("readTemplate", () => {
  it("reads a regular file as UTF-8", () => {
    expect(readTemplate("LOGIN_TEMPLATE", templateFile("<p>Connexion — {{error}}</p>"))).toBe("<p>Connexion — {{error}}</p>");
  });

  it("reads a file of exactly the limit and refuses one byte more", () => {
    expect(readTemplate("LOGIN_TEMPLATE", templateFile("x".repeat(MAX_TEMPLATE_BYTES)))).toHaveLength(MAX_TEMPLATE_BYTES);
    const big = templateFile("x".repeat(MAX_TEMPLATE_BYTES + 1));
    expect(() => readTemplate("LOGIN_TEMPLATE", big)).toThrow(
      new ConfigError(`LOGIN_TEMPLATE "${big}" is over the ${MAX_TEMPLATE_BYTES}-byte limit`),
    );
  });

  it("refuses a missing file, a directory, a device and a FIFO with a ConfigError naming the variable", () => {
    expect(() => readTemplate("LOGOUT_TEMPLATE", join(dir, "missing.html"))).toThrow(
      new ConfigError(`LOGOUT_TEMPLATE "${join(dir, "missing.html")}" cannot be read (ENOENT)`),
    );
    const sub = join(dir, "folder");
    mkdirSync(sub);
    expect(() => readTemplate("FORBIDDEN_TEMPLATE", sub)).toThrow(
      new ConfigError(`FORBIDDEN_TEMPLATE "${sub}" is not a regular file (a directory)`),
    );
    expect(() => readTemplate("LOGIN_TEMPLATE", "/dev/zero")).toThrow(
      new ConfigError('LOGIN_TEMPLATE "/dev/zero" is not a regular file (a character device)'),
    );
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(() => readTemplate("LOGIN_TEMPLATE", fifo)).toThrow(new ConfigError(`LOGIN_TEMPLATE "${fifo}" is not a regular file (a FIFO)`));
  });
});

describe("pages from a template", () => {
  it("login: {{action}}, {{next}}, {{username}} and {{error}}, escaped", () => {
    const path = templateFile(`<form action="{{action}}"><input name="username" value="{{username}}"><input name="next" value="{{next}}"><p>{{error}}</p>{{user}}</form>`);
    expect(loginPage({ action: "/cgi-bin/login.cgi", next: "/a?b=1&c", username: HOSTILE, error: "Falsch <1>" }, path)).toBe(
      `<form action="/cgi-bin/login.cgi"><input name="username" value="${HOSTILE_HTML}"><input name="next" value="/a?b=1&amp;c"><p>Falsch &lt;1&gt;</p></form>`,
    );
    expect(loginPage({ action: "/l", next: "/" }, path)).toBe(`<form action="/l"><input name="username" value=""><input name="next" value="/"><p></p></form>`);
  });

  it("logout: {{user}}, {{action}} and {{next}}, escaped; {{user}} is empty without a session", () => {
    const path = templateFile(`<body data-user="{{user}}">{{user}}|{{action}}|{{next}}|{{username}}{{error}}</body>`);
    expect(logoutPage({ action: "/cgi-bin/logout.cgi", next: "/\"x", user: HOSTILE }, path)).toBe(
      `<body data-user="${HOSTILE_HTML}">${HOSTILE_HTML}|/cgi-bin/logout.cgi|/&quot;x|</body>`,
    );
    expect(logoutPage({ action: "/o", next: "/" }, path)).toBe(`<body data-user="">|/o|/|</body>`);
  });

  it("forbidden: {{user}}, {{action}} (the logout URL) and {{next}}, escaped", () => {
    const path = templateFile(`<h1>Kein Zutritt, {{user}}</h1><form action="{{action}}"><input value="{{next}}"></form>{{error}}`);
    expect(forbiddenPage({ user: HOSTILE, logoutAction: "/cgi-bin/logout.cgi", next: "/members/" }, path)).toBe(
      `<h1>Kein Zutritt, ${HOSTILE_HTML}</h1><form action="/cgi-bin/logout.cgi"><input value="/members/"></form>`,
    );
  });

  it("an unreadable template throws a ConfigError naming its variable", () => {
    const missing = join(dir, "gone.html");
    expect(() => loginPage({ action: "/l", next: "/" }, missing)).toThrow(new ConfigError(`LOGIN_TEMPLATE "${missing}" cannot be read (ENOENT)`));
    expect(() => logoutPage({ action: "/o", next: "/" }, missing)).toThrow(new ConfigError(`LOGOUT_TEMPLATE "${missing}" cannot be read (ENOENT)`));
    expect(() => forbiddenPage({ user: "ann", logoutAction: "/o" }, missing)).toThrow(
      new ConfigError(`FORBIDDEN_TEMPLATE "${missing}" cannot be read (ENOENT)`),
    );
  });

  it("an empty template path means the built-in page", () => {
    expect(loginPage({ action: "/l", next: "/" }, "")).toBe(loginPage({ action: "/l", next: "/" }));
  });
});

describe("built-in pages", () => {
  const FORM = (action: string, next: string) =>
    `<form method="post" action="${action}"><input type="hidden" name="next" value="${next}"><button type="submit">Log out</button></form>`;

  it("the 403 page names the user, escaped, and offers a button that logs out", () => {
    const html = forbiddenPage({ user: HOSTILE, logoutAction: "/cgi-bin/logout.cgi" });
    expect(html).toMatch(/^<!doctype html>\n<html lang="en"><head>.*<title>Not allowed<\/title>/);
    expect(html).toContain(
      `<main><h1>Not allowed</h1><p>You are logged in as <strong>${HOSTILE_HTML}</strong>, and this page is not open to you.</p>` +
        `${FORM("/cgi-bin/logout.cgi", "/")}</main>`,
    );
    expect(html).not.toContain("<script>");
    expect(forbiddenPage({ user: "ann", logoutAction: "/x/logout.cgi", next: "/cgi-bin/login.cgi?next=/a&b" })).toContain(
      FORM("/x/logout.cgi", "/cgi-bin/login.cgi?next=/a&amp;b"),
    );
  });

  it("the logout page says who is logged in, or that nobody is, with the button either way", () => {
    expect(logoutPage({ action: "/o", next: "/", user: "<ann>" })).toContain(
      `<main><h1>Log out</h1><p>Logged in as <strong>&lt;ann&gt;</strong>.</p>${FORM("/o", "/")}</main>`,
    );
    expect(logoutPage({ action: "/o", next: "/" })).toContain(`<main><h1>Log out</h1><p>You are not logged in.</p>${FORM("/o", "/")}</main>`);
  });

  it("the login page shows the error text it is given, escaped, once", () => {
    const html = loginPage({ action: "/l", next: "/", username: "ann", error: "Mot de passe <faux>" });
    expect(html).toContain(`<p class="error" role="alert">Mot de passe &lt;faux&gt;</p><form method="post" action="/l">`);
    expect(loginPage({ action: "/l", next: "/" })).not.toContain('class="error"');
  });

  it("every HTML page forbids scripts and framing but allows the site's own styles, images and fonts", () => {
    expect(HTML_HEADERS).toEqual([
      [
        "Content-Security-Policy",
        "default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'",
      ],
      ["X-Frame-Options", "DENY"],
    ]);
  });
});
