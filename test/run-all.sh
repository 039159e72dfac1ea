#!/usr/bin/env bash
# Runs every test layer in turn and prints one closing line "N passed, N failed".
# Nothing is skipped: a missing server or browser fails its layer.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
passed=0 failed=0 status=0
out=$(mktemp -d)

count_vitest() { # reads a vitest JSON report
  node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTestSuites && r.success===false && r.numFailedTests===0 ? 1 : 0))' "$1"
}

echo "== vitest: unit, property and browser tests"
if node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json"; then :; else status=1; fi
if [ -f "$out/vitest.json" ]; then read -r p f < <(count_vitest "$out/vitest.json"); passed=$((passed+p)); failed=$((failed+f)); else failed=$((failed+1)); fi

for layer in cgi servers; do
  files=(test/bats/$layer/*.bats)
  [ -e "${files[0]}" ] || continue
  echo "== bats: $layer"
  node_modules/bats/bin/bats --formatter tap "${files[@]}" | tee "$out/$layer.tap"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  p=$(grep -c '^ok ' "$out/$layer.tap"); f=$(grep -c '^not ok ' "$out/$layer.tap")
  passed=$((passed+p)); failed=$((failed+f))
done

if [ -x bench/run.sh ] || [ -f bench/run.sh ]; then
  echo "== bench harness, tiny mode (no timing assertions)"
  if bash bench/run.sh --tiny; then passed=$((passed+1)); else failed=$((failed+1)); status=1; fi
fi

rm -rf "$out"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
