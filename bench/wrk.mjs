// A free port on 127.0.0.1 for a benchmark server, and one wrk run (wrk 4, `--latency`), read into numbers: requests, requests per second, the
// 50th, 90th and 99th percentile latencies in ms, and errors (non-2xx/3xx answers and socket
// errors). Used by bench/bench.mjs (figure 3) and bench/authorizer.mjs (figure 5).
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";

/** A port on 127.0.0.1 that was free a moment ago. */
export const freePort = () =>
  new Promise((ok, ko) => {
    const s = createServer().once("error", ko);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const ms = (v, unit) => Number(v) * { us: 0.001, ms: 1, s: 1000 }[unit];

/** Runs `wrk ARGS…` and reads its report; `fail(message)` for output it cannot read. */
export function runWrk(args, fail) {
  const out = execFileSync("wrk", args, { encoding: "utf8" });
  const num = (re) => Number((out.match(re) ?? [])[1] ?? 0);
  const pct = (p) => {
    const m = out.match(new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m"));
    if (!m) fail(`cannot read the ${p}th percentile from wrk:\n${out}`);
    return ms(m[1], m[2]);
  };
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = num(/Non-2xx or 3xx responses: (\d+)/) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { out, requests: num(/(\d+) requests in/), rps: num(/Requests\/sec:\s+([\d.]+)/), p50: pct(50), p90: pct(90), p99: pct(99), errors };
}
