// Interop and golden vectors: tokens cross-checked both ways
// with the Python algorithm (test/python/pysessions.py, stdlib only) run by /usr/bin/python3.
// Nothing is skipped: a missing python3 fails these tests.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createSession, getSession, Keyring, verifySession } from "../../src/index.js";
import { pyJsonString } from "../../src/pyjson.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PYTHON = "/usr/bin/python3";
const SCRIPT = join(ROOT, "test", "python", "pysessions.py");
const CLI = join(ROOT, "bin", "dbbasic-sessions");
const WHOAMI = join(ROOT, "cgi-bin", "whoami.cgi");
const LOGIN = join(ROOT, "cgi-bin", "login.cgi");
const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OTHER_KEY = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const NOW = 1_700_000_000;
const BASE_ENV = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, LANG: "C.UTF-8" };

function python(args: string[], input = ""): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], {
    input,
    encoding: "utf8",
    env: { ...BASE_ENV, PYTHONUTF8: "1", PYTHONIOENCODING: "utf-8" },
    timeout: 20_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Request =
  | { op: "create"; user_id: string | number; ttl: number; now: number; key: string }
  | { op: "verify"; token: string; now: number; key: string }
  | { op: "dumps"; value: string };

/** Many requests in one Python process; JSON carries NUL and lone surrogates that argv cannot. */
function pyBatch(requests: Request[]): Array<string | null> {
  const r = python(["batch"], JSON.stringify(requests));
  if (r.status !== 0) throw new Error(`pysessions.py batch failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function runCgi(program: string, env: Record<string, string>): { status: number | null; headers: Map<string, string[]>; statusLine: string; body: string; stderr: string } {
  const r = spawnSync(process.execPath, [program], { env: { ...BASE_ENV, ...env }, input: "", encoding: "utf8", timeout: 20_000 });
  const sep = r.stdout.indexOf("\r\n\r\n");
  expect(sep).toBeGreaterThan(0);
  const headers = new Map<string, string[]>();
  for (const line of r.stdout.slice(0, sep).split("\r\n")) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: r.status, headers, statusLine: headers.get("status")?.[0] ?? "", body: r.stdout.slice(sep + 4), stderr: r.stderr };
}

const nowSec = () => Math.floor(Date.now() / 1000);

const USERS: Array<string | number> = [
  "alice",
  42,
  "ann.o'neil+tag@example.com",
  'say "hi"',
  "C:\\Users\\ann\\",
  "a\nb\rc\td\be\ff\x00g\x1fh\x7fi",
  "Zoë Ångström",
  "山田太郎",
  "😀👩‍💻𝕏",
  "x\ud800y",
  "\udfff",
  "\ufeff\u2028\uffff",
  "~~~???>>>",
  "u".repeat(1500),
];

beforeAll(() => {
  for (const [what, path] of [["python3", PYTHON], ["the CLI bundle (run `make build`)", CLI], ["whoami.cgi (run `make build`)", WHOAMI], ["login.cgi (run `make build`)", LOGIN]] as const) {
    if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
  }
});

describe("golden vectors", () => {
  it("test/unit/vectors.json is exactly what the Python script prints today", () => {
    const r = python(["vectors"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, "test", "unit", "vectors.json"), "utf8"));
  });
});

describe("json.dumps", () => {
  it("pyJsonString matches Python's json.dumps for every UTF-16 code unit, lone surrogates included", () => {
    let all = "";
    for (let c = 0; c <= 0xffff; c++) all += String.fromCharCode(c);
    const [dumped] = pyBatch([{ op: "dumps", value: all }]);
    expect(pyJsonString(all)).toBe(dumped);
  });

  it("pyJsonString matches json.dumps for astral characters across the planes", () => {
    const samples = ["\u{10000}", "\u{1f600}", "\u{1f469}\u200d\u{1f4bb}", "\u{20000}", "\u{e0001}", "\u{10ffff}"];
    const dumped = pyBatch(samples.map((value) => ({ op: "dumps", value })));
    expect(samples.map(pyJsonString)).toEqual(dumped);
  });
});

describe("Node ⇄ Python tokens", () => {
  it("are byte-identical for the same user, expiry and key", () => {
    const requests: Request[] = [];
    const expected: string[] = [];
    for (const [i, user] of USERS.entries()) {
      for (const [key, ttl] of [[KEY, 3600], [OTHER_KEY, 2592000], ["clé secrète — 鍵 — 🔑 — thirty-two+ chars", 1]] as const) {
        const now = NOW + i;
        requests.push({ op: "create", user_id: user, ttl, now, key });
        expected.push(createSession(user, ttl, { keys: key, now: () => now }));
      }
    }
    expect(pyBatch(requests)).toEqual(expected);
  });

  it("Node-made tokens verify in Python, and are refused there once expired or under another key", () => {
    const tokens = USERS.map((u) => createSession(u, 3600, { keys: KEY, now: () => NOW }));
    const results = pyBatch([
      ...tokens.map((token): Request => ({ op: "verify", token, now: NOW + 3599, key: KEY })),
      ...tokens.map((token): Request => ({ op: "verify", token, now: NOW + 3600, key: KEY })),
      ...tokens.map((token): Request => ({ op: "verify", token, now: NOW, key: OTHER_KEY })),
    ]);
    expect(results).toEqual([...USERS.map(String), ...USERS.map(() => null), ...USERS.map(() => null)]);
  });

  it("Python-made tokens verify in Node, and are refused once expired or under another key", () => {
    const tokens = pyBatch(USERS.map((user_id) => ({ op: "create", user_id, ttl: 3600, now: NOW, key: KEY }))) as string[];
    tokens.forEach((token, i) => {
      expect(getSession(token, { keys: KEY, now: () => NOW + 3599 })).toBe(String(USERS[i]));
      expect(verifySession(token, { keys: KEY, now: () => NOW })).toEqual({ userId: String(USERS[i]), expires: NOW + 3600 });
      expect(getSession(token, { keys: KEY, now: () => NOW + 3600 })).toBeNull();
      expect(getSession(token, { keys: OTHER_KEY, now: () => NOW })).toBeNull();
    });
  });

  it("Python-made tokens for 100 users verify in Node, each as its own user", () => {
    const tokens = pyBatch(Array.from({ length: 100 }, (_, i) => ({ op: "create" as const, user_id: `user${i}`, ttl: 60, now: NOW, key: KEY }))) as string[];
    expect(tokens.map((t) => getSession(t, { keys: KEY, now: () => NOW }))).toEqual(Array.from({ length: 100 }, (_, i) => `user${i}`));
  });

  it("a Python token signed with an old key verifies in Node through SECRET_KEY_FALLBACKS", () => {
    const [token] = pyBatch([{ op: "create", user_id: "rotated", ttl: 60, now: NOW, key: OTHER_KEY }]) as string[];
    expect(getSession(token, { keys: new Keyring(KEY, [OTHER_KEY]), now: () => NOW })).toBe("rotated");
    expect(getSession(token, { env: { SECRET_KEY: KEY, SECRET_KEY_FALLBACKS: OTHER_KEY }, now: () => NOW })).toBe("rotated");
  });

  it("both refuse the same bad tokens", () => {
    const good = createSession("alice", 3600, { keys: KEY, now: () => NOW });
    const [payload, sig] = good.split(".") as [string, string];
    const bad = ["", "nodot", "a.b.c.d", payload + "." + sig.toUpperCase(), payload + "." + "0".repeat(64), "!!!." + sig, good + "x", "a".repeat(10_000)];
    expect(pyBatch(bad.map((token) => ({ op: "verify", token, now: NOW, key: KEY })))).toEqual(bad.map(() => null));
    for (const token of bad) expect(getSession(token, { keys: KEY, now: () => NOW })).toBeNull();
  });

  it("the Python command line and the library agree on a token made at the real time", () => {
    const now = nowSec();
    const made = python(["create", "山田 cli", "600", String(now), KEY]);
    expect(made.status).toBe(0);
    const token = made.stdout.trim();
    expect(token).toBe(createSession("山田 cli", 600, { keys: KEY, now: () => now }));
    expect(python(["verify", token, String(now), KEY])).toEqual({ status: 0, stdout: "山田 cli\n", stderr: "" });
    expect(python(["verify", token, String(now + 600), KEY]).status).toBe(1);
  });
});

describe("Python tokens in the Node command line", () => {
  it("dbbasic-sessions verify accepts a Python-made token and prints the user id", () => {
    const [token] = pyBatch([{ op: "create", user_id: "ann 😀", ttl: 600, now: nowSec(), key: KEY }]) as string[];
    const r = spawnSync(process.execPath, [CLI, "verify", token!], { env: { ...BASE_ENV, SECRET_KEY: KEY }, encoding: "utf8" });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: "ann 😀\n", stderr: "" });
  });

  it("dbbasic-sessions verify refuses an expired Python-made token", () => {
    const [token] = pyBatch([{ op: "create", user_id: "ann", ttl: -1, now: nowSec(), key: KEY }]) as string[];
    const r = spawnSync(process.execPath, [CLI, "verify", token!], { env: { ...BASE_ENV, SECRET_KEY: KEY }, encoding: "utf8" });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: "" });
  });

  it("a token from dbbasic-sessions create verifies in Python and is byte-identical to Python's", () => {
    const r = spawnSync(process.execPath, [CLI, "create", "cli-made", "--ttl", "900"], { env: { ...BASE_ENV, SECRET_KEY: KEY }, encoding: "utf8" });
    const token = r.stdout.trim();
    const { expires } = verifySession(token, { keys: KEY });
    expect(pyBatch([
      { op: "verify", token, now: expires - 1, key: KEY },
      { op: "create", user_id: "cli-made", ttl: 900, now: expires - 900, key: KEY },
    ])).toEqual(["cli-made", token]);
  });
});

describe("Python tokens in whoami.cgi", () => {
  const env = (token: string, extra: Record<string, string> = {}) => ({
    SECRET_KEY: KEY,
    REQUEST_METHOD: "GET",
    HTTP_COOKIE: `other=1; session=${token}`,
    REMOTE_ADDR: "192.0.2.1",
    ...extra,
  });

  it.each(["ann", "山田太郎", 'q"uote\\back', "😀"])("answers 200 with the exact JSON body for a Python-made token for %j", (user) => {
    const expires = nowSec() + 2592000;
    const [token] = pyBatch([{ op: "create", user_id: user, ttl: 2592000, now: expires - 2592000, key: KEY }]) as string[];
    const r = runCgi(WHOAMI, env(token!));
    expect(r.status).toBe(0);
    expect(r.statusLine).toBe("200 OK");
    expect(r.headers.get("content-type")).toEqual(["application/json"]);
    expect(r.headers.get("cache-control")).toEqual(["no-store"]);
    expect(r.headers.get("set-cookie")).toBeUndefined(); // more than half the TTL is left
    expect(r.body).toBe(`{"user_id":${JSON.stringify(user)},"expires":${expires}}`);
    expect(r.stderr).toBe("");
  });

  it("accepts a Python-made token in a DQUOTE-wrapped cookie under a custom SESSION_COOKIE", () => {
    const expires = nowSec() + 3000;
    const [token] = pyBatch([{ op: "create", user_id: "sid-user", ttl: 3000, now: expires - 3000, key: KEY }]) as string[];
    const r = runCgi(WHOAMI, { ...env(token!), HTTP_COOKIE: `session=bogus; sid="${token}"`, SESSION_COOKIE: "sid", SESSION_TTL: "3600" });
    expect(r.statusLine).toBe("200 OK");
    expect(r.body).toBe(`{"user_id":"sid-user","expires":${expires}}`);
  });

  it("renews a Python-made token with under half its TTL left, and Python accepts the renewed cookie", () => {
    const now = nowSec();
    const [token] = pyBatch([{ op: "create", user_id: "renew-me", ttl: 100, now, key: KEY }]) as string[];
    const r = runCgi(WHOAMI, env(token!, { SESSION_TTL: "3600" }));
    expect(r.statusLine).toBe("200 OK");
    const [cookie] = r.headers.get("set-cookie") ?? [];
    expect(cookie).toMatch(/^session=[A-Za-z0-9_-]+={0,2}\.[0-9a-f]{64}; HttpOnly; SameSite=Lax; Path=\/; Max-Age=3600$/);
    const renewed = cookie!.slice("session=".length, cookie!.indexOf(";"));
    const { expires } = verifySession(renewed, { keys: KEY, now: () => now });
    expect(expires).toBeGreaterThanOrEqual(now + 3600);
    expect(expires).toBeLessThanOrEqual(nowSec() + 3600);
    expect(r.body).toBe(`{"user_id":"renew-me","expires":${expires}}`);
    expect(pyBatch([
      { op: "verify", token: renewed, now: expires - 1, key: KEY },
      { op: "create", user_id: "renew-me", ttl: 3600, now: expires - 3600, key: KEY },
    ])).toEqual(["renew-me", renewed]);
  });

  it.each([
    ["signed with another key", () => pyBatch([{ op: "create", user_id: "ann", ttl: 600, now: nowSec(), key: OTHER_KEY }])[0]!],
    ["expired", () => pyBatch([{ op: "create", user_id: "ann", ttl: -1, now: nowSec(), key: KEY }])[0]!],
  ])("answers 401 for a Python-made token %s", (_name, make) => {
    const r = runCgi(WHOAMI, env(make()));
    expect(r.statusLine).toBe("401 Unauthorized");
    expect(r.body).toBe('{"error":"no valid session"}');
    expect(r.headers.get("set-cookie")).toBeUndefined();
  });
});

describe("login.cgi tokens in Python", () => {
  function login(extra: Record<string, string>) {
    const r = runCgi(LOGIN, { SECRET_KEY: KEY, REQUEST_METHOD: "GET", REMOTE_ADDR: "192.0.2.1", QUERY_STRING: "next=%2Fhome", ...extra });
    expect(r.statusLine).toBe("303 See Other");
    expect(r.headers.get("location")).toEqual(["/home"]);
    const [cookie] = r.headers.get("set-cookie") ?? [];
    expect(cookie).toBeDefined();
    return cookie!;
  }

  it("a REMOTE_USER login's cookie verifies in Python and is byte-identical to Python's token", () => {
    const cookie = login({ REMOTE_USER: "ann@example.com" });
    expect(cookie).toMatch(/^session=[^;]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=2592000$/);
    const token = cookie.slice("session=".length, cookie.indexOf(";"));
    const { expires } = verifySession(token, { keys: KEY });
    expect(pyBatch([
      { op: "verify", token, now: expires - 1, key: KEY },
      { op: "verify", token, now: expires, key: KEY },
      { op: "create", user_id: "ann@example.com", ttl: 2592000, now: expires - 2592000, key: KEY },
    ])).toEqual(["ann@example.com", null, token]);
  });

  it("honours SESSION_COOKIE, SESSION_TTL and HTTPS, and Python still accepts the token", () => {
    const cookie = login({ REMOTE_USER: "José", SESSION_COOKIE: "sid", SESSION_TTL: "600", HTTPS: "on" });
    expect(cookie).toMatch(/^sid=[^;]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=600; Secure$/);
    const token = cookie.slice("sid=".length, cookie.indexOf(";"));
    const { expires } = verifySession(token, { keys: KEY });
    expect(pyBatch([
      { op: "verify", token, now: expires - 1, key: KEY },
      { op: "create", user_id: "José", ttl: 600, now: expires - 600, key: KEY },
    ])).toEqual(["José", token]);
  });
});
