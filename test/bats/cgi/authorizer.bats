#!/usr/bin/env bats
# authorizer.fcgi as a process (docs/authorizer.md),
# spoken to by a real FastCGI client (test/helpers/fcgi-client.mjs) over a
# real socket: started with a listening socket on fd 0 (as lighttpd and a
# systemd socket unit start it) or with --listen; run by mistake as a CGI
# program; picking up changed files without a restart; and bad input.

load ../../helpers/cgi

CLIENT=$TEST_REPO/test/helpers/fcgi-client.mjs

setup_file() {
  export ETC=$BATS_FILE_TMPDIR/etc
  mkdir -p "$ETC"
  printf '%s\n' "$CGI_KEY" > "$ETC/key"
  chmod 600 "$ETC/key"
}

setup() {
  htpasswd -cbB -C 4 "$BATS_TEST_TMPDIR/htpasswd" alice alice-pass 2>/dev/null
  htpasswd -bB -C 4 "$BATS_TEST_TMPDIR/htpasswd" bob bob-pass 2>/dev/null
  printf 'staff: alice\n' > "$BATS_TEST_TMPDIR/groups"
  : > "$BATS_TEST_TMPDIR/revoked"
  SOCK=$BATS_TEST_TMPDIR/auth.sock
  LOG=$BATS_TEST_TMPDIR/auth.log
  : > "$LOG"
}

teardown() {
  [ -z "${AUTH_PID:-}" ] || { kill "$AUTH_PID" 2>/dev/null; wait "$AUTH_PID" 2>/dev/null || true; }
}

# auth_start [VAR=VALUE…] — the authorizer on a listening Unix socket given as fd 0
# (what lighttpd's "bin-path" does), with the test's files as its environment;
# AUTH_WRAP, when set, is a command put before node (e.g. prlimit).
auth_start() {
  : > "$LOG"
  /usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(128)
os.dup2(s.fileno(), 0)
s.close()
os.execvp(sys.argv[2], sys.argv[2:])' "$SOCK" env -i PATH="$PATH" SECRET_KEY_FILE="$ETC/key" \
    HTPASSWD_FILE="$BATS_TEST_TMPDIR/htpasswd" SESSION_REVOKED_FILE="$BATS_TEST_TMPDIR/revoked" "$@" \
    ${AUTH_WRAP:-} node "$TEST_REPO/cgi-bin/authorizer.fcgi" 2>> "$LOG" 3>&- &
  AUTH_PID=$!
  wait_until "the authorizer's socket" test -S "$SOCK"
  # Its one line on start (docs/authorizer.md); then the log starts empty.
  wait_until "the authorizer's start line" grep -q '^authorizer\.fcgi: listening on ' "$LOG"
  if [ $# -eq 0 ]; then
    assert_eq "$(cat "$LOG")" "authorizer.fcgi: listening on the socket the server passed on fd 0; reads SECRET_KEY_FILE \"$ETC/key\", HTPASSWD_FILE \"$BATS_TEST_TMPDIR/htpasswd\", SESSION_REVOKED_FILE \"$BATS_TEST_TMPDIR/revoked\"" "the start line"
  else
    assert_match "$(cat "$LOG")" '^authorizer\.fcgi: listening on the socket the server passed on fd 0; reads SECRET_KEY_FILE "[^"]*"' "the start line"
  fi
  : > "$LOG"
}

# ask [NAME=VALUE…] — one GET of /private/a.pdf?x=1 (the given params win); sets
# status (the Status code), response (the whole STDOUT text) and end (the last line).
ask() {
  run node "$CLIENT" request "$SOCK" REQUEST_METHOD=GET "REQUEST_URI=/private/a.pdf?x=1" REMOTE_ADDR=192.0.2.7 "$@"
  [ "$status" -eq 0 ] || { echo "client failed: $output" >&2; return 1; }
  response=$output
  end=${lines[-1]}
  status=$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' <<<"$response" | tr -d '\r')
}

cookie() { echo "HTTP_COOKIE=session=$(cgi_token "$1")"; }

# ask_within_1s STATUS [NAME=VALUE…] — asks again (short waits) until the answer's status is
# STATUS, which must happen within 1 s of the call: the bound on how soon a changed file counts.
ask_within_1s() {
  local want=$1 start
  shift
  start=$(date +%s%N)
  while :; do
    ask "$@"
    [ "$status" != "$want" ] || return 0
    [ $(($(date +%s%N) - start)) -lt 1000000000 ] || { echo "status $status, not $want, 1 s after the change" >&2; return 1; }
    sleep 0.02
  done
}

@test "run as a CGI program, it answers 500 and logs how to configure it, once" {
  cgi_run authorizer.fcgi
  assert_eq "$cgi_status" 500 status
  assert_eq "$cgi_body" $'Internal Server Error\n' body
  assert_eq "$cgi_stderr_lines" 1 "log lines"
  assert_match "$cgi_stderr" '^authorizer\.fcgi: started as a CGI program \(GATEWAY_INTERFACE is set\): it is a FastCGI authorizer, not a CGI program: lighttpd starts it from fastcgi\.server with "mode" => "authorizer"'
  assert_match "$cgi_stderr" 'AuthnzFcgiDefineProvider'
  # Without GATEWAY_INTERFACE, a stdin that is not a socket says the same.
  cgi_run authorizer.fcgi --unset GATEWAY_INTERFACE
  assert_eq "$cgi_status" 500 status
  assert_match "$cgi_stderr" '^authorizer\.fcgi: started as a CGI program \(fd 0 is not a socket\)'
}

@test "a live session passes with Variable-REMOTE_USER and Variable-AUTH_TYPE, nothing else" {
  auth_start
  ask "$(cookie alice)"
  assert_eq "$response" $'Status: 200 OK\r\nVariable-REMOTE_USER: alice\r\nVariable-AUTH_TYPE: Cookie\r\n\r\nEND app=0 protocol=0'
}

@test "no session: GET and HEAD are sent to the login page, other methods get 401" {
  auth_start
  ask
  assert_eq "$status" 303 status
  assert_match "$response" $'\r\nLocation: /cgi-bin/login\\.cgi\\?next=%2Fprivate%2Fa\\.pdf%3Fx%3D1\r\n'
  ask REQUEST_METHOD=HEAD "HTTP_COOKIE=session=tampered.0000"
  assert_eq "$status" 303 status
  ask REQUEST_METHOD=POST
  assert_eq "$status" 401 status
  assert_eq "$(cat "$LOG")" "authorizer.fcgi: invalid session cookie from 192.0.2.7" "log"
}

@test "a live session the rules refuse gets 403 with the page naming the user, and one log line" {
  auth_start
  ask "$(cookie bob)" "SESSION_REQUIRE=group staff" "HTGROUP_FILE=$BATS_TEST_TMPDIR/groups"
  assert_eq "$status" 403 status
  assert_match "$response" 'You are logged in as <strong>bob</strong>, and this page is not open to you\.'
  assert_eq "$(cat "$LOG")" 'authorizer.fcgi: user "bob" may not access /private/a.pdf?x=1 from 192.0.2.7' "log"
  ask "$(cookie alice)" "SESSION_REQUIRE=group staff" "HTGROUP_FILE=$BATS_TEST_TMPDIR/groups"
  assert_eq "$status" 200 status
}

@test "settings from its environment apply when the server passes none; the server's win" {
  auth_start "SESSION_REQUIRE=user bob"
  ask "$(cookie alice)"
  assert_eq "$status" 403 "process default refuses alice"
  ask "$(cookie alice)" "SESSION_REQUIRE=user alice"
  assert_eq "$status" 200 "the request's rule lets alice in"
}

@test "a removed user, a revoked user, a new group and a new key take effect within 1 s, without a restart" {
  auth_start
  # alice's session is made before the revocation: one made after it (a second later) is live.
  local alice
  alice=$(cookie alice)
  ask "$alice"
  assert_eq "$status" 200 "alice before"
  ask "$(cookie bob)"
  assert_eq "$status" 200 "bob before"
  htpasswd -D "$BATS_TEST_TMPDIR/htpasswd" bob 2>/dev/null
  ask_within_1s 303 "$(cookie bob)"
  SESSION_REVOKED_FILE=$BATS_TEST_TMPDIR/revoked cli revoke alice > /dev/null
  ask_within_1s 303 "$alice"
  grep -qx 'authorizer.fcgi: session of user "bob" refused: its user is not in HTPASSWD_FILE (from 192.0.2.7)' "$LOG"
  grep -qx 'authorizer.fcgi: session of user "alice" refused: it was revoked (from 192.0.2.7)' "$LOG"
  # A group file edited in place, same size: carol joins, alice leaves.
  printf 'staff: carol\n' > "$BATS_TEST_TMPDIR/groups"
  htpasswd -bB -C 4 "$BATS_TEST_TMPDIR/htpasswd" carol carol-pass 2>/dev/null
  ask_within_1s 200 "$(cookie carol)" "SESSION_REQUIRE=group staff" "HTGROUP_FILE=$BATS_TEST_TMPDIR/groups"
  # A new key: sessions under the old one are out, new ones are in.
  local old new_key
  old=$(cookie carol)
  new_key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$new_key" > "$ETC/key.new" && chmod 600 "$ETC/key.new" && mv "$ETC/key.new" "$ETC/key"
  ask_within_1s 303 "$old"
  ask "HTTP_COOKIE=session=$(SECRET_KEY=$new_key cli create carol)"
  assert_eq "$status" 200 "new key's session"
  printf '%s\n' "$CGI_KEY" > "$ETC/key"
}

@test "lines of the revocation file that do not parse are logged once, not at every request" {
  printf 'not a revocation\n' > "$BATS_TEST_TMPDIR/revoked"
  auth_start
  ask "$(cookie alice)"
  assert_eq "$status" 200 "first request"
  ask "$(cookie bob)"
  assert_eq "$status" 200 "second request"
  assert_eq "$(cat "$LOG")" "authorizer.fcgi: SESSION_REVOKED_FILE \"$BATS_TEST_TMPDIR/revoked\": ignored 1 line that do not parse (line 1)" log
}

@test "an internal failure is a refusal: 500 with one log line, never 200" {
  auth_start SECRET_KEY_FILE="$ETC/missing.key"
  ask "$(cookie alice)"
  assert_eq "$status" 500 status
  assert_eq "$(cat "$LOG")" "authorizer.fcgi: SECRET_KEY_FILE \"$ETC/missing.key\" cannot be read (ENOENT); generate one with \`dbbasic-sessions keygen\` or \`openssl rand -hex 32\` and store it there" log
  kill "$AUTH_PID" && wait "$AUTH_PID" 2>/dev/null || true
  rm -f "$SOCK"
  auth_start
  ask "$(cookie alice)" "SESSION_REQUIRE=anyone at all"
  assert_eq "$status" 500 "malformed rule"
  assert_eq "$(cat "$LOG")" 'authorizer.fcgi: SESSION_REQUIRE has "anyone at all": use "valid-user", "user NAME ..." or "group NAME ...", several separated by ";"' log
}

@test "as a service (the key in its own environment), a request cannot name another key nor a file to show" {
  auth_start
  local mine
  mine=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  ask "SECRET_KEY=$mine" "SECRET_KEY_FILE=" "HTTP_COOKIE=session=$(SECRET_KEY=$mine cli create alice)"
  assert_eq "$status" 303 "a session signed with the request's own key"
  ask "$(cookie alice)" "SECRET_KEY=$mine"
  assert_eq "$status" 200 "the real key still applies"
  # A 403 page "template" naming the key file: the built-in page, never the file.
  ask "$(cookie bob)" "SESSION_REQUIRE=user nobody" "FORBIDDEN_TEMPLATE=$ETC/key" "REDIRECT_FORBIDDEN_TEMPLATE=$ETC/key"
  assert_eq "$status" 403 status
  assert_match "$response" 'You are logged in as <strong>bob</strong>'
  [[ $response != *"$CGI_KEY"* ]]
}

@test "out of file descriptors: connections it cannot take are closed at once, and it answers again once the others close" {
  # At most 64 open files: 200 silent connections exhaust them (accept() fails with EMFILE).
  AUTH_WRAP="prlimit --nofile=64:64" auth_start
  run node "$CLIENT" hold "$SOCK" 200 2
  assert_match "$output" '^held=[0-9]+$'
  ask "$(cookie alice)"
  assert_eq "$status" 200 "after the connections closed"
  process_alive "$AUTH_PID"
  # libuv closes what it cannot accept; the silent peers that were accepted left mid-request:
  # at most five lines about them.
  [ "$(wc -l < "$LOG")" -le 5 ] || { cat "$LOG" >&2; false; }
}

@test "--listen HOST:PORT listens there; a bad --listen is refused with one line" {
  local port
  port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  env -i PATH="$PATH" SECRET_KEY_FILE="$ETC/key" node "$TEST_REPO/cgi-bin/authorizer.fcgi" --listen "127.0.0.1:$port" 2> "$LOG" 3>&- &
  AUTH_PID=$!
  wait_until "the authorizer on port $port" node "$CLIENT" request "127.0.0.1:$port" REQUEST_METHOD=GET REQUEST_URI=/
  SOCK=127.0.0.1:$port
  ask "$(cookie alice)"
  assert_eq "$status" 200 status
  assert_eq "$(cat "$LOG")" "authorizer.fcgi: listening on 127.0.0.1:$port; reads SECRET_KEY_FILE \"$ETC/key\"" "the start line, and nothing else"
  run node "$TEST_REPO/cgi-bin/authorizer.fcgi" --listen nowhere
  assert_eq "$status" 2 "exit status"
  assert_eq "$output" 'authorizer.fcgi: --listen "nowhere": give HOST:PORT (e.g. 127.0.0.1:9000) or an absolute socket path' output
}

@test "started by systemd socket activation (LISTEN_FDS=1, the socket on fd 3) it answers there; two sockets are refused with one line" {
  # systemd-socket-activate passes sockets as systemd does for a .socket unit (sd_listen_fds(3)),
  # and of the environment only what -E names, as a unit's Environment= lines.
  systemd-socket-activate -l "$SOCK" -E PATH="$PATH" -E SECRET_KEY_FILE="$ETC/key" node "$TEST_REPO/cgi-bin/authorizer.fcgi" \
    < /dev/null 2> "$LOG" 3>&- &
  AUTH_PID=$!
  wait_until "the authorizer on $SOCK" node "$CLIENT" request "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/
  ask "$(cookie alice)"
  assert_eq "$response" $'Status: 200 OK\r\nVariable-REMOTE_USER: alice\r\nVariable-AUTH_TYPE: Cookie\r\n\r\nEND app=0 protocol=0'
  ask
  assert_eq "$status" 303 "a stranger"
  assert_eq "$(grep '^authorizer\.fcgi:' "$LOG")" "authorizer.fcgi: listening on the socket systemd passed on fd 3; reads SECRET_KEY_FILE \"$ETC/key\"" "the start line, and nothing else"
  # systemd-socket-activate starts the program at the first connection.
  local two=$BATS_TEST_TMPDIR/two.log pid code=0
  systemd-socket-activate -l "$BATS_TEST_TMPDIR/one.sock" -l "$BATS_TEST_TMPDIR/two.sock" -E PATH="$PATH" -E SECRET_KEY_FILE="$ETC/key" \
    node "$TEST_REPO/cgi-bin/authorizer.fcgi" < /dev/null 2> "$two" 3>&- &
  pid=$!
  wait_until "the two sockets" test -S "$BATS_TEST_TMPDIR/one.sock"
  node "$CLIENT" request "$BATS_TEST_TMPDIR/one.sock" REQUEST_METHOD=GET REQUEST_URI=/ > /dev/null 2>&1 || true
  wait "$pid" || code=$?
  assert_eq "$code" 2 "exit status"
  assert_eq "$(grep '^authorizer\.fcgi:' "$two")" "authorizer.fcgi: systemd passed other than one socket (LISTEN_FDS): give the service exactly one ListenStream" "the one log line"
}

@test "bad input: HTTP on the socket, malformed pairs, oversized params, 2 000 dropped connections; it keeps answering" {
  auth_start
  # An HTTP request instead of FastCGI: dropped, no answer.
  run node "$CLIENT" raw "$SOCK" "$(printf 'GET / HTTP/1.0\r\n\r\n' | od -An -tx1 | tr -d ' \n')"
  assert_eq "$output" CLOSED "HTTP on the socket"
  # BEGIN_REQUEST (authorizer), then a PARAMS record whose pair is longer than the record: 500.
  run node "$CLIENT" raw "$SOCK" 01010001000800000002000000000000010400010003050005014100000000000104000100000000
  assert_match "${lines[0]}" '^type=6 id=1 content="Status: 500 Internal Server Error' "malformed pairs"
  assert_eq "${lines[-1]}" CLOSED
  # 200 KB of headers: over the 128 KiB cap, answered 431 without being read.
  local big
  big=$(head -c 100000 /dev/zero | tr '\0' a)
  ask "$(cookie alice)" "HTTP_X_BIG1=$big" "HTTP_X_BIG2=$big"
  assert_eq "$status" 431 "oversized params"
  run node "$CLIENT" drop "$SOCK" 2000
  assert_eq "$output" dropped=2000
  ask "$(cookie alice)"
  assert_eq "$status" 200 "still answering"
  process_alive "$AUTH_PID"
  # One line per bad connection, at most 5 in 10 s: 2 000 dropped peers cannot flood the log.
  assert_eq "$(grep -c 'malformed FastCGI input' "$LOG")" 2 "malformed-input lines"
  grep -qx 'authorizer.fcgi: FastCGI params of request 1 over the 131072-byte limit: answered 431' "$LOG"
  [ "$(wc -l < "$LOG")" -le 5 ] || { cat "$LOG" >&2; false; }
}

# svc_start [VAR=VALUE…] — the authorizer as a service on a free TCP port of 127.0.0.1
# (Apache's mode: `authorizer.fcgi --listen 127.0.0.1:PORT`); sets SOCK to HOST:PORT.
svc_start() {
  local port
  port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  env -i PATH="$PATH" SECRET_KEY_FILE="$ETC/key" HTPASSWD_FILE="$BATS_TEST_TMPDIR/htpasswd" "$@" \
    node --max-semi-space-size=1 "$TEST_REPO/cgi-bin/authorizer.fcgi" --listen "127.0.0.1:$port" 2> "$LOG" 3>&- &
  AUTH_PID=$!
  SOCK=127.0.0.1:$port
  wait_until "the authorizer on port $port" node "$CLIENT" request "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/
}

# as_nobody COMMAND… — runs COMMAND as user nobody when the tests run as root (any local
# process can connect to a TCP port), with the FastCGI client copied where nobody can read it.
as_nobody() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
  else
    "$@"
  fi
}

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"; }
peak_rss_kb() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"; }

@test "a flood of management records from a peer that never reads the answers: memory stays bounded, other clients keep their answers" {
  svc_start
  local pub before peak flood_pid flood2_pid
  pub=$(mktemp -d /tmp/dbs-flood-XXXXXX)
  chmod 755 "$pub"
  cp "$CLIENT" "$pub/fcgi-client.mjs"
  chmod 644 "$pub/fcgi-client.mjs"
  ask "$(cookie alice)"
  assert_eq "$status" 200 "before the flood"
  before=$(rss_kb "$AUTH_PID")
  # Two connections, 48 MB each, as nobody; before the fix the service grew by ~1.4 GB for 48 MB.
  as_nobody node "$pub/fcgi-client.mjs" flood "$SOCK" 48 8 > "$BATS_TEST_TMPDIR/flood1" 3>&- &
  flood_pid=$!
  as_nobody node "$pub/fcgi-client.mjs" flood "$SOCK" 48 8 > "$BATS_TEST_TMPDIR/flood2" 3>&- &
  flood2_pid=$!
  wait_until "the floods" grep -q started "$BATS_TEST_TMPDIR/flood1" "$BATS_TEST_TMPDIR/flood2"
  # While they run: 300 requests from another client, each with its exact answer.
  run node "$CLIENT" load "$SOCK" 300 4 200 REQUEST_METHOD=GET REQUEST_URI=/x "$(cookie alice)"
  assert_match "$output" '^sent=300 ok=300 errors=0 '
  process_alive "$flood_pid" # the requests were answered during the flood, not after it
  wait "$flood_pid" "$flood2_pid"
  rm -rf "$pub"
  peak=$(peak_rss_kb "$AUTH_PID")
  # The bound: at most 16 KiB of unread answers and one 64 KiB chunk per connection;
  # the heap's growth for the load above included (Node 24 keeps ≈ 32 MB more of it than
  # Node 20 and 22), the peak stays within 48 MB of the start.
  [ $((peak - before)) -lt 49152 ] || { echo "RSS before ${before} kB, peak ${peak} kB" >&2; false; }
  assert_match "$(cat "$BATS_TEST_TMPDIR/flood1")" $'^started\nflooded=[0-9]+ closed=(yes|no)$'
  ask "$(cookie alice)"
  assert_eq "$status" 200 "after the flood"
}

@test "a peer trickling a request a byte at a time is dropped at the whole-request deadline; beyond AUTHORIZER_MAX_CONNECTIONS new connections are closed at once" {
  svc_start AUTHORIZER_REQUEST_TIMEOUT=0.5 AUTHORIZER_IDLE_TIMEOUT=5
  # One byte every 100 ms: never silent for the idle deadline (5 s), dropped at the request's (0.5 s).
  run node "$CLIENT" trickle "$SOCK" 100 5
  assert_eq "$output" CLOSED "the trickling peer"
  grep -qx 'authorizer.fcgi: FastCGI peer did not complete a request within 500 ms: connection dropped' "$LOG"
  ask "$(cookie alice)"
  assert_eq "$status" 200 "others still answered"
  kill "$AUTH_PID" && wait "$AUTH_PID" 2>/dev/null || true
  svc_start AUTHORIZER_MAX_CONNECTIONS=3
  # Three silent connections held: a fourth is closed at once, unanswered.
  node "$CLIENT" hold "$SOCK" 3 3 > /dev/null 3>&- &
  local hold_pid=$!
  wait_until "three connections" sh -c "ss -Htn state established '( sport = :${SOCK##*:} )' | wc -l | grep -qx 3"
  ask "$(cookie alice)"
  assert_eq "$response" CLOSED "the fourth connection"
  wait "$hold_pid"
  ask "$(cookie alice)"
  assert_eq "$status" 200 "once they closed"
  grep -qx 'authorizer.fcgi: 3 FastCGI connections open, the most allowed: a new one was closed at once' "$LOG"
  # A malformed limit is refused with one line.
  run env -i PATH="$PATH" AUTHORIZER_REQUEST_TIMEOUT=soon node "$TEST_REPO/cgi-bin/authorizer.fcgi" --listen 127.0.0.1:1
  assert_eq "$status" 2 "exit status"
  assert_eq "$output" 'authorizer.fcgi: AUTHORIZER_REQUEST_TIMEOUT must be a number of seconds greater than 0 (e.g. 10)' output
}

@test "1 000 bogus cookies: at most 10 lines about them in the error log" {
  svc_start
  run node "$CLIENT" load "$SOCK" 1000 8 303 REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=192.0.2.7 "HTTP_COOKIE=session=bogus.0000"
  assert_match "$output" '^sent=1000 ok=1000 errors=0 '
  # The count of the rest is logged when the 10-second window ends (its exact line: test/unit/fcgi-authorizer.test.ts).
  assert_eq "$(grep -c '^authorizer\.fcgi: invalid session cookie from 192\.0\.2\.7$' "$LOG")" 10 "lines about bogus cookies"
  [ "$(wc -l < "$LOG")" -le 11 ] || { cat "$LOG" >&2; false; }
}

@test "checked by hand with a real FastCGI client (cgi-fcgi, a responder): 500 with the decision it would make, one log line" {
  local port
  port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  env -i PATH="$PATH" SECRET_KEY_FILE="$ETC/key" node "$TEST_REPO/cgi-bin/authorizer.fcgi" --listen "127.0.0.1:$port" 2>> "$LOG" 3>&- &
  AUTH_PID=$!
  wait_until "the authorizer's start line" grep -q '^authorizer\.fcgi: listening on ' "$LOG"
  # docs: env REQUEST_METHOD=GET REQUEST_URI=/private/ HTTP_COOKIE=… cgi-fcgi -bind -connect 127.0.0.1:9010
  run env -i REQUEST_METHOD=GET REQUEST_URI=/private/ "HTTP_COOKIE=session=$(cgi_token alice)" cgi-fcgi -bind -connect "127.0.0.1:$port"
  assert_eq "$status" 0 "cgi-fcgi's exit status"
  assert_eq "$output" $'Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nauthorizer.fcgi answers the FastCGI authorizer role; this was a responder request. As an authorizer it would answer:\nStatus: 200 OK\nVariable-REMOTE_USER: alice\nVariable-AUTH_TYPE: Cookie' "alice's check"
  run env -i REQUEST_METHOD=GET REQUEST_URI=/private/ cgi-fcgi -bind -connect "127.0.0.1:$port"
  assert_eq "$status" 0 "cgi-fcgi's exit status"
  assert_match "$output" $'As an authorizer it would answer:\nStatus: 303 See Other\n' "a stranger's check"
  assert_match "$output" $'\nLocation: /cgi-bin/login\.cgi[?]next=%2Fprivate%2F$' "a stranger's check"
  assert_eq "$(cat "$LOG")" "authorizer.fcgi: listening on 127.0.0.1:$port; reads SECRET_KEY_FILE \"$ETC/key\"
authorizer.fcgi: answered a FastCGI responder request with 500 and its decision (cgi-fcgi by hand; a server must say \"mode\" => \"authorizer\")" log
}
