#!/usr/bin/env bats
# README "Shared hosting", run as written by the owner of a site on classic shared
# hosting: Debian's stock apache2 with mod_userdir (the site is ~/public_html, served
# at /~kim/), AllowOverride All for /home/*/public_html, mod_actions, and either the
# event MPM with mod_cgid or prefork with mod_cgi; with Debian's suEXEC wrapper
# (apache2-suexec-pristine: every program runs as the site's owner, with only
# suEXEC's own list of variables) or without it (every program runs as www-data).
# Started by test/shared-hosting/enter.sh VARIANT, inside private mount, network and
# PID namespaces over copies of /etc and empty /home, /var/www, /var/log.
#
# The host's side (a2enmod, AllowOverride All, useradd) runs as root, as the hosting
# provider would have done it. Then the account kim, which has no root and a copy of
# this repository at ~/dbbasic-sessions, runs the README's blocks marked
# shared-hosting:user (and, without suEXEC, shared-hosting:user-without-suexec) in
# their order, each in a login shell (su - kim), the same answers to htpasswd's
# prompts on the standard input of each. What the test adds as kim, beside the
# README: a protected program that prints what reached it, the members' files, and
# two more users (htpasswd -b).

load ../../helpers/servers

VARIANT=${SHARED_VARIANT:?run me through test/shared-hosting/enter.sh}
case $VARIANT in
  event*) MPM=event CGI_MODULE=cgid ;;
  prefork*) MPM=prefork CGI_MODULE=cgi ;;
esac
case $VARIANT in
  *-no-suexec) SUEXEC=off ;;
  *) SUEXEC=on ;;
esac
OWNER=kim
HOME_DIR=/home/$OWNER
SITE_DIR=$HOME_DIR/public_html
PREFIX=/~$OWNER
BASE=http://127.0.0.1$PREFIX
README=$TEST_REPO/README.md
TRANSCRIPT=${SHARED_SCRATCH:-/tmp}/commands.txt
ERROR_LOG=/var/log/apache2/error.log
# The variables suEXEC passes to a program (support/suexec.c, safe_env_lst and its prefixes),
# and PATH, which it sets.
SUEXEC_NAMES='^(HTTP_.*|SSL_.*|AUTH_TYPE|CONTENT_LENGTH|CONTENT_TYPE|CONTEXT_DOCUMENT_ROOT|CONTEXT_PREFIX|DATE_GMT|DATE_LOCAL|DOCUMENT_ARGS|DOCUMENT_NAME|DOCUMENT_PATH_INFO|DOCUMENT_ROOT|DOCUMENT_URI|GATEWAY_INTERFACE|HTTPS|LAST_MODIFIED|PATH_INFO|PATH_TRANSLATED|QUERY_STRING|QUERY_STRING_UNESCAPED|REMOTE_ADDR|REMOTE_HOST|REMOTE_IDENT|REMOTE_PORT|REMOTE_USER|REDIRECT_ERROR_NOTES|REDIRECT_HANDLER|REDIRECT_QUERY_STRING|REDIRECT_REMOTE_USER|REDIRECT_SCRIPT_FILENAME|REDIRECT_STATUS|REDIRECT_URL|REQUEST_METHOD|REQUEST_URI|REQUEST_SCHEME|SCRIPT_FILENAME|SCRIPT_NAME|SCRIPT_URI|SCRIPT_URL|SERVER_ADMIN|SERVER_NAME|SERVER_ADDR|SERVER_PORT|SERVER_PROTOCOL|SERVER_SIGNATURE|SERVER_SOFTWARE|UNIQUE_ID|USER_NAME|TZ|PATH)$'

# readme_blocks — every fenced block after a <!-- shared-hosting:MARK --> line, in the
# README's order: a line "--- MARK", then the block's lines.
readme_blocks() {
  awk '
    /^<!-- shared-hosting:[a-z-]+ -->$/ { mark = $2; sub(/^shared-hosting:/, "", mark); found = 1; next }
    found == 1 && /^```/ { found = 2; print "--- " mark; next }
    found == 2 && /^```/ { found = 0; next }
    found == 2 { print }
    found == 1 { found = 0 }' "$README"
}

# as_owner COMMANDS [STDIN] — COMMANDS in kim's login shell (su -: kim's home, kim's
# PATH), with bash -euo pipefail; output appended to the transcript.
as_owner() {
  printf '%s' "${2:-}" | su - "$OWNER" -c "bash -euo pipefail -c $(printf '%q' "$1")" >> "$TRANSCRIPT" 2>&1
}

# run_owner_block MARK COMMANDS — one README block, as kim.
run_owner_block() {
  printf '### README block shared-hosting:%s, as %s in %s\n%s\n' "$1" "$OWNER" "$HOME_DIR" "$2" >> "$TRANSCRIPT"
  as_owner "$2" $'alice-pass\nalice-pass\n' || {
    echo "README block shared-hosting:$1 failed:" >&2
    cat "$TRANSCRIPT" >&2
    return 1
  }
}

# run_readme — the blocks for this host, in order; fails when there are none.
run_readme() {
  local mark= block= line ran=0
  while IFS= read -r line; do
    if [[ $line == "--- "* ]]; then
      if [ -n "$mark" ]; then _run_if_ours "$mark" "$block" && ran=$((ran + 1)) || [ $? -eq 2 ] || return 1; fi
      mark=${line#--- } block=
    else
      block+=$line$'\n'
    fi
  done < <(readme_blocks)
  if [ -n "$mark" ]; then _run_if_ours "$mark" "$block" && ran=$((ran + 1)) || [ $? -eq 2 ] || return 1; fi
  [ "$ran" -gt 0 ] || { echo "README has no shared-hosting:user block" >&2; return 1; }
}

# _run_if_ours MARK BLOCK — run it if this host needs it (status 2: not this host's).
_run_if_ours() {
  case $1 in
    user) ;;
    user-with-suexec) [ "$SUEXEC" = on ] || return 2 ;;
    user-without-suexec) [ "$SUEXEC" = off ] || return 2 ;;
    *) echo "README: unknown mark shared-hosting:$1" >&2; return 1 ;;
  esac
  run_owner_block "$1" "$2"
}

# host_side — what the hosting provider did, as root: Debian's modules for this
# variant, AllowOverride All for every public_html, the account, and a copy of this
# repository in its home (the clone itself may be in a folder nobody else can read).
host_side() {
  {
    echo "### the host's side, as root"
    if [ "$MPM" = prefork ]; then
      a2dismod -q mpm_event
      a2enmod -q mpm_prefork
      a2enmod -q userdir suexec cgi actions
    else
      a2enmod -q userdir suexec cgid actions
    fi
    sed -i 's/^\(\s*AllowOverride\) FileInfo AuthConfig Limit Indexes$/\1 All/' /etc/apache2/mods-available/userdir.conf
    grep -q '^\s*AllowOverride All$' /etc/apache2/mods-available/userdir.conf
    useradd -m -s /bin/bash "$OWNER"
    mkdir "$HOME_DIR/dbbasic-sessions"
    tar -C "$TEST_REPO" -c README.md package.json bin cgi-bin examples | tar -C "$HOME_DIR/dbbasic-sessions" -x --no-same-owner
    chown -R "$OWNER:$OWNER" "$HOME_DIR/dbbasic-sessions"
    service apache2 restart
  } >> "$TRANSCRIPT" 2>&1
}

# site_content — what the test adds to the site, as kim: a protected program that
# prints who it runs as and what reached it, one that anyone may write to, the
# members' files, a probe of what Apache passes a plain CGI program, two more users.
site_content() {
  as_owner '
cat > ~/public_html/env.pcgi <<"EOF"
#!/bin/sh
printf "Content-Type: text/plain\r\n\r\n"
echo "uid=$(id -u) euid=$(id -un)"
env | sort
EOF
chmod 755 ~/public_html/env.pcgi
printf "#!/bin/sh\ntouch \$HOME/world-writable-ran\nprintf \"Content-Type: text/plain\\\\r\\\\n\\\\r\\\\nRAN\\\\n\"\n" > ~/public_html/open.pcgi
chmod 777 ~/public_html/open.pcgi
mkdir -p ~/public_html/members/staff ~/public_html/probe
printf "<p>members only</p>\n" > ~/public_html/members/index.html
head -c 100000 /dev/urandom > ~/public_html/members/report.pdf
printf "<p>rota</p>\n" > ~/public_html/members/staff/rota.html
printf "Options +ExecCGI\nAddHandler cgi-script .cgi\nSetEnv PROBE_SETENV reached\n" > ~/public_html/probe/.htaccess
printf "#!/bin/sh\nprintf \"Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n\"\nid -un\nenv | sort\n" > ~/public_html/probe/env.cgi
chmod 755 ~/public_html/probe/env.cgi
htpasswd -bB ~/.dbbasic-sessions/htpasswd bob bob-pass
htpasswd -bB ~/.dbbasic-sessions/htpasswd carol carol-pass
'
}

setup_file() {
  : > "$TRANSCRIPT"
  host_side || { cat "$TRANSCRIPT" >&2; return 1; }
  run_readme
  site_content || { cat "$TRANSCRIPT" >&2; return 1; }
  wait_until "apache2 on port 80" curl -sf -o /dev/null http://127.0.0.1/index.html
}

# A failed test shows the end of Apache's error log (the programs' lines are there).
teardown() {
  [ -n "${BATS_TEST_COMPLETED:-}" ] || { echo "--- the end of $ERROR_LOG:"; tail -n 15 "$ERROR_LOG"; } >&2
}

teardown_file() {
  service apache2 stop > /dev/null 2>&1 || true
}

# login_as USER PASS [NEXT] — a form login; sets COOKIE to the session cookie's value.
login_as() {
  http_request -d "username=$1&password=$2&next=${3:-$PREFIX/env.pcgi}" "$BASE/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 "login status of $1"
  COOKIE=$(http_header Set-Cookie | sed -n 's/^session=\([^;]*\);.*/\1/p')
  [ -n "$COOKIE" ]
}

# record WHAT TEXT — for the record, in the transcript enter.sh prints.
record() { printf '### %s\n%s\n' "$1" "$2" >> "$TRANSCRIPT"; }

@test "$VARIANT: the host is Debian's apache2 with mod_userdir, $MPM MPM, mod_$CGI_MODULE, suEXEC $SUEXEC" {
  run -0 apache2ctl -M
  assert_match "$output" "mpm_${MPM}_module" "the MPM"
  assert_match "$output" " ${CGI_MODULE}_module" "the CGI module"
  assert_match "$output" "userdir_module" mod_userdir
  assert_match "$output" "actions_module" mod_actions
  if [ "$SUEXEC" = on ]; then
    grep -q 'AH01232: suEXEC mechanism enabled (wrapper: /usr/lib/apache2/suexec)' "$ERROR_LOG"
    run -0 /usr/lib/apache2/suexec -V
    assert_match "$output" 'AP_USERDIR_SUFFIX="public_html"' "suexec -V"
    assert_match "$output" 'AP_SAFE_PATH="/usr/local/bin:/usr/bin:/bin"' "suexec -V"
    record "/usr/lib/apache2/suexec -V" "$output"
  else
    ! grep -q 'suEXEC mechanism enabled' "$ERROR_LOG"
  fi
  # kim: an account without root, above suEXEC's smallest uid and gid.
  [ "$(id -u "$OWNER")" -ge 100 ] && [ "$(id -g "$OWNER")" -ge 100 ]
  assert_eq "$(id -Gn "$OWNER")" "$OWNER" "kim's groups"
}

@test "$VARIANT: the README's blocks left the settings and the site as the README says" {
  grep -q '^### README block shared-hosting:user,' "$TRANSCRIPT"
  if [ "$SUEXEC" = on ]; then
    grep -q '^### README block shared-hosting:user-with-suexec,' "$TRANSCRIPT"
    ! grep -q '^### README block shared-hosting:user-without-suexec,' "$TRANSCRIPT"
  else
    grep -q '^### README block shared-hosting:user-without-suexec,' "$TRANSCRIPT"
    ! grep -q '^### README block shared-hosting:user-with-suexec,' "$TRANSCRIPT"
  fi
  local conf=$HOME_DIR/.dbbasic-sessions
  assert_eq "$(stat -c '%U:%G' "$conf" "$conf/settings" "$conf/htpasswd" "$conf/revoked" | sort -u)" "$OWNER:$OWNER" "owners"
  assert_match "$(stat -c %a "$conf/settings")" '^[46]00$' "the settings file, the key's home, only kim's"
  grep -q '^SECRET_KEY=[0-9a-f]\{64\}$' "$conf/settings"
  assert_match "$(grep '^alice:' "$conf/htpasswd")" '^alice:\$2y\$' "alice's bcrypt entry"
  # The first line: the Node that ran setup-site (kim's PATH finds /usr/bin/node), by its
  # absolute path, with kim's own compile cache where that Node reads one (22.1+).
  local f line1=/usr/bin/node
  if node_at_least /usr/bin/node 22.1; then line1="/usr/bin/env -S NODE_COMPILE_CACHE=$conf/cache /usr/bin/node"; fi
  for f in gate login logout whoami; do
    assert_eq "$(stat -c '%U %a' "$SITE_DIR/cgi-bin/$f.cgi")" "$OWNER 755" "$f.cgi"
    assert_eq "$(head -n 1 "$SITE_DIR/cgi-bin/$f.cgi")" "#!$line1" "$f.cgi's first line"
  done
  assert_eq "$(stat -c '%U %a' "$SITE_DIR/.htaccess")" "$OWNER 644" ".htaccess"
  grep -q "^Action dbbasic-gate $PREFIX/cgi-bin/gate.cgi\$" "$SITE_DIR/.htaccess"
  if [ "$SUEXEC" = on ]; then
    assert_eq "$(cat "$SITE_DIR/members/staff/.htsession")" $'# staff only\nRequire group staff' ".htsession"
  else
    assert_eq "$(stat -c %a "$HOME_DIR/.dbbasic-sessions/key")" 644 "the key file, readable by everyone"
    assert_eq "$(cat "$SITE_DIR/members/staff/.htaccess")" 'SetEnv SESSION_REQUIRE "group staff"' "members/staff/.htaccess"
  fi
}

@test "$VARIANT: what Apache passes a plain CGI program of kim's: suEXEC's list and kim's uid, or everything as www-data" {
  http_request -H 'Context-Prefix: /evil' "$BASE/probe/env.cgi"
  assert_eq "$http_status" 200 status
  record "what reached a plain CGI program ($PREFIX/probe/env.cgi, Context-Prefix: /evil sent)" "$http_body"
  local names
  names=$(sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' <<<"$http_body")
  assert_match "$http_body" $'\nCONTEXT_DOCUMENT_ROOT='"$SITE_DIR"$'\n' CONTEXT_DOCUMENT_ROOT
  assert_match "$http_body" $'\nCONTEXT_PREFIX='"$PREFIX"$'\n' CONTEXT_PREFIX
  assert_match "$http_body" $'\nHTTP_CONTEXT_PREFIX=/evil\n' "the client's header, under its own name"
  if [ "$SUEXEC" = on ]; then
    assert_eq "$(head -n 1 <<<"$http_body")" "$OWNER" "runs as"
    assert_eq "$(grep -vE "$SUEXEC_NAMES" <<<"$names" | grep -vx PWD)" "" "names outside suEXEC's list"
    assert_match "$http_body" $'\nPATH=/usr/local/bin:/usr/bin:/bin\n' PATH
    [[ $http_body != *PROBE_SETENV* ]]
  else
    assert_eq "$(head -n 1 <<<"$http_body")" www-data "runs as"
    assert_match "$http_body" $'\nPROBE_SETENV=reached\n' "SetEnv reaches it"
  fi
}

@test "$VARIANT: a stranger asking for a .pcgi is sent to the site's login form" {
  http_request -H 'Context-Prefix: /evil' -H 'Context-Document-Root: /' "$BASE/env.pcgi?a=1"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" "$PREFIX/cgi-bin/login.cgi?next=%2F~$OWNER%2Fenv.pcgi%3Fa%3D1" Location
  assert_eq "$(http_header Set-Cookie)" "" "no cookie"
  [[ $http_body != *"uid="* ]]
}

@test "$VARIANT: form login: the cookie's path is the site's, next stays inside it" {
  http_request -d "username=alice&password=alice-pass&next=$PREFIX/members/" "$BASE/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" "$PREFIX/members/" Location
  assert_match "$(http_header Set-Cookie)" "^session=[A-Za-z0-9_=-]+\.[0-9a-f]{64}; HttpOnly; SameSite=Lax; Path=$PREFIX/; Max-Age=2592000\$" Set-Cookie
  local next
  for next in /elsewhere/ //evil.example/ https://evil.example/; do
    http_request -d "username=alice&password=alice-pass&next=$(urlencode "$next")" "$BASE/cgi-bin/login.cgi"
    assert_eq "$http_status" 303 "status, next=$next"
    assert_eq "$(http_header Location)" "$PREFIX/" "Location, next=$next"
  done
}

@test "$VARIANT: whoami.cgi answers for the session and 401 without one" {
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 200 status
  assert_match "$http_body" '^\{"user_id":"alice","expires":[0-9]+\}$' body
  http_request "$BASE/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 "status without a cookie"
  assert_eq "$http_body" '{"error":"no valid session"}' "body without a cookie"
}

@test "$VARIANT: a logged-in user's .pcgi runs as the site's owner with REMOTE_USER (without suEXEC: refused, it is not www-data's)" {
  login_as alice alice-pass
  http_request -b "session=$COOKIE; theme=dark" -H 'Context-Prefix: /evil' "$BASE/env.pcgi/more?x=1"
  if [ "$SUEXEC" = off ]; then
    assert_eq "$http_status" 500 status
    [[ $http_body != *"uid="* ]]
    wait_until "gate.cgi's line in $ERROR_LOG" grep -q "gate\.cgi: .*$SITE_DIR/env\.pcgi" "$ERROR_LOG"
    return 0
  fi
  assert_eq "$http_status" 200 status
  record "what reached $PREFIX/env.pcgi/more?x=1 through gate.cgi, for alice (Context-Prefix: /evil sent)" "$http_body"
  assert_eq "$(head -n 1 <<<"$http_body")" "uid=$(id -u "$OWNER") euid=$OWNER" "runs as"
  local env
  env=$(tail -n +2 <<<"$http_body")
  assert_match "$env" $'(^|\n)REMOTE_USER=alice\n' REMOTE_USER
  assert_match "$env" $'(^|\n)AUTH_TYPE=Cookie\n' AUTH_TYPE
  assert_match "$env" $'(^|\n)HTTP_COOKIE=theme=dark\n' "the other cookies, not the session"
  assert_match "$env" $'(^|\n)CONTEXT_PREFIX='"$PREFIX"$'\n' CONTEXT_PREFIX
  assert_match "$env" $'(^|\n)SCRIPT_FILENAME='"$SITE_DIR"$'/env.pcgi\n' SCRIPT_FILENAME
  assert_match "$env" $'(^|\n)PATH_INFO=/more\n' PATH_INFO
  assert_match "$env" $'(^|\n)QUERY_STRING=x=1\n' QUERY_STRING
  [[ $env != *SECRET_KEY* ]]
  [[ $env != *"$COOKIE"* ]]
  # Beside suEXEC's list: the settings file's lines but the key (the gate passes its
  # settings on, as a server's SetEnv would), the defaults it found for this site, and sh's PWD.
  assert_eq "$(sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' <<<"$env" | grep -vE "$SUEXEC_NAMES" | tr '\n' ' ')" \
    "HTGROUP_FILE HTPASSWD_FILE LOGIN_URL LOGOUT_URL PWD SESSION_REVOKED_FILE " "the names outside suEXEC's list"
  assert_match "$env" $'(^|\n)LOGIN_URL='"$PREFIX"$'/cgi-bin/login.cgi\n' LOGIN_URL
  assert_match "$env" $'(^|\n)PWD='"$SITE_DIR"$'\n' "the program's folder"
}

@test "$VARIANT: a program anyone may write to is refused, and not run" {
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/open.pcgi"
  assert_eq "$http_status" 500 status
  [[ $http_body != *RAN* ]]
  [ ! -e "$HOME_DIR/world-writable-ran" ]
  wait_until "gate.cgi's line in $ERROR_LOG" grep -q "gate\.cgi: .*$SITE_DIR/open\.pcgi" "$ERROR_LOG"
}

@test "$VARIANT: the members folder: a stranger is sent to log in; alice gets the page, and the PDF whole and by range" {
  http_request -H 'Context-Prefix: /evil' "$BASE/members/report.pdf"
  assert_eq "$http_status" 303 stranger
  assert_eq "$(http_header Location)" "$PREFIX/cgi-bin/login.cgi?next=%2F~$OWNER%2Fmembers%2Freport.pdf" Location
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/members/"
  assert_eq "$http_status" 200 "the folder's index.html"
  assert_eq "$http_body" $'<p>members only</p>\n' page
  curl -s -b "session=$COOKIE" -o "$BATS_TEST_TMPDIR/whole.pdf" "$BASE/members/report.pdf"
  cmp "$BATS_TEST_TMPDIR/whole.pdf" "$SITE_DIR/members/report.pdf"
  http_request -b "session=$COOKIE" -I "$BASE/members/report.pdf"
  assert_eq "$http_status" 200 HEAD
  assert_eq "$(http_header Content-Length)" 100000 Content-Length
  assert_eq "$(http_header Content-Type)" application/pdf Content-Type
  assert_eq "$(http_header Cache-Control)" "private, no-cache" Cache-Control
  http_request -b "session=$COOKIE" -r 100-199 "$BASE/members/report.pdf"
  assert_eq "$http_status" 206 range
  assert_eq "$(http_header Content-Range)" "bytes 100-199/100000" Content-Range
  assert_eq "$(http_header Content-Length)" 100 "the range's Content-Length"
  curl -s -b "session=$COOKIE" -r 100-199 -o "$BATS_TEST_TMPDIR/part" "$BASE/members/report.pdf"
  cmp "$BATS_TEST_TMPDIR/part" <(tail -c +101 "$SITE_DIR/members/report.pdf" | head -c 100)
}

@test "$VARIANT: the staff rule (.htsession; without suEXEC SetEnv): bob gets 403 in members/staff/, alice (staff) 200; no .ht* file is served" {
  login_as bob bob-pass
  http_request -b "session=$COOKIE" "$BASE/members/staff/rota.html"
  assert_eq "$http_status" 403 "bob, not staff"
  [[ $http_body != *"<p>rota</p>"* ]]
  http_request -b "session=$COOKIE" "$BASE/members/index.html"
  assert_eq "$http_status" 200 "bob, the rest of members/"
  login_as alice alice-pass
  http_request -b "session=$COOKIE" "$BASE/members/staff/rota.html"
  assert_eq "$http_status" 200 "alice, staff"
  assert_eq "$http_body" $'<p>rota</p>\n' page
  local f rule=members/staff/.htsession
  [ "$SUEXEC" = on ] || rule=members/staff/.htaccess
  for f in "$rule" .htaccess members/.htaccess; do
    http_request -b "session=$COOKIE" "$BASE/$f"
    assert_eq "$http_status" 403 "$f"
    [[ $http_body != *Require* && $http_body != *Action* && $http_body != *SetHandler* ]]
  done
}

@test "$VARIANT: dbbasic-sessions revoke, run by kim with the settings file, logs bob out everywhere and nobody else" {
  login_as bob bob-pass
  local bob=$COOKIE
  login_as carol carol-pass
  http_request -b "session=$bob" "$BASE/members/"
  assert_eq "$http_status" 200 "bob, before"
  as_owner '~/dbbasic-sessions/bin/dbbasic-sessions revoke bob'
  assert_match "$(cat "$HOME_DIR/.dbbasic-sessions/revoked")" '^bob [0-9]+$' "the revocation list"
  http_request -b "session=$bob" "$BASE/members/"
  assert_eq "$http_status" 303 "bob, revoked"
  assert_eq "$(http_header Location)" "$PREFIX/cgi-bin/login.cgi?next=%2F~$OWNER%2Fmembers%2F" Location
  http_request -b "session=$bob" "$BASE/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 "bob's whoami"
  http_request -b "session=$COOKIE" "$BASE/members/"
  assert_eq "$http_status" 200 carol
}

@test "$VARIANT: logout deletes the site's cookie" {
  http_request -X POST -d "next=$PREFIX/" "$BASE/cgi-bin/logout.cgi"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" "$PREFIX/" Location
  assert_eq "$(http_header Set-Cookie)" "session=; HttpOnly; SameSite=Lax; Path=$PREFIX/; Max-Age=0" Set-Cookie
}

@test "$VARIANT: a failed login is one line in the host's error log, which the shipped fail2ban filter reads" {
  local before
  before=$(grep -c 'login failed' "$ERROR_LOG" || true)
  http_request --interface 127.0.0.3 --data-urlencode 'username=mallory" from 6.6.6.6' -d 'password=x' "$BASE/cgi-bin/login.cgi"
  assert_eq "$http_status" 401 status
  wait_until "the failure line in $ERROR_LOG" bash -c '[ "$(grep -c "login failed" "$1")" -gt "$2" ]' _ "$ERROR_LOG" "$before"
  local line
  line=$(grep 'login failed' "$ERROR_LOG" | tail -n 1)
  record "the failed login in $ERROR_LOG" "$line"
  if [ "$CGI_MODULE" = cgid ]; then
    assert_eq "$line" 'login.cgi: login failed for user "mallory\" from 6.6.6.6" from 127.0.0.3' "the bare line"
  else
    # mod_cgi's prefix (Apache's own [client …] address), and its escaping of the backslash.
    assert_match "$line" '^\[[^]]*\] \[cgi:error\] \[pid [0-9]+(:tid [0-9]+)?\] \[client 127\.0\.0\.3:[0-9]+\] ' "mod_cgi's prefix"
    assert_eq "${line#*\] \[client 127.0.0.3:*\] }" \
      "AH01215: stderr from $SITE_DIR/cgi-bin/login.cgi: login.cgi: login failed for user \"mallory\\\\\" from 6.6.6.6\" from 127.0.0.3" "mod_cgi's line"
  fi
  run -0 fail2ban-regex -o ip "$ERROR_LOG" "$TEST_REPO/examples/fail2ban/filter.d/dbbasic-sessions.conf"
  assert_match "$output" "127\.0\.0\.3" "the client address"
  [[ $output != *6.6.6.6* ]]
}
