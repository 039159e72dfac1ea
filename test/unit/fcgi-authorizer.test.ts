// authorizer.fcgi in process: the stat-checked file cache, the decision for
// each kind of request, and the FastCGI server over a real socket (records in,
// records out), including bad input. The process itself, started as lighttpd
// and Apache start it, is tested in test/bats/cgi/authorizer.bats.
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { connect, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSmallRegularFile } from "../../src/files.js";
import {
  authorizerHandler,
  authorizerResponse,
  DecisionMemo,
  defaultSettings,
  NOT_DECIDING,
  REQUEST_LOG_BURST,
  REQUEST_LOG_WINDOW_MS,
  requestEnv,
  verifiedSession,
} from "../../src/request/authorize.js";
import { CHECK_MS, FileCache, MAX_CACHED_BYTES, MAX_GROUP_FILES, MAX_SERVICE_GROUP_FILE, RACY_MS } from "../../src/request/file-cache.js";
import { listFileParses, MAX_LIST_FILE } from "../../src/request/live.js";
import {
  decodeNameValuePairs,
  encodeBeginRequestBody,
  encodeNameValuePairs,
  encodeRecords,
  FCGI_AUTHORIZER,
  FCGI_BEGIN_REQUEST,
  FCGI_CANT_MPX_CONN,
  FCGI_END_REQUEST,
  FCGI_GET_VALUES,
  FCGI_GET_VALUES_RESULT,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_RESPONDER,
  FCGI_STDOUT,
  FCGI_UNKNOWN_ROLE,
  FCGI_UNKNOWN_TYPE,
  RecordReader,
  type FcgiRecord,
  encodeResponse,
  FCGI_REQUEST_COMPLETE,
} from "../../src/fcgi/protocol.js";
import { Connections, createFcgiServer } from "../../src/fcgi/server.js";
import { LogLimiter } from "../../src/log-limiter.js";
import { encodeToken } from "../../src/token.js";
import { Keyring } from "../../src/keys.js";

const KEY = "a3f1c9e27b4d8056f2e91c3a7d5b08e4c6f2a1d9b7e3058c4a6f1d2e9b8c7a05";
const NOW = 1_900_000_000;
const dir = mkdtempSync(join(tmpdir(), "fcgi-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A site's files in a new folder below `dir`: the key (mode 0600), an htpasswd file of `users`, a group file making alice staff, and an empty revocation file. */
function siteFiles(prefix: string, users: string): { keyFile: string; htpasswd: string; groups: string; revoked: string } {
  const folder = mkdtempSync(join(dir, prefix));
  const file = (name: string, text: string, mode = 0o644): string => {
    const path = join(folder, name);
    writeFileSync(path, text, { mode });
    return path;
  };
  return { keyFile: file("key", KEY + "\n", 0o600), htpasswd: file("htpasswd", users), groups: file("groups", "staff: alice\n"), revoked: file("revoked", "") };
}

/** A clock a minute ahead: every file then looks settled, so the cache may trust it. */
const later = () => Date.now() + 60_000;

function token(user: string, expires = NOW + 3600): string {
  return encodeToken(new Keyring(KEY), user, expires);
}

/** A clock the test moves by hand. */
function clock(start = Date.now() + 60_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe("FileCache", () => {
  it(`reads a settled file once, then serves it with no system call per request: one stat per ${CHECK_MS} ms at most`, () => {
    const path = join(dir, "list");
    writeFileSync(path, "alice 1\n");
    const c = clock();
    const cache = new FileCache(readSmallRegularFile, c.now, undefined, { watch: false });
    for (let i = 0; i < 1000; i++) expect(cache.read(path, 100, "X").text).toBe("alice 1\n");
    expect([cache.reads, cache.stats]).toEqual([1, 1]);
    c.t += CHECK_MS;
    for (let i = 0; i < 1000; i++) cache.read(path, 100, "X");
    expect([cache.reads, cache.stats]).toEqual([1, 2]);
  });

  it(`without watching, sees a change (size and times, or another inode) at the first request ${CHECK_MS} ms after the last check`, () => {
    const path = join(dir, "changing");
    writeFileSync(path, "one\n");
    const c = clock();
    const cache = new FileCache(readSmallRegularFile, c.now, undefined, { watch: false });
    cache.read(path, 100, "X");
    appendFileSync(path, "two\n"); // size and times
    c.t += CHECK_MS - 1;
    expect(cache.read(path, 100, "X").text).toBe("one\n");
    c.t += 1;
    expect(cache.read(path, 100, "X").text).toBe("one\ntwo\n");
    writeFileSync(join(dir, "replacement"), "new!\n!!!"); // same size, another inode
    renameSync(join(dir, "replacement"), path);
    c.t += CHECK_MS;
    expect(cache.read(path, 100, "X").text).toBe("new!\n!!!");
    expect(cache.reads).toBe(3);
  });

  it(`re-reads a file changed less than ${RACY_MS} ms before it was read at each check, until it has settled`, () => {
    const path = join(dir, "racy");
    writeFileSync(path, "fresh\n");
    const c = clock(Date.now());
    const cache = new FileCache(readSmallRegularFile, c.now, undefined, { watch: false });
    cache.read(path, 100, "X");
    cache.read(path, 100, "X");
    expect(cache.reads).toBe(1);
    c.t += CHECK_MS;
    cache.read(path, 100, "X");
    expect(cache.reads).toBe(2); // not trusted: read again, though a stat would show no change
    c.t += RACY_MS + 1000; // the next read finds it settled
    cache.read(path, 100, "X");
    c.t += CHECK_MS;
    cache.read(path, 100, "X");
    expect(cache.reads).toBe(3);
  });

  it("never caches a failure: a missing file fails on every request until it appears", () => {
    const path = join(dir, "later");
    const cache = new FileCache();
    expect(() => cache.read(path, 100, "SESSION_REVOKED_FILE")).toThrow(`SESSION_REVOKED_FILE "${path}" cannot be read (ENOENT)`);
    expect(() => cache.read(path, 100, "SESSION_REVOKED_FILE")).toThrow("ENOENT");
    writeFileSync(path, "ok\n");
    expect(cache.read(path, 100, "SESSION_REVOKED_FILE").text).toBe("ok\n");
    cache.close();
  });

  it("rebuilds the keyring only when the key file changes", () => {
    const path = join(dir, "key");
    writeFileSync(path, KEY + "\n", { mode: 0o600 });
    const c = clock();
    const cache = new FileCache(readSmallRegularFile, c.now, undefined, { watch: false });
    const first = cache.keyring({ SECRET_KEY_FILE: path });
    c.t += CHECK_MS;
    expect(cache.keyring({ SECRET_KEY_FILE: path })).toBe(first);
    writeFileSync(path, KEY.replace("a3", "b4") + "\n");
    c.t += CHECK_MS;
    const second = cache.keyring({ SECRET_KEY_FILE: path });
    expect(second).not.toBe(first);
    expect(second.sign("x")).not.toBe(first.sign("x"));
    expect(cache.keyring({ SECRET_KEY_FILE: path, SECRET_KEY_FALLBACKS: KEY })).not.toBe(second);
  });

  it("watching, sees a write in place, a rename into place and a replaced key within 1 s, without waiting for the periodic check", async () => {
    const sub = mkdtempSync(join(dir, "watched-"));
    const path = join(sub, "htpasswd");
    const keyPath = join(sub, "key");
    writeFileSync(path, "alice:x\n");
    writeFileSync(keyPath, KEY + "\n", { mode: 0o600 });
    // The periodic check an hour apart: only the watch can tell.
    const cache = new FileCache(readSmallRegularFile, later, undefined, { checkMs: 3_600_000 });
    const seenWithin = async (probe: () => boolean): Promise<number> => {
      const start = Date.now();
      while (!probe()) {
        if (Date.now() - start > 1000) throw new Error("change not seen within 1 s");
        await new Promise((r) => setTimeout(r, 5));
      }
      return Date.now() - start;
    };
    expect(cache.read(path, 100, "HTPASSWD_FILE").text).toBe("alice:x\n");
    writeFileSync(path, "bob:y\n\n"); // in place, as `htpasswd -D` rewrites it
    await seenWithin(() => cache.read(path, 100, "HTPASSWD_FILE").text === "bob:y\n\n");
    writeFileSync(join(sub, "htpasswd.tmp"), "carol:z\n");
    renameSync(join(sub, "htpasswd.tmp"), path); // an editor's rename into place
    await seenWithin(() => cache.read(path, 100, "HTPASSWD_FILE").text === "carol:z\n");
    writeFileSync(path, "dave:w\n"); // the watch is set again on the new file
    await seenWithin(() => cache.read(path, 100, "HTPASSWD_FILE").text === "dave:w\n");
    const first = cache.keyring({ SECRET_KEY_FILE: keyPath });
    writeFileSync(join(sub, "key.new"), KEY.replace("a3", "b4") + "\n", { mode: 0o600 });
    renameSync(join(sub, "key.new"), keyPath);
    await seenWithin(() => cache.keyring({ SECRET_KEY_FILE: keyPath }) !== first);
    expect(cache.stats).toBeLessThanOrEqual(cache.reads + 8);
    cache.close();
  });

  it(`reads a group file only up to ${MAX_SERVICE_GROUP_FILE} bytes, and remembers at most ${MAX_GROUP_FILES} group files`, () => {
    const sub = mkdtempSync(join(dir, "groups-"));
    const big = join(sub, "big");
    writeFileSync(big, "staff: alice\n".padEnd(MAX_SERVICE_GROUP_FILE + 1, "#"));
    const cache = new FileCache(readSmallRegularFile, later);
    expect(() => cache.read(big, MAX_LIST_FILE, "HTGROUP_FILE")).toThrow(`HTGROUP_FILE "${big}" is over the ${MAX_SERVICE_GROUP_FILE}-byte limit`);
    // Other files keep the CGI programs' cap.
    expect(cache.read(big, MAX_LIST_FILE, "SESSION_REVOKED_FILE").text.length).toBe(MAX_SERVICE_GROUP_FILE + 1);
    const size = 512 * 1024;
    for (let i = 0; i < 32; i++) {
      const path = join(sub, `g${i}`);
      writeFileSync(path, `g${i}: alice\n`.padEnd(size, "#"));
      expect(cache.read(path, MAX_LIST_FILE, "HTGROUP_FILE").text.startsWith(`g${i}: alice`)).toBe(true);
    }
    // The revocation file read above, and the last MAX_GROUP_FILES group files.
    expect(cache.size).toEqual({ files: 1 + MAX_GROUP_FILES, bytes: MAX_SERVICE_GROUP_FILE + 1 + MAX_GROUP_FILES * size });
    expect(cache.size.bytes).toBeLessThanOrEqual(MAX_CACHED_BYTES);
    cache.close();
  });
});

describe("verifiedSession", () => {
  it("accepts a remembered token only until it expires, and only under the keys that verified it", () => {
    const keys = new Keyring(KEY);
    const t = encodeToken(keys, "alice", NOW + 10);
    expect(verifiedSession(keys, t, NOW)).toEqual({ userId: "alice", expires: NOW + 10 });
    expect(verifiedSession(keys, t, NOW + 9).userId).toBe("alice");
    expect(() => verifiedSession(keys, t, NOW + 10)).toThrow("invalid session token");
    expect(() => verifiedSession(new Keyring(KEY.replace("a3", "b4")), encodeToken(keys, "bob", NOW + 10), NOW)).toThrow("invalid session token");
    expect(() => verifiedSession(keys, t.slice(0, -1) + (t.endsWith("0") ? "1" : "0"), NOW)).toThrow("invalid session token");
    expect(() => verifiedSession(keys, undefined, NOW)).toThrow("invalid session token");
    // The token accepted last is accepted again at once, but only under the same keys and before it expires.
    const u = encodeToken(keys, "carol", NOW + 10);
    expect(verifiedSession(keys, u, NOW).userId).toBe("carol");
    expect(() => verifiedSession(new Keyring(KEY.replace("a3", "b4")), u, NOW)).toThrow("invalid session token");
    expect(verifiedSession(keys, u, NOW + 9).userId).toBe("carol");
    expect(() => verifiedSession(keys, u, NOW + 10)).toThrow("invalid session token");
  });
});

describe("Connections.encode", () => {
  it("answers as encodeResponse does, the same answer for the same request id as the same bytes", () => {
    const conns = new Connections({ role: FCGI_AUTHORIZER, handle: () => "", log: () => {}, cannotListen: () => {} }, new LogLimiter(() => {}));
    const allow = "Status: 200 OK\r\n\r\n";
    const first = conns.encode(1, allow, FCGI_REQUEST_COMPLETE);
    expect(first.equals(encodeResponse(1, allow))).toBe(true);
    expect(conns.encode(1, "Status: 200 OK\r\n" + "\r\n", FCGI_REQUEST_COMPLETE)).toBe(first);
    expect(conns.encode(2, allow, FCGI_REQUEST_COMPLETE).equals(encodeResponse(2, allow))).toBe(true);
    expect(conns.encode(2, allow, FCGI_UNKNOWN_ROLE).equals(encodeResponse(2, allow, FCGI_UNKNOWN_ROLE))).toBe(true);
    expect(conns.encode(2, "Status: 403\r\n\r\n", FCGI_REQUEST_COMPLETE).equals(encodeResponse(2, "Status: 403\r\n\r\n"))).toBe(true);
    expect(conns.encode(2, Buffer.from(allow), FCGI_REQUEST_COMPLETE).equals(encodeResponse(2, allow))).toBe(true);
  });
});

describe("authorizerResponse", () => {
  let htpasswd: string, groups: string, revoked: string, keyFile: string;
  beforeAll(() => {
    ({ keyFile, htpasswd, groups, revoked } = siteFiles("site-", "alice:$2y$05$abcdefghijklmnopqrstuu5Yf9GmQWvUqJ0mFl5Jm2QzYJpqNwzZe\nbob:{SHA}x\n"));
  });
  const env = (extra: Record<string, string> = {}) => ({
    SECRET_KEY_FILE: keyFile,
    HTPASSWD_FILE: htpasswd,
    SESSION_REVOKED_FILE: revoked,
    REQUEST_METHOD: "GET",
    REQUEST_URI: "/members/report.pdf?x=1",
    REMOTE_ADDR: "203.0.113.9",
    ...extra,
  });

  it("lets a live session pass with Variable-REMOTE_USER and Variable-AUTH_TYPE only", () => {
    const out = authorizerResponse(env({ HTTP_COOKIE: `session=${token("alice")}` }), new FileCache(), NOW);
    expect(out).toBe("Status: 200 OK\r\nVariable-REMOTE_USER: alice\r\nVariable-AUTH_TYPE: Cookie\r\n\r\n");
  });

  it("sends GET and HEAD without a session to the login page, with the request URI as next", () => {
    for (const method of ["GET", "HEAD"]) {
      const out = authorizerResponse(env({ REQUEST_METHOD: method }), new FileCache(), NOW);
      expect(out).toMatch(/^Status: 303 See Other\r\n/);
      expect(out).toContain("\r\nLocation: /cgi-bin/login.cgi?next=%2Fmembers%2Freport.pdf%3Fx%3D1\r\n");
    }
  });

  it("answers other methods without a session 401", () => {
    expect(authorizerResponse(env({ REQUEST_METHOD: "POST" }), new FileCache(), NOW)).toMatch(/^Status: 401 Unauthorized\r\n/);
  });

  it("treats a removed, a revoked and an expired session as no session", () => {
    try {
      // carol has no htpasswd line; revoked alice; expired bob.
      writeFileSync(revoked, `alice ${NOW - 10}\n`);
      expect(authorizerResponse(env({ HTTP_COOKIE: `session=${token("carol")}` }), new FileCache(), NOW)).toMatch(/^Status: 303 /);
      expect(authorizerResponse(env({ HTTP_COOKIE: `session=${token("alice")}` }), new FileCache(), NOW)).toMatch(/^Status: 303 /);
      expect(authorizerResponse(env({ HTTP_COOKIE: `session=${token("bob", NOW - 1)}` }), new FileCache(), NOW)).toMatch(/^Status: 303 /);
    } finally {
      writeFileSync(revoked, "");
    }
  });

  it("answers 403 with the forbidden page for a live session the rules refuse", () => {
    const out = authorizerResponse(env({ HTTP_COOKIE: `session=${token("bob")}`, SESSION_REQUIRE: "group staff", HTGROUP_FILE: groups }), new FileCache(), NOW);
    expect(out).toMatch(/^Status: 403 Forbidden\r\nContent-Type: text\/html; charset=utf-8\r\n/);
    expect(out).toContain("You are logged in as <strong>bob</strong>");
    const alice = authorizerResponse(env({ HTTP_COOKIE: `session=${token("alice")}`, SESSION_REQUIRE: "group staff", HTGROUP_FILE: groups }), new FileCache(), NOW);
    expect(alice).toMatch(/^Status: 200 OK\r\n/);
  });

  it("writes characters outside ASCII in a refusal page as character references (Apache labels it iso-8859-1)", () => {
    writeFileSync(htpasswd, "zoë:{SHA}x\n");
    try {
      const out = authorizerResponse(env({ HTTP_COOKIE: `session=${token("zoë")}`, SESSION_REQUIRE: "user alice" }), new FileCache(), NOW);
      expect(out).toMatch(/^Status: 403 Forbidden\r\n/);
      expect(out).toContain("You are logged in as <strong>zo&#235;</strong>");
      expect(/[^\x00-\x7f]/.test(out)).toBe(false);
      // A pass names the user as it is: the server hands the bytes on.
      expect(authorizerResponse(env({ HTTP_COOKIE: `session=${token("zoë")}` }), new FileCache(), NOW)).toContain("Variable-REMOTE_USER: zoë\r\n");
    } finally {
      writeFileSync(htpasswd, "alice:$2y$05$abcdefghijklmnopqrstuu5Yf9GmQWvUqJ0mFl5Jm2QzYJpqNwzZe\nbob:{SHA}x\n");
    }
  });

  it("answers 500, never 200, for a configuration error, with or without a session", () => {
    const cases: Array<Record<string, string>> = [
      { SECRET_KEY_FILE: join(dir, "no-such-key") },
      { SESSION_REQUIRE: "everyone" },
      { SESSION_REQUIRE: "group staff" }, // HTGROUP_FILE unset
      { SESSION_REVOKED_FILE: join(dir, "no-such-list") },
    ];
    for (const extra of cases) {
      const out = authorizerResponse(env({ HTTP_COOKIE: `session=${token("alice")}`, ...extra }), new FileCache(), NOW);
      expect(out).toBe("Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nInternal Server Error\n");
    }
  });

  it("takes settings from its own environment, overridden by what the server passes", () => {
    const defaults = defaultSettings({ SECRET_KEY_FILE: "/etc/k", SESSION_REQUIRE: "valid-user", REQUEST_URI: "/not-a-setting", PATH: "/bin" });
    expect(defaults).toEqual({ SECRET_KEY_FILE: "/etc/k", SESSION_REQUIRE: "valid-user" });
    const e = requestEnv(defaults, new Map([["SESSION_REQUIRE", "group staff"], ["REQUEST_URI", "/a"]]));
    expect(e).toEqual({ SECRET_KEY_FILE: "/etc/k", SESSION_REQUIRE: "group staff", REQUEST_URI: "/a" });
  });

  it("as a service (its own environment names the key), takes only a folder's rules from a request", () => {
    const params = new Map([
      ["SECRET_KEY", "chosen by whoever connected"],
      ["SECRET_KEY_FILE", "/tmp/mine"],
      ["SECRET_KEY_FALLBACKS", "x"],
      ["HTPASSWD_FILE", "/h"],
      ["FORBIDDEN_TEMPLATE", "/etc/dbbasic-sessions/key"],
      ["REDIRECT_FORBIDDEN_TEMPLATE", "/etc/passwd"],
      ["SESSION_REQUIRE", "group staff"],
      ["REDIRECT_HTGROUP_FILE", "/etc/groups"],
      ["REQUEST_URI", "/private/a"],
      ["HTTP_COOKIE", "session=x"],
    ]);
    const folder = { SESSION_REQUIRE: "group staff", REDIRECT_HTGROUP_FILE: "/etc/groups", REQUEST_URI: "/private/a", HTTP_COOKIE: "session=x" };
    expect(requestEnv({ SECRET_KEY_FILE: "/etc/k" }, params)).toEqual({ SECRET_KEY_FILE: "/etc/k", ...folder });
    expect(requestEnv({ SECRET_KEY: "k".repeat(40) }, params)).toEqual({ SECRET_KEY: "k".repeat(40), ...folder });
    // Started by lighttpd, whose requests carry every setting (setenv.add-environment).
    expect(requestEnv({}, params)).toEqual(Object.fromEntries(params));
  });
});

/** A connection to `server` that collects the records it receives until the peer closes. */
function talk(server: Server, bytes: Buffer[]): Promise<{ records: FcgiRecord[]; closed: boolean }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve) => {
    const reader = new RecordReader();
    const records: FcgiRecord[] = [];
    const sock = connect(port, "127.0.0.1", () => {
      for (const b of bytes) sock.write(b);
    });
    sock.on("data", (c) => records.push(...reader.push(c)));
    sock.on("error", () => {});
    sock.on("close", () => resolve({ records, closed: true }));
  });
}

function begin(id: number, role = FCGI_AUTHORIZER, flags = 0): Buffer {
  return encodeRecords(FCGI_BEGIN_REQUEST, id, encodeBeginRequestBody(role, flags));
}
function params(id: number, pairs: Array<[string, string]>): Buffer {
  return Buffer.concat([encodeRecords(FCGI_PARAMS, id, encodeNameValuePairs(pairs)), encodeRecords(FCGI_PARAMS, id)]);
}
function stdoutOf(records: FcgiRecord[], id: number): string {
  return Buffer.concat(records.filter((r) => r.type === FCGI_STDOUT && r.requestId === id).map((r) => r.content)).toString();
}
function endOf(records: FcgiRecord[], id: number): number | undefined {
  const end = records.find((r) => r.type === FCGI_END_REQUEST && r.requestId === id);
  return end?.content[4];
}

describe("FastCGI server over a socket", () => {
  const logged: string[] = [];
  let server: Server;
  beforeAll(async () => {
    server = createFcgiServer({
      role: FCGI_AUTHORIZER,
      handle: ({ params: p }) => {
        if (p.THROW) throw new Error("boom");
        return Buffer.from(`Status: 200\r\nVariable-SEEN: ${p.REQUEST_URI}\r\n\r\n`);
      },
      log: (m) => logged.push(m),
      maxParams: 1000,
      cannotListen: (err) => {
        throw err;
      },
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("answers a request with STDOUT, an empty STDOUT and END_REQUEST, then closes (no FCGI_KEEP_CONN)", async () => {
    const { records, closed } = await talk(server, [begin(1), params(1, [["REQUEST_URI", "/a"]])]);
    expect(stdoutOf(records, 1)).toBe("Status: 200\r\nVariable-SEEN: /a\r\n\r\n");
    expect(records.map((r) => [r.type, r.content.length])).toEqual([
      [FCGI_STDOUT, 34],
      [FCGI_STDOUT, 0],
      [FCGI_END_REQUEST, 8],
    ]);
    expect(endOf(records, 1)).toBe(0);
    expect(closed).toBe(true);
  });

  it("keeps the connection for the next request with FCGI_KEEP_CONN", async () => {
    const { records } = await talk(server, [begin(1, FCGI_AUTHORIZER, FCGI_KEEP_CONN), params(1, [["REQUEST_URI", "/one"]]), begin(2), params(2, [["REQUEST_URI", "/two"]])]);
    expect(stdoutOf(records, 1)).toContain("/one");
    expect(stdoutOf(records, 2)).toContain("/two");
  });

  it("refuses a second request on the same connection while one is open (FCGI_CANT_MPX_CONN)", async () => {
    const { records } = await talk(server, [begin(1), begin(2), params(1, [["REQUEST_URI", "/one"]])]);
    expect(endOf(records, 2)).toBe(FCGI_CANT_MPX_CONN);
    expect(stdoutOf(records, 1)).toContain("/one");
  });

  it("refuses another role with FCGI_UNKNOWN_ROLE", async () => {
    const { records } = await talk(server, [begin(1, FCGI_RESPONDER)]);
    expect(endOf(records, 1)).toBe(FCGI_UNKNOWN_ROLE);
    expect(stdoutOf(records, 1)).toBe("");
  });

  it("answers FCGI_GET_VALUES and an unknown management record", async () => {
    const ask = encodeRecords(FCGI_GET_VALUES, 0, encodeNameValuePairs([["FCGI_MPXS_CONNS", ""], ["FCGI_MAX_CONNS", ""], ["OTHER", ""]]));
    const got = await new Promise<FcgiRecord[]>((resolve) => {
      const { port } = server.address() as AddressInfo;
      const reader = new RecordReader();
      const all: FcgiRecord[] = [];
      const sock = connect(port, "127.0.0.1", () => sock.write(Buffer.concat([ask, encodeRecords(99, 0, Buffer.alloc(8))])));
      sock.on("data", (c) => {
        all.push(...reader.push(c));
        if (all.length === 2) {
          sock.destroy();
          resolve(all);
        }
      });
    });
    expect(got[0]!.type).toBe(FCGI_GET_VALUES_RESULT);
    expect([...decodeNameValuePairs(got[0]!.content)]).toEqual([
      ["FCGI_MPXS_CONNS", "0"],
      ["FCGI_MAX_CONNS", "512"],
    ]);
    expect(got[1]!.type).toBe(FCGI_UNKNOWN_TYPE);
    expect(got[1]!.content[0]).toBe(99);
  });

  it("answers 431 to params over the cap, without handling them", async () => {
    const big = Array.from({ length: 30 }, (_, i): [string, string] => [`HTTP_X_${i}`, "v".repeat(50)]);
    const { records } = await talk(server, [begin(1), params(1, big)]);
    expect(stdoutOf(records, 1)).toMatch(/^Status: 431 Request Header Fields Too Large\r\n/);
    expect(logged.at(-1)).toBe("FastCGI params of request 1 over the 1000-byte limit: answered 431");
  });

  it("answers 500 when the handler throws, and logs one line", async () => {
    const { records } = await talk(server, [begin(1), params(1, [["THROW", "1"]])]);
    expect(stdoutOf(records, 1)).toMatch(/^Status: 500 Internal Server Error\r\n/);
    expect(logged.at(-1)).toBe("internal error: boom");
  });

  it("drops a connection that sends malformed records, answering its open request 500", async () => {
    const badPairs = encodeRecords(FCGI_PARAMS, 1, Buffer.from([5, 1, 0x41]));
    const { records, closed } = await talk(server, [begin(1), badPairs, encodeRecords(FCGI_PARAMS, 1)]);
    expect(stdoutOf(records, 1)).toMatch(/^Status: 500 /);
    expect(closed).toBe(true);
    expect(logged.at(-1)).toBe("malformed FastCGI input (name-value pair longer than its record): connection dropped");
    const http = await talk(server, [Buffer.from("GET / HTTP/1.0\r\n\r\n")]);
    expect(http.records).toEqual([]);
    expect(http.closed).toBe(true);
    expect(logged.at(-1)).toBe("malformed FastCGI input (record of FastCGI version 71, not 1): connection dropped");
  });

  it("decodes the whole PARAMS stream: a name-value pair split across two records", async () => {
    const stream = encodeNameValuePairs([["REQUEST_METHOD", "GET"], ["REQUEST_URI", "/split/here"]]);
    const cut = stream.length - 5; // inside the value of REQUEST_URI
    const { records } = await talk(server, [
      begin(1),
      encodeRecords(FCGI_PARAMS, 1, stream.subarray(0, cut)),
      encodeRecords(FCGI_PARAMS, 1, stream.subarray(cut, cut + 2)),
      encodeRecords(FCGI_PARAMS, 1, stream.subarray(cut + 2)),
      encodeRecords(FCGI_PARAMS, 1),
    ]);
    expect(stdoutOf(records, 1)).toBe("Status: 200\r\nVariable-SEEN: /split/here\r\n\r\n");
  });

  it("stops reading a peer that does not read its answers, and answers others meanwhile", async () => {
    const { port } = server.address() as AddressInfo;
    const ask = encodeRecords(FCGI_GET_VALUES, 0, encodeNameValuePairs([["FCGI_MPXS_CONNS", ""]]));
    const batch = Buffer.concat(Array.from({ length: 4096 }, () => ask));
    // The kernel's socket buffers on both ends (autotuned up to tcp_rmem's and tcp_wmem's maximum)
    // hold some of the flood whatever the server does; beyond them, a server that stops reading
    // stops taking it, where one that reads on takes it all.
    const maxOf = (file: string) => Number(readFileSync(file, "utf8").trim().split(/\s+/)[2]);
    const kernelHolds = 2 * (maxOf("/proc/sys/net/ipv4/tcp_rmem") + maxOf("/proc/sys/net/ipv4/tcp_wmem"));
    const offered = kernelHolds + 64 * 1024 * 1024;
    let accepted = 0;
    let stalled = false;
    const flood = connect(port, "127.0.0.1");
    flood.pause(); // never reads
    flood.on("error", () => {});
    await new Promise<void>((resolve) => {
      let moved = Date.now();
      const done = () => {
        clearInterval(watch);
        clearTimeout(timer);
        flood.removeAllListeners("drain");
        resolve();
      };
      const pump = () => {
        moved = Date.now();
        while (accepted < offered && flood.write(batch)) accepted += batch.length;
        if (accepted >= offered) done();
      };
      flood.on("drain", () => {
        accepted += batch.length;
        pump();
      });
      flood.on("connect", pump);
      // Stalled: nothing taken for 500 ms.
      const watch = setInterval(() => {
        if (Date.now() - moved < 500) return;
        stalled = true;
        done();
      }, 100);
      const timer = setTimeout(done, 20_000);
    });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => talk(server, [begin(1), params(1, [["REQUEST_URI", `/during/${i}`]])])));
    answers.forEach(({ records }, i) => expect(stdoutOf(records, 1)).toContain(`/during/${i}`));
    expect(stalled).toBe(true);
    expect(accepted).toBeLessThan(kernelHolds);
    flood.destroy();
  });

  it("still answers after peers that left mid-request", async () => {
    const { port } = server.address() as AddressInfo;
    await Promise.all(
      Array.from({ length: 200 }, () => new Promise<void>((resolve) => {
        const s = connect(port, "127.0.0.1", () => {
          s.write(begin(1).subarray(0, 5));
          s.destroy();
        });
        s.on("error", () => resolve());
        s.on("close", () => resolve());
      })),
    );
    const { records } = await talk(server, [begin(7), params(7, [["REQUEST_URI", "/after"]])]);
    expect(stdoutOf(records, 7)).toContain("/after");
  });
});

describe("FastCGI server deadlines and connection cap", () => {
  const logged: string[] = [];
  let server: Server;
  beforeAll(async () => {
    server = createFcgiServer({
      role: FCGI_AUTHORIZER,
      handle: () => "Status: 200\r\n\r\n",
      log: (m) => logged.push(m),
      requestTimeoutMs: 300,
      idleTimeoutMs: 10_000,
      maxConns: 4,
      cannotListen: (err) => {
        throw err;
      },
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("drops a peer that trickles a request a byte every 50 ms at the whole-request deadline, though it is never silent", async () => {
    const { port } = server.address() as AddressInfo;
    const bytes = Buffer.concat([begin(1), encodeRecords(FCGI_PARAMS, 1, encodeNameValuePairs([["REQUEST_URI", "/slow".repeat(20)]]))]);
    const start = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const s = connect(port, "127.0.0.1");
      let i = 0;
      const timer = setInterval(() => i < bytes.length && s.write(bytes.subarray(i, ++i)), 50);
      s.on("error", () => {});
      s.on("close", () => {
        clearInterval(timer);
        resolve(Date.now() - start);
      });
    });
    expect(closedAfter).toBeLessThan(5 * 1000); // would be ~bytes.length × 50 ms = 6 s+ if only idleness counted
    expect(logged).toContain("FastCGI peer did not complete a request within 300 ms: connection dropped");
  });

  it("closes connections beyond maxConns at once, and takes new ones when others close", async () => {
    const { port } = server.address() as AddressInfo;
    const held = await Promise.all(Array.from({ length: 4 }, () => new Promise<ReturnType<typeof connect>>((r) => {
      const s = connect(port, "127.0.0.1", () => r(s));
      s.on("error", () => {});
    })));
    await new Promise((r) => setTimeout(r, 50));
    const refused = await talk(server, [begin(1), params(1, [["REQUEST_URI", "/fifth"]])]);
    expect(refused.records).toEqual([]);
    expect(logged).toContain("4 FastCGI connections open, the most allowed: a new one was closed at once");
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const { records } = await talk(server, [begin(1), params(1, [["REQUEST_URI", "/after"]])]);
    expect(stdoutOf(records, 1)).toBe("Status: 200\r\n\r\n");
  });
});

describe("authorizerHandler's log lines", () => {
  it(`logs at most ${REQUEST_LOG_BURST} lines about bogus cookies per ${REQUEST_LOG_WINDOW_MS / 1000} s, then the count of the rest`, () => {
    const keyFile = join(dir, "limiter.key");
    writeFileSync(keyFile, KEY + "\n", { mode: 0o600 });
    const lines: string[] = [];
    const c = clock(NOW * 1000);
    const answer = authorizerHandler({ SECRET_KEY_FILE: keyFile }, new FileCache(readSmallRegularFile, c.now, undefined, { watch: false }), (m) => lines.push(m), c.now);
    const bogus = new Map([["REQUEST_METHOD", "GET"], ["REQUEST_URI", "/x"], ["REMOTE_ADDR", "198.51.100.4"], ["HTTP_COOKIE", "session=bogus.0000"]]);
    for (let i = 0; i < 1000; i++) {
      expect(answer(bogus)).toMatch(/^Status: 303 See Other\r\n/);
      c.t += 1;
    }
    expect(lines).toEqual(Array.from({ length: REQUEST_LOG_BURST }, () => "invalid session cookie from 198.51.100.4"));
    c.t = NOW * 1000 + REQUEST_LOG_WINDOW_MS;
    answer(bogus);
    expect(lines.slice(REQUEST_LOG_BURST)).toEqual([`${1000 - REQUEST_LOG_BURST} more such lines not logged in the last 10 s`, "invalid session cookie from 198.51.100.4"]);
    // A good cookie still passes, and logs nothing.
    expect(answer(new Map([["HTTP_COOKIE", `session=${token("alice")}`]]))).toBe("Status: 200 OK\r\nVariable-REMOTE_USER: alice\r\nVariable-AUTH_TYPE: Cookie\r\n\r\n");
    expect(lines.length).toBe(REQUEST_LOG_BURST + 2);
  });
});

describe("authorizerHandler's memo of answers that let a session pass", () => {
  const ALLOWED = "Status: 200 OK\r\nVariable-REMOTE_USER: alice\r\nVariable-AUTH_TYPE: Cookie\r\n\r\n";
  let keyFile: string, htpasswd: string, groups: string, revoked: string;
  beforeAll(() => {
    ({ keyFile, htpasswd, groups, revoked } = siteFiles("memo-", "alice:{SHA}x\nbob:{SHA}y\n"));
  });
  /** A request of a page, as lighttpd sends it: every name NOT_DECIDING lists, with this request's values. */
  const request = (n: number, extra: Record<string, string> = {}): Map<string, string> =>
    new Map(
      Object.entries({
        ...Object.fromEntries([...NOT_DECIDING].map((name) => [name, `${name.toLowerCase()}-${n}`])),
        REQUEST_URI: `/members/page-${n}.html`,
        REMOTE_PORT: String(40000 + n),
        REQUEST_METHOD: "GET",
        REMOTE_ADDR: "203.0.113.9",
        HTTP_COOKIE: `session=${token("alice")}`,
        SECRET_KEY_FILE: keyFile,
        HTPASSWD_FILE: htpasswd,
        SESSION_REVOKED_FILE: revoked,
        ...extra,
      }),
    );
  /** The same requests through a handler with the memo and one without, each with its own unwatched file cache on clock `c`. */
  const pair = (c: { now: () => number }) => {
    const files = new FileCache(readSmallRegularFile, c.now, undefined, { watch: false });
    const memo = new DecisionMemo(files);
    const withMemo = authorizerHandler({}, files, () => {}, c.now, memo);
    const without = authorizerHandler({}, new FileCache(readSmallRegularFile, c.now, undefined, { watch: false }), () => {}, c.now, null);
    const both = (params: Map<string, string>): string => {
      const answer = withMemo(new Map(params));
      expect(answer).toBe(without(new Map(params)));
      return answer;
    };
    return { files, memo, both };
  };

  it("answers a page's requests (other addresses, ports, kinds of resource) from the memo, and decides afresh when anything else differs", () => {
    const c = clock(NOW * 1000);
    const { files, memo, both } = pair(c);
    expect(both(request(1))).toBe(ALLOWED);
    const after = { reads: files.reads, stats: files.stats };
    for (let n = 2; n < 50; n++) expect(both(request(n))).toBe(ALLOWED);
    expect(memo.hits).toBe(48);
    expect({ reads: files.reads, stats: files.stats }).toEqual(after);
    // Another rule, another user, another key setting, one more or one fewer param: decided again.
    expect(both(request(50, { SESSION_REQUIRE: "user bob" }))).toMatch(/^Status: 403 Forbidden\r\n/);
    expect(both(request(51, { HTTP_COOKIE: `session=${token("bob")}` }))).toBe(ALLOWED.replace("alice", "bob"));
    expect(both(request(52, { SECRET_KEY_FILE: join(dir, "no-such-key") }))).toMatch(/^Status: 500 /);
    expect(both(request(53, { HTTPS: "on" }))).toBe(ALLOWED);
    const fewer = request(54);
    fewer.delete("REMOTE_ADDR");
    expect(both(fewer)).toBe(ALLOWED);
    expect(memo.hits).toBe(48);
    // A param that decides in place of one that does not, the count of names unchanged.
    const swapped = request(55, { SESSION_REQUIRE: "user bob" });
    swapped.delete("UNIQUE_ID");
    expect(both(swapped)).toMatch(/^Status: 403 Forbidden\r\n/);
    expect(memo.hits).toBe(48);
  });

  it("never remembers a refusal or a failure", () => {
    const c = clock(NOW * 1000);
    const { memo, both } = pair(c);
    for (let n = 0; n < 3; n++) {
      expect(both(request(n, { HTTP_COOKIE: "" }))).toMatch(/^Status: 303 See Other\r\n/);
      expect(both(request(n, { REQUEST_METHOD: "POST", HTTP_COOKIE: "" }))).toMatch(/^Status: 401 /);
      expect(both(request(n, { HTTP_COOKIE: `session=${token("bob")}`, SESSION_REQUIRE: "group staff", HTGROUP_FILE: groups }))).toMatch(/^Status: 403 /);
      expect(both(request(n, { SESSION_REQUIRE: "everyone" }))).toMatch(/^Status: 500 /);
    }
    expect(memo.hits).toBe(0);
  });

  it(`unwatched, sees a revocation, a removed user and a group change at the same request as without the memo: ${CHECK_MS} ms after the files' last check`, () => {
    const c = clock(NOW * 1000);
    const { memo, both } = pair(c);
    const staff = { SESSION_REQUIRE: "group staff", HTGROUP_FILE: groups };
    const changes: Array<[string, string, string, RegExp]> = [
      [revoked, `alice ${NOW}\n`, "", /^Status: 303 /],
      [htpasswd, "bob:{SHA}y\n", "alice:{SHA}x\nbob:{SHA}y\n", /^Status: 303 /],
      [groups, "staff: bob\n", "staff: alice\n", /^Status: 403 /],
    ];
    try {
      for (const [path, changed, original, refused] of changes) {
        c.t += 10 * CHECK_MS;
        expect(both(request(0, staff))).toBe(ALLOWED);
        const start = c.t;
        const hits = memo.hits;
        writeFileSync(path, changed);
        // From half-way, another client address: a new answer is remembered, from files checked at `start`.
        const client = (t: number) => ({ ...staff, REMOTE_ADDR: t < start + CHECK_MS / 2 ? "203.0.113.9" : "203.0.113.10" });
        for (c.t = start; c.t < start + CHECK_MS; c.t += 50) expect(both(request(c.t, client(c.t)))).toBe(ALLOWED);
        expect(memo.hits).toBe(hits + CHECK_MS / 50 - 1);
        c.t = start + CHECK_MS;
        expect(both(request(1, client(c.t)))).toMatch(refused);
        writeFileSync(path, original);
        c.t += CHECK_MS;
        expect(both(request(2, staff))).toBe(ALLOWED);
      }
    } finally {
      for (const [path, , original] of changes) writeFileSync(path, original);
    }
  });

  it("lets a session pass from the memo only until it expires", () => {
    const expires = NOW + 60;
    const c = clock(expires * 1000 - 100);
    const { memo, both } = pair(c);
    const cookie = { HTTP_COOKIE: `session=${token("alice", expires)}` };
    expect(both(request(0, cookie))).toBe(ALLOWED);
    c.t = expires * 1000 - 1;
    expect(both(request(1, cookie))).toBe(ALLOWED);
    expect(memo.hits).toBe(1);
    c.t = expires * 1000;
    expect(both(request(2, cookie))).toMatch(/^Status: 303 /);
  });

  it("watching, sees a revocation at the first request after the watch reports it", async () => {
    const files = new FileCache(readSmallRegularFile, later, undefined, { checkMs: 3_600_000 });
    const memo = new DecisionMemo(files);
    const answer = authorizerHandler({}, files, () => {}, later, memo);
    const cookie = { HTTP_COOKIE: `session=${token("alice", Math.floor(later() / 1000) + 3600)}` };
    try {
      expect(answer(request(0, cookie))).toBe(ALLOWED);
      expect(answer(request(1, cookie))).toBe(ALLOWED);
      expect(memo.hits).toBe(1);
      const generation = files.generation;
      writeFileSync(revoked, `alice ${Math.floor(later() / 1000)}\n`);
      const start = Date.now();
      while (files.generation === generation) {
        if (Date.now() - start > 1000) throw new Error("no watch event within 1 s");
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(answer(request(2, cookie))).toMatch(/^Status: 303 /);
    } finally {
      files.close();
      writeFileSync(revoked, "");
    }
  });

  it("the decision to let a session pass reads none of the params the memo leaves out", () => {
    const cases: Array<Record<string, string>> = [
      {},
      { SESSION_REQUIRE: "user alice" },
      { SESSION_REQUIRE: "group staff", HTGROUP_FILE: groups },
      { REDIRECT_SESSION_REQUIRE: "group staff", REDIRECT_HTGROUP_FILE: groups },
      { SESSION_CHECK_HTPASSWD: "off", HTTPS: "on", SESSION_TTL: "3600", SESSION_MAX_TTL: "7200", SESSION_COOKIE: "session" },
      { SECRET_KEY_FILE: "", SECRET_KEY: KEY.replace("a3", "c5"), SECRET_KEY_FALLBACKS: KEY },
    ];
    for (const extra of cases) {
      const read = new Set<string>();
      const env = new Proxy(Object.fromEntries(request(0, extra)), {
        get: (target, name) => (read.add(String(name)), target[name as string]),
        has: (target, name) => (read.add(String(name)), name in target),
        getOwnPropertyDescriptor: (target, name) => (read.add(String(name)), Object.getOwnPropertyDescriptor(target, name)),
        ownKeys: (target) => (read.add("(every name)"), Reflect.ownKeys(target)),
      });
      expect(authorizerResponse(env, new FileCache(), NOW)).toBe(ALLOWED);
      expect([...read].filter((name) => NOT_DECIDING.has(name) || name === "(every name)")).toEqual([]);
      expect(read.has("HTTP_COOKIE")).toBe(true);
    }
  });
});

describe("authorizerHandler's revocation and group files", () => {
  it("are parsed once per change, not once per request, and every change counts", () => {
    const sub = mkdtempSync(join(dir, "parse-"));
    const keyFile = join(sub, "key");
    writeFileSync(keyFile, KEY + "\n", { mode: 0o600 });
    const revoked = join(sub, "revoked");
    const groups = join(sub, "groups");
    const users = Array.from({ length: 200 }, (_, i) => `user${i}`);
    // A long revocation file (none of these users) and a group file of them all.
    writeFileSync(revoked, Array.from({ length: 5000 }, (_, i) => `gone${i} ${NOW - 10}\n`).join(""));
    writeFileSync(groups, `staff: ${users.join(" ")}\n`);
    const c = clock(NOW * 1000);
    const handler = authorizerHandler({}, new FileCache(readSmallRegularFile, c.now, undefined, { watch: false }), () => {}, c.now, null);
    const ask = (user: string) =>
      handler(
        new Map(
          Object.entries({
            REQUEST_METHOD: "GET",
            REQUEST_URI: "/staff/",
            HTTP_COOKIE: `session=${token(user)}`,
            SECRET_KEY_FILE: keyFile,
            SESSION_REVOKED_FILE: revoked,
            SESSION_REQUIRE: "group staff",
            HTGROUP_FILE: groups,
          }),
        ),
      );
    const allowed = (user: string) => `Status: 200 OK\r\nVariable-REMOTE_USER: ${user}\r\nVariable-AUTH_TYPE: Cookie\r\n\r\n`;
    const before = listFileParses();
    // The first request reads the revocation file for its user alone (as a CGI program does), and parses the group file.
    expect(ask(users[0]!)).toBe(allowed(users[0]!));
    expect(listFileParses() - before).toBe(1);
    for (const user of users.slice(1)) expect(ask(user)).toBe(allowed(user));
    expect(listFileParses() - before).toBe(2);
    // A revocation and a group change, each counted at the next check of the file.
    appendFileSync(revoked, `user7 ${NOW}\n`);
    writeFileSync(groups, `staff: ${users.filter((u) => u !== "user9").join(" ")}\n`);
    c.t += CHECK_MS;
    expect(ask("user7")).toMatch(/^Status: 303 See Other\r\n/);
    expect(ask("user9")).toMatch(/^Status: 403 Forbidden\r\n/);
    expect(ask("user7")).toMatch(/^Status: 303 See Other\r\n/); // now from the file parsed whole
    for (const user of users.slice(10)) expect(ask(user)).toBe(allowed(user));
    expect(listFileParses() - before).toBe(4);
  });
});

describe("LogLimiter", () => {
  it("logs a burst, counts the rest and reports the count when the next window opens", () => {
    const lines: string[] = [];
    let t = 0;
    const limiter = new LogLimiter((m) => lines.push(m), 2, 1000, () => t);
    for (let i = 0; i < 5; i++) limiter.line(`peer ${i}`);
    t = 1500;
    limiter.line("later");
    expect(lines).toEqual(["peer 0", "peer 1", "3 more such lines not logged in the last 1 s", "later"]);
  });
});
