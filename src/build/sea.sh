#!/usr/bin/env bash
# make sea (optional; docs/performance.md): a Node single-executable application with V8's code cache,
# dist/sea/dbbasic-sessions-cgi, and links whoami.cgi, login.cgi, logout.cgi, gate.cgi to it.
# It starts faster than `node -e 0` (see bench/results/latest.md) but is a copy of the node
# binary (≈ 100 MB, against ≈ 11–45 KB per cgi-bin file) and runs only on this OS and CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=dist/sea
rm -rf "$out" && mkdir -p "$out"
node_modules/.bin/esbuild src/build/sea-main.js --bundle --platform=node --target=node20 --format=cjs \
  --minify --legal-comments=none --log-level=warning --outfile="$out/main.js"
cat > "$out/sea-config.json" <<JSON
{ "main": "$out/main.js", "output": "$out/main.blob", "disableExperimentalSEAWarning": true, "useCodeCache": true }
JSON
node --experimental-sea-config "$out/sea-config.json"
cp "$(command -v node)" "$out/dbbasic-sessions-cgi"
# postject (the Node project's injector), pinned; fetched from the npm registry by npx.
npx --yes postject@1.0.0-alpha.6 "$out/dbbasic-sessions-cgi" NODE_SEA_BLOB "$out/main.blob" \
  --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2
chmod 755 "$out/dbbasic-sessions-cgi"
for p in whoami login logout gate; do ln -sf dbbasic-sessions-cgi "$out/$p.cgi"; done
echo "built $out/dbbasic-sessions-cgi ($(du -h "$out/dbbasic-sessions-cgi" | cut -f1)), linked as $out/{whoami,login,logout,gate}.cgi"
