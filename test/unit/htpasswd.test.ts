/**
 * htpasswd checking (src/htpasswd.ts) against entries written by the real
 * `htpasswd` binary (apache2-utils), and the timing path (SECURITY.md, "Timing"): an
 * unknown user does the same hash work as a known user with a wrong password.
 * The work is observed through spies that call the real bcrypt/MD5/SHA-1
 * (never the clock).
 */
import { execFileSync } from "node:child_process";
import * as bcrypt from "bcryptjs";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { apr1, dummyHash, hashScheme, MAX_BCRYPT_COST, parseHtpasswd, verifyHtpasswd } from "../../src/htpasswd.js";

// Spies that record each hash computation and return what the real function returns.
vi.mock("bcryptjs", async (importOriginal) => {
  const real = await importOriginal<typeof import("bcryptjs")>();
  const compareSync = vi.fn(real.compareSync);
  return { ...real, compareSync, default: { ...real.default, compareSync } };
});
vi.mock("@noble/hashes/legacy.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("@noble/hashes/legacy.js")>();
  return { ...real, md5: vi.fn(real.md5), sha1: vi.fn(real.sha1) };
});

const compareSpy = vi.mocked(bcrypt.compareSync);
const md5Spy = vi.mocked(md5);
const sha1Spy = vi.mocked(sha1);

beforeEach(() => {
  compareSpy.mockClear();
  md5Spy.mockClear();
  sha1Spy.mockClear();
});

/** One `user:hash` line as the real `htpasswd -nb<flags>` prints it. */
function htpasswdLine(flags: string[], user: string, password: string): string {
  return execFileSync("htpasswd", ["-nb", ...flags, user, password], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}
function hashOf(line: string): string {
  return line.slice(line.indexOf(":") + 1);
}

const SCHEMES = [
  { scheme: "bcrypt", flags: ["-B", "-C", "4"], label: "bcrypt ($2y$, htpasswd -B -C 4)" },
  { scheme: "bcrypt", flags: ["-B"], label: "bcrypt ($2y$, htpasswd -B at its default cost 5)" },
  { scheme: "apr1", flags: ["-m"], label: "Apache MD5 ($apr1$, htpasswd -m)" },
  { scheme: "sha", flags: ["-s"], label: "{SHA} (htpasswd -s)" },
] as const;

const PASSWORDS = [
  ["a plain ASCII password", "correct horse battery staple"],
  ["a non-ASCII password", "pässwörd ✓ 密码 🔑"],
  ["a password with colons, quotes and spaces", ` a:b "c" 'd' \\e `],
] as const;

describe("entries written by the real htpasswd binary", () => {
  describe.each(SCHEMES)("$label", ({ scheme, flags }) => {
    it.each(PASSWORDS)("accepts the right password and refuses a wrong one for %s", async (_label, password) => {
      const text = htpasswdLine([...flags], "ann", password) + "\n";
      expect(hashScheme(hashOf(text.trim()))).toBe(scheme);
      await expect(verifyHtpasswd(text, "ann", password)).resolves.toEqual({ ok: true, reason: "ok", scheme });
      await expect(verifyHtpasswd(text, "ann", password + "x")).resolves.toEqual({ ok: false, reason: "bad-password", scheme });
      await expect(verifyHtpasswd(text, "ann", "")).resolves.toEqual({ ok: false, reason: "bad-password", scheme });
    });
  });

  // htpasswd writes only $2y$. For a password of ASCII characters under 72 bytes
  // the $2a$, $2b$ and $2y$ algorithms are identical (they differ only in old
  // bugs with 8-bit characters and lengths over 255), so the same hash under
  // the other prefixes is what those tools write.
  it.each(["$2a$", "$2b$"])("accepts a bcrypt entry with the %s prefix", async (prefix) => {
    const hash = prefix + hashOf(htpasswdLine(["-B", "-C", "4"], "ann", "s3cret-pass")).slice(4);
    const text = `ann:${hash}\n`;
    await expect(verifyHtpasswd(text, "ann", "s3cret-pass")).resolves.toEqual({ ok: true, reason: "ok", scheme: "bcrypt" });
    await expect(verifyHtpasswd(text, "ann", "s3cret-pasS")).resolves.toEqual({ ok: false, reason: "bad-password", scheme: "bcrypt" });
  });

  it("computes $apr1$ exactly as htpasswd does for twenty random passwords", () => {
    for (let i = 0; i < 20; i++) {
      const password = `pw-${i}-${Math.random().toString(36).slice(2)}-${"é".repeat(i)}`;
      const hash = hashOf(htpasswdLine(["-m"], "ann", password));
      const salt = hash.split("$")[2]!;
      expect(apr1(password, salt)).toBe(hash);
    }
  });

  it("finds each user in a file that htpasswd built one user at a time", async () => {
    const text = [
      htpasswdLine(["-B", "-C", "4"], "ann", "ann-pass"),
      htpasswdLine(["-m"], "bob", "bob-pass"),
      htpasswdLine(["-s"], "cy", "cy-pass"),
    ].join("\n") + "\n";
    await expect(verifyHtpasswd(text, "ann", "ann-pass")).resolves.toMatchObject({ ok: true, scheme: "bcrypt" });
    await expect(verifyHtpasswd(text, "bob", "bob-pass")).resolves.toMatchObject({ ok: true, scheme: "apr1" });
    await expect(verifyHtpasswd(text, "cy", "cy-pass")).resolves.toMatchObject({ ok: true, scheme: "sha" });
    await expect(verifyHtpasswd(text, "ann", "bob-pass")).resolves.toMatchObject({ ok: false, reason: "bad-password" });
  });
});

describe("hash types that are not supported", () => {
  const UNSUPPORTED = [
    ["crypt (htpasswd -d)", () => htpasswdLine(["-d"], "ann", "secret")],
    ["plain text (htpasswd -p)", () => htpasswdLine(["-p"], "ann", "secret")],
    ["SHA-256 crypt (htpasswd -2)", () => htpasswdLine(["-2"], "ann", "secret")],
    ["SHA-512 crypt (htpasswd -5)", () => htpasswdLine(["-5"], "ann", "secret")],
    ["bcrypt with cost 03, below what bcrypt accepts", () => "ann:$2y$03$" + "a".repeat(53)],
    ["bcrypt with cost 32, above what bcrypt accepts", () => "ann:$2y$32$" + "a".repeat(53)],
    ["a truncated bcrypt hash", () => htpasswdLine(["-B", "-C", "4"], "ann", "secret").slice(0, -1)],
    ["the $2x$ bcrypt variant", () => "ann:" + "$2x$" + hashOf(htpasswdLine(["-B", "-C", "4"], "ann", "secret")).slice(4)],
    ["an empty hash", () => "ann:"],
  ] as const;

  it.each(UNSUPPORTED)("refuses %s even with the right password, and says why in the reason", async (_label, make) => {
    const text = make() + "\n";
    await expect(verifyHtpasswd(text, "ann", "secret")).resolves.toEqual({ ok: false, reason: "unsupported-hash", scheme: "bcrypt" });
  });
});

describe("the htpasswd file format", () => {
  it("skips comments and blank lines, reads CRLF files and keeps the first entry of a repeated user", () => {
    const users = parseHtpasswd("# users\r\n\r\nann:{SHA}one\r\nbob:{SHA}two\nann:{SHA}three\nnocolon\n:{SHA}nouser\n");
    expect([...users]).toEqual([
      ["ann", "{SHA}one"],
      ["bob", "{SHA}two"],
    ]);
  });

  it("checks only the first entry of a user listed twice, as Apache does", async () => {
    const first = htpasswdLine(["-s"], "ann", "first");
    const second = htpasswdLine(["-s"], "ann", "second");
    const text = `${first}\n${second}\n`;
    await expect(verifyHtpasswd(text, "ann", "first")).resolves.toMatchObject({ ok: true });
    await expect(verifyHtpasswd(text, "ann", "second")).resolves.toMatchObject({ ok: false, reason: "bad-password" });
  });

  it("treats user names as case-sensitive", async () => {
    const text = htpasswdLine(["-s"], "ann", "secret") + "\n";
    await expect(verifyHtpasswd(text, "Ann", "secret")).resolves.toMatchObject({ ok: false, reason: "unknown-user" });
  });

  it("does not match a user name that is a prefix or extension of an entry", async () => {
    const text = htpasswdLine(["-s"], "ann", "secret") + "\n";
    await expect(verifyHtpasswd(text, "an", "secret")).resolves.toMatchObject({ ok: false, reason: "unknown-user" });
    await expect(verifyHtpasswd(text, "ann:", "secret")).resolves.toMatchObject({ ok: false, reason: "unknown-user" });
    await expect(verifyHtpasswd(text, "", "secret")).resolves.toMatchObject({ ok: false, reason: "unknown-user" });
  });
});

describe("an unknown user costs the same work as a wrong password (no user enumeration by timing)", () => {
  it("checks one dummy bcrypt hash of the same prefix and cost as the file's entries", async () => {
    const text = [htpasswdLine(["-B", "-C", "6"], "ann", "a"), htpasswdLine(["-B", "-C", "6"], "bob", "b")].join("\n");

    await expect(verifyHtpasswd(text, "ann", "wrong")).resolves.toEqual({ ok: false, reason: "bad-password", scheme: "bcrypt" });
    expect(compareSpy).toHaveBeenCalledTimes(1);
    const known = compareSpy.mock.calls[0]!;
    compareSpy.mockClear();

    await expect(verifyHtpasswd(text, "mallory", "wrong")).resolves.toEqual({ ok: false, reason: "unknown-user", scheme: "bcrypt" });
    expect(compareSpy).toHaveBeenCalledTimes(1);
    const unknown = compareSpy.mock.calls[0]!;

    expect(unknown[0]).toBe("wrong"); // the submitted password is hashed, as for a known user
    expect(unknown[1].slice(0, 7)).toBe("$2y$06$"); // same variant and cost
    expect(unknown[1].slice(0, 7)).toBe(known[1].slice(0, 7));
    expect(unknown[1]).toHaveLength(known[1].length);
    expect(hashScheme(unknown[1])).toBe("bcrypt");
    expect(parseHtpasswd(text).has("mallory")).toBe(false);
  });

  it("uses the highest bcrypt cost in a file whose users have different costs", async () => {
    const text = [
      htpasswdLine(["-B", "-C", "4"], "ann", "a"),
      htpasswdLine(["-B", "-C", "7"], "bob", "b"),
      htpasswdLine(["-B", "-C", "5"], "cy", "c"),
    ].join("\n");
    await verifyHtpasswd(text, "mallory", "x");
    expect(compareSpy).toHaveBeenCalledTimes(1);
    expect(compareSpy.mock.calls[0]![1].slice(0, 7)).toBe("$2y$07$");
  });

  it("does the bcrypt work when the file starts with a cheaper {SHA} entry", async () => {
    const text = [htpasswdLine(["-s"], "ann", "a"), htpasswdLine(["-B", "-C", "5"], "bob", "b")].join("\n");
    await expect(verifyHtpasswd(text, "mallory", "x")).resolves.toEqual({ ok: false, reason: "unknown-user", scheme: "bcrypt" });
    expect(compareSpy).toHaveBeenCalledTimes(1);
    expect(compareSpy.mock.calls[0]![1].slice(0, 7)).toBe("$2y$05$");
    expect(sha1Spy).not.toHaveBeenCalled();
  });

  it("does the bcrypt work when the file starts with an unsupported crypt entry", async () => {
    const text = [htpasswdLine(["-d"], "ann", "a"), htpasswdLine(["-B", "-C", "4"], "bob", "b")].join("\n");
    await expect(verifyHtpasswd(text, "mallory", "x")).resolves.toEqual({ ok: false, reason: "unknown-user", scheme: "bcrypt" });
    expect(compareSpy).toHaveBeenCalledTimes(1);
    expect(compareSpy.mock.calls[0]![1].slice(0, 7)).toBe("$2y$04$");
  });

  it("runs as many MD5 rounds for an unknown user as for a wrong password in an $apr1$ file", async () => {
    const text = htpasswdLine(["-m"], "ann", "a-password");
    await expect(verifyHtpasswd(text, "ann", "wrong-password")).resolves.toEqual({ ok: false, reason: "bad-password", scheme: "apr1" });
    const knownRounds = md5Spy.mock.calls.length;
    md5Spy.mockClear();
    await expect(verifyHtpasswd(text, "mallory", "wrong-password")).resolves.toEqual({ ok: false, reason: "unknown-user", scheme: "apr1" });
    expect(knownRounds).toBe(1002); // md5crypt: 2 set-up digests + 1000 rounds
    expect(md5Spy.mock.calls.length).toBe(knownRounds);
    expect(compareSpy).not.toHaveBeenCalled();
  });

  it("computes one SHA-1 for an unknown user as for a wrong password in a {SHA} file", async () => {
    const text = htpasswdLine(["-s"], "ann", "a-password");
    await verifyHtpasswd(text, "ann", "wrong");
    expect(sha1Spy).toHaveBeenCalledTimes(1);
    sha1Spy.mockClear();
    await expect(verifyHtpasswd(text, "mallory", "wrong")).resolves.toEqual({ ok: false, reason: "unknown-user", scheme: "sha" });
    expect(sha1Spy).toHaveBeenCalledTimes(1);
  });

  it("checks a dummy bcrypt hash at htpasswd's default cost when the file is empty", async () => {
    await expect(verifyHtpasswd("", "mallory", "x")).resolves.toEqual({ ok: false, reason: "unknown-user", scheme: "bcrypt" });
    expect(compareSpy).toHaveBeenCalledTimes(1);
    expect(compareSpy.mock.calls[0]![1].slice(0, 7)).toBe("$2y$05$");
  });

  it("does the same dummy work for a known user whose entry has an unsupported hash type", async () => {
    const text = [htpasswdLine(["-B", "-C", "4"], "ann", "a"), htpasswdLine(["-p"], "bob", "b")].join("\n");
    await expect(verifyHtpasswd(text, "bob", "b")).resolves.toEqual({ ok: false, reason: "unsupported-hash", scheme: "bcrypt" });
    expect(compareSpy).toHaveBeenCalledTimes(1);
    expect(compareSpy.mock.calls[0]![1].slice(0, 7)).toBe("$2y$04$");
  });

  it("never lets the dummy bcrypt hash itself be matched: it is a well-formed hash of an unknown secret", async () => {
    const dummy = dummyHash(new Map());
    expect(dummy).toEqual({ hash: expect.stringMatching(/^\$2y\$05\$[./A-Za-z0-9]{53}$/), scheme: "bcrypt" });
    for (const guess of ["", "x", "password", "dummy", "mallory"]) {
      await expect(verifyHtpasswd(`mallory:${dummy.hash}\n`, "mallory", guess)).resolves.toMatchObject({ ok: false, reason: "bad-password" });
    }
  });
});

// One entry of a huge bcrypt cost would make every login against it, and the
// stand-in for every unknown user, run for minutes or hours. The checks on
// hashScheme and dummyHash come first: they hash nothing, so without the cap
// the test fails on them instead of hanging in bcrypt.
describe("bcrypt costs above MAX_BCRYPT_COST are refused", () => {
  const salted = (cost: string) => `$2y$${cost}$` + hashOf(htpasswdLine(["-B", "-C", "4"], "x", "secret")).slice(7);

  it("caps the cost at 14", () => {
    expect(MAX_BCRYPT_COST).toBe(14);
    expect(hashScheme(salted("14"))).toBe("bcrypt");
    for (const cost of ["15", "17", "20", "31"]) expect(hashScheme(salted(cost))).toBe("unsupported");
  });

  it.each(["15", "31"])("never uses a cost-%s entry as the unknown user's stand-in", (cost) => {
    const users = parseHtpasswd([`ann:${salted(cost)}`, htpasswdLine(["-B", "-C", "6"], "bob", "b")].join("\n"));
    expect(dummyHash(users).hash.slice(0, 7)).toBe("$2y$06$");
    expect(dummyHash(parseHtpasswd(`ann:${salted(cost)}\n`)).hash.slice(0, 7)).toBe("$2y$05$");
  });

  it("answers a login against a $2y$31$ entry as an unsupported entry, checking the capped stand-in", async () => {
    const text = [`ann:${salted("31")}`, htpasswdLine(["-B", "-C", "4"], "bob", "b")].join("\n") + "\n";
    expect(hashScheme(parseHtpasswd(text).get("ann")!)).toBe("unsupported");
    await expect(verifyHtpasswd(text, "ann", "secret")).resolves.toEqual({ ok: false, reason: "unsupported-hash", scheme: "bcrypt" });
    expect(compareSpy).toHaveBeenCalledTimes(1);
    expect(compareSpy.mock.calls[0]![1].slice(0, 7)).toBe("$2y$04$");
    compareSpy.mockClear();
    await expect(verifyHtpasswd(text, "mallory", "x")).resolves.toEqual({ ok: false, reason: "unknown-user", scheme: "bcrypt" });
    expect(compareSpy).toHaveBeenCalledTimes(1);
    expect(compareSpy.mock.calls[0]![1].slice(0, 7)).toBe("$2y$04$");
  });
});
