#!/usr/bin/python3
"""In-process create_session / get_session per second for the seed's algorithm.
Prints JSON: {"create": [ops/s per sample], "verify": [...]}; argv: sample_ms samples."""
import json
import sys
import time

import dbbasic_sessions as s


def rate(fn, sample_ms, samples):
    for _ in range(2000):
        fn()
    out = []
    for _ in range(samples):
        n, t0 = 0, time.perf_counter()
        end = t0 + sample_ms / 1000
        while True:
            for _ in range(200):
                fn()
            n += 200
            t = time.perf_counter()
            if t >= end:
                break
        out.append(n / (t - t0))
    return out


sample_ms, samples = int(sys.argv[1]), int(sys.argv[2])
token = s.create_session("bench-user")
assert s.get_session(token) == "bench-user"
json.dump({"create": rate(lambda: s.create_session("bench-user"), sample_ms, samples),
           "verify": rate(lambda: s.get_session(token), sample_ms, samples)}, sys.stdout)
