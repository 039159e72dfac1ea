#!/usr/bin/env bats
# A folder protected by authorizer.fcgi (docs/authorizer.md)
# on a real lighttpd (which starts the authorizer itself) and a real
# Apache (mod_authnz_fcgi; the authorizer runs as a service), both started
# from examples/lighttpd/authorizer.conf and examples/apache/authorizer.conf.
# The server serves the folder itself: a static page, a PDF by range, a CGI
# program and a PHP page (Debian's php-cgi).

load ../../helpers/servers

setup_file() {
  site_init
  site_add_user alice alice-pass
  site_add_user bob bob-pass
  printf 'staff: alice\n' > "$SITE_GROUPS"
  local p=$SITE_DOCROOT/private
  mkdir -p "$p/staff"
  printf '<!doctype html><title>private</title><p>secret page</p>\n' > "$p/index.html"
  head -c 100000 /dev/urandom > "$p/doc.pdf"
  printf 'staff report\n' > "$p/staff/report.txt"
  # An existing CGI program, unchanged: it sees who the server says the visitor is.
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nuser=%%s auth=%%s\\n" "$REMOTE_USER" "$AUTH_TYPE"\n' > "$p/who.cgi"
  chmod 755 "$p/who.cgi"
  printf '<?php header("Content-Type: text/plain"); echo "php user=", getenv("REMOTE_USER"), " auth=", getenv("AUTH_TYPE"), "\\n";\n' > "$p/who.php"
  chmod -R a+rX "$SITE_DOCROOT"
  start_lighttpd web "$TEST_REPO/examples/lighttpd/authorizer.conf"
  start_authorizer
  start_apache ap "$TEST_REPO/examples/apache/authorizer.conf"
  start_php ap
  ALICE=$(SECRET_KEY=$SITE_KEY cli create alice)
  BOB=$(SECRET_KEY=$SITE_KEY cli create bob)
  export ALICE BOB
}

teardown_file() {
  [ ! -f "$SITE/srv/php.pid" ] || kill "$(cat "$SITE/srv/php.pid")" 2>/dev/null
  stop_servers
}

# start_php NAME — Debian's php-cgi as a FastCGI server on NAME's @RUN_DIR@/php.sock, as www-data.
start_php() {
  local sock=$SITE/srv/$1/run/php.sock
  local -a as_www=()
  [ "$(id -u)" -ne 0 ] || as_www=(setpriv --reuid=www-data --regid=www-data --init-groups)
  setsid "${as_www[@]}" php-cgi -b "$sock" > "$SITE/srv/php.log" 2>&1 3>&- &
  echo $! > "$SITE/srv/php.pid"
  wait_until "php-cgi's socket $sock" test -S "$sock"
}

# The error log where the authorizer's lines land: lighttpd's cgi-error.log (it starts the
# authorizer), the service's own stderr under Apache.
authorizer_log() {
  case $1 in
    web) echo "$SITE/srv/web/log/cgi-error.log" ;;
    ap) echo "$SITE/srv/authorizer/log/error.log" ;;
  esac
}

authorizer_log_wait() { # NAME REGEX
  wait_until "a line matching /$2/ in $(authorizer_log "$1")" grep -Eq -- "$2" "$(authorizer_log "$1")"
}

get() { # NAME PATH [CURL ARGS…]
  local name=$1 path=$2
  shift 2
  http_request "$@" "$(server_url "$name")$path"
}

check_logged_in_visitor() { # NAME
  get "$1" /private/index.html -b "session=$ALICE"
  assert_eq "$http_status" 200 "static page"
  assert_eq "$http_body" $'<!doctype html><title>private</title><p>secret page</p>\n' "page body"
  # The PDF by range, served by the server itself.
  get "$1" /private/doc.pdf -b "session=$ALICE" -r 1000-1999
  assert_eq "$http_status" 206 "PDF range"
  assert_eq "$(http_header Content-Range)" "bytes 1000-1999/100000" Content-Range
  assert_eq "$(http_header Content-Type)" application/pdf Content-Type
  assert_eq "$(curl -s -b "session=$ALICE" -r 1000-1999 "$(server_url "$1")/private/doc.pdf" | od -An -tx1)" \
    "$(tail -c +1001 "$SITE_DOCROOT/private/doc.pdf" | head -c 1000 | od -An -tx1)" "range bytes"
  get "$1" /private/who.cgi -b "session=$ALICE"
  assert_eq "$http_status" 200 "CGI status"
  assert_eq "$http_body" $'user=alice auth=Cookie\n' "what the CGI program sees"
  get "$1" /private/who.php -b "session=$ALICE"
  assert_eq "$http_status" 200 "PHP status"
  assert_eq "$http_body" $'php user=alice auth=Cookie\n' "what the PHP page sees"
}

check_stranger_logs_in() { # NAME
  local jar=$BATS_TEST_TMPDIR/jar
  get "$1" "/private/index.html?tab=2" -c "$jar" -b "$jar"
  assert_eq "$http_status" 303 "stranger's status"
  assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=%2Fprivate%2Findex.html%3Ftab%3D2" Location
  [[ $http_body != *secret* ]]
  get "$1" /private/who.cgi -d ''
  assert_eq "$http_status" 401 "stranger's POST"
  get "$1" /cgi-bin/login.cgi -c "$jar" -b "$jar" --data-urlencode username=alice \
    --data-urlencode password=alice-pass --data-urlencode "next=/private/index.html?tab=2"
  assert_eq "$http_status" 303 "login"
  assert_eq "$(http_header Location)" "/private/index.html?tab=2" "back to the page"
  get "$1" "/private/index.html?tab=2" -c "$jar" -b "$jar"
  assert_eq "$http_status" 200 "after login"
  assert_match "$http_body" 'secret page'
}

check_group_rule() { # NAME
  get "$1" /private/staff/report.txt -b "session=$BOB"
  assert_eq "$http_status" 403 "bob, not in staff"
  assert_match "$http_body" 'You are logged in as <strong>bob</strong>, and this page is not open to you\.'
  assert_match "$(http_header Content-Type)" '^text/html; charset=' "403 page type"
  authorizer_log_wait "$1" '^authorizer\.fcgi: user "bob" may not access /private/staff/report\.txt from 127\.0\.0\.1$'
  get "$1" /private/staff/report.txt -b "session=$ALICE"
  assert_eq "$http_status" 200 "alice, in staff"
  assert_eq "$http_body" $'staff report\n' "report"
  get "$1" /private/index.html -b "session=$BOB"
  assert_eq "$http_status" 200 "bob outside staff/"
}

get_within_1s() { # STATUS NAME PATH [CURL ARGS…] — asks again (short waits) until STATUS, within 1 s
  local want=$1 start
  shift
  start=$(date +%s%N)
  while :; do
    get "$@"
    [ "$http_status" != "$want" ] || return 0
    [ $(($(date +%s%N) - start)) -lt 1000000000 ] || { echo "status $http_status, not $want, 1 s after the change" >&2; return 1; }
    sleep 0.02
  done
}

check_removed_and_revoked() { # NAME
  local gone=gone-$1 revoked=revoked-$1 t_gone t_revoked
  site_add_user "$gone" pass
  site_add_user "$revoked" pass
  t_gone=$(SECRET_KEY=$SITE_KEY cli create "$gone")
  t_revoked=$(SECRET_KEY=$SITE_KEY cli create "$revoked")
  get "$1" /private/who.cgi -b "session=$t_gone"
  assert_eq "$http_body" "user=$gone auth=Cookie"$'\n' "before removal"
  get "$1" /private/who.cgi -b "session=$t_revoked"
  assert_eq "$http_status" 200 "before revocation"
  htpasswd -D "$SITE_HTPASSWD" "$gone" 2>/dev/null
  SESSION_REVOKED_FILE=$SITE_REVOKED cli revoke "$revoked" > /dev/null
  # The authorizer learns of changed files by watching them, at the latest 0.5 s later by a stat.
  get_within_1s 303 "$1" /private/who.cgi -b "session=$t_gone"
  get_within_1s 303 "$1" /private/who.cgi -b "session=$t_revoked"
  authorizer_log_wait "$1" "^authorizer\.fcgi: session of user \"$gone\" refused: its user is not in HTPASSWD_FILE \(from 127\.0\.0\.1\)$"
  authorizer_log_wait "$1" "^authorizer\.fcgi: session of user \"$revoked\" refused: it was revoked \(from 127\.0\.0\.1\)$"
}

run_load() { # NAME
  run env AUTH_ALICE="$ALICE" AUTH_BOB="$BOB" node "$TEST_REPO/test/helpers/authorizer-load.mjs" "$(server_url "$1")" 10000 16 "$SITE_DOCROOT"
  sed "s/^/# $1: /" <<<"$output" >&3
  assert_eq "$status" 0 "load driver exit status"
  assert_eq "${lines[0]}" "sent=10000 ok=10000 errors=0" summary
}

@test "lighttpd: a logged-in visitor gets the page, a PDF range (206), a CGI program and a PHP page that see REMOTE_USER=alice, AUTH_TYPE=Cookie" {
  check_logged_in_visitor web
}

@test "Apache: a logged-in visitor gets the page, a PDF range (206), a CGI program and a PHP page that see REMOTE_USER=alice, AUTH_TYPE=Cookie" {
  check_logged_in_visitor ap
}

@test "lighttpd: a stranger is sent to the login form and comes back to the page after logging in; a POST gets 401" {
  check_stranger_logs_in web
}

@test "Apache: a stranger is sent to the login form and comes back to the page after logging in; a POST gets 401" {
  check_stranger_logs_in ap
}

@test "lighttpd: the staff/ group rule refuses bob with 403 and lets alice in" {
  check_group_rule web
}

@test "Apache: the staff/ group rule (SetEnvIf) refuses bob with 403 and lets alice in" {
  check_group_rule ap
}

@test "lighttpd: a user removed with htpasswd -D and one revoked with dbbasic-sessions revoke are out within 1 s" {
  check_removed_and_revoked web
}

@test "Apache: a user removed with htpasswd -D and one revoked with dbbasic-sessions revoke are out within 1 s" {
  check_removed_and_revoked ap
}

@test "lighttpd: the authorizer killed mid-run is started again by lighttpd; nothing passes meanwhile" {
  local old new
  old=$(pgrep -P "$(server_pid web)" -f authorizer.fcgi)
  [ -n "$old" ]
  kill -KILL "$old"
  # While it is down, lighttpd answers a stranger with an error, never the page.
  get web /private/index.html
  [[ $http_status != 200 ]] || { echo "a stranger got 200 while the authorizer was down" >&2; false; }
  [[ $http_body != *secret* ]]
  wait_until "lighttpd to answer alice again" \
    sh -c '[ "$(curl -s -o /dev/null -w "%{http_code}" -b "session=$0" "$1/private/index.html")" = 200 ]' "$ALICE" "$(server_url web)"
  new=$(pgrep -P "$(server_pid web)" -f authorizer.fcgi)
  [ -n "$new" ] && [ "$new" != "$old" ]
  get web /private/index.html
  assert_eq "$http_status" 303 "a stranger after the restart"
}

@test "Apache: with the authorizer down every protected request is a 500; started again, it serves without an Apache restart" {
  stop_server authorizer
  get ap /private/index.html -b "session=$ALICE"
  assert_eq "$http_status" 500 "alice while the authorizer is down"
  [[ $http_body != *secret* ]]
  get ap /private/index.html
  assert_eq "$http_status" 500 "a stranger while the authorizer is down"
  server_log_wait ap 'AH02495: attempt to connect to 127\.0\.0\.1:[0-9]+ \(fcgi://127\.0\.0\.1:[0-9]+/\) failed'
  start_authorizer
  wait_until "Apache to answer alice again" \
    sh -c '[ "$(curl -s -o /dev/null -w "%{http_code}" -b "session=$0" "$1/private/index.html")" = 200 ]' "$ALICE" "$(server_url ap)"
  get ap /private/index.html
  assert_eq "$http_status" 303 "a stranger after the restart"
}

@test "lighttpd: 10 000 requests from 16 concurrent clients, every answer right (page, range, CGI, group rule, stranger, tampered cookie)" {
  run_load web
}

@test "Apache: 10 000 requests from 16 concurrent clients, every answer right (page, range, CGI, group rule, stranger, tampered cookie)" {
  run_load ap
}
