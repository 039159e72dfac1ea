// Live sessions and access rules (docs/members-area.md, "Who may pass"): the pure rules.
import { describe, expect, it } from "vitest";
import { allows, htpasswdHasUser, needsGroups, parseGroups, parseRequire, parseRevocations, revokes } from "../../src/access.js";
import { ConfigError } from "../../src/errors.js";

const HTPASSWD = "alice:$2y$05$abc\nbob:{SHA}xyz=\n# carol:$apr1$x$y\nal ice:$apr1$a$b\n";

describe("htpasswdHasUser: a line for exactly that name, as mod_authn_file reads it", () => {
  it.each([
    ["alice", true],
    ["bob", true],
    ["al ice", true],
    ["al", false], // a prefix of a name is not the name
    ["alice:$2y$05$abc", false],
    ["carol", false], // commented out
    ["# carol", false],
    ["", false],
    ["ALICE", false], // names are case-sensitive
  ])("%j → %s", (user, expected) => {
    expect(htpasswdHasUser(HTPASSWD, user)).toBe(expected);
  });

  it("reads CRLF files, a byte-order mark before the first name, and a last line without a newline", () => {
    expect(htpasswdHasUser("\ufeffalice:x\r\nbob:y", "alice")).toBe(true);
    expect(htpasswdHasUser("\ufeffalice:x\r\nbob:y", "bob")).toBe(true);
  });

  it("never matches a name holding a colon, CR or LF, which no htpasswd line can have", () => {
    expect(htpasswdHasUser("x\nalice:1\n", "x\nalice")).toBe(false);
    expect(htpasswdHasUser("alice:1\n", "alice:1")).toBe(false);
    expect(htpasswdHasUser("alice\r:1\n", "alice\r")).toBe(false);
  });

  it("is false for an empty file", () => {
    expect(htpasswdHasUser("", "alice")).toBe(false);
  });
});

describe("parseRevocations: lines USER UNIXTIME", () => {
  it("takes the latest time of the user's lines and ignores other users", () => {
    const text = "alice 100\nbob 900\nalice 300\nalice 200\n";
    expect(parseRevocations(text)).toEqual({ latest: new Map([["alice", 300], ["bob", 900]]), badLines: [] });
    // One user's lines alone (a CGI program's one lookup).
    expect(parseRevocations(text, "alice")).toEqual({ latest: new Map([["alice", 300]]), badLines: [] });
    expect(parseRevocations(text, "carol")).toEqual({ latest: new Map(), badLines: [] });
  });

  it("reads a name with spaces (everything before the last space), CRLF, a BOM, comments and blank lines", () => {
    const text = "\ufeffann marie 500\r\n\r\n# alice 999\r\nalice 10\r\n";
    expect(parseRevocations(text)).toEqual({ latest: new Map([["ann marie", 500], ["alice", 10]]), badLines: [] });
  });

  it("lists the lines that do not parse and never lets one of them count", () => {
    const huge = "alice " + "9".repeat(2000);
    const text = ["alice", "alice x", " 5", "alice -5", "alice 1.5", "alice 1e3", huge, "alice 99999999999999", `${"a".repeat(1100)} 7`, "alice 42"].join("\n");
    expect(parseRevocations(text)).toEqual({ latest: new Map([["alice", 42]]), badLines: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
    expect(parseRevocations(text, "bob")).toEqual({ latest: new Map(), badLines: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
  });
});

describe("revokes: the token's issue time is at least expires − SESSION_MAX_TTL", () => {
  const ttl = 2592000;
  const issued = 1_700_000_000;
  it.each([
    [undefined, issued + ttl, false],
    [issued - 1, issued + ttl, false], // revoked before the token was made
    [issued, issued + ttl, true], // in the same second
    [issued + 5, issued + ttl, true],
    // A token made with a 60-second lifetime counts as issued ttl − 60 s earlier: revocation errs towards logging out.
    [issued - 1000, issued + 60, true],
  ])("revoked at %s, expires %s → %s", (at, expires, expected) => {
    expect(revokes(at, expires, ttl)).toBe(expected);
  });

  it("covers a token made to last a year when SESSION_MAX_TTL is a year, revoked a day after it was made", () => {
    expect(revokes(issued + 86400, issued + 31536000, 31536000)).toBe(true);
    expect(revokes(issued - 1, issued + 31536000, 31536000)).toBe(false);
  });
});

describe("parseRequire: Apache's Require words", () => {
  it.each([
    [undefined, [{ kind: "valid-user" }]],
    ["", [{ kind: "valid-user" }]],
    ["   ", [{ kind: "valid-user" }]],
    ["valid-user", [{ kind: "valid-user" }]],
    ["Valid-User", [{ kind: "valid-user" }]],
    ["user alice", [{ kind: "user", names: ["alice"] }]],
    ["user  alice\tbob ", [{ kind: "user", names: ["alice", "bob"] }]],
    ["group staff; user carol", [{ kind: "group", names: ["staff"] }, { kind: "user", names: ["carol"] }]],
    ["GROUP staff", [{ kind: "group", names: ["staff"] }]],
  ])("%j", (value, rules) => {
    expect(parseRequire(value)).toEqual(rules);
  });

  it.each(["user", "group", "valid-user alice", "all granted", "ip 127.0.0.1", "user alice;", "user alice;;user bob", "not user alice", "; valid-user"])(
    "%j is a configuration error, never 'anyone'",
    (value) => {
      expect(() => parseRequire(value)).toThrow(ConfigError);
      expect(() => parseRequire(value)).toThrow(/^SESSION_REQUIRE has .*: use "valid-user", "user NAME \.\.\." or "group NAME \.\.\.", several separated by ";"$/);
    },
  );

  it("cuts a long bad rule in its message", () => {
    expect(() => parseRequire("x".repeat(5000))).toThrow(new RegExp(`^SESSION_REQUIRE has "${"x".repeat(100)}": `));
  });

  it("needsGroups says whether HTGROUP_FILE must be read", () => {
    expect(needsGroups(parseRequire("user a; valid-user"))).toBe(false);
    expect(needsGroups(parseRequire("user a; group g"))).toBe(true);
  });
});

describe("parseGroups: Apache's AuthGroupFile", () => {
  it("reads groups, members on several lines, CRLF, a BOM and comments", () => {
    const groups = parseGroups("\ufeffstaff: alice bob\r\n# admins: mallory\r\n\r\nstaff:carol\r\n  admins :  dave  \r\nempty:\n");
    expect([...groups.members.keys()]).toEqual(["staff", "admins", "empty"]);
    expect([...groups.members.get("staff")!]).toEqual(["alice", "bob", "carol"]);
    expect([...groups.members.get("admins")!]).toEqual(["dave"]);
    expect(groups.members.get("empty")!.size).toBe(0);
    expect(groups.badLines).toEqual([]);
  });

  it("lists junk lines (no colon, no group name) and skips them", () => {
    const groups = parseGroups("junk\n: alice\nstaff: bob\n" + "x".repeat(10000) + "\n");
    expect(groups.badLines).toEqual([1, 2, 4]);
    expect([...groups.members.keys()]).toEqual(["staff"]);
  });
});

describe("allows: any one rule passing is enough", () => {
  const groups = parseGroups("staff: alice bob\nclients: carol\n");
  it.each([
    ["valid-user", "anyone", true],
    ["user alice bob", "bob", true],
    ["user alice bob", "carol", false],
    ["group staff", "alice", true],
    ["group staff", "carol", false],
    ["group staff clients", "carol", true],
    ["group nosuch", "alice", false],
    ["group staff; user dave", "dave", true],
    ["user dave; group clients", "alice", false],
  ])("%j lets %j pass: %s", (rule, user, expected) => {
    expect(allows(parseRequire(rule), user, groups)).toBe(expected);
  });

  it("a group rule without the group file lets nobody pass", () => {
    expect(allows(parseRequire("group staff"), "alice")).toBe(false);
  });
});
