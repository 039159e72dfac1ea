#!/usr/bin/env bats
# `make demo` (examples/demo/run.sh) checks its port before it writes anything: a second
# demo on a taken port refuses in one line naming the port and DEMO_PORT, and leaves the
# running demo's passwords, key, config and site as they were.

load ../../helpers/servers

RUN_SH=$TEST_REPO/examples/demo/run.sh

setup() {
  LISTENER_PID=
  DEMO_PID=
  STATE_DIR=
}

teardown() {
  server_logs_if_failed
  if [ -n "$LISTENER_PID" ]; then kill -TERM "$LISTENER_PID" 2>/dev/null || true; fi
  if [ -n "$DEMO_PID" ] && process_alive "$DEMO_PID"; then
    kill -INT -- "-$DEMO_PID" 2>/dev/null || true
    wait_until "the first demo to stop" gone "$DEMO_PID" || kill -KILL -- "-$DEMO_PID" 2>/dev/null || true
  fi
  if [ -n "$STATE_DIR" ]; then rm -rf "$STATE_DIR"; fi
}

gone() { ! process_alive "$1"; }

# Every file under FOLDER with its size, mode, time and content hash: what "not touched" compares.
# Not the running server's own writes: its logs and Node's compile cache.
snapshot() { (cd "$1" && find . -path ./log -prune -o -path ./compile-cache -prune -o -type f -print0 | sort -z | xargs -0 -r sh -c 'for f; do printf "%s %s %s\n" "$f" "$(stat -c "%s %a %Y" "$f")" "$(sha256sum < "$f")"; done' sh); }

refusal() { echo "run.sh: port $1 is already in use (another make demo?): stop it, or choose another port, e.g. DEMO_PORT=$(($1 + 1)) make demo"; }

@test "a port another program listens on is refused in one line, before anything is written" {
  local port state=$BATS_TEST_TMPDIR/state
  port=$(free_port)
  /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(600)' "$port" 3>&- &
  LISTENER_PID=$!
  wait_until --alive "$LISTENER_PID" "port $port to be taken" bash -c "exec 9<>/dev/tcp/127.0.0.1/$port"

  run --separate-stderr env DEMO_PORT="$port" DEMO_STATE="$state" bash "$RUN_SH"
  assert_eq "$status" 1 "exit status"
  assert_eq "$stderr" "$(refusal "$port")" "stderr"
  assert_eq "$output" "" "stdout (no banner, no passwords)"
  [ ! -e "$state" ] || { echo "run.sh created $state" >&2; ls -la "$state" >&2; return 1; }
}

@test "a second demo on the running demo's port leaves its passwords, key, config and site untouched" {
  local port state out=$BATS_TEST_TMPDIR/first.out before jar=$BATS_TEST_TMPDIR/jar
  port=$(free_port)
  # Not under BATS_TEST_TMPDIR: www-data must be able to enter it (run.sh checks).
  STATE_DIR=$(mktemp -d /tmp/dbs-demo-state-XXXXXX)
  state=$STATE_DIR
  DEMO_PORT=$port DEMO_STATE=$state DEMO_PASSWORD=first-pw setsid bash "$RUN_SH" > "$out" 2>&1 3>&- &
  DEMO_PID=$!
  WAIT_SECONDS=120 wait_until --alive "$DEMO_PID" "the first demo on port $port" \
    curl -sS -o /dev/null --max-time 5 "http://127.0.0.1:$port/" || { cat "$out" >&2; return 1; }
  before=$(snapshot "$state")
  assert_match "$before" '\./htpasswd ' "the first demo's htpasswd"

  run --separate-stderr env DEMO_PORT="$port" DEMO_STATE="$state" DEMO_PASSWORD=second-pw bash "$RUN_SH"
  assert_eq "$status" 1 "exit status"
  assert_eq "$stderr" "$(refusal "$port")" "stderr"
  assert_eq "$output" "" "stdout (no banner, no passwords)"
  assert_eq "$(snapshot "$state")" "$before" "the state folder"

  # The first demo still takes its own password.
  http_request -c "$jar" --data-urlencode username=demo --data-urlencode password=first-pw \
    --data-urlencode next=/ "http://127.0.0.1:$port/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 "login to the first demo"
}

@test "a DEMO_PORT that is not a port number is refused in one line" {
  run --separate-stderr env DEMO_PORT=80x DEMO_STATE="$BATS_TEST_TMPDIR/state" bash "$RUN_SH"
  assert_eq "$status" 1 "exit status"
  assert_eq "$stderr" 'run.sh: DEMO_PORT must be a port number (1 to 65535), not "80x"' "stderr"
  [ ! -e "$BATS_TEST_TMPDIR/state" ]
}
