// A folder's .htsession (docs/members-area.md, "Who may pass"): Apache's Require lines, parsed by the
// same rules as SESSION_REQUIRE; anything else is an error naming the line, never "anyone".
import { describe, expect, it } from "vitest";
import { allows, parseHtsession, RuleFileError } from "../../src/access.js";

describe("parseHtsession", () => {
  it.each([
    ["Require valid-user\n", [{ kind: "valid-user" }]],
    ["# staff only\nRequire group staff\n", [{ kind: "group", names: ["staff"] }]],
    ["require USER alice  bob\n", [{ kind: "user", names: ["alice", "bob"] }]],
    ["\uFEFFRequire valid-user", [{ kind: "valid-user" }]],
    ["\r\n  # a\r\n\tRequire user carol\t\r\nRequire group staff\r\n", [{ kind: "user", names: ["carol"] }, { kind: "group", names: ["staff"] }]],
  ])("reads %j", (text, rules) => {
    expect(parseHtsession(text)).toEqual(rules);
  });

  it.each([
    ["Require all granted\n", 1, /^"Require all granted" is not a rule gate\.cgi knows: /],
    ["Require all denied\n", 1, /is not a rule/],
    ["# ok\nRequire not user bob\n", 2, /^"Require not user bob" is not a rule/],
    ["Require user\n", 1, /is not a rule/],
    ["Require\n", 1, /is not a rule/],
    ["Require valid-user alice\n", 1, /is not a rule/],
    ["Require ip 10.0.0.0/8\n", 1, /is not a rule/],
    ["Require group staff\nAuthType Basic\n", 2, /^"AuthType Basic" is not a Require line: /],
    ["<RequireAll>\n", 1, /is not a Require line/],
    ["Require user alice # me\n", 1, /has a "#" after the rule/],
    ["Require user alice \\\n bob\n", 1, /continues on the next line/],
    ["", 0, /^has no Require line/],
    ["# only a comment\n\n", 0, /^has no Require line/],
    ["\uFEFF\uFEFFRequire valid-user\n", 1, /is not a Require line/], // one BOM is skipped, not two
    ["x\uFEFFRequire valid-user\n", 1, /is not a Require line/],
  ])("refuses %j at line %d", (text, line, message) => {
    let error: unknown;
    try {
      parseHtsession(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RuleFileError);
    expect((error as RuleFileError).line).toBe(line);
    expect((error as RuleFileError).message).toMatch(message);
  });

  it("several Require lines: anyone whom one of them passes", () => {
    const rules = parseHtsession("Require user carol\nRequire group staff\n");
    const groups = { members: new Map([["staff", new Set(["alice"])]]), badLines: [] };
    expect(allows(rules, "carol", groups)).toBe(true);
    expect(allows(rules, "alice", groups)).toBe(true);
    expect(allows(rules, "bob", groups)).toBe(false);
  });
});
