#!/usr/bin/env bats
# fail2ban (docs/operations.md, "Banning password guessers (fail2ban)"): examples/fail2ban/filter.d/dbbasic-sessions.conf tested
# with fail2ban-regex against the REAL error logs of a real lighttpd and a real
# Apache, after failed logins made with curl, including user names and a
# Referer built to make the filter ban someone else; then the jail example is
# loaded by fail2ban-client, and run by a real fail2ban-server that bans
# 127.0.0.1 (with fail2ban's "dummy" action: it writes the ban to a file and
# touches no firewall).

load ../../helpers/servers
load ../../helpers/log-lines

FILTER=$TEST_REPO/examples/fail2ban/filter.d/dbbasic-sessions.conf
JAIL=$TEST_REPO/examples/fail2ban/jail.d/dbbasic-sessions.conf

setup_file() {
  site_init
  site_add_user ann ann-pass -B
  site_add_user plain plain-pass -p # a hash type login.cgi refuses
  start_lighttpd lighttpd
  start_apache apache
}

teardown_file() {
  [ ! -s "$BATS_FILE_TMPDIR/f2b/pid" ] || kill "$(cat "$BATS_FILE_TMPDIR/f2b/pid")" 2>/dev/null || true
  stop_servers
}

# The failed logins every server gets: 8 of them, and 3 requests that log
# something else or nothing (a good login, two forged cookies).
FAILURES=8
failed_logins() { # NAME
  local url
  url=$(server_url "$1")
  post() { curl -s -o /dev/null "$@" "$url/cgi-bin/login.cgi"; }
  post -d 'username=ann&password=wrong-1'
  post -d 'username=ann&password=ann-pass' # succeeds: no line
  post -d 'username=ann&password=wrong-2'
  post -d 'username=mallory&password=x'
  post --data-urlencode 'username=" from 6.6.6.6' -d 'password=x'
  post --data-urlencode 'username=\" from 6.6.6.6 \\' -d 'password=x'
  post --data-urlencode $'username=a\nlogin.cgi: login failed for user "x" from 6.6.6.6' -d 'password=x'
  post -d 'username=plain&password=plain-pass'
  curl -s -o /dev/null -H 'Cookie: session=forged' "$url/cgi-bin/whoami.cgi"
  curl -s -o /dev/null -H 'Cookie: session=forged.too' "$url/cgi-bin/whoami.cgi"
  post -H 'Referer: http://x/" from 6.6.6.6' -d 'username=ann&password=wrong-3'
}

# f2b_regex LOG [OUT] — fail2ban-regex with our filter (-o OUT: print that field of each match).
f2b_regex() {
  fail2ban-regex ${2:+-o "$2"} "$1" "$FILTER"
}

@test "the lighttpd filter matches each failed login in lighttpd's CGI error log, always banning the real client address" {
  failed_logins lighttpd
  local log=$SITE/srv/lighttpd/log/cgi-error.log
  wait_log_lines "$log" 'login failed' "$FAILURES"
  assert_eq "$(grep -c 'login failed' "$log")" "$FAILURES" "failure lines written by login.cgi"
  run -0 f2b_regex "$log" ip
  assert_eq "$output" "$(printf '127.0.0.1\n%.0s' $(seq "$FAILURES"))" "addresses found"
  run -0 f2b_regex "$log" user
  assert_eq "$output" 'ann
ann
mallory
\" from 6.6.6.6
\\\" from 6.6.6.6 \\\\
a\nlogin.cgi: login failed for user \"x\" from 6.6.6.6
plain
ann' "user names found"
  run -0 f2b_regex "$log"
  assert_match "$output" "Lines: $((FAILURES + 2)) lines, 0 ignored, $FAILURES matched, 2 missed" summary
}

@test "the apache filter matches each failed login in Apache's error log, always banning the real client address" {
  failed_logins apache
  local log=$SITE/srv/apache/log/error.log total
  wait_log_lines "$log" 'login failed' "$FAILURES"
  assert_eq "$(grep -c 'login failed' "$log")" "$FAILURES" "failure lines written by login.cgi"
  run -0 f2b_regex "$log" ip
  assert_eq "$output" "$(printf '127.0.0.1\n%.0s' $(seq "$FAILURES"))" "addresses found"
  run -0 f2b_regex "$log" user
  assert_eq "$output" 'ann
ann
mallory
\\" from 6.6.6.6
\\\\\\" from 6.6.6.6 \\\\\\\\
a\\nlogin.cgi: login failed for user \\"x\\" from 6.6.6.6
plain
ann' "user names found"
  total=$(wc -l < "$log")
  run -0 f2b_regex "$log"
  assert_match "$output" "Lines: $total lines, 0 ignored, $FAILURES matched, $((total - FAILURES)) missed" summary
}

@test "a failure line counts only as login.cgi's: at the start of a line, or in Apache's prefixed line for login.cgi's stderr" {
  local log=$BATS_TEST_TMPDIR/mixed.log
  printf '%s\n' \
    '[Mon Nov 30 12:00:00.000000 2026] [cgi:error] [pid 7] [client 198.51.100.4:5] AH01215: stderr from /x/other.cgi: login.cgi: login failed for user "x" from 6.6.6.6' \
    ' login.cgi: login failed for user "x" from 6.6.6.6' \
    'login.cgi: login failed for user "x" from 203.0.113.9' > "$log"
  run -0 f2b_regex "$log" ip
  assert_eq "$output" 203.0.113.9 "the only address found"
}

# A fail2ban configuration folder: the system's, plus our filter and jail
# (both jails enabled, pointed at the test servers' logs), without the
# distribution's sshd jail, with runtime files in $BATS_FILE_TMPDIR/f2b.
f2b_config() {
  local dir=$BATS_FILE_TMPDIR/f2b
  mkdir -p "$dir"
  rm -rf "$dir/etc"
  cp -r /etc/fail2ban "$dir/etc"
  rm -f "$dir/etc/jail.d/"*
  cp "$FILTER" "$dir/etc/filter.d/"
  sed -e "s|/var/log/apache2/error.log|$SITE/srv/apache/log/error.log|" \
      -e "s|/var/log/lighttpd/cgi-error.log|$SITE/srv/lighttpd/log/cgi-error.log|" \
      -e 's|^enabled  = false|enabled  = true|' "$JAIL" > "$dir/etc/jail.d/dbbasic-sessions.conf"
  printf '[DEFAULT]\nlogtarget = %s\nsocket = %s\npidfile = %s\ndbfile = :memory:\n' \
    "$dir/fail2ban.log" "$dir/sock" "$dir/server.pid" > "$dir/etc/fail2ban.local"
  F2B=$dir
}

@test "fail2ban-client loads the jail example: both jails, the filter's regex and date pattern, both logs read from their end" {
  f2b_config
  run -0 fail2ban-client -c "$F2B/etc" -d
  assert_match "$output" "\['add', 'dbbasic-sessions-apache', 'auto'\]" "apache jail"
  assert_match "$output" "\['add', 'dbbasic-sessions-lighttpd', 'auto'\]" "lighttpd jail"
  assert_match "$output" "\['set', 'dbbasic-sessions-apache', 'datepattern', '\{NONE\}'\]" "apache date pattern"
  assert_match "$output" "\['set', 'dbbasic-sessions-lighttpd', 'datepattern', '\{NONE\}'\]" "lighttpd date pattern"
  assert_match "$output" "\['multi-set', 'dbbasic-sessions-lighttpd', 'addfailregex', \['\^login\\\\\\\\\.cgi: login failed for user " "lighttpd regex"
  assert_match "$output" "\['set', 'dbbasic-sessions-lighttpd', 'addlogpath', '$SITE/srv/lighttpd/log/cgi-error.log', 'tail'\]" "lighttpd log, read from its end"
  assert_match "$output" "\['set', 'dbbasic-sessions-apache', 'addlogpath', '$SITE/srv/apache/log/error.log', 'tail'\]" "apache log, read from its end"
  assert_match "$output" "\['set', 'dbbasic-sessions-apache', 'maxretry', 5\]" "maxretry"
  assert_match "$output" "\['set', 'dbbasic-sessions-apache', 'bantime', '1h'\]" "bantime"
}

@test "a real fail2ban-server with the jail example bans 127.0.0.1 after five failed logins on lighttpd" {
  f2b_config
  # The dummy action writes "+ADDRESS" to a file instead of touching the firewall;
  # 127.0.0.1 is ours, so ignoreself must be off for it to be banned.
  printf '[dbbasic-sessions-lighttpd]\nignoreself = false\nbackend = polling\naction = dummy[target="%s"]\n[dbbasic-sessions-apache]\nignoreself = false\nbackend = polling\naction = dummy[target="%s"]\n' \
    "$F2B/bans-lighttpd" "$F2B/bans-apache" > "$F2B/etc/jail.d/zz-test.local"
  setsid fail2ban-server -f -x -c "$F2B/etc" > "$F2B/server.out" 2>&1 3>&- &
  echo $! > "$F2B/pid"
  local i
  wait_until --alive "$(cat "$F2B/pid")" "fail2ban-server to load the jail" \
    fail2ban-client -c "$F2B/etc" status dbbasic-sessions-lighttpd || { tail -n 30 "$F2B/server.out" "$F2B/fail2ban.log" >&2; return 1; }
  run -0 fail2ban-client -c "$F2B/etc" status dbbasic-sessions-lighttpd
  assert_match "$output" "Currently banned:[[:space:]]+0" "no ban before the failures (the log is read from its end)"
  local url
  url=$(server_url lighttpd)
  for i in 1 2 3 4 5; do curl -s -o /dev/null -d "username=ann&password=guess-$i" "$url/cgi-bin/login.cgi"; done
  wait_until --alive "$(cat "$F2B/pid")" "fail2ban's dummy action to ban 127.0.0.1" grep -qx '+127.0.0.1' "$F2B/bans-lighttpd" ||
    { tail -n 30 "$F2B/fail2ban.log" >&2; return 1; }
  assert_eq "$(grep -x '+127.0.0.1' "$F2B/bans-lighttpd" 2>/dev/null)" '+127.0.0.1' "the dummy action's ban"
  run -0 fail2ban-client -c "$F2B/etc" status dbbasic-sessions-lighttpd
  assert_match "$output" "Total failed:[[:space:]]+5" "failures counted"
  assert_match "$output" "Banned IP list:[[:space:]]+127\.0\.0\.1" "banned address"
}
