// `make bench`, figure 5 (docs/authorizer.md): one static
// file through a real lighttpd (wrk, loopback) served unprotected, protected by
// authorizer.fcgi and protected by gate.cgi, in one run; and the authorizer's
// resident memory after a warm-up and again after 10^5 more requests.
// Goals: protected ≥ 0.5 × unprotected requests/s, ≥ 20 × gate.cgi, ≥ 0.85 × the same
// authorizer doing no check in Node on node:net (bench/cgi/trivial-authorizer-net.js: the Node
// floor, measured in the same run, with the same Node settings; the median of the rounds'
// ratios, each round's floor run right after the authorizer); RSS growth under 5 MB. wrk sends
// the same request over and over, as a browser sends a page's requests (one cookie, one folder),
// which the authorizer answers from its memo after the first; a second row sends each request
// with a header of its own (bench/each-request-decided.lua), so that every one is decided afresh,
// paired with the Node floor fed the same requests.
//
// Used by bench/bench.mjs; on its own (`node bench/authorizer.mjs [--tiny]`) it
// prints its table.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, runWrk } from "./wrk.mjs";

export const GOALS = { vsUnprotected: 0.5, vsGate: 20, vsNodeFloor: 0.85, rssGrowthMb: 5 };
/** Rounds of figure 5 (each way in turn for ROUND_SECONDS). */
export const ROUNDS = 9;
export const ROUND_SECONDS = 2;


/** VmRSS of a process, in kB. */
function rssKb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m);
  return m ? Number(m[1]) : NaN;
}

/** The PID of the process lighttpd started that runs `program` (its command line names it). */
function childPid(parent, program) {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(program)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** CPU time a process has used (user + system), in µs. */
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
/** The kernel's clock ticks per second (USER_HZ), the unit of /proc/PID/stat's times. */
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/**
 * Runs figure 5. `P` holds connections; `tiny` shortens the rounds and the memory run.
 * Returns { rows, rss, goals }.
 */
export async function benchAuthorizer({ root, P, tiny, log = (m) => console.error(`bench: ${m}`), fail = (m) => { throw new Error(m); } }) {
  const work = mkdtempSync("/tmp/dbs-bench-auth-");
  chmodSync(work, 0o755);
  let lighttpd;
  try {
    const key = randomBytes(32).toString("hex");
    writeFileSync(join(work, "key"), key + "\n", { mode: 0o600 });
    writeFileSync(join(work, "htpasswd"), "bench-user:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");
    writeFileSync(join(work, "revoked"), "");
    for (const p of ["authorizer.fcgi", "gate.cgi"]) copyFileSync(join(root, "cgi-bin", p), join(work, p));
    // The floors of an authorizer in Node: the do-nothing authorizer on node:net and on libuv's handles.
    for (const p of ["trivial-authorizer-net.js", "trivial-authorizer-uv.js"]) copyFileSync(join(root, "bench/cgi", p), join(work, p));
    // The floor of any authorizer through lighttpd (bench/cgi/trivial-authorizer.c), when a C compiler is there.
    const hasCc = spawnSync("cc", ["--version"], { stdio: "ignore" }).status === 0;
    if (hasCc) execFileSync("cc", ["-O2", "-o", join(work, "trivial-authorizer"), join(root, "bench/cgi/trivial-authorizer.c")]);
    chmodSync(join(work, "authorizer.fcgi"), 0o755);
    chmodSync(join(work, "gate.cgi"), 0o755);
    // One page of a few KB, the same bytes in each folder.
    const page = "<!doctype html><title>bench</title>\n" + "<p>members only</p>\n".repeat(200);
    for (const dir of ["open", "private", "trivial", "node-net", "node-uv", "members"]) {
      mkdirSync(join(work, "www", dir), { recursive: true });
      writeFileSync(join(work, "www", dir, "page.html"), page);
    }
    // Clean environments: lighttpd passes its own to the authorizer, and a key there would be
    // the authorizer's own (docs/authorizer.md), whatever the requests say.
    const cleanEnv = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin" };
    const token = execFileSync(join(root, "bin/dbbasic-sessions"), ["create", "bench-user"], { env: { ...cleanEnv, SECRET_KEY: key }, encoding: "utf8" }).trim();
    const port = await freePort();
    const conf = join(work, "lighttpd.conf");
    const template = readFileSync(join(root, "bench/authorizer-lighttpd.conf"), "utf8");
    writeFileSync(conf, (hasCc ? template : template.replace(/\n# The floor:[^\n]*\n\$HTTP\["url"\] =~ "\^\/trivial\/" \{[\s\S]*?\n\}\n/, "\n")).replaceAll("@PORT@", String(port)).replaceAll("@ROOT@", work).replaceAll("@NODE@", process.execPath));
    lighttpd = spawn(existsSync("/usr/sbin/lighttpd") ? "/usr/sbin/lighttpd" : "lighttpd", ["-D", "-f", conf], { stdio: ["ignore", "ignore", "pipe"], env: cleanEnv });
    let err = "";
    lighttpd.stderr.on("data", (d) => (err += d));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (lighttpd.exitCode !== null) fail(`lighttpd (authorizer bench) exited: ${err.trim()}`);
      try {
        await fetch(base + "/open/page.html", { signal: AbortSignal.timeout(5_000) });
        break;
      } catch {
        if (Date.now() > deadline) fail(`lighttpd (authorizer bench) did not answer within 60 s: ${err.trim()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const cookie = `session=${token}`;
    // Each way must serve the page to the session, and the protected ones refuse a stranger.
    for (const dir of ["open", "private", ...(hasCc ? ["trivial"] : []), "node-net", "node-uv", "members"]) {
      const res = await fetch(`${base}/${dir}/page.html`, { headers: { cookie }, redirect: "manual" });
      const body = await res.text();
      if (res.status !== 200 || body !== page) fail(`/${dir}/page.html answered ${res.status} (${body.length} bytes); cgi-error.log: ${readFileSync(join(work, "cgi-error.log"), "utf8").slice(-500)}`);
      if (dir === "private" || dir === "members") {
        const stranger = await fetch(`${base}/${dir}/page.html`, { redirect: "manual" });
        if (stranger.status !== 303) fail(`/${dir}/page.html answered a stranger ${stranger.status}`);
      }
    }
    const pid = childPid(lighttpd.pid, "authorizer.fcgi");
    if (!pid) fail("cannot find the authorizer process lighttpd started");
    // The two Node authorizers' own CPU time per request (from /proc), beside their rates.
    const netPid = childPid(lighttpd.pid, "trivial-authorizer-net.js");
    if (!netPid) fail("cannot find the node:net floor process lighttpd started");
    const cpuPids = { "/private/page.html": pid, "/node-net/page.html": netPid };

    const wrk = (path, seconds, script) =>
      runWrk(["-t1", `-c${P.connections}`, `-d${seconds}s`, "--latency", "--timeout", "10s", "-H", `Cookie: ${cookie}`, ...(script ? ["-s", join(root, "bench", script)] : []), base + path], fail);

    // Warm-up: a few seconds of requests through the authorizer, then its resident memory; and
    // through each other way, so that every process has compiled its hot paths before the rounds.
    wrk("/private/page.html", tiny ? 1 : 3);
    const rssBefore = rssKb(pid);
    if (!tiny) for (const dir of ["open", ...(hasCc ? ["trivial"] : []), "node-net", "node-uv"]) wrk(`/${dir}/page.html`, 2);
    // The Node floor runs right after the authorizer in each round, so that the two are measured
    // side by side (their ratio is taken round by round, below).
    const ways = [
      { name: "unprotected (lighttpd static)", path: "/open/page.html", reference: true },
      { name: "protected by authorizer.fcgi", path: "/private/page.html", authorizer: true },
      { name: "Node authorizer letting all pass, node:net", path: "/node-net/page.html", nodeFloor: true },
      // The same requests but for a header each has alone: none is answered from the memo. Its
      // floor is the Node floor fed the same requests (wrk's script costs CPU on the same cores).
      { name: "authorizer.fcgi, each request decided afresh", path: "/private/page.html", script: "each-request-decided.lua", decided: true },
      { name: "Node authorizer letting all pass, node:net, each request its own header", path: "/node-net/page.html", script: "each-request-decided.lua", nodeFloorDecided: true },
      { name: "Node authorizer letting all pass, libuv handles", path: "/node-uv/page.html" },
      ...(hasCc ? [{ name: "C authorizer letting all pass (floor)", path: "/trivial/page.html", floor: true }] : []),
      { name: "protected by gate.cgi", path: "/members/page.html", gate: true },
    ];
    // Interleaved rounds (the ways in turn, 2 s each), so that a change in the machine's load
    // falls on all alike; each figure is the median of its rounds.
    const rounds = tiny ? 1 : ROUNDS;
    const seconds = tiny ? 1 : ROUND_SECONDS;
    const runs = ways.map(() => []);
    let throughAuthorizer = 0;
    for (let round = 0; round < rounds; round++) {
      ways.forEach((w, i) => {
        log(`authorizer: round ${round + 1}/${rounds}, wrk ${seconds}s, ${P.connections} connection(s), ${w.path}`);
        const cpuPid = cpuPids[w.path];
        const cpuBefore = cpuPid ? cpuMicros(cpuPid) : 0;
        const r = wrk(w.path, seconds, w.script);
        if (!(r.requests > 0)) fail(`wrk made no requests to ${w.path}`);
        if (cpuPid) r.cpuMicros = cpuMicros(cpuPid) - cpuBefore;
        if (w.authorizer || w.decided) throughAuthorizer += r.requests;
        runs[i].push(r);
      });
    }
    const median = (xs) => {
      const v = [...xs].sort((x, y) => x - y);
      return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    };
    const rows = ways.map((w, i) => ({
      ...w,
      rounds,
      seconds,
      rps: median(runs[i].map((r) => r.rps)),
      roundsRps: runs[i].map((r) => r.rps),
      cpuPerRequestUs: cpuPids[w.path] ? runs[i].reduce((n, r) => n + r.cpuMicros, 0) / runs[i].reduce((n, r) => n + r.requests, 0) : undefined,
      p50: median(runs[i].map((r) => r.p50)),
      p99: median(runs[i].map((r) => r.p99)),
      requests: runs[i].reduce((n, r) => n + r.requests, 0),
      errors: runs[i].reduce((n, r) => n + r.errors, 0),
    }));
    // Then on to 10^5 requests through the authorizer in all (10^3 in --tiny).
    const target = tiny ? 1_000 : 100_000;
    while (throughAuthorizer < target) {
      const r = wrk("/private/page.html", Math.max(1, Math.min(30, Math.ceil(((target - throughAuthorizer) / Math.max(1, rows[1].rps)) * 1.1))));
      if (r.errors > 0) fail(`the memory run through the authorizer had ${r.errors} errors`);
      throughAuthorizer += r.requests;
    }
    const rssAfter = rssKb(pid);
    const open = rows.find((r) => r.reference);
    const gate = rows.find((r) => r.gate);
    const floor = rows.find((r) => r.floor);
    const nodeFloor = rows.find((r) => r.nodeFloor);
    for (const r of rows) {
      r.vsUnprotected = r.rps / open.rps;
      r.vsGate = r.rps / gate.rps;
      r.vsFloor = floor ? r.rps / floor.rps : undefined;
      r.vsNodeFloor = r.rps / nodeFloor.rps;
    }
    // The goal's figure: the median of the rounds' ratios, each round's authorizer run over the
    // Node floor's run right after it (paired, so a slow stretch of the machine falls on both).
    const prot = rows.find((r) => r.authorizer);
    prot.vsNodeFloorPaired = median(prot.roundsRps.map((rps, i) => rps / nodeFloor.roundsRps[i]));
    // The same for every request decided afresh, over the floor fed the same requests right after it.
    const decided = rows.find((r) => r.decided);
    const nodeFloorDecided = rows.find((r) => r.nodeFloorDecided);
    decided.vsNodeFloorPaired = median(decided.roundsRps.map((rps, i) => rps / nodeFloorDecided.roundsRps[i]));
    return {
      rows,
      rss: { pid, beforeKb: rssBefore, afterKb: rssAfter, requests: throughAuthorizer, growthMb: (rssAfter - rssBefore) / 1024 },
      goals: GOALS,
    };
  } finally {
    if (lighttpd && lighttpd.exitCode === null) lighttpd.kill();
    await new Promise((r) => setTimeout(r, 200));
    rmSync(work, { recursive: true, force: true });
  }
}

/** The goal lines: each ratio and the memory growth against its goal. */
export function authorizerGoals(a) {
  const prot = a.rows.find((r) => r.authorizer);
  const decided = a.rows.find((r) => r.decided);
  const nodeFloor = a.rows.find((r) => r.nodeFloor);
  const nodeFloorDecided = a.rows.find((r) => r.nodeFloorDecided);
  const met = (ok) => (ok ? "met" : "NOT met");
  return (
    `Goals: protected ≥ ${a.goals.vsUnprotected} × unprotected: ${prot.vsUnprotected.toFixed(2)}× ${met(prot.vsUnprotected >= a.goals.vsUnprotected)}; ` +
    `≥ ${a.goals.vsGate} × gate.cgi: ${prot.vsGate.toFixed(1)}× ${met(prot.vsGate >= a.goals.vsGate)}; ` +
    `authorizer ÷ check-nothing Node floor (node:net) ≥ ${a.goals.vsNodeFloor}: ${prot.vsNodeFloorPaired.toFixed(3)}× ${met(prot.vsNodeFloorPaired >= a.goals.vsNodeFloor)} (median of ${prot.rounds} rounds' ratios: ${prot.roundsRps.map((rps, i) => (rps / nodeFloor.roundsRps[i]).toFixed(2)).join(" ")}); ` +
    `each request decided afresh ÷ the floor fed the same requests: ${decided.vsNodeFloorPaired.toFixed(3)}× ${met(decided.vsNodeFloorPaired >= a.goals.vsNodeFloor)} (rounds: ${decided.roundsRps.map((rps, i) => (rps / nodeFloorDecided.roundsRps[i]).toFixed(2)).join(" ")}); ` +
    `CPU per request: authorizer ${prot.cpuPerRequestUs.toFixed(1)} µs, each request decided ${decided.cpuPerRequestUs.toFixed(1)} µs, Node floor ${nodeFloor.cpuPerRequestUs.toFixed(1)} µs (fed the same requests ${nodeFloorDecided.cpuPerRequestUs.toFixed(1)} µs); ` +
    `authorizer RSS ${(a.rss.beforeKb / 1024).toFixed(1)} MB after warm-up, ${(a.rss.afterKb / 1024).toFixed(1)} MB after ${a.rss.requests.toLocaleString("en-US")} requests through it: ` +
    `growth ${a.rss.growthMb.toFixed(1)} MB, goal under ${a.goals.rssGrowthMb} MB ${met(a.rss.growthMb < a.goals.rssGrowthMb)}.`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tiny = process.argv.includes("--tiny");
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const P = { connections: tiny ? 1 : cpus().length };
  const a = await benchAuthorizer({ root, P, tiny });
  for (const r of a.rows) console.log(`${r.name.padEnd(38)} ${r.rps.toFixed(1).padStart(9)} req/s  ×unprot ${r.vsUnprotected.toFixed(3)}  ×floor ${(r.vsFloor ?? NaN).toFixed(3)}  ×Node floor ${r.vsNodeFloor.toFixed(3)}  ×gate ${r.vsGate.toFixed(1).padStart(6)}  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${r.requests} requests, ${r.errors} errors`);
  console.log(authorizerGoals(a));
}
