#!/usr/bin/env bats
# `make demo` from a clone in a mode-700 folder, as `cd && git clone … && make demo` is as
# root (root's home is mode 700): lighttpd, run as www-data, cannot enter the clone, so
# run.sh serves and runs copies in a folder of its own under /tmp. The clone here is a copy
# of the working tree's files (tracked, and new ones not ignored) with the repository's
# node_modules linked in, inside a folder only its owner may enter.

load ../../helpers/servers

setup_file() {
  OUTER=$(mktemp -d /tmp/dbs-private-XXXXXX)
  chmod 700 "$OUTER"
  CLONE=$OUTER/home/repo
  mkdir -p "$CLONE"
  # -p keeps the files' times, so make finds the bundles and node_modules up to date as here.
  # Without git (a copy of a clone), every file but node_modules and .git.
  (cd "$TEST_REPO" && if git rev-parse --git-dir > /dev/null 2>&1; then
      git ls-files -z --cached --others --exclude-standard
    else
      find . -path ./node_modules -prune -o -path ./.git -prune -o -type f -print0
    fi | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh \
    | xargs -0 cp -p --parents -t "$CLONE")
  ln -s "$TEST_REPO/node_modules" "$CLONE/node_modules"
  DEMO_OUT=$OUTER/demo.out
  DEMO_PORT=$(free_port)
  export OUTER CLONE DEMO_OUT DEMO_PORT
  # A process group of its own (setsid), stopped as a whole as Ctrl-C would. -o: the linked
  # node_modules counts as installed, whatever the times say; `npm ci` here would empty the
  # repository's own node_modules through the link.
  DEMO_PORT=$DEMO_PORT setsid make -C "$CLONE" -o node_modules/.package-lock.json demo > "$DEMO_OUT" 2>&1 3>&- &
  DEMO_PID=$!
  echo "$DEMO_PID" > "$OUTER/demo.pid"
  WAIT_SECONDS=180 wait_until --alive "$DEMO_PID" "make demo to answer on port $DEMO_PORT" \
    curl -sS -o /dev/null --max-time 5 "http://127.0.0.1:$DEMO_PORT/" \
    || { cat "$DEMO_OUT" >&2; return 1; }
}

teardown_file() {
  local file pid
  # Each demo this file started (make demo, run.sh), should a test have failed before stopping it.
  for file in "$OUTER/demo.pid" "$OUTER/run.pid"; do
    pid=$(cat "$file" 2>/dev/null) || continue
    if process_alive "$pid"; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
  done
  rm -rf "$OUTER"
}

# The demo's state folder, from its banner's "logs:" line.
demo_state() { sed -n 's|^  logs:       \(/tmp/[^ ]*\)/log/ .*|\1|p' "$DEMO_OUT"; }
banner() { sed -n "s/^  $1: *//p" "$DEMO_OUT"; }
gone() { ! process_alive "$1"; }

teardown() {
  SERVER_LOG_FILES="$DEMO_OUT $(demo_state)/log/error.log $(demo_state)/log/cgi-error.log" server_logs_if_failed
}

@test "the clone's folder is one the server's user cannot enter" {
  assert_eq "$(stat -c %a "$OUTER")" 700 "the outer folder's mode"
  # As root lighttpd runs as www-data (not root: as this user, who can read the clone).
  if [ "$(id -u)" -eq 0 ]; then
    run setpriv --reuid=www-data --regid=www-data --clear-groups test -r "$CLONE/examples/demo/htdocs/index.cgi"
    assert_eq "$status" 1 "www-data reading the clone"
  fi
}

@test "the home page answers from outside the clone, logged out" {
  local url=http://127.0.0.1:$DEMO_PORT
  http_request "$url/"
  assert_eq "$http_status" 200 "status"
  assert_match "$http_body" '<nav><a href="/">Home</a> <a href="/members/">Members</a> <a href="/cgi-bin/login.cgi\?next=/">Log in</a></nav>' "nav"
  assert_match "$http_body" '<p id="status">You are not logged in\.</p>' "status line"
}

@test "logging in with the printed password opens the protected page and the members' area" {
  local url=http://127.0.0.1:$DEMO_PORT jar=$BATS_TEST_TMPDIR/jar user password
  user=$(banner user)
  password=$(banner password)
  assert_eq "$user" demo "the banner's user"
  assert_match "$password" '^[A-Za-z0-9_-]{12}$' "the banner's password"

  http_request -c "$jar" --data-urlencode "username=$user" --data-urlencode "password=$password" \
    --data-urlencode next=/members.pcgi "$url/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 "login status"
  assert_eq "$(http_header Location)" /members.pcgi "login Location"

  http_request -b "$jar" "$url/members.pcgi"
  assert_eq "$http_status" 200 "members.pcgi status"
  assert_match "$http_body" 'Hello, <strong class="user" id="user">demo</strong>' "members.pcgi body"

  http_request -b "$jar" -o /dev/null "$url/members/handbook.pdf"
  assert_eq "$http_status" 200 "handbook status"
  assert_eq "$(http_header Content-Type)" application/pdf "handbook type"
  assert_eq "$(http_header Content-Length)" "$(stat -c %s "$CLONE/examples/demo/htdocs/members/handbook.pdf")" "handbook length"

  http_request -b "$jar" "$url/"
  assert_match "$http_body" '<p id="status">You are logged in as <strong class="user">demo</strong>\.</p>' "home page status"
}

@test "the server reads and runs nothing inside the clone, and logs no error" {
  local state
  state=$(demo_state)
  assert_match "$state" '^/tmp/dbbasic-sessions-demo\.[A-Za-z0-9]+$' "the state folder"
  assert_eq "$(grep -c -F "$CLONE" "$state/lighttpd.conf")" 0 "lines naming the clone in the config"
  assert_eq "$(grep -c -F "$OUTER" "$state/lighttpd.conf")" 0 "lines naming the private folder in the config"
  assert_eq "$(cat "$state/log/cgi-error.log" 2>/dev/null)" "" "the programs' stderr"
}

@test "stopping the demo stops lighttpd and removes its state folder" {
  local pid state lighttpd
  pid=$(cat "$OUTER/demo.pid")
  state=$(demo_state)
  lighttpd=$(pgrep -f -- "-f $state/lighttpd.conf")
  assert_match "$lighttpd" '^[0-9]+$' "lighttpd's PID"
  kill -INT -- "-$pid"
  wait_until "make demo to stop" gone "$pid"
  wait_until "lighttpd to stop" gone "$lighttpd"
  [ ! -e "$state" ] || { echo "$state is still there" >&2; return 1; }
}

@test "a node the server's user cannot run, inside the clone, is run from a copy next to the site" {
  local node_dir=$CLONE/node_modules/node20/bin out=$BATS_TEST_TMPDIR/out port state pid url jar=$BATS_TEST_TMPDIR/jar
  port=$(free_port)
  url=http://127.0.0.1:$port
  PATH=$node_dir:$PATH DEMO_PORT=$port DEMO_PASSWORD=pw-demo setsid bash "$CLONE/examples/demo/run.sh" > "$out" 2>&1 3>&- &
  pid=$!
  echo "$pid" > "$OUTER/run.pid"
  WAIT_SECONDS=120 wait_until --alive "$pid" "run.sh to answer on port $port" curl -sS -o /dev/null --max-time 5 "$url/" \
    || { cat "$out" >&2; return 1; }
  state=$(sed -n 's|^  logs:       \(/tmp/[^ ]*\)/log/ .*|\1|p' "$out")
  if [ "$(id -u)" -eq 0 ]; then
    cmp "$node_dir/node" "$state/site/node/bin/node"
    assert_eq "$(grep -c -F "\"PATH\" => \"$state/site/bin:$state/site/node/bin:" "$state/lighttpd.conf")" 1 "the programs' PATH"
  else
    assert_eq "$(grep -c -F "\"PATH\" => \"$state/site/bin:$node_dir:" "$state/lighttpd.conf")" 1 "the programs' PATH"
  fi
  # index.cgi's dbbasic-sessions, login.cgi and gate.cgi all run on that node.
  http_request "$url/"
  assert_eq "$http_status" 200 "home page status"
  http_request -c "$jar" --data-urlencode username=demo --data-urlencode password=pw-demo \
    --data-urlencode next=/members.pcgi "$url/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 "login status"
  http_request -b "$jar" "$url/members.pcgi"
  assert_eq "$http_status" 200 "members.pcgi status"
  assert_eq "$(cat "$state/log/cgi-error.log" 2>/dev/null)" "" "the programs' stderr"

  # A key that cannot be used makes the home page a 500, never everyone logged out.
  printf 'short\n' > "$state/session.key"
  http_request "$url/"
  assert_eq "$http_status" 500 "home page status with a bad key"
  assert_eq "$http_body" $'server error\n' "home page body with a bad key"
  server_log_has() { grep -q 'index.cgi: dbbasic-sessions verify failed' "$state/log/cgi-error.log"; }
  wait_until "index.cgi's line in the CGI error log" server_log_has
  kill -INT -- "-$pid"
  wait_until "run.sh to stop" gone "$pid"
  [ ! -e "$state" ] || { echo "$state is still there" >&2; return 1; }
}
