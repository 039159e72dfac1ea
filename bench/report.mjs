// Renders bench results (see bench/bench.mjs) as the terminal table and as the
// markdown the README shows. Both carry the same figures and their references.

const f = (x, digits = 1) => (x === undefined || Number.isNaN(x) ? "" : x.toFixed(digits));
const int = (x) => Math.round(x).toLocaleString("en-US");
const ratio = (x, digits = 2) => (x === undefined ? "" : x.toFixed(digits) + "×");
const mb = (kb) => (kb === undefined ? "" : (kb / 1024).toFixed(1) + " MB");

function sections(r) {
  const p = r.parameters;
  const whole = {
    title: `Whole process, one request (ms; median of ${p.rounds} interleaved rounds)`,
    head: ["program", "median", "min–max", "N", "× node -e 0", "× Python ref", "peak RSS"],
    rows: r.wholeProcess.map((w) => [
      w.name + (w.goal ? " †" : "") + (w.reference ? " (ref)" : ""),
      f(w.ms.median, 2),
      `${f(w.ms.min, 1)}–${f(w.ms.max, 1)}`,
      String(w.ms.n),
      ratio(w.vsNode, 3),
      ratio(w.vsPython, 3),
      w.derived ? "" : mb(w.peakRssKb),
    ]),
  };
  const goalRows = r.wholeProcess.filter((w) => w.goal);
  const goal =
    `† start-up goal, at most ${p.goal.toFixed(2)} × node -e 0 (ratio of medians): ` +
    goalRows.map((w) => `${w.name} ${w.vsNode.toFixed(3)} ${w.vsNode <= p.goal ? "met" : "NOT met"}`).join("; ") +
    `. Paired per-round ratios (median): ` +
    goalRows.map((w) => w.vsNodePaired.toFixed(3)).join(", ") +
    `. bcrypt login is exempt (cost ${p.bcryptCost}, what htpasswd -B writes). Each round runs every command once, in rotated order;` +
    ` programs get the environment a server gives, run as \`node FILE\` (\`python3 FILE\` for the references) unless marked.` +
    ` Running the target, gate.cgi on ${r.machine?.node ?? "this Node"} ` +
    (r.nodeVersions?.find((v) => v.node === r.machine?.node)?.execve
      ? "replaces itself with it (process.execve)"
      : "loads node:child_process and spawns it (no process.execve before Node 22.15)") +
    `: the "− target alone" row; per Node version in the table after this one.`;
  const versions = versionsSection(r);
  const inproc = {
    title: `In process (operations per second; ${p.samples} samples of ${p.sampleMs} ms each)`,
    head: ["implementation", "create", "min–max", "× floor", "verify", "min–max", "× floor"],
    rows: r.inProcess.map((o) => [
      o.name,
      int(o.create.median),
      `${int(o.create.min)}–${int(o.create.max)}`,
      ratio(o.create.vsFloor),
      int(o.verify.median),
      `${int(o.verify.min)}–${int(o.verify.max)}`,
      ratio(o.verify.vsFloor),
    ]),
  };
  const served = {
    title: `Through lighttpd (wrk, 1 thread, ${p.connections} connection${p.connections > 1 ? "s" : ""}, ${p.wrkSeconds} s each)`,
    head: ["CGI program", "req/s", "× trivial Node", "p50 ms", "p90 ms", "p99 ms", "requests", "errors"],
    rows: r.lighttpd.map((l) => [l.name, f(l.rps, 1), ratio(l.vsTrivialNode), f(l.p50, 2), f(l.p90, 2), f(l.p99, 2), int(l.requests), String(l.errors)]),
  };
  const authorizer = r.authorizer && {
    title: `One static file through lighttpd (wrk, 1 thread, ${p.connections} connection${p.connections > 1 ? "s" : ""}; medians of ${r.authorizer.rows[0].rounds} interleaved rounds of ${r.authorizer.rows[0].seconds} s)`,
    head: ["served", "req/s", "× unprotected", "× C floor", "× Node floor", "× gate.cgi", "p50 ms", "p99 ms", "requests", "errors"],
    rows: r.authorizer.rows.map((a) => [a.name, f(a.rps, 1), ratio(a.vsUnprotected, 3), ratio(a.vsFloor, 3), ratio(a.vsNodeFloor, 3), ratio(a.vsGate, 1), f(a.p50, 2), f(a.p99, 2), int(a.requests), String(a.errors)]),
    note: authorizerNote(r.authorizer),
  };
  const sizes = {
    title: "Size of each cgi-bin file",
    head: ["file", "bytes"],
    rows: r.sizes.map((s) => [s.name, int(s.bytes)]),
  };
  return { whole, goal, versions, inproc, served, authorizer, sizes };
}

/** The goals of figure 5 and the authorizer's memory (bench/authorizer.mjs). */
function authorizerNote(a) {
  const prot = a.rows.find((r) => r.authorizer);
  const decided = a.rows.find((r) => r.decided);
  const nodeFloor = a.rows.find((r) => r.nodeFloor);
  const nodeFloorDecided = a.rows.find((r) => r.nodeFloorDecided);
  const met = (ok) => (ok ? "met" : "NOT met");
  return (
    `Goals: protected by the authorizer ≥ ${a.goals.vsUnprotected} × unprotected: ${prot.vsUnprotected.toFixed(3)}× ${met(prot.vsUnprotected >= a.goals.vsUnprotected)}; ` +
    `≥ ${a.goals.vsGate} × gate.cgi: ${prot.vsGate.toFixed(1)}× ${met(prot.vsGate >= a.goals.vsGate)}; ` +
    (a.goals.vsNodeFloor !== undefined && prot.vsNodeFloor !== undefined
      ? `≥ ${a.goals.vsNodeFloor} × the check-nothing Node floor (node:net), the median of the rounds' ratios (each round's floor run right after the authorizer, both with the same Node settings): ${(prot.vsNodeFloorPaired ?? prot.vsNodeFloor).toFixed(3)}× ${met((prot.vsNodeFloorPaired ?? prot.vsNodeFloor) >= a.goals.vsNodeFloor)}` +
        (decided?.vsNodeFloorPaired !== undefined
          ? `; with each request decided afresh (none answered from the memo), over the Node floor fed the same requests right after it: ${decided.vsNodeFloorPaired.toFixed(3)}× ${met(decided.vsNodeFloorPaired >= a.goals.vsNodeFloor)}. `
          : ". ")
      : "") +
    (prot.cpuPerRequestUs !== undefined
      ? `CPU time per request of the process itself (/proc/PID/stat, over all rounds): authorizer.fcgi ${prot.cpuPerRequestUs.toFixed(1)} µs${decided?.cpuPerRequestUs !== undefined ? `, each request decided afresh ${decided.cpuPerRequestUs.toFixed(1)} µs` : ""}, the Node floor (node:net) ${nodeFloor.cpuPerRequestUs.toFixed(1)} µs${nodeFloorDecided ? ` (fed the requests each decided afresh: ${nodeFloorDecided.cpuPerRequestUs.toFixed(1)} µs)` : ""}. `
      : "") +
    (a.rows.some((r) => r.floor)
      ? `The C floor is an authorizer that answers 200 to everything at once (bench/cgi/trivial-authorizer.c): what lighttpd's own round trip to any authorizer costs. `
      : "") +
    `The Node rows are the same do-nothing authorizer in Node, on node:net (as authorizer.fcgi; once more fed the requests each decided afresh) and on libuv's handles below it (bench/cgi/trivial-authorizer-net.js, -uv.js): what Node itself costs per connection, before any check. `+
    `The authorizer's RSS: ${mb(a.rss.beforeKb)} after a warm-up, ${mb(a.rss.afterKb)} after ${int(a.rss.requests)} requests through it ` +
    `(growth ${a.rss.growthMb.toFixed(1)} MB, goal under ${a.goals.rssGrowthMb} MB: ${met(a.rss.growthMb < a.goals.rssGrowthMb)}).`
  );
}

/** Figure 4: gate.cgi + target per Node version, beside `node -e 0` + the target alone on that Node. */
function versionsSection(r) {
  if (!r.nodeVersions) return undefined;
  const p = r.parameters;
  const goal = (v, x) => (!v.execve ? "none" : x === undefined ? "–" : x <= p.goal ? "met" : "NOT met");
  return {
    title: `gate.cgi + target on each Node (ms; median of ${p.rounds} interleaved rounds)`,
    head: ["Node", "execve", "node -e 0", "target alone", "node -e 0 + target", "gate.cgi + target", "×", "paired ×", "goal", "with compile cache", "×", "paired ×", "goal"],
    rows: r.nodeVersions.map((v) => [
      v.node,
      v.execve ? "yes" : "no",
      f(v.nodeE0.median, 2),
      f(v.target.median, 2),
      f(v.reference.median, 2),
      f(v.gate.median, 2),
      ratio(v.vsReference, 3),
      ratio(v.vsReferencePaired, 3),
      goal(v, v.vsReference),
      v.gateCached ? f(v.gateCached.median, 2) : "not in this Node",
      v.gateCached ? ratio(v.vsReferenceCached, 3) : "",
      v.gateCached ? ratio(v.vsReferenceCachedPaired, 3) : "",
      v.gateCached ? goal(v, v.vsReferenceCached) : "",
    ]),
    note:
      `On a Node with process.execve (22.15+) gate.cgi replaces itself with the target: the goal there is gate.cgi + target at most ` +
      `${p.goal.toFixed(2)} × (node -e 0 + the target alone) on the same Node (ratio of medians; "paired ×" is the median of per-round ratios). ` +
      `"With compile cache" is the same request with NODE_COMPILE_CACHE set to a folder the gate filled on an earlier request, as the README's install sets it up ` +
      `(Node 22.1+; older Node ignores it). ` +
      `On older Node the gate stays alive as the target's parent (node:child_process), with no goal. The Node binaries are the devDependencies node20, node22 and node24.`,
  };
}

/** Only figure 4, as text (bench/bench.mjs --node-versions). */
export function renderNodeVersions(r) {
  const v = versionsSection(r);
  return [textTable(v), v.note].join("\n");
}

function machineLine(r) {
  const m = r.machine;
  return `${m.nproc} × ${m.cpu}, Node ${m.node}, ${m.python}, ${m.lighttpd.split(" ")[0]}, ${m.wrk}; load average ${m.loadBefore[0]} before, ${m.loadAfter[0]} after`;
}

function textTable({ title, head, rows }) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [title, "  " + line(head), ...rows.map((row) => "  " + line(row))].join("\n");
}

function markdownTable({ head, rows }) {
  const align = head.map((_, i) => (i === 0 ? ":--" : "--:"));
  return [head, align, ...rows].map((cells) => "| " + cells.join(" | ") + " |").join("\n");
}

export function renderText(r) {
  const s = sections(r);
  return [
    `dbbasic-sessions benchmarks — ${r.date} (${r.mode}: ${r.command})`,
    `machine: ${machineLine(r)}`,
    "",
    textTable(s.whole),
    s.goal,
    "",
    ...(s.versions ? [textTable(s.versions), s.versions.note, ""] : []),
    textTable(s.inproc),
    "",
    textTable(s.served),
    "",
    ...(s.authorizer ? [textTable(s.authorizer), s.authorizer.note, ""] : []),
    textTable(s.sizes),
  ].join("\n");
}

export function renderMarkdown(r) {
  const s = sections(r);
  return [
    `<!-- written by \`${r.command}\` (bench/bench.mjs); figures from one run -->`,
    `Measured ${r.date.slice(0, 10)} with \`${r.command}\` on ${machineLine(r)}.`,
    "",
    `**${s.whole.title}**`,
    "",
    markdownTable(s.whole),
    "",
    s.goal,
    "",
    ...(s.versions ? [`**${s.versions.title}**`, "", markdownTable(s.versions), "", s.versions.note, ""] : []),
    `**${s.inproc.title}**`,
    "",
    markdownTable(s.inproc),
    "",
    `**${s.served.title}**`,
    "",
    markdownTable(s.served),
    "",
    ...(s.authorizer ? [`**${s.authorizer.title}**`, "", markdownTable(s.authorizer), "", s.authorizer.note, ""] : []),
    `**${s.sizes.title}**`,
    "",
    markdownTable(s.sizes),
    "",
  ].join("\n");
}
