#!/usr/bin/env node
// A small, bounded load driver for test/bats/servers/load.bats: a fixed number
// of requests from a fixed number of concurrent clients (keep-alive
// connections) to one server on 127.0.0.1, each response checked exactly for
// the user it was sent for. No timing is measured or asserted.
//
//   node test/helpers/load.mjs URL REQUESTS CONCURRENCY
//   env: LOAD_KEY (the site's key, to verify issued cookies),
//        LOAD_USERS ("ann:pass:TOKEN bob:pass:TOKEN cy:pass:TOKEN")
//
// Prints one line "sent=N ok=N errors=N" plus one "kind=… count=…" line per
// kind of request, and up to 10 "error: …" lines; exits 0 only with 0 errors.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const [url, requestsArg, concurrencyArg] = process.argv.slice(2);
const REQUESTS = Number(requestsArg);
const CONCURRENCY = Number(concurrencyArg);
const KEY = process.env.LOAD_KEY ?? "";
const USERS = (process.env.LOAD_USERS ?? "").split(/\s+/).filter(Boolean).map((u) => {
  const [name, password, token] = u.split(":");
  return { name, password, token };
});
if (!url || !(REQUESTS > 0) || !(CONCURRENCY > 0) || !KEY || USERS.length === 0) {
  console.error("usage: LOAD_KEY=… LOAD_USERS='user:pass:token …' node load.mjs URL REQUESTS CONCURRENCY");
  process.exit(2);
}
const base = new URL(url);
if (base.hostname !== "127.0.0.1") {
  console.error("load.mjs sends traffic to 127.0.0.1 only");
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const COOKIE_RE = /^session=([A-Za-z0-9_=-]+\.[0-9a-f]{64}); HttpOnly; SameSite=Lax; Path=\/; Max-Age=2592000$/;

function request(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method, path, agent, headers: { ...headers, ...(body ? { "Content-Length": Buffer.byteLength(body) } : {}) }, timeout: 60_000 },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out after 60 s")));
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

/** The user a session token names, when it is signed with KEY; else null. */
function tokenUser(token) {
  const [payload, sig] = token.split(".");
  const good = createHmac("sha256", KEY).update(payload).digest("hex");
  if (sig.length !== good.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(good))) return null;
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).user_id;
}

function expect(cond, what) {
  if (!cond) throw new Error(what);
}

function common(r, status, type) {
  expect(r.status === status, `status ${r.status}, expected ${status}`);
  expect(r.headers["content-type"]?.startsWith(type), `Content-Type ${r.headers["content-type"]}`);
  expect(r.headers["cache-control"] === "no-store", `Cache-Control ${r.headers["cache-control"]}`);
}

function sessionFor(r, user) {
  const cookies = r.headers["set-cookie"] ?? [];
  expect(cookies.length === 1, `${cookies.length} Set-Cookie headers`);
  const m = COOKIE_RE.exec(cookies[0]);
  expect(m, `Set-Cookie ${cookies[0]}`);
  expect(tokenUser(m[1]) === user, `cookie for ${tokenUser(m[1])}, expected ${user}`);
  expect(r.headers.location === "/", `Location ${r.headers.location}`);
}

const form = (u, p) => `username=${encodeURIComponent(u)}&password=${encodeURIComponent(p)}&next=%2F`;
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

const whoami = (u) => [`whoami-${u.name}`, async () => {
  const r = await request("GET", "/cgi-bin/whoami.cgi", { Cookie: `other=1; session=${u.token}` });
  common(r, 200, "application/json");
  const body = JSON.parse(r.body);
  expect(body.user_id === u.name, `whoami named ${body.user_id}, expected ${u.name}`);
  expect(r.headers["set-cookie"] === undefined, "whoami renewed a fresh session");
}];
const whoamiNone = ["whoami-no-cookie", async () => {
  const r = await request("GET", "/cgi-bin/whoami.cgi");
  common(r, 401, "application/json");
  expect(r.body === '{"error":"no valid session"}', `body ${r.body}`);
}];
const whoamiTampered = ["whoami-tampered", async () => {
  const t = USERS[0].token;
  const r = await request("GET", "/cgi-bin/whoami.cgi", { Cookie: `session=${t.slice(0, -1)}${t.endsWith("0") ? "1" : "0"}` });
  common(r, 401, "application/json");
  expect(r.body === '{"error":"no valid session"}', `body ${r.body}`);
  expect(r.headers["set-cookie"] === undefined, "a cookie for a tampered token");
}];
const formLogin = (u) => [`form-login-${u.name}`, async () => {
  const r = await request("POST", "/cgi-bin/login.cgi", FORM, form(u.name, u.password));
  common(r, 303, "text/html");
  sessionFor(r, u.name);
}];
const basicLogin = (u) => [`basic-login-${u.name}`, async () => {
  const auth = "Basic " + Buffer.from(`${u.name}:${u.password}`).toString("base64");
  const r = await request("GET", "/auth/login.cgi?next=%2F", { Authorization: auth });
  common(r, 303, "text/html");
  sessionFor(r, u.name);
}];
const wrongPassword = ["form-login-wrong-password", async () => {
  const u = USERS[1];
  const r = await request("POST", "/cgi-bin/login.cgi", FORM, form(u.name, "not-" + u.password));
  common(r, 401, "text/html");
  expect(r.headers["set-cookie"] === undefined, "a cookie for a wrong password");
  expect(r.body.includes("Invalid username or password."), "no error message in the form");
}];

// A fixed cycle of 18 requests, so the count of each kind is known in advance:
// whoami 3x per user, no cookie, tampered cookie, form and Basic-auth login per user, a wrong password.
const KINDS = [
  ...USERS.flatMap((u) => [whoami(u), whoami(u), whoami(u)]),
  whoamiNone,
  whoamiTampered,
  ...USERS.flatMap((u) => [formLogin(u), basicLogin(u)]),
  wrongPassword,
];

const counts = new Map();
const errors = [];
let next = 0;
let ok = 0;
async function client() {
  while (next < REQUESTS) {
    const i = next++;
    const [kind, run] = KINDS[i % KINDS.length];
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    try {
      await run();
      ok++;
    } catch (err) {
      errors.push(`request ${i} (${kind}): ${err.message}`);
    }
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, client));
agent.destroy();

console.log(`sent=${next} ok=${ok} errors=${errors.length}`);
for (const [kind, n] of [...counts].sort()) console.log(`kind=${kind} count=${n}`);
for (const e of errors.slice(0, 10)) console.log(`error: ${e}`);
process.exitCode = errors.length === 0 && ok === REQUESTS ? 0 : 1;
