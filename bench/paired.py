#!/usr/bin/python3
"""Whole-process timing, interleaved: every round runs each command once, in a
rotated order, so machine noise hits every command alike (hyperfine runs one
command's runs back to back). Processes are started with posix_spawn and reaped
with wait4, like `hyperfine -N`: no shell, stdout to /dev/null.

Input (stdin): {"runs": N, "warmup": W, "commands": [{"name", "argv", "env",
"stdin"?: path, "expect"?: "first line of stdout"}]}. Output (stdout): JSON with
every run's wall time and CPU time (user + system) in ms, the peak RSS (wait4's ru_maxrss, what
`/usr/bin/time -f %M` prints) and the exit status.
"""
import json
import os
import sys
import time


def spawn(cmd, out_fd):
    stdin_path = cmd.get("stdin") or "/dev/null"
    fd_in = os.open(stdin_path, os.O_RDONLY)
    try:
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(cmd["argv"][0], cmd["argv"], cmd["env"],
                             file_actions=[(os.POSIX_SPAWN_DUP2, fd_in, 0),
                                           (os.POSIX_SPAWN_DUP2, out_fd, 1)])
        _, status, usage = os.wait4(pid, 0)
        t1 = time.perf_counter_ns()
    finally:
        os.close(fd_in)
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    return (t1 - t0) / 1e6, os.waitstatus_to_exitcode(status), usage.ru_maxrss, cpu


def check(cmd):
    """One run with stdout captured: the command must answer what it is expected to."""
    r, w = os.pipe()
    _, code, _, _ = spawn(cmd, w)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        out = f.read().decode("utf-8", "replace")
    first = out.split("\n", 1)[0].rstrip("\r")
    if code != 0 or ("expect" in cmd and first != cmd["expect"]):
        sys.exit(f"paired.py: {cmd['name']}: exit {code}, first line {first!r}, expected {cmd.get('expect')!r}")


def main():
    spec = json.load(sys.stdin)
    cmds = spec["commands"]
    for c in cmds:
        check(c)
    devnull = os.open("/dev/null", os.O_WRONLY)
    results = {c["name"]: {"wall_ms": [], "cpu_ms": [], "maxrss_kb": [], "failures": 0} for c in cmds}
    n = len(cmds)
    for rnd in range(spec.get("warmup", 0) + spec["runs"]):
        order = [cmds[(rnd + i) % n] for i in range(n)]
        if rnd % 2:
            order.reverse()
        for c in order:
            ms, code, rss, cpu = spawn(c, devnull)
            if rnd < spec.get("warmup", 0):
                continue
            r = results[c["name"]]
            r["wall_ms"].append(round(ms, 4))
            r["cpu_ms"].append(round(cpu, 3))
            r["maxrss_kb"].append(rss)
            if code != 0:
                r["failures"] += 1
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
