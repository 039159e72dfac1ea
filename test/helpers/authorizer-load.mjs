#!/usr/bin/env node
// A bounded load driver for test/bats/servers/authorizer.bats: REQUESTS
// requests, CONCURRENCY at a time (keep-alive clients), to the folder a real
// server protects with authorizer.fcgi, in a fixed rotation of kinds, each
// answer checked exactly (status, the headers that matter, the body).
// No timing is measured or asserted.
//
//   AUTH_ALICE=TOKEN AUTH_BOB=TOKEN node authorizer-load.mjs URL REQUESTS CONCURRENCY
//
// The site (as authorizer.bats builds it): /private/index.html, /private/doc.pdf,
// /private/who.cgi, /private/staff/report.txt open to group staff (alice, not bob).
// Prints "sent=N ok=N errors=N", one "kind=… count=…" line per kind and up to
// 10 "error: …" lines; exits 0 only with 0 errors.
import { readFileSync } from "node:fs";
import http from "node:http";

const [url, requestsArg, concurrencyArg, docroot] = process.argv.slice(2);
const REQUESTS = Number(requestsArg);
const CONCURRENCY = Number(concurrencyArg);
const alice = process.env.AUTH_ALICE ?? "";
const bob = process.env.AUTH_BOB ?? "";
if (!url || !(REQUESTS > 0) || !(CONCURRENCY > 0) || !alice || !bob || !docroot) {
  console.error("usage: AUTH_ALICE=… AUTH_BOB=… node authorizer-load.mjs URL REQUESTS CONCURRENCY DOCROOT");
  process.exit(2);
}
const base = new URL(url);
if (base.hostname !== "127.0.0.1") {
  console.error("authorizer-load.mjs sends traffic to 127.0.0.1 only");
  process.exit(2);
}
const page = readFileSync(`${docroot}/private/index.html`);
const pdf = readFileSync(`${docroot}/private/doc.pdf`);
const report = readFileSync(`${docroot}/private/staff/report.txt`);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path, agent, headers, timeout: 60_000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out after 60 s")));
    req.on("error", reject);
    req.end();
  });
}

function expect(cond, what) {
  if (!cond) throw new Error(what);
}

const cookie = (t) => ({ Cookie: `session=${t}` });
const kinds = {
  "page-alice": async () => {
    const r = await get("/private/index.html", cookie(alice));
    expect(r.status === 200 && r.body.equals(page), `status ${r.status}, ${r.body.length} bytes`);
  },
  "pdf-range-alice": async () => {
    const r = await get("/private/doc.pdf", { ...cookie(alice), Range: "bytes=1000-1999" });
    expect(r.status === 206, `status ${r.status}`);
    expect(r.headers["content-range"] === `bytes 1000-1999/${pdf.length}`, `Content-Range ${r.headers["content-range"]}`);
    expect(r.body.equals(pdf.subarray(1000, 2000)), "range bytes differ");
  },
  "cgi-alice": async () => {
    const r = await get("/private/who.cgi", cookie(alice));
    expect(r.status === 200 && r.body.toString() === "user=alice auth=Cookie\n", `status ${r.status}, body ${JSON.stringify(r.body.toString())}`);
  },
  "staff-alice": async () => {
    const r = await get("/private/staff/report.txt", cookie(alice));
    expect(r.status === 200 && r.body.equals(report), `status ${r.status}`);
  },
  "staff-bob": async () => {
    const r = await get("/private/staff/report.txt", cookie(bob));
    expect(r.status === 403, `status ${r.status}`);
    expect(r.body.toString().includes("You are logged in as <strong>bob</strong>"), "403 page");
  },
  "stranger": async () => {
    const r = await get("/private/index.html?from=load");
    expect(r.status === 303, `status ${r.status}`);
    expect(r.headers.location === "/cgi-bin/login.cgi?next=%2Fprivate%2Findex.html%3Ffrom%3Dload", `Location ${r.headers.location}`);
    expect(!r.body.includes("secret"), "a stranger saw the page");
  },
  "tampered": async () => {
    const r = await get("/private/doc.pdf", cookie(alice.slice(0, -4) + "0000"));
    expect(r.status === 303, `status ${r.status}`);
  },
};
const names = Object.keys(kinds);
const counts = Object.fromEntries(names.map((n) => [n, 0]));
let sent = 0;
let ok = 0;
const errors = [];

async function worker() {
  while (sent < REQUESTS) {
    const kind = names[sent % names.length];
    sent++;
    counts[kind]++;
    try {
      await kinds[kind]();
      ok++;
    } catch (err) {
      errors.push(`${kind}: ${err.message}`);
    }
  }
}

await Promise.all(Array.from({ length: CONCURRENCY }, worker));
agent.destroy();
console.log(`sent=${sent} ok=${ok} errors=${errors.length}`);
for (const n of names) console.log(`kind=${n} count=${counts[n]}`);
for (const e of errors.slice(0, 10)) console.log(`error: ${e}`);
process.exitCode = errors.length === 0 ? 0 : 1;
