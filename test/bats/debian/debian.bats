#!/usr/bin/env bats
# README "Install on Debian and Ubuntu", run as written on the stock Debian
# package of one server (DEBIAN_SERVER: apache2 or lighttpd). Started by
# test/debian/enter.sh, inside private mount, network and PID namespaces over
# copies of /etc and empty /var/www, /usr/lib/cgi-bin, /var/log: the README's
# blocks run verbatim (a2enmod, lighty-enable-mod, service … restart), the
# real server listens on its stock port 80 of the namespace's own loopback,
# and a real fail2ban-server runs the shipped jail.
#
# The only things added to what the README says: fail2ban's ban action is
# "dummy" (it writes the ban to a file; the machine has no firewall tools),
# set in /etc/fail2ban/jail.d/zz-test.local before fail2ban starts, and the
# failing client uses 127.0.0.2, an address fail2ban does not count as its own.
# Step 4 (the FastCGI authorizer) runs as written too, except the two systemctl
# lines of the Apache variant: systemd cannot run in these namespaces, so the
# installed units are checked with systemd-analyze verify and started from
# their own lines by systemd's socket-activation tool (start_authorizer_service).
#
# On Apache the host has PHP, enabled before the README's blocks the stock way
# (Debian's php-fpm package, its service started by its init script in the
# private /run): a .php file in the members area must still go through the gate. And a group rule for
# /members/staff/, written as the drop-ins' comments say. A failed test prints
# the server's logs (servers.bash, server_logs_if_failed).

load ../../helpers/servers

SERVER=${DEBIAN_SERVER:?run me through test/debian/enter.sh}
BASE=http://127.0.0.1
README=$TEST_REPO/README.md
TRANSCRIPT=${DEBIAN_SCRATCH:-/tmp}/commands-$SERVER.txt
BANS=${DEBIAN_SCRATCH:-/tmp}/bans-$SERVER
case $SERVER in
  apache2) ERROR_LOG=/var/log/apache2/error.log JAIL=dbbasic-sessions-apache ;;
  lighttpd) ERROR_LOG=/var/log/lighttpd/cgi-error.log JAIL=dbbasic-sessions-lighttpd ;;
esac
# Debian's PHP, e.g. 8.2 (the php-fpm package).
PHP_VERSION=$(ls /etc/php | sort -V | tail -n 1)
SERVER_LOG_FILES="/var/log/$SERVER/error.log /var/log/$SERVER/access.log /var/log/lighttpd/cgi-error.log /var/log/php$PHP_VERSION-fpm.log"

# readme_block NAME — the commands of the fenced block after <!-- debian:NAME -->.
readme_block() {
  awk -v mark="<!-- debian:$1 -->" '
    $0 == mark { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 2 && /^```/ { exit }
    found == 2 { print }' "$README"
}

# run_block LABEL COMMANDS [STDIN] — run COMMANDS from the repository root, as
# root, the commands and their output appended to the transcript.
run_block() {
  printf '### README block debian:%s\n%s\n' "$1" "$2" >> "$TRANSCRIPT"
  (cd "$TEST_REPO" && printf '%s' "${3:-}" | bash -euo pipefail -c "$2") >> "$TRANSCRIPT" 2>&1 || {
    echo "README block debian:$1 failed:" >&2
    cat "$TRANSCRIPT" >&2
    return 1
  }
}

# run_readme NAME [STDIN] — run that block as written.
run_readme() {
  local block
  block=$(readme_block "$1")
  [ -n "$block" ] || { echo "README has no block debian:$1" >&2; return 1; }
  run_block "$1" "$block" "${2:-}"
}

# run_readme_service NAME — that block (the authorizer's systemd units) without its
# systemctl lines, which must be exactly the two that start_authorizer_service stands in for.
run_readme_service() {
  local block
  block=$(readme_block "$1")
  assert_eq "$(grep '^systemctl ' <<<"$block")" $'systemctl daemon-reload\nsystemctl enable --now dbbasic-sessions-authorizer.socket' \
    "the systemctl lines of README block debian:$1"
  run_block "$1, without its systemctl lines" "$(grep -v '^systemctl ' <<<"$block")"
}

# start_authorizer_service — what `systemctl enable --now dbbasic-sessions-authorizer.socket`
# does, from the installed units' own lines (systemd cannot run in these namespaces):
# systemd-analyze verify passes them; systemd's socket-activation tool listens on the socket
# unit's ListenStream and, at the first connection, starts the service unit's ExecStart as its
# User and Group with only its Environment= lines, the socket passed as systemd passes it.
start_authorizer_service() {
  local dir=/etc/systemd/system verify listen user group cmd line
  local socket=$dir/dbbasic-sessions-authorizer.socket service=$dir/dbbasic-sessions-authorizer.service
  verify=$(systemd-analyze verify "$socket" "$service" 2>&1) || { echo "systemd-analyze verify failed: $verify" >&2; return 1; }
  [ -z "$verify" ] || { echo "systemd-analyze verify: $verify" >&2; return 1; }
  listen=$(sed -n 's/^ListenStream=//p' "$socket")
  user=$(sed -n 's/^User=//p' "$service")
  group=$(sed -n 's/^Group=//p' "$service")
  cmd=$(sed -n 's/^ExecStart=//p' "$service")
  local -a env=()
  while IFS= read -r line; do env+=(-E "$line"); done < <(sed -n 's/^Environment=//p' "$service")
  printf '### the units, as systemd would start them\nsystemd-socket-activate -l %s %s setpriv --reuid=%s --regid=%s --init-groups -- %s\n' \
    "$listen" "${env[*]}" "$user" "$group" "$cmd" >> "$TRANSCRIPT"
  # shellcheck disable=SC2086 # ExecStart is split into words, as systemd splits it
  systemd-socket-activate -l "$listen" "${env[@]}" setpriv --reuid="$user" --regid="$group" --init-groups -- $cmd \
    < /dev/null >> /var/log/dbbasic-sessions-authorizer.log 2>&1 3>&- &
}

# A protected program in each place the README names, a stray .cgi in the
# document root, and a page that is not a program at all.
install_site() {
  local body='#!/bin/sh
printf "Content-Type: text/plain\r\n\r\n"
echo "protected program $0"
env | grep -E "^(REMOTE_USER|AUTH_TYPE|SECRET_KEY|SECRET_KEY_FILE|HTPASSWD_FILE|NODE_COMPILE_CACHE)=" | sort
echo "cookie=${HTTP_COOKIE:-}"'
  printf '%s\n' "$body" > /var/www/html/secret.pcgi
  printf '%s\n' "$body" > /usr/lib/cgi-bin/secret.pcgi
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nSTRAY RAN\\n"\n' > /var/www/html/stray.cgi
  chmod 755 /var/www/html/secret.pcgi /usr/lib/cgi-bin/secret.pcgi /var/www/html/stray.cgi
  echo '<p>home</p>' > /var/www/html/index.html
  # A members area: a page and a PDF, plain files.
  mkdir -p /var/www/html/members
  printf '<p>members only</p>\n' > /var/www/html/members/index.html
  head -c 100000 /dev/urandom > /var/www/html/members/report.pdf
  # PHP pages (mode 644, as PHP pages are): one outside, where PHP runs; the members area's;
  # the staff folder's, which has an index.php and no index.html.
  mkdir -p /var/www/html/members/staff
  printf '%s\n' '<?php echo "PHP-RAN-", 6 * 7, " user=", $_SERVER["REMOTE_USER"] ?? "nobody", "\n"; // PHP-SOURCE-LINE' |
    tee /var/www/html/page.php /var/www/html/members/page.php /var/www/html/members/staff/page.php \
      /var/www/html/members/staff/index.php > /dev/null
}

# The host's PHP, the stock way: on Apache what the php-fpm package's notes say; on lighttpd
# Debian's 15-fastcgi-php-fpm.conf (which turns on fastcgi too).
enable_php() {
  local service=php$PHP_VERSION-fpm
  if [ "$SERVER" = apache2 ]; then
    run_block "PHP (the host's)" "a2enmod proxy_fcgi setenvif
a2enconf $service
service $service start"
  else
    # Under systemd the unit's ExecStartPost links /run/php/php-fpm.sock, the socket Debian's
    # lighttpd conf names; the namespace starts the service by its init script, so it does that here.
    run_block "PHP (the host's)" "lighty-enable-mod fastcgi-php-fpm
service $service start
/usr/lib/php/php-fpm-socket-helper install /run/php/php-fpm.sock /etc/php/$PHP_VERSION/fpm/pool.d/www.conf ${PHP_VERSION/./}"
  fi
}

# /members/staff/ for the group staff (alice), as the drop-ins' comments say.
staff_rule() {
  if [ "$SERVER" = apache2 ]; then
    run_block "the staff folder's rule" "printf 'staff: alice\\n' > /etc/dbbasic-sessions/groups
cat > /etc/apache2/conf-available/dbbasic-sessions-staff.conf <<'EOF'
<Directory /var/www/html/members/staff>
    SetEnv SESSION_REQUIRE \"group staff\"
    SetEnv HTGROUP_FILE /etc/dbbasic-sessions/groups
</Directory>
EOF
a2enconf dbbasic-sessions-staff"
  else
    run_block "the staff folder's rule" "printf 'staff: alice\\n' > /etc/dbbasic-sessions/groups
cat > /etc/lighttpd/conf-available/55-dbbasic-sessions-staff.conf <<'EOF'
\$HTTP[\"url\"] =^ \"/members/staff/\" {
  setenv.add-environment += ( \"SESSION_REQUIRE\" => \"group staff\",
                              \"HTGROUP_FILE\"    => \"/etc/dbbasic-sessions/groups\" )
}
EOF
lighty-enable-mod dbbasic-sessions-staff"
  fi
}

# add_user NAME PASS — one more user, as an admin would (htpasswd -b, not the README's prompt).
add_user() { htpasswd -bB /etc/dbbasic-sessions/htpasswd "$1" "$2" 2> /dev/null; }

setup_file() {
  : > "$TRANSCRIPT"
  install_site
  run_readme common $'alice-pass\nalice-pass\n'
  enable_php
  staff_rule
  run_readme "$SERVER"
  wait_until "$SERVER on port 80" curl -sf -o /dev/null "$BASE/index.html"
  printf '[%s]\naction = dummy[target="%s"]\n' "$JAIL" "$BANS" > /etc/fail2ban/jail.d/zz-test.local
  run_readme "fail2ban-$SERVER"
  wait_until "fail2ban's $JAIL jail" fail2ban-client status "$JAIL"
  # Step 4: the FastCGI authorizer in front of /var/www/html/private/.
  mkdir -p /var/www/html/private
  printf '<p>private</p>\n' > /var/www/html/private/index.html
  cp /var/www/html/members/report.pdf /var/www/html/private/report.pdf
  cp /var/www/html/page.php /var/www/html/private/page.php
  if [ "$SERVER" = lighttpd ]; then
    run_readme authorizer-lighttpd
  else
    run_readme_service authorizer-service
    start_authorizer_service
    run_readme authorizer-apache2
  fi
  wait_until "$SERVER on port 80, with the authorizer" curl -sf -o /dev/null "$BASE/index.html"
}

teardown_file() {
  service fail2ban stop > /dev/null 2>&1 || true
  service "$SERVER" stop > /dev/null 2>&1 || true
  service "php$PHP_VERSION-fpm" stop > /dev/null 2>&1 || true
}

# login_as USER PASS — a form login; sets COOKIE to the session cookie's value.
login_as() {
  http_request -d "username=$1&password=$2&next=/secret.pcgi" "$BASE/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 "login status"
  COOKIE=$(http_header Set-Cookie | sed -n 's/^session=\([^;]*\);.*/\1/p')
  [ -n "$COOKIE" ]
}

@test "$SERVER: the README's commands ran on the stock package, with the modules Debian uses" {
  grep -q '^a2enmod cgid actions$\|^lighty-enable-mod auth setenv cgi dbbasic-sessions || \[ \$? -eq 2 \]' "$TRANSCRIPT"
  if [ "$SERVER" = apache2 ]; then
    run -0 apache2ctl -M
    assert_match "$output" "mpm_event_module" "Debian's default MPM"
    assert_match "$output" "cgid_module" "mod_cgid"
    assert_match "$output" "actions_module" "mod_actions"
    assert_eq "$(readlink /etc/apache2/conf-enabled/dbbasic-sessions.conf)" ../conf-available/dbbasic-sessions.conf a2enconf
    assert_match "$output" "authnz_fcgi_module" "mod_authnz_fcgi (the authorizer variant)"
    assert_eq "$(readlink /etc/apache2/conf-enabled/dbbasic-sessions-authorizer.conf)" ../conf-available/dbbasic-sessions-authorizer.conf "a2enconf, the authorizer variant"
  else
    # PHP (15-fastcgi-php-fpm, the host's) beside what the README enables.
    assert_eq "$(cd /etc/lighttpd/conf-enabled && ls)" \
      $'05-auth.conf\n05-setenv.conf\n10-cgi.conf\n10-fastcgi.conf\n15-fastcgi-php-fpm.conf\n50-dbbasic-sessions-authorizer.conf\n50-dbbasic-sessions.conf\n55-dbbasic-sessions-staff.conf\n90-javascript-alias.conf' "enabled modules"
    run -0 lighttpd -tt -f /etc/lighttpd/lighttpd.conf
    assert_eq "$output" "" "lighttpd's config check says nothing (no warning)"
  fi
  assert_eq "$(stat -c '%U:%G %a' /etc/dbbasic-sessions /etc/dbbasic-sessions/key /etc/dbbasic-sessions/htpasswd)" \
    $'root:www-data 750\nroot:www-data 640\nroot:www-data 640' "owners and modes"
  assert_match "$(cat /etc/dbbasic-sessions/key)" '^[0-9a-f]{64}$' key
  assert_match "$(cat /etc/dbbasic-sessions/htpasswd)" '^alice:\$2y\$' "bcrypt entry"
  assert_eq "$(stat -c %a /usr/local/bin/dbbasic-sessions)" 755 "command line installed"
  assert_eq "$(stat -c '%U:%G %a' /var/cache/dbbasic-sessions)" "www-data:www-data 700" "the compile cache's folder"
}

@test "$SERVER: a stranger asking for a .pcgi in the document root is sent to the login form" {
  http_request "$BASE/secret.pcgi?a=1"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=%2Fsecret.pcgi%3Fa%3D1" Location
  assert_eq "$(http_header Set-Cookie)" "" "no cookie"
  [[ $http_body != *"protected program"* ]]
}

@test "$SERVER: a stranger asking for a .pcgi in /cgi-bin/ is sent to the login form too" {
  http_request "$BASE/cgi-bin/secret.pcgi"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=%2Fcgi-bin%2Fsecret.pcgi" Location
  [[ $http_body != *"protected program"* ]]
}

@test "$SERVER: a path after a protected program's name does not get it past the gate" {
  local url
  for url in /secret.pcgi/extra /cgi-bin/secret.pcgi/extra; do
    http_request "$BASE$url"
    assert_eq "$http_status" 303 "status of $url"
    assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=$(urlencode "$url")" "Location of $url"
    [[ $http_body != *"protected program"* ]]
  done
}

# assert_no_php BODY LABEL — neither PHP's output nor its source.
assert_no_php() {
  [[ $1 != *PHP-RAN* && $1 != *PHP-SOURCE-LINE* ]] || { echo "$2: PHP's output or source in the body: $1" >&2; return 1; }
}

php_runs_outside() {
  http_request "$BASE/page.php"
  assert_eq "$http_status" 200 status
  assert_eq "$(http_header Content-Type)" 'text/html; charset=UTF-8' Content-Type
  assert_eq "$http_body" $'PHP-RAN-42 user=nobody\n' body
}
bats_test_function --description "$SERVER: the host's PHP runs outside the members area" -- php_runs_outside

@test "$SERVER: a stranger asking for a .php in the members area or the staff folder is sent to login, PHP not run" {
  local path
  for path in /members/page.php /members/staff/page.php /members/staff/; do
    http_request "$BASE$path"
    assert_eq "$http_status" 303 "status for $path"
    assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=$(urlencode "$path")" "Location for $path"
    assert_eq "$(http_header Cache-Control)" no-store "Cache-Control for $path"
    assert_no_php "$http_body" "$path"
  done
}

@test "$SERVER: a user the staff folder's rule refuses gets 403 for its .php and its folder, PHP not run" {
  add_user erin erin-pass
  login_as erin erin-pass
  local path
  for path in /members/staff/page.php /members/staff/; do
    http_request -b "session=$COOKIE" "$BASE$path"
    assert_eq "$http_status" 403 "status for $path"
    assert_eq "$(http_header Content-Type)" 'text/html; charset=utf-8' "Content-Type for $path"
    assert_match "$http_body" 'You are logged in as <strong>erin</strong>' "the page for $path names erin"
    assert_no_php "$http_body" "$path"
  done
  wait_until "the refusal in $ERROR_LOG" grep -q '^gate\.cgi: user "erin" may not access /members/staff/page\.php from 127\.0\.0\.1$' "$ERROR_LOG"
}

@test "$SERVER: a member gets the gate's answer for a .php without its run bit (500), also as the folder's index, never PHP's" {
  login_as alice alice-pass
  local path file
  # The folder: Debian's DirectoryIndex names index.php, which the gate then gets.
  for path in /members/page.php /members/staff/page.php /members/staff/; do
    http_request -b "session=$COOKIE" "$BASE$path"
    assert_eq "$http_status" 500 "status for $path"
    assert_eq "$http_body" $'Internal Server Error\n' "body for $path"
    assert_no_php "$http_body" "$path"
    file=/var/www/html$path
    [[ $file != */ ]] || file+=index.php
    wait_until "the gate's line for $file in $ERROR_LOG" \
      grep -qF "gate.cgi: target \"$file\" is not an executable regular file" "$ERROR_LOG"
  done
}

@test "$SERVER: a stray .cgi in the document root is neither run nor handed out" {
  http_request "$BASE/stray.cgi"
  assert_eq "$http_status" 403 status
  [[ $http_body != *"STRAY"* ]]
}

@test "$SERVER: a direct request for gate.cgi with a path after it runs nothing" {
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/cgi-bin/gate.cgi/secret.pcgi"
  assert_eq "$http_status" 500 status
  [[ $http_body != *"protected program"* ]]
  wait_until "gate.cgi's line in $ERROR_LOG" grep -q '^gate\.cgi: .*secret\.pcgi' "$ERROR_LOG"
}

@test "$SERVER: form login, then both protected programs run as alice, without the key or the cookie" {
  login_as alice alice-pass
  assert_eq "$(http_header Location)" /secret.pcgi Location
  assert_match "$(http_header Set-Cookie)" "^session=[A-Za-z0-9_=-]+\.[0-9a-f]{64}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000$" Set-Cookie
  local url expected
  for url in /secret.pcgi /cgi-bin/secret.pcgi; do
    http_request -b "session=$COOKIE; theme=dark" "$BASE$url"
    assert_eq "$http_status" 200 "status of $url"
    case $url in
      /secret.pcgi) expected="protected program /var/www/html/secret.pcgi" ;;
      *) expected="protected program /usr/lib/cgi-bin/secret.pcgi" ;;
    esac
    assert_eq "$http_body" "$expected
AUTH_TYPE=Cookie
HTPASSWD_FILE=/etc/dbbasic-sessions/htpasswd
NODE_COMPILE_CACHE=/var/cache/dbbasic-sessions
REMOTE_USER=alice
cookie=theme=dark
" "body of $url"
  done
}

@test "$SERVER: whoami.cgi answers for the session and 401 without one" {
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 200 status
  assert_match "$http_body" '^\{"user_id":"alice","expires":[0-9]+\}$' body
  http_request "$BASE/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 "status without a cookie"
  assert_eq "$http_body" '{"error":"no valid session"}' "body without a cookie"
}

@test "$SERVER: Basic-auth login at /auth/login.cgi issues the session; a wrong password is the server's 401" {
  http_request -u alice:alice-pass "$BASE/auth/login.cgi?next=/secret.pcgi"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" /secret.pcgi Location
  local cookie
  cookie=$(http_header Set-Cookie | sed -n 's/^session=\([^;]*\);.*/\1/p')
  http_request -b "session=$cookie" "$BASE/secret.pcgi"
  assert_eq "$http_status" 200 "protected page with the Basic-auth session"
  http_request -u alice:wrong "$BASE/auth/login.cgi"
  assert_eq "$http_status" 401 "wrong password"
  assert_eq "$(http_header Set-Cookie)" "" "no cookie"
}

@test "$SERVER: the members folder: a stranger is sent to log in; alice gets the page, and the PDF whole and by range" {
  http_request "$BASE/members/report.pdf"
  assert_eq "$http_status" 303 "stranger"
  assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=%2Fmembers%2Freport.pdf" Location
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/members/"
  assert_eq "$http_status" 200 "the folder's index.html"
  assert_eq "$http_body" $'<p>members only</p>\n' "page"
  curl -s -b "session=$COOKIE" -o "$BATS_TEST_TMPDIR/whole.pdf" "$BASE/members/report.pdf"
  cmp "$BATS_TEST_TMPDIR/whole.pdf" /var/www/html/members/report.pdf
  http_request -b "session=$COOKIE" -I "$BASE/members/report.pdf"
  assert_eq "$http_status" 200 "HEAD"
  assert_eq "$(http_header Content-Length)" 100000 Content-Length
  assert_eq "$(http_header Cache-Control)" "private, no-cache" Cache-Control
  http_request -b "session=$COOKIE" -r 0-9,20-29 "$BASE/members/report.pdf"
  assert_eq "$http_status" 200 "several ranges: the whole file"
  http_request -b "session=$COOKIE" -r 100-199 "$BASE/members/report.pdf"
  assert_eq "$http_status" 206 "range"
  assert_eq "$(http_header Content-Type)" application/pdf Content-Type
  assert_eq "$(http_header Content-Range)" "bytes 100-199/100000" Content-Range
  curl -s -b "session=$COOKIE" -r 100-199 -o "$BATS_TEST_TMPDIR/part" "$BASE/members/report.pdf"
  cmp "$BATS_TEST_TMPDIR/part" <(tail -c +101 /var/www/html/members/report.pdf | head -c 100)
}

@test "$SERVER: the authorizer variant: a stranger is sent to log in; alice gets the page and a PDF range, served by the server itself" {
  http_request "$BASE/private/report.pdf?x=1"
  assert_eq "$http_status" 303 "stranger"
  assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=%2Fprivate%2Freport.pdf%3Fx%3D1" Location
  http_request -X POST -d a=1 "$BASE/private/"
  assert_eq "$http_status" 401 "a stranger's POST"
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/private/"
  assert_eq "$http_status" 200 "the folder's index.html"
  assert_eq "$http_body" $'<p>private</p>\n' "page"
  # The server's own static handler answers (the gate's would add Cache-Control: private, no-cache).
  assert_eq "$(http_header Cache-Control)" "" "no Cache-Control of the gate's"
  http_request -b "session=$COOKIE" -r 100-199 "$BASE/private/report.pdf"
  assert_eq "$http_status" 206 "range"
  assert_eq "$(http_header Content-Range)" "bytes 100-199/100000" Content-Range
  curl -s -b "session=$COOKIE" -r 100-199 -o "$BATS_TEST_TMPDIR/part" "$BASE/private/report.pdf"
  cmp "$BATS_TEST_TMPDIR/part" <(tail -c +101 /var/www/html/private/report.pdf | head -c 100)
}

authorizer_php() {
  http_request "$BASE/private/page.php"
  assert_eq "$http_status" 303 "stranger"
  assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=%2Fprivate%2Fpage.php" Location
  assert_no_php "$http_body" "the stranger's /private/page.php"
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/private/page.php"
  assert_eq "$http_status" 200 "alice"
  assert_eq "$http_body" $'PHP-RAN-42 user=alice\n' "what PHP sees"
}
[ "$SERVER" != apache2 ] || bats_test_function --description "$SERVER: the authorizer variant: a .php page runs in the host's PHP for alice only" -- authorizer_php

@test "$SERVER: the authorizer variant runs as www-data, and a revoked user is out at the next request" {
  local pid
  pid=$(pgrep -f 'authorizer\.fcgi' | head -n 1)
  [ -n "$pid" ] || { echo "no authorizer process" >&2; return 1; }
  assert_eq "$(ps -o user=,group= -p "$pid" | tr -s ' ')" "www-data www-data" "the authorizer's user and group"
  add_user dave dave-pass
  login_as dave dave-pass
  http_request -b "session=$COOKIE" "$BASE/private/"
  assert_eq "$http_status" 200 "dave, before"
  dbbasic-sessions revoke --file /etc/dbbasic-sessions/revoked dave
  http_request -b "session=$COOKIE" "$BASE/private/"
  assert_eq "$http_status" 303 "dave, revoked"
  assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=%2Fprivate%2F" Location
}

@test "$SERVER: htpasswd -D ends that user's session at the next request" {
  add_user bob bob-pass
  login_as bob bob-pass
  http_request -b "session=$COOKIE" "$BASE/members/"
  assert_eq "$http_status" 200 "bob, before"
  htpasswd -D /etc/dbbasic-sessions/htpasswd bob 2> /dev/null
  http_request -b "session=$COOKIE" "$BASE/members/"
  assert_eq "$http_status" 303 "bob, removed"
  wait_until "the refusal in $ERROR_LOG" grep -q '^gate\.cgi: session of user "bob" refused: its user is not in HTPASSWD_FILE' "$ERROR_LOG"
}

@test "$SERVER: dbbasic-sessions revoke, as the README says, logs one user out everywhere and nobody else" {
  add_user carol carol-pass
  login_as carol carol-pass
  local carol=$COOKIE
  login_as alice alice-pass
  dbbasic-sessions revoke --file /etc/dbbasic-sessions/revoked carol
  http_request -b "session=$carol" "$BASE/members/"
  assert_eq "$http_status" 303 "carol, revoked"
  http_request -b "session=$carol" "$BASE/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 "carol's whoami"
  http_request -b "session=$COOKIE" "$BASE/members/"
  assert_eq "$http_status" 200 "alice"
}

@test "$SERVER: logout deletes the cookie" {
  http_request -X POST -d 'next=/' "$BASE/cgi-bin/logout.cgi"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" / Location
  assert_eq "$(http_header Set-Cookie)" "session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0" Set-Cookie
}

@test "$SERVER: Node's compile cache holds www-data's compiled programs on Node 22.1+, and stays empty on older Node" {
  # The programs got NODE_COMPILE_CACHE from the server (the protected program above prints it);
  # whether Node uses it depends on the version of /usr/bin/node, which the servers run.
  local v
  v=$(/usr/bin/node --version)
  v=${v#v}
  if node_at_least /usr/bin/node 22.1; then
    assert_match "$(ls /var/cache/dbbasic-sessions)" "^v${v//./\\.}-[a-z0-9]+-[0-9a-f]{8}-$(id -u www-data)\$" "the cache's folder"
    [ "$(find /var/cache/dbbasic-sessions -type f | wc -l)" -ge 3 ]
    assert_eq "$(find /var/cache/dbbasic-sessions ! -user www-data)" "" "everything in it is www-data's"
  else
    assert_eq "$(ls -A /var/cache/dbbasic-sessions)" "" "Node $v ignores NODE_COMPILE_CACHE"
  fi
  assert_eq "$(stat -c '%U:%G %a' /var/cache/dbbasic-sessions)" "www-data:www-data 700" "the folder, still"
}

@test "$SERVER: a failed login lands in the log fail2ban reads, as one line naming the real client" {
  local before
  before=$(grep -c 'login failed' "$ERROR_LOG" || true)
  http_request --interface 127.0.0.3 --data-urlencode 'username=mallory" from 6.6.6.6' -d 'password=x' "$BASE/cgi-bin/login.cgi"
  assert_eq "$http_status" 401 status
  wait_until "the failure line in $ERROR_LOG" bash -c '[ "$(grep -c "login failed" "$1")" -gt "$2" ]' _ "$ERROR_LOG" "$before"
  # The bare line, as mod_cgid and lighttpd's breakagelog write it.
  assert_eq "$(grep 'login failed' "$ERROR_LOG" | tail -n 1)" \
    'login.cgi: login failed for user "mallory\" from 6.6.6.6" from 127.0.0.3' "the log line"
  run -0 fail2ban-regex -o ip "$ERROR_LOG" /etc/fail2ban/filter.d/dbbasic-sessions.conf
  assert_match "$output" "127\.0\.0\.3" "the client address"
  [[ $output != *6.6.6.6* ]]
}

@test "$SERVER: the shipped jail bans the client after five failed logins" {
  run -0 fail2ban-client status "$JAIL"
  assert_match "$output" "Currently banned:[[:space:]]+0" "no ban yet"
  local i
  for i in 1 2 3 4 5; do
    http_request --interface 127.0.0.2 -d "username=alice&password=guess-$i" "$BASE/cgi-bin/login.cgi"
    assert_eq "$http_status" 401 "failed login $i"
  done
  wait_until "the ban of 127.0.0.2" grep -qx '+127.0.0.2' "$BANS"
  run -0 fail2ban-client status "$JAIL"
  assert_match "$output" "Banned IP list:[[:space:]]+127\.0\.0\.2" "banned address"
  printf '### fail2ban-client status %s\n%s\n' "$JAIL" "$output" >> "$TRANSCRIPT"
}
