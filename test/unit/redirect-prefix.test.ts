// A site below a URL prefix (docs/members-area.md, "Protect a whole folder"): which CONTEXT_PREFIX
// counts, which is refused, and `next` kept inside the site.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { nextInSite, sitePrefix } from "../../src/redirect.js";

const ALICE = { CONTEXT_PREFIX: "/~alice", CONTEXT_DOCUMENT_ROOT: "/home/alice/public_html", SCRIPT_NAME: "/~alice/cgi-bin/login.cgi" };

describe("sitePrefix", () => {
  it("a userdir or Alias site whose programs are in PREFIX/cgi-bin/", () => {
    expect(sitePrefix(ALICE)).toEqual({ prefix: "/~alice", root: "/home/alice/public_html" });
    expect(sitePrefix({ ...ALICE, CONTEXT_PREFIX: "/site/", SCRIPT_NAME: "/site/cgi-bin/gate.cgi" })).toEqual({ prefix: "/site", root: "/home/alice/public_html" });
  });

  it.each([
    ["no CONTEXT_PREFIX", { ...ALICE, CONTEXT_PREFIX: undefined }],
    ["an empty CONTEXT_PREFIX (the document root)", { ...ALICE, CONTEXT_PREFIX: "" }],
    ["no CONTEXT_DOCUMENT_ROOT", { ...ALICE, CONTEXT_DOCUMENT_ROOT: undefined }],
    ["CONTEXT_PREFIX /", { ...ALICE, CONTEXT_PREFIX: "/" }],
    ["a ScriptAlias /cgi-bin/", { CONTEXT_PREFIX: "/cgi-bin/", CONTEXT_DOCUMENT_ROOT: "/usr/lib/cgi-bin/", SCRIPT_NAME: "/cgi-bin/login.cgi" }],
    ["a ScriptAlias /cgi-bin", { CONTEXT_PREFIX: "/cgi-bin", CONTEXT_DOCUMENT_ROOT: "/usr/lib/cgi-bin", SCRIPT_NAME: "/cgi-bin/login.cgi" }],
    ["a program outside PREFIX/cgi-bin/", { ...ALICE, SCRIPT_NAME: "/~alice/login.cgi" }],
    ["only a request header", { HTTP_CONTEXT_PREFIX: "/~alice", HTTP_CONTEXT_DOCUMENT_ROOT: "/home/alice/public_html", SCRIPT_NAME: "/~alice/cgi-bin/login.cgi" }],
    ["only REDIRECT_ copies", { REDIRECT_CONTEXT_PREFIX: "/~alice", REDIRECT_CONTEXT_DOCUMENT_ROOT: "/home/alice/public_html", SCRIPT_NAME: "/~alice/cgi-bin/login.cgi" }],
  ])("none for %s", (_, env) => {
    expect(sitePrefix(env)).toBeUndefined();
  });

  it.each([
    ["/~a/../b", /segment/],
    ["/~a/%2E%2e/b", /segment/],
    ["/~a/./b", /segment/],
    ["/a//b", /not a usable URL prefix/],
    ["/a\\b", /not a usable URL prefix/],
    ["/a\x00b", /cookie Path/],
    ["/a b", /cookie Path/],
    ["/a;b", /cookie Path/],
    ["/é", /cookie Path/],
    ["/" + "a".repeat(256), /not a usable URL prefix/],
  ])("refuses the prefix %j", (prefix, message) => {
    expect(() => sitePrefix({ CONTEXT_PREFIX: prefix, CONTEXT_DOCUMENT_ROOT: "/srv", SCRIPT_NAME: prefix + "/cgi-bin/x.cgi" })).toThrow(ConfigError);
    expect(() => sitePrefix({ CONTEXT_PREFIX: prefix, CONTEXT_DOCUMENT_ROOT: "/srv", SCRIPT_NAME: prefix + "/cgi-bin/x.cgi" })).toThrow(message);
  });

  it("refuses a relative CONTEXT_DOCUMENT_ROOT", () => {
    expect(() => sitePrefix({ ...ALICE, CONTEXT_DOCUMENT_ROOT: "public_html" })).toThrow(/not an absolute path/);
  });
});

describe("nextInSite", () => {
  const site = { prefix: "/~alice", root: "/home/alice/public_html" };
  it.each([
    [undefined, "/~alice/"],
    [null, "/~alice/"],
    ["", "/~alice/"],
    ["/", "/~alice/"],
    ["/~bob/", "/~alice/"],
    ["/~alicex", "/~alice/"],
    ["/~alice/../~bob/", "/~alice/"],
    ["/~alice/%2e%2E/~bob/", "/~alice/"],
    ["/~alice/..", "/~alice/"],
    ["/~alice/..?x", "/~alice/"],
    ["/~alice\\..\\~bob", "/~alice/"],
    ["//evil.example/~alice/", "/~alice/"],
    ["https://evil.example/~alice/", "/~alice/"],
    ["/~alice", "/~alice"],
    ["/~alice/", "/~alice/"],
    ["/~alice?x=1", "/~alice?x=1"],
    ["/~alice#top", "/~alice#top"],
    ["/~alice/a/b?next=/../x", "/~alice/a/b?next=/../x"],
    ["/~alice/a..b/.x", "/~alice/a..b/.x"],
    ["/~alice/café", "/~alice/caf%C3%A9"],
  ])("%j → %j", (next, expected) => {
    expect(nextInSite(next, site)).toBe(expected);
  });

  it("without a site it is safeNext", () => {
    expect(nextInSite("/~bob/", undefined)).toBe("/~bob/");
    expect(nextInSite("//evil", undefined)).toBe("/");
  });
});
