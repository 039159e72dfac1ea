#!/usr/bin/env bash
# Runs every test layer in turn and prints one closing line "N passed, N failed".
# Nothing is skipped: a missing server, browser or Node binary fails its layer.
# Arguments, when given, name the layers to run (vitest cgi servers debian shared-hosting node20 node22 node24 bench).
set -uo pipefail
cd "$(dirname "$0")/.."
# node_modules/.bin goes last: the node20/node22/node24 packages each link a `node` there, and
# every layer but the Node-version ones runs on the system's node.
PATH=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$PWD/node_modules/.bin" | paste -sd: -)
export PATH="$PATH:$PWD/node_modules/.bin"
layers=" $* "
want() { [ "$layers" = "  " ] || [[ $layers == *" $1 "* ]]; }
passed=0 failed=0 status=0
out=$(mktemp -d)

count_vitest() { # reads a vitest JSON report
  node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTestSuites && r.success===false && r.numFailedTests===0 ? 1 : 0))' "$1"
}

if want vitest; then
  echo "== vitest: unit, property and browser tests (node $(node --version))"
  if node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json"; then :; else status=1; fi
  if [ -f "$out/vitest.json" ]; then read -r p f < <(count_vitest "$out/vitest.json"); passed=$((passed+p)); failed=$((failed+f)); else failed=$((failed+1)); fi
fi

for layer in cgi servers; do
  files=(test/bats/$layer/*.bats)
  [ -e "${files[0]}" ] || continue
  want "$layer" || continue
  echo "== bats: $layer (node $(node --version))"
  node_modules/bats/bin/bats --formatter tap "${files[@]}" | tee "$out/$layer.tap"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  p=$(grep -c '^ok ' "$out/$layer.tap"); f=$(grep -c '^not ok ' "$out/$layer.tap")
  passed=$((passed+p)); failed=$((failed+f))
done

# README "Install on Debian and Ubuntu", run verbatim on the stock packages, one server at a
# time, in private mount, network and PID namespaces (test/debian/enter.sh; needs root).
for server in apache2 lighttpd; do
  want debian || continue
  echo "== bats: debian, stock $server"
  bash test/debian/enter.sh "$server" --formatter tap | tee "$out/debian-$server.tap"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  p=$(grep -c '^ok ' "$out/debian-$server.tap"); f=$(grep -c '^not ok ' "$out/debian-$server.tap")
  passed=$((passed+p)); failed=$((failed+f))
done

# README "Shared hosting", run as the site's owner (an account without root, su - kim) on
# Debian's stock apache2 with mod_userdir: event MPM + mod_cgid and prefork + mod_cgi, each
# with suEXEC and without, in private namespaces (test/shared-hosting/enter.sh; needs root).
for variant in event prefork event-no-suexec prefork-no-suexec; do
  want shared-hosting || continue
  echo "== bats: shared-hosting, $variant"
  bash test/shared-hosting/enter.sh "$variant" --formatter tap | tee "$out/shared-hosting-$variant.tap"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  p=$(grep -c '^ok ' "$out/shared-hosting-$variant.tap"); f=$(grep -c '^not ok ' "$out/shared-hosting-$variant.tap")
  passed=$((passed+p)); failed=$((failed+f))
done

# The CGI-process layer and one real-server journey (test/bats/node-versions) again on each
# Node the programs support, from the official binaries (devDependencies node20, node22,
# node24): the programs' `#!/usr/bin/env node` finds the first node on PATH, and the journey's
# lighttpd config puts that node's folder first on the programs' PATH.
for v in 20 22 24; do
  want "node$v" || continue
  bin=$PWD/node_modules/node$v/bin
  version=$(PATH="$bin:$PATH" node --version 2>&1)
  echo "== bats on Node $v: node --version is $version"
  if [[ $version != "v$v."* ]]; then
    echo "node$v: $bin/node is missing or not Node $v (run make deps)"
    failed=$((failed+1)); status=1
    continue
  fi
  PATH="$bin:$PATH" node_modules/bats/bin/bats --formatter tap test/bats/cgi/*.bats test/bats/node-versions/*.bats | tee "$out/node$v.tap"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  p=$(grep -c '^ok ' "$out/node$v.tap"); f=$(grep -c '^not ok ' "$out/node$v.tap")
  passed=$((passed+p)); failed=$((failed+f))
done

if want bench && { [ -x bench/run.sh ] || [ -f bench/run.sh ]; }; then
  echo "== bench harness, tiny mode (no timing assertions)"
  if bash bench/run.sh --tiny; then passed=$((passed+1)); else failed=$((failed+1)); status=1; fi
fi

rm -rf "$out"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
