// `make bench` (docs/performance.md): one run, one table, each figure beside its
// reference measured in the same run. Started by bench/run.sh, which checks the
// tools and clears NODE_EXTRA_CA_CERTS.
//
//   node bench/bench.mjs           full run: table on stdout, bench/results/latest.{json,md}
//   node bench/bench.mjs --tiny    a few rounds of everything, results in a scratch folder:
//                                  proves the harness works (make test), measures nothing
//   node bench/bench.mjs --node-versions
//                                  only the per-Node-version gate rows (figure 4), printed,
//                                  nothing written
//
// Three kinds of figures:
//   1. whole-process time of each CGI program on its main path, against `node -e 0` and the
//      Python reference (bench/python/, the seed's algorithm) doing the same job, interleaved
//      round by round by bench/paired.py; peak RSS comes from the same runs;
//   2. in-process create/verify per second (bench/inprocess.mjs, bench/python/inprocess.py);
//   3. requests per second through a real lighttpd (wrk), against trivial CGIs on the same server;
//   4. gate.cgi + target on each Node of the test layers (the official binaries in the
//      devDependencies node20, node22, node24), beside `node -e 0` + the target alone on the
//      same Node: on a Node with process.execve the gate replaces itself with the target.
//   5. one static file through lighttpd unprotected, protected by authorizer.fcgi and by
//      gate.cgi, and the authorizer's memory over 10^5 requests (bench/authorizer.mjs).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, runWrk } from "./wrk.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TINY = process.argv.includes("--tiny");
const ONLY_VERSIONS = process.argv.includes("--node-versions");
const NODE = process.execPath;
const PYTHON = "/usr/bin/python3";
const P = TINY
  ? { rounds: 3, warmup: 1, sampleMs: 30, samples: 1, wrkSeconds: 1, connections: 1 }
  : { rounds: 100, warmup: 5, sampleMs: 500, samples: 7, wrkSeconds: 10, connections: cpus().length };
const GOAL = 1.1; // docs/performance.md: whoami, logout, REMOTE_USER login and gate at most 1.10 × `node -e 0`
// Figure 4: the Node binaries of the test layers (test/run-all.sh), each its own version.
const NODE_VERSIONS = [20, 22, 24].map((major) => {
  const bin = join(ROOT, `node_modules/node${major}/bin/node`);
  const version = existsSync(bin) ? spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout?.trim() : undefined;
  return { major, bin, version };
});
const BCRYPT_COST = Number(process.env.BENCH_BCRYPT_COST ?? 5); // what `htpasswd -B` writes by default
const USER = "bench-user";

const work = mkdtempSync("/tmp/dbs-bench-");
chmodSync(work, 0o755);
let lighttpd;
process.on("exit", () => {
  if (lighttpd && lighttpd.exitCode === null) lighttpd.kill();
  rmSync(work, { recursive: true, force: true });
});
const fail = (message) => {
  console.error(`bench: ${message}`);
  process.exit(1);
};
const log = (message) => console.error(`bench: ${message}`);

// ---- fixtures: a key, a token, an htpasswd file, a site with the programs and a target ----
const KEY = randomBytes(32).toString("hex");
process.env.SECRET_KEY = KEY;
const { createSession } = await import(join(ROOT, "dist/index.js"));
const TOKEN = createSession(USER);
const www = join(work, "www");
const bin = join(www, "cgi-bin");
mkdirSync(bin, { recursive: true });
chmodSync(www, 0o755);
chmodSync(bin, 0o755);
const PROGRAMS = ["whoami", "login", "logout", "gate"];
for (const p of PROGRAMS) copyFileSync(join(ROOT, "cgi-bin", `${p}.cgi`), join(bin, `${p}.cgi`)); // as a user copies them: no package.json
for (const f of ["trivial-node.cgi", "trivial-sh.cgi"]) copyFileSync(join(ROOT, "bench/cgi", f), join(bin, f));
for (const f of ["dbbasic_sessions.py", "whoami.py", "login.py", "logout.py", "gate.py", "inprocess.py"]) copyFileSync(join(ROOT, "bench/python", f), join(bin, f));
const hasCc = spawnSync("cc", ["--version"], { stdio: "ignore" }).status === 0;
// The Python reference checks bcrypt with the crypt module (libxcrypt), gone from Python 3.13.
const hasPyCrypt = spawnSync(PYTHON, ["-W", "ignore", "-c", "import crypt"], { stdio: "ignore" }).status === 0;
if (hasCc) execFileSync("cc", ["-O2", "-o", join(bin, "trivial-c.cgi"), join(ROOT, "bench/cgi/trivial.c")]);
// `make sea` (optional) leaves one binary for every program; measured when present, through links.
const SEA = join(ROOT, "dist/sea/dbbasic-sessions-cgi");
const hasSea = existsSync(SEA);
const seaDir = join(work, "sea");
if (hasSea) {
  mkdirSync(seaDir);
  for (const p of PROGRAMS) symlinkSync(SEA, join(seaDir, `${p}.cgi`));
}
const target = join(www, "hello.pcgi");
writeFileSync(target, "#!/bin/sh\nprintf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello %s\\n' \"$REMOTE_USER\"\n", { mode: 0o755 });
const htpasswd = spawnSync("htpasswd", ["-nbB", "-C", String(BCRYPT_COST), "alice", "secret"], { encoding: "utf8" });
if (htpasswd.status !== 0) fail(`htpasswd failed: ${htpasswd.stderr || htpasswd.error}`);
const htpasswdFile = join(work, "htpasswd");
writeFileSync(htpasswdFile, htpasswd.stdout.trim() + "\n");
const loginBody = join(work, "login-body");
writeFileSync(loginBody, "username=alice&password=secret&next=%2F");

// ---- 1. whole-process time ----
const baseEnv = {
  PATH: "/usr/bin:/bin", SECRET_KEY: KEY, GATEWAY_INTERFACE: "CGI/1.1", SERVER_PROTOCOL: "HTTP/1.1",
  SERVER_SOFTWARE: "bench", SERVER_NAME: "127.0.0.1", SERVER_PORT: "80", HTTP_HOST: "127.0.0.1",
  REMOTE_ADDR: "127.0.0.1", DOCUMENT_ROOT: www, REQUEST_METHOD: "GET", QUERY_STRING: "",
};
const cookie = { HTTP_COOKIE: `session=${TOKEN}` };
const cgi = (name, env) => ({ ...baseEnv, SCRIPT_NAME: `/cgi-bin/${name}`, SCRIPT_FILENAME: join(bin, name), REQUEST_URI: `/cgi-bin/${name}`, ...env });
const remoteUser = { REMOTE_USER: "alice", AUTH_TYPE: "Basic", QUERY_STRING: "next=%2F", REQUEST_URI: "/cgi-bin/login.cgi?next=%2F" };
const form = { REQUEST_METHOD: "POST", CONTENT_TYPE: "application/x-www-form-urlencoded", CONTENT_LENGTH: String(statSync(loginBody).size), HTPASSWD_FILE: htpasswdFile };
const gated = { SCRIPT_FILENAME: target, SCRIPT_NAME: "/hello.pcgi", REQUEST_URI: "/hello.pcgi" };
// A members area (docs/members-area.md, "Protect a whole folder"): a small file the gate serves itself.
const staticFile = join(www, "hello.txt");
writeFileSync(staticFile, "hello\n");
const staticRequest = { SCRIPT_FILENAME: staticFile, SCRIPT_NAME: "/hello.txt", REQUEST_URI: "/hello.txt" };
// Live sessions (docs/members-area.md, "Who may pass"): the user's line looked up in the htpasswd
// file and a revocation list read, per request, as the Debian install sets them.
const revokedFile = join(work, "revoked");
writeFileSync(revokedFile, Array.from({ length: 100 }, (_, i) => `user-${i} 1700000000\n`).join(""));
const liveHtpasswd = join(work, "htpasswd-live");
writeFileSync(liveHtpasswd, htpasswd.stdout.trim() + `\n${USER}:{SHA}x\n`);
const live = { HTPASSWD_FILE: liveHtpasswd, SESSION_REVOKED_FILE: revokedFile };
const OK = "Status: 200 OK";
const SEE_OTHER = "Status: 303 See Other";

// name → { argv, env, stdin?, expect }; `py` names the Python reference of the same job.
const commands = [
  { name: "node -e 0", argv: [NODE, "-e", "0"], env: baseEnv },
  { name: "python3 -c pass", argv: [PYTHON, "-c", "pass"], env: baseEnv },
  { name: "whoami.cgi, valid cookie", argv: [NODE, join(bin, "whoami.cgi")], env: cgi("whoami.cgi", cookie), expect: OK, goal: true, py: "py whoami" },
  { name: "whoami.cgi, live check (htpasswd + revocation files)", argv: [NODE, join(bin, "whoami.cgi")], env: cgi("whoami.cgi", { ...cookie, ...live }), expect: OK, goal: true, py: "py whoami" },
  { name: "whoami.cgi run by its #! line", argv: [join(bin, "whoami.cgi")], env: cgi("whoami.cgi", cookie), expect: OK, py: "py whoami" },
  { name: "login.cgi, REMOTE_USER", argv: [NODE, join(bin, "login.cgi")], env: cgi("login.cgi", remoteUser), expect: SEE_OTHER, goal: true, py: "py login REMOTE_USER" },
  { name: `login.cgi, form, bcrypt cost ${BCRYPT_COST}`, argv: [NODE, join(bin, "login.cgi")], env: cgi("login.cgi", form), stdin: loginBody, expect: SEE_OTHER, ...(hasPyCrypt ? { py: "py login bcrypt" } : {}) },
  { name: "logout.cgi, POST", argv: [NODE, join(bin, "logout.cgi")], env: cgi("logout.cgi", { REQUEST_METHOD: "POST" }), expect: SEE_OTHER, goal: true, py: "py logout" },
  { name: "gate.cgi, no session (303)", argv: [NODE, join(bin, "gate.cgi"), target], env: cgi("gate.cgi", gated), expect: SEE_OTHER, goal: true, py: "py gate, no session" },
  { name: "gate.cgi + target", argv: [NODE, join(bin, "gate.cgi"), target], env: cgi("gate.cgi", { ...gated, ...cookie }), expect: OK, py: "py gate + target" },
  { name: "gate.cgi serving a small static file", argv: [NODE, join(bin, "gate.cgi"), staticFile], env: cgi("gate.cgi", { ...staticRequest, ...cookie }), expect: OK },
  { name: "target alone (sh)", argv: [target], env: cgi("hello.pcgi", { ...gated, REMOTE_USER: USER }), expect: OK },
  ...(hasSea
    ? [
        { name: "whoami, SEA binary (make sea)", argv: [join(seaDir, "whoami.cgi")], env: cgi("whoami.cgi", cookie), expect: OK, py: "py whoami" },
        { name: "login REMOTE_USER, SEA binary", argv: [join(seaDir, "login.cgi")], env: cgi("login.cgi", remoteUser), expect: SEE_OTHER, py: "py login REMOTE_USER" },
        { name: "logout, SEA binary", argv: [join(seaDir, "logout.cgi")], env: cgi("logout.cgi", { REQUEST_METHOD: "POST" }), expect: SEE_OTHER, py: "py logout" },
        { name: "gate no session, SEA binary", argv: [join(seaDir, "gate.cgi"), target], env: cgi("gate.cgi", gated), expect: SEE_OTHER, py: "py gate, no session" },
      ]
    : []),
  { name: "py whoami", argv: [PYTHON, join(bin, "whoami.py")], env: cgi("whoami.py", cookie), expect: OK, ref: true },
  { name: "py login REMOTE_USER", argv: [PYTHON, join(bin, "login.py")], env: cgi("login.py", remoteUser), expect: SEE_OTHER, ref: true },
  ...(hasPyCrypt ? [{ name: "py login bcrypt", argv: [PYTHON, join(bin, "login.py")], env: cgi("login.py", form), stdin: loginBody, expect: SEE_OTHER, ref: true }] : []),
  { name: "py logout", argv: [PYTHON, join(bin, "logout.py")], env: cgi("logout.py", { REQUEST_METHOD: "POST" }), expect: SEE_OTHER, ref: true },
  { name: "py gate, no session", argv: [PYTHON, join(bin, "gate.py"), target], env: cgi("gate.py", gated), expect: SEE_OTHER, ref: true },
  { name: "py gate + target", argv: [PYTHON, join(bin, "gate.py"), target], env: cgi("gate.py", { ...gated, ...cookie }), expect: OK, ref: true },
];
// Figure 4, in the same interleaved rounds: each Node's `node -e 0`, and gate.cgi + target run by it.
for (const v of NODE_VERSIONS) {
  if (!v.version?.startsWith(`v${v.major}.`)) fail(`node_modules/node${v.major}/bin/node is missing or not Node ${v.major}: run make deps`);
  v.execve = spawnSync(v.bin, ["-e", "process.stdout.write(typeof process.execve)"], { encoding: "utf8" }).stdout === "function";
}
// Node's compile cache (docs/performance.md), a folder of the programs' compiled code, as the
// README's install sets it up: Node 22.1+ uses it, older Node ignores it. Like a real site's, it is
// filled by the first request that ends normally (here a redirect to the login form), since
// execve() leaves Node no moment to write it.
const compileCache = join(work, "compile-cache");
mkdirSync(compileCache, { mode: 0o700 });
const cached = (env) => ({ ...env, NODE_COMPILE_CACHE: compileCache });
for (const v of NODE_VERSIONS) {
  v.compileCache = spawnSync(v.bin, ["-e", "process.stdout.write(typeof require('node:module').enableCompileCache)"], { encoding: "utf8" }).stdout === "function";
  if (!v.compileCache) continue;
  const first = spawnSync(v.bin, [join(bin, "gate.cgi"), target], { env: cached(cgi("gate.cgi", gated)), encoding: "utf8" });
  if (!first.stdout.startsWith(SEE_OTHER)) fail(`Node ${v.version}: gate.cgi without a session, filling the compile cache: ${first.stdout.split("\n")[0]} ${first.stderr}`);
  const folder = readdirSync(compileCache).find((d) => d.startsWith(`${v.version}-`));
  if (!folder || readdirSync(join(compileCache, folder)).length === 0) fail(`Node ${v.version}: NODE_COMPILE_CACHE=${compileCache} stayed empty`);
}
const versionCommands = NODE_VERSIONS.flatMap((v) => [
  { name: `node -e 0 (${v.version})`, argv: [v.bin, "-e", "0"], env: baseEnv },
  { name: `gate.cgi + target (${v.version})`, argv: [v.bin, join(bin, "gate.cgi"), target], env: cgi("gate.cgi", { ...gated, ...cookie }), expect: OK },
  ...(v.compileCache
    ? [{ name: `gate.cgi + target, compile cache (${v.version})`, argv: [v.bin, join(bin, "gate.cgi"), target], env: cached(cgi("gate.cgi", { ...gated, ...cookie })), expect: OK }]
    : []),
]);
const timed = ONLY_VERSIONS ? [...commands.filter((c) => c.name === "target alone (sh)"), ...versionCommands] : [...commands, ...versionCommands];
const loadBefore = loadavg();
log(`whole-process: ${timed.length} commands × ${P.rounds} interleaved rounds`);
const paired = spawnSync(PYTHON, [join(ROOT, "bench/paired.py")], {
  input: JSON.stringify({ runs: P.rounds, warmup: P.warmup, commands: timed.map(({ name, argv, env, stdin, expect }) => ({ name, argv, env, stdin, expect })) }),
  encoding: "utf8",
  maxBuffer: 64 << 20,
});
if (paired.status !== 0) fail(`bench/paired.py failed: ${paired.stderr.trim()}`);
const runs = JSON.parse(paired.stdout);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

// Figure 4: per round, the reference is that Node's `node -e 0` plus the target run alone.
const targetAlone = runs["target alone (sh)"].wall_ms;
const nodeVersions = NODE_VERSIONS.map((v) => {
  const floor = runs[`node -e 0 (${v.version})`];
  const gate = runs[`gate.cgi + target (${v.version})`];
  const gateCached = runs[`gate.cgi + target, compile cache (${v.version})`];
  for (const r of [floor, gate, gateCached]) if (r?.failures) fail(`Node ${v.version}: ${r.failures} of ${r.wall_ms.length} runs exited non-zero`);
  const reference = floor.wall_ms.map((t, i) => t + targetAlone[i]);
  return {
    node: v.version,
    execve: v.execve,
    compileCache: v.compileCache,
    nodeE0: stats(floor.wall_ms),
    target: stats(targetAlone),
    reference: stats(reference),
    gate: stats(gate.wall_ms),
    gateRssKb: median(gate.maxrss_kb),
    vsReference: median(gate.wall_ms) / median(reference),
    vsReferencePaired: median(gate.wall_ms.map((t, i) => t / reference[i])),
    ...(gateCached && {
      gateCached: stats(gateCached.wall_ms),
      vsReferenceCached: median(gateCached.wall_ms) / median(reference),
      vsReferenceCachedPaired: median(gateCached.wall_ms.map((t, i) => t / reference[i])),
    }),
  };
});
if (ONLY_VERSIONS) {
  const { renderNodeVersions } = await import("./report.mjs");
  const load = loadavg().map((x) => x.toFixed(2));
  console.log(renderNodeVersions({ parameters: { ...P, goal: GOAL }, nodeVersions }));
  console.log(`load average ${loadBefore[0].toFixed(2)} before, ${load[0]} after (${cpus().length} cores; bash bench/run.sh --node-versions)`);
  process.exit(0);
}

const floorMs = median(runs["node -e 0"].wall_ms);
const wholeProcess = commands.map((c) => {
  const r = runs[c.name];
  if (r.failures) fail(`${c.name}: ${r.failures} of ${r.wall_ms.length} runs exited non-zero`);
  const s = stats(r.wall_ms);
  const row = { name: c.name, ms: s, peakRssKb: median(r.maxrss_kb), vsNode: s.median / floorMs, goal: c.goal ?? false, reference: c.ref ?? false };
  // The same ratio per round (both sides of a pair share that moment's noise).
  row.vsNodePaired = median(r.wall_ms.map((t, i) => t / runs["node -e 0"].wall_ms[i]));
  if (c.py) {
    row.python = c.py;
    row.vsPython = s.median / median(runs[c.py].wall_ms);
  }
  return row;
});
// gate's own cost: the gate with its target minus the target run alone, round by round.
const gateOwn = runs["gate.cgi + target"].wall_ms.map((t, i) => t - runs["target alone (sh)"].wall_ms[i]);
const gateOwnRow = { name: "gate.cgi + target − target alone", ms: stats(gateOwn), vsNode: median(gateOwn) / floorMs, goal: false, derived: true };
wholeProcess.splice(wholeProcess.findIndex((r) => r.name === "target alone (sh)") + 1, 0, gateOwnRow);

// ---- 2. in-process operations per second ----
log(`in-process: ${P.samples} samples of ${P.sampleMs} ms per operation`);
const nodeOps = spawnSync(NODE, [join(ROOT, "bench/inprocess.mjs"), String(P.sampleMs), String(P.samples)], { encoding: "utf8", env: { ...process.env, SECRET_KEY: KEY } });
if (nodeOps.status !== 0) fail(`bench/inprocess.mjs failed: ${nodeOps.stderr.trim()}`);
const pyOps = spawnSync(PYTHON, [join(bin, "inprocess.py"), String(P.sampleMs), String(P.samples)], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", SECRET_KEY: KEY } });
if (pyOps.status !== 0) fail(`bench/python/inprocess.py failed: ${pyOps.stderr.trim()}`);
const ops = { ...JSON.parse(nodeOps.stdout), "Python reference (seed)": JSON.parse(pyOps.stdout) };
const floorOps = { create: median(ops["node:crypto floor"].create), verify: median(ops["node:crypto floor"].verify) };
const inProcess = Object.entries(ops).map(([name, o]) => ({
  name,
  create: { ...stats(o.create), vsFloor: median(o.create) / floorOps.create },
  verify: { ...stats(o.verify), vsFloor: median(o.verify) / floorOps.verify },
}));

// ---- 3. requests per second through lighttpd ----
const port = await freePort();
const conf = join(work, "lighttpd.conf");
writeFileSync(conf, readFileSync(join(ROOT, "bench/lighttpd.conf"), "utf8").replaceAll("@PORT@", String(port)).replaceAll("@ROOT@", work).replaceAll("@SECRET_KEY@", KEY));
lighttpd = spawn(existsSync("/usr/sbin/lighttpd") ? "/usr/sbin/lighttpd" : "lighttpd", ["-D", "-f", conf], { stdio: ["ignore", "ignore", "pipe"] });
let lighttpdErr = "";
lighttpd.stderr.on("data", (d) => (lighttpdErr += d));
const base = `http://127.0.0.1:${port}`;
const ready = async () => {
  // A wall-clock deadline, not a count of tries: a loaded machine starts lighttpd slowly.
  const deadline = Date.now() + 60_000;
  let last = "none";
  while (Date.now() < deadline) {
    if (lighttpd.exitCode !== null) fail(`lighttpd exited (${lighttpd.exitCode}): ${lighttpdErr.trim()}`);
    try {
      await fetch(base + "/", { signal: AbortSignal.timeout(5_000) });
      return;
    } catch (err) {
      last = `${err.message}${err.cause ? ` (${err.cause.code ?? err.cause.message})` : ""}`;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  fail(`lighttpd did not answer on ${base} within 60 s (last try: ${last}; still running); its stderr: ${lighttpdErr.trim()}`);
};
await ready();
const served = [
  { name: "whoami.cgi, valid cookie", path: "/cgi-bin/whoami.cgi", cookie: true },
  { name: "trivial Node CGI", path: "/cgi-bin/trivial-node.cgi", reference: true },
  { name: "trivial shell CGI", path: "/cgi-bin/trivial-sh.cgi" },
  ...(hasCc ? [{ name: "trivial C CGI", path: "/cgi-bin/trivial-c.cgi" }] : []),
  { name: "Python whoami.py", path: "/cgi-bin/whoami.py", cookie: true },
];
const headers = (s) => (s.cookie ? { cookie: `session=${TOKEN}` } : {});
for (const s of served) {
  const res = await fetch(base + s.path, { headers: headers(s) });
  const body = await res.text();
  if (res.status !== 200) fail(`lighttpd ${s.path}: ${res.status} ${body.slice(0, 200)}`);
}
const lighttpdRows = [];
for (const s of served) {
  log(`lighttpd: wrk ${P.wrkSeconds}s, ${P.connections} connection(s), ${s.path}`);
  const args = ["-t1", `-c${P.connections}`, `-d${P.wrkSeconds}s`, "--latency", "--timeout", "10s"];
  if (s.cookie) args.push("-H", `Cookie: session=${TOKEN}`);
  const { out, requests, rps, p50, p90, p99, errors } = runWrk([...args, base + s.path], fail);
  if (!(requests > 0)) fail(`wrk made no requests to ${s.path}:\n${out}`);
  lighttpdRows.push({ ...s, requests, rps, p50, p90, p99, errors });
}
lighttpd.kill();
const nodeRps = lighttpdRows.find((r) => r.reference).rps;
for (const r of lighttpdRows) r.vsTrivialNode = r.rps / nodeRps;

// ---- 5. the FastCGI authorizer through lighttpd (bench/authorizer.mjs) ----
const { benchAuthorizer } = await import("./authorizer.mjs");
const authorizer = await benchAuthorizer({ root: ROOT, P, tiny: TINY, log, fail });

// ---- sizes, machine, report ----
const sizes = PROGRAMS.map((p) => ({ name: `${p}.cgi`, bytes: statSync(join(ROOT, "cgi-bin", `${p}.cgi`)).size }));
sizes.push({ name: "authorizer.fcgi", bytes: statSync(join(ROOT, "cgi-bin", "authorizer.fcgi")).size });
if (hasSea) sizes.push({ name: "dist/sea/dbbasic-sessions-cgi (make sea, all four)", bytes: statSync(SEA).size });
const version = (cmd, args) => (spawnSync(cmd, args, { encoding: "utf8" }).stdout ?? "").split("\n")[0].trim();
const machine = {
  nproc: cpus().length,
  cpu: (readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m) ?? [])[1] ?? cpus()[0]?.model ?? "unknown",
  node: process.version,
  python: version(PYTHON, ["--version"]),
  lighttpd: version(existsSync("/usr/sbin/lighttpd") ? "/usr/sbin/lighttpd" : "lighttpd", ["-v"]),
  wrk: version("wrk", ["-v"]).split(" [")[0],
  loadBefore: loadBefore.map((x) => Number(x.toFixed(2))),
  loadAfter: loadavg().map((x) => Number(x.toFixed(2))),
};
const results = {
  date: new Date().toISOString(),
  mode: TINY ? "tiny" : "full",
  command: TINY ? "bash bench/run.sh --tiny" : "make bench",
  parameters: { ...P, bcryptCost: BCRYPT_COST, goal: GOAL },
  machine,
  wholeProcess,
  nodeVersions,
  inProcess,
  lighttpd: lighttpdRows,
  authorizer,
  sizes,
};
const { renderText, renderMarkdown } = await import("./report.mjs");
console.log(renderText(results));
if (lighttpdRows.some((r) => r.errors > 0)) fail("lighttpd answered with errors (the error count must be 0)");
if (authorizer.rows.some((r) => r.errors > 0)) fail("lighttpd answered the authorizer rows with errors (the error count must be 0)");
if (TINY) {
  writeFileSync(join(work, "latest.json"), JSON.stringify(results, null, 2));
  renderMarkdown(results);
} else {
  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "latest.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(dir, `${results.date.replace(/[:.]/g, "-")}.json`), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(dir, "latest.md"), renderMarkdown(results));
  log("wrote bench/results/latest.json and bench/results/latest.md");
}
