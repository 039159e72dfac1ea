#!/usr/bin/env bash
# make bench (docs/performance.md): whole-process, in-process and lighttpd figures,
# each beside its reference, printed as one table; see bench/bench.mjs.
#   bash bench/run.sh           full run (a few minutes), writes bench/results/latest.{json,md}
#   bash bench/run.sh --tiny    every part once, briefly, into a scratch folder (make test runs
#                               this so the harness cannot rot; it asserts nothing about speed)
set -euo pipefail
cd "$(dirname "$0")/.."
# NODE_EXTRA_CA_CERTS makes every Node start read a CA bundle (≈ 55 ms here): not our cost.
unset NODE_EXTRA_CA_CERTS

missing=()
for tool in node /usr/bin/python3 htpasswd wrk; do command -v "$tool" >/dev/null || missing+=("$tool"); done
command -v lighttpd >/dev/null || [ -x /usr/sbin/lighttpd ] || missing+=(lighttpd)
[ ${#missing[@]} -eq 0 ] || { echo "bench: missing ${missing[*]} (make system-deps installs them)" >&2; exit 1; }
for f in cgi-bin/whoami.cgi cgi-bin/login.cgi cgi-bin/logout.cgi cgi-bin/gate.cgi cgi-bin/authorizer.fcgi dist/index.js; do
  [ -f "$f" ] || { echo "bench: $f is missing: run make first" >&2; exit 1; }
done

exec node bench/bench.mjs "$@"
