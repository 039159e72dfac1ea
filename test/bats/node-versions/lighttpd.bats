#!/usr/bin/env bats
# One journey through a real lighttpd on the Node first on PATH (test/run-all.sh
# runs it once per Node version). lighttpd passes CGI programs no PATH of their
# own, so the config's setenv.add-environment PATH gains the folder of (a copy of)
# that node, as the README says to do for a node outside /usr/bin; the programs'
# `#!/usr/bin/env node` line then finds it. The config's NODE_COMPILE_CACHE
# fills on Node 22.1+ and stays empty on older Node.

load ../../helpers/servers

setup_file() {
  site_init
  # The node first on PATH, copied into the site: the clone, and node_modules/node22 with it,
  # may be in a folder the server's user cannot enter (a mode-700 home), and then lighttpd's
  # programs would find only the system's node further down their PATH.
  NODE_DIR=$SITE/node/bin
  mkdir -p "$NODE_DIR"
  cp "$(command -v node)" "$NODE_DIR/node"
  chmod 755 "$SITE/node" "$NODE_DIR" "$NODE_DIR/node"
  export NODE_VERSION NODE_DIR
  NODE_VERSION=$("$NODE_DIR/node" --version)
  [ "$NODE_VERSION" = "$(node --version)" ] || { echo "the copy of node is $NODE_VERSION, not $(node --version)" >&2; return 1; }
  site_add_user ann ann-secret -B
  # The protected program: who it runs for, the command name of the process that
  # started it, and the node the server's PATH finds.
  cat > "$SITE_DOCROOT/who.pcgi" <<'SH'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
echo "user=$REMOTE_USER"
echo "parent=$(cat /proc/$PPID/comm)"
echo "node=$(node --version)"
SH
  chmod 755 "$SITE_DOCROOT/who.pcgi"
  local template=$SITE/srv/lighttpd-node.conf
  sed "s|\"PATH\" *=> *\"/usr/local/bin:/usr/bin:/bin\"|\"PATH\" => \"$NODE_DIR:/usr/local/bin:/usr/bin:/bin\"|" \
    "$SERVERS_REPO/examples/lighttpd/lighttpd.conf" > "$template"
  grep -qF "\"PATH\" => \"$NODE_DIR:" "$template" || { echo "examples/lighttpd/lighttpd.conf sets no PATH to extend" >&2; return 1; }
  start_lighttpd web "$template"
}

teardown_file() { stop_servers; }

@test "log in, whoami, a gated program, log out, all on the Node first on PATH" {
  local url jar=$BATS_TEST_TMPDIR/jar parent
  url=$(server_url web)
  echo "# $NODE_VERSION" >&3

  http_request -c "$jar" "$url/who.pcgi"
  assert_eq "$http_status" 303 "anonymous status"
  assert_eq "$(http_header Location)" /cgi-bin/login.cgi?next=%2Fwho.pcgi "anonymous Location"

  http_request -b "$jar" -c "$jar" --data-urlencode username=ann --data-urlencode password=ann-secret \
    --data-urlencode next=/who.pcgi "$url/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 "login status"
  assert_eq "$(http_header Location)" /who.pcgi "login Location"

  http_request -b "$jar" "$url/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 200 "whoami status"
  assert_match "$http_body" '^\{"user_id":"ann","expires":[0-9]+\}$' "whoami body"

  # On a Node with process.execve gate.cgi has become the program, so its parent
  # is lighttpd itself; on older Node it is gate.cgi's node.
  if [ "$(node -e 'process.stdout.write(typeof process.execve)')" = function ]; then parent=lighttpd; else parent=node; fi
  http_request -b "$jar" "$url/who.pcgi"
  assert_eq "$http_status" 200 "gated status"
  assert_eq "$http_body" "user=ann"$'\n'"parent=$parent"$'\n'"node=$NODE_VERSION"$'\n' "gated body"

  http_request -b "$jar" -c "$jar" --data-urlencode next=/ "$url/cgi-bin/logout.cgi"
  assert_eq "$http_status" 303 "logout status"
  http_request -b "$jar" "$url/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 "whoami after logout"
  assert_eq "$(cat "$SITE/srv/web/log/cgi-error.log" 2>/dev/null)" "" "the programs' stderr"

  # Node's compile cache (the config's NODE_COMPILE_CACHE; docs/performance.md): Node 22.1+
  # keeps the programs' compiled code there, in a folder for its version and the server's user.
  local v=${NODE_VERSION#v} uid
  if [ "$(id -u)" -eq 0 ]; then uid=$(id -u www-data); else uid=$(id -u); fi
  if node_at_least "$NODE_DIR/node" 22.1; then
    assert_match "$(ls "$SITE_COMPILE_CACHE")" "^v${v//./\\.}-[a-z0-9]+-[0-9a-f]{8}-$uid\$" "the compile cache's folder"
    # whoami.cgi, login.cgi, logout.cgi and gate.cgi (its redirect to the login form).
    assert_eq "$(find "$SITE_COMPILE_CACHE" -type f | wc -l)" 4 "entries in the compile cache"
  else
    assert_eq "$(ls -A "$SITE_COMPILE_CACHE")" "" "the compile cache (Node $NODE_VERSION ignores it)"
  fi
}
