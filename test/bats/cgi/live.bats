#!/usr/bin/env bats
# Live sessions and access rules (docs/members-area.md, "Who may pass") in
# whoami.cgi, gate.cgi, login.cgi and logout.cgi, run as CGI processes: a user
# removed from HTPASSWD_FILE or revoked in SESSION_REVOKED_FILE is out at the
# next request; SESSION_REQUIRE lets one user pass and refuses another with 403.
# Revocation times are given with `revoke --time`, never waited for.

load ../../helpers/cgi
load ../../helpers/gate-targets

setup_file() {
  export DOCROOT=$BATS_FILE_TMPDIR/www ETC=$BATS_FILE_TMPDIR/etc
  mkdir -p "$DOCROOT" "$ETC"
  gate_targets "$DOCROOT"
  htpasswd -cbB -C 4 "$ETC/htpasswd" alice alice-pass 2>/dev/null
  htpasswd -bB -C 4 "$ETC/htpasswd" bob bob-pass 2>/dev/null
  printf 'staff: alice\nclients: bob carol\n' > "$ETC/groups"
}

setup() {
  ENV_CWD=$DOCROOT
  cp "$ETC/htpasswd" "$BATS_TEST_TMPDIR/htpasswd"
  HTPASSWD=$BATS_TEST_TMPDIR/htpasswd REVOKED=$BATS_TEST_TMPDIR/revoked
  NOW=$(date +%s)
}

# gate GATE_ARGS… — gate.cgi in lighttpd's form in front of env.pcgi.
gate() {
  cgi_run gate.cgi --arg "$DOCROOT/env.pcgi" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/env.pcgi" \
    SCRIPT_NAME=/env.pcgi REQUEST_URI=/members/env.pcgi HTPASSWD_FILE="$HTPASSWD" "$@"
}

revoke() { SESSION_REVOKED_FILE=$REVOKED cli revoke "$@" > /dev/null; }

env_line() { # NAME: env.pcgi's line for NAME
  grep "^$1=" <<<"$cgi_body"
}

assert_bounced() { # the gate answered a GET as for a stranger
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" "/cgi-bin/login.cgi?next=%2Fmembers%2Fenv.pcgi" Location
  [[ $cgi_body != *REMOTE_USER=* ]]
}

@test "a user still in HTPASSWD_FILE passes whoami.cgi and gate.cgi" {
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token alice)" HTPASSWD_FILE="$HTPASSWD"
  assert_eq "$cgi_status" 200 status
  assert_match "$cgi_body" '^\{"user_id":"alice","expires":[0-9]+\}$' body
  assert_eq "$cgi_stderr" "" stderr
  gate HTTP_COOKIE="session=$(cgi_token alice)"
  assert_eq "$cgi_status" 200 status
  assert_eq "$(env_line REMOTE_USER)" REMOTE_USER=alice REMOTE_USER
}

@test "htpasswd -D ends the user's sessions at the next request: whoami 401, gate as a stranger, one log line each" {
  local token
  token=$(cgi_token bob)
  htpasswd -D "$HTPASSWD" bob 2>/dev/null
  cgi_run whoami.cgi HTTP_COOKIE="session=$token" HTPASSWD_FILE="$HTPASSWD"
  assert_eq "$cgi_status" 401 status
  assert_eq "$cgi_body" '{"error":"no valid session"}' body
  run -1 cgi_header Set-Cookie
  assert_eq "$cgi_stderr" 'whoami.cgi: session of user "bob" refused: its user is not in HTPASSWD_FILE (from 192.0.2.7)' stderr
  gate HTTP_COOKIE="session=$token"
  assert_bounced
  assert_eq "$cgi_stderr" 'gate.cgi: session of user "bob" refused: its user is not in HTPASSWD_FILE (from 192.0.2.7)' stderr
  gate HTTP_COOKIE="session=$token" REQUEST_METHOD=POST
  assert_eq "$cgi_status" 401 "status of a POST"
}

@test "SESSION_CHECK_HTPASSWD=off keeps sessions of users who are not in the file (logins from elsewhere)" {
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token sso-user)" HTPASSWD_FILE="$HTPASSWD" SESSION_CHECK_HTPASSWD=off
  assert_eq "$cgi_status" 200 status
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token sso-user)" HTPASSWD_FILE="$HTPASSWD" SESSION_CHECK_HTPASSWD=On
  assert_eq "$cgi_status" 401 "status with On"
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token sso-user)" HTPASSWD_FILE="$HTPASSWD" SESSION_CHECK_HTPASSWD=no
  assert_eq "$cgi_status" 500 "status with no"
  assert_eq "$cgi_body" '{"error":"server error"}' body
  assert_eq "$cgi_stderr" 'whoami.cgi: SESSION_CHECK_HTPASSWD must be "on" (the default) or "off"' stderr
}

@test "without HTPASSWD_FILE nobody's membership is checked" {
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token nobody-in-a-file)"
  assert_eq "$cgi_status" 200 status
}

@test "an unreadable HTPASSWD_FILE is a configuration error for a session, not a logout" {
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token alice)" HTPASSWD_FILE="$BATS_TEST_TMPDIR/missing"
  assert_eq "$cgi_status" 500 status
  assert_match "$cgi_stderr" "^whoami.cgi: HTPASSWD_FILE \".*/missing\" cannot be read \(ENOENT\)$" stderr
}

@test "revoke ends the sessions issued until then, and only that user's" {
  local alice bob
  alice=$(cgi_token alice) bob=$(cgi_token bob)
  revoke alice --time $((NOW + 60))
  cgi_run whoami.cgi HTTP_COOKIE="session=$alice" HTPASSWD_FILE="$HTPASSWD" SESSION_REVOKED_FILE="$REVOKED"
  assert_eq "$cgi_status" 401 status
  assert_eq "$cgi_stderr" 'whoami.cgi: session of user "alice" refused: it was revoked (from 192.0.2.7)' stderr
  gate HTTP_COOKIE="session=$alice" SESSION_REVOKED_FILE="$REVOKED"
  assert_bounced
  cgi_run whoami.cgi HTTP_COOKIE="session=$bob" HTPASSWD_FILE="$HTPASSWD" SESSION_REVOKED_FILE="$REVOKED"
  assert_eq "$cgi_status" 200 "bob's status"
}

@test "a session issued after the revocation is live; one made with a shorter lifetime counts as issued earlier" {
  revoke alice --time $((NOW - 100))
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token alice)" SESSION_REVOKED_FILE="$REVOKED"
  assert_eq "$cgi_status" 200 "a session issued 100 s after the revocation"
  # Expires in 60 s under SESSION_TTL 30 days: taken as issued 30 days − 60 s ago, before the revocation.
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token alice 60)" SESSION_REVOKED_FILE="$REVOKED"
  assert_eq "$cgi_status" 401 "a 60-second session"
  # Under SESSION_TTL=60 the same token was issued now: after the revocation.
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token alice 60)" SESSION_REVOKED_FILE="$REVOKED" SESSION_TTL=60
  assert_eq "$cgi_status" 200 "the same with SESSION_TTL=60"
}

@test "a revocation covers tokens of any lifetime: one made to last longer than SESSION_MAX_TTL is refused, and within it revoked" {
  local year=31536000 long short
  # `create --ttl` longer than the checker's SESSION_TTL (docs/members-area.md, "Who may pass").
  long=$(SECRET_KEY=$CGI_KEY SESSION_TTL=$year cli create bob --ttl $year)
  short=$(cgi_token bob 60)
  cgi_run whoami.cgi HTTP_COOKIE="session=$long" SESSION_REVOKED_FILE="$REVOKED"
  assert_eq "$cgi_status" 401 "a one-year token under the default SESSION_MAX_TTL (SESSION_TTL, 30 days)"
  assert_eq "$cgi_stderr" 'whoami.cgi: session of user "bob" refused: it was made to last longer than SESSION_MAX_TTL (2592000 s) (from 192.0.2.7)' stderr
  touch "$REVOKED"
  cgi_run whoami.cgi HTTP_COOKIE="session=$long" SESSION_REVOKED_FILE="$REVOKED" SESSION_MAX_TTL=$year
  assert_eq "$cgi_status" 200 "the same token with SESSION_MAX_TTL one year, before the revocation"
  cgi_run whoami.cgi HTTP_COOKIE="session=$short" SESSION_REVOKED_FILE="$REVOKED" SESSION_MAX_TTL=$year
  assert_eq "$cgi_status" 200 "a 60-second token before the revocation"
  revoke bob --time $((NOW + 60)) # after both tokens were made, however slowly
  for token in "$long" "$short"; do
    cgi_run whoami.cgi HTTP_COOKIE="session=$token" SESSION_REVOKED_FILE="$REVOKED" SESSION_MAX_TTL=$year
    assert_eq "$cgi_status" 401 "whoami after the revocation"
    assert_eq "$cgi_stderr" 'whoami.cgi: session of user "bob" refused: it was revoked (from 192.0.2.7)' stderr
    gate HTTP_COOKIE="session=$token" SESSION_REVOKED_FILE="$REVOKED" SESSION_MAX_TTL=$year
    assert_bounced
    run -1 env SECRET_KEY="$CGI_KEY" SESSION_REVOKED_FILE="$REVOKED" SESSION_MAX_TTL=$year "$TEST_REPO/bin/dbbasic-sessions" verify "$token"
  done
}

@test "SESSION_TTL longer than SESSION_MAX_TTL is a configuration error; create refuses a --ttl beyond SESSION_MAX_TTL" {
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token alice)" SESSION_TTL=7200 SESSION_MAX_TTL=3600
  assert_eq "$cgi_status" 500 status
  assert_eq "$cgi_stderr" 'whoami.cgi: SESSION_TTL (7200) is longer than SESSION_MAX_TTL (3600): its sessions would be refused; raise SESSION_MAX_TTL wherever sessions are checked' stderr
  run -2 env SECRET_KEY="$CGI_KEY" "$TEST_REPO/bin/dbbasic-sessions" create bob --ttl 31536000
  assert_eq "${lines[0]}" 'dbbasic-sessions: --ttl 31536000 is longer than SESSION_MAX_TTL (2592000): such a token would be refused; raise SESSION_MAX_TTL wherever sessions are checked' output
  run -0 env SECRET_KEY="$CGI_KEY" SESSION_MAX_TTL=31536000 "$TEST_REPO/bin/dbbasic-sessions" create bob --ttl 31536000
  run -2 env SECRET_KEY="$CGI_KEY" SESSION_MAX_TTL=0 "$TEST_REPO/bin/dbbasic-sessions" create bob
  assert_eq "$output" 'dbbasic-sessions: SESSION_MAX_TTL must be a whole number of seconds greater than 0' output
}

@test "revocation lines that do not parse are ignored with one log line; CRLF, a BOM and huge lines do not break it" {
  printf '\xef\xbb\xbfjunk\r\nalice %s\r\nbob 12x\r\n%s\r\n' $((NOW + 60)) "$(head -c 5000 /dev/zero | tr '\0' a)" > "$REVOKED"
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token alice)" SESSION_REVOKED_FILE="$REVOKED"
  assert_eq "$cgi_status" 401 status
  assert_eq "$cgi_stderr" "whoami.cgi: SESSION_REVOKED_FILE \"$REVOKED\": ignored 3 lines that do not parse (line 1, 3, 4)
whoami.cgi: session of user \"alice\" refused: it was revoked (from 192.0.2.7)" stderr
}

@test "an unreadable, missing or non-regular SESSION_REVOKED_FILE is a 500 with one log line" {
  local token
  token=$(cgi_token alice)
  cgi_run whoami.cgi HTTP_COOKIE="session=$token" SESSION_REVOKED_FILE="$BATS_TEST_TMPDIR/nope"
  assert_eq "$cgi_status" 500 status
  assert_eq "$cgi_stderr" "whoami.cgi: SESSION_REVOKED_FILE \"$BATS_TEST_TMPDIR/nope\" cannot be read (ENOENT)" stderr
  gate HTTP_COOKIE="session=$token" SESSION_REVOKED_FILE=/dev/zero
  cgi_expect_refused 500 'SESSION_REVOKED_FILE "/dev/zero" is not a regular file \(a character device\)$'
}

@test "revoke creates the file 0640, appends USER TIME, and concurrent calls lose no line" {
  run -0 env SESSION_REVOKED_FILE="$REVOKED" "$TEST_REPO/bin/dbbasic-sessions" revoke alice --time 1700000000
  assert_eq "$output" "alice 1700000000" output
  assert_eq "$(stat -c %a "$REVOKED")" 640 mode
  local i pids=()
  for i in $(seq 1 40); do
    SESSION_REVOKED_FILE=$REVOKED "$TEST_REPO/bin/dbbasic-sessions" revoke "user-$i" --time $((1700000000 + i)) > /dev/null &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  assert_eq "$(wc -l < "$REVOKED")" 41 "lines"
  assert_eq "$(sort "$REVOKED" | head -n 1)" "alice 1700000000" "first line"
  assert_eq "$(grep -c '^user-[0-9]* 17000000[0-9][0-9]$' "$REVOKED")" 40 "every concurrent line whole"
  run -0 "$TEST_REPO/bin/dbbasic-sessions" revoke bob --file "$REVOKED" --time 5
  assert_eq "$(tail -n 1 "$REVOKED")" "bob 5" "--file"
}

@test "revoke refuses what it cannot write as one line, and a missing file setting" {
  run -2 env -u SESSION_REVOKED_FILE "$TEST_REPO/bin/dbbasic-sessions" revoke alice
  assert_match "$output" "^dbbasic-sessions: set SESSION_REVOKED_FILE, or name the file with --file FILE" output
  run -2 env SESSION_REVOKED_FILE="$REVOKED" "$TEST_REPO/bin/dbbasic-sessions" revoke $'al\nice'
  assert_match "$output" "^dbbasic-sessions: USER must be a non-empty name without control characters" output
  run -2 env SESSION_REVOKED_FILE="$REVOKED" "$TEST_REPO/bin/dbbasic-sessions" revoke alice --time soon
  # A name readers would ignore (a line over 1024 characters) is refused, not written and forgotten.
  run -2 env SESSION_REVOKED_FILE="$REVOKED" "$TEST_REPO/bin/dbbasic-sessions" revoke "$(head -c 1014 /dev/zero | tr '\0' a)" --time 1700000000
  assert_eq "${lines[0]}" "dbbasic-sessions: USER is too long: a revocation line holds at most 1024 characters, and readers ignore longer ones" output
  [ ! -e "$REVOKED" ]
  run -0 env SESSION_REVOKED_FILE="$REVOKED" "$TEST_REPO/bin/dbbasic-sessions" revoke "$(head -c 1013 /dev/zero | tr '\0' a)" --time 1700000000
  assert_eq "$(wc -c < "$REVOKED")" 1025 "the longest line readers take, and its newline"
}

@test "dbbasic-sessions verify applies the same live checks: exit 1 for a removed or revoked user" {
  local token
  token=$(cgi_token alice)
  run -0 env SECRET_KEY="$CGI_KEY" HTPASSWD_FILE="$HTPASSWD" "$TEST_REPO/bin/dbbasic-sessions" verify "$token"
  assert_eq "$output" alice output
  revoke alice --time $((NOW + 60))
  run -1 env SECRET_KEY="$CGI_KEY" SESSION_REVOKED_FILE="$REVOKED" "$TEST_REPO/bin/dbbasic-sessions" verify "$token"
  assert_eq "$output" "" output
  htpasswd -D "$HTPASSWD" alice 2>/dev/null
  run -1 env SECRET_KEY="$CGI_KEY" HTPASSWD_FILE="$HTPASSWD" "$TEST_REPO/bin/dbbasic-sessions" verify "$token"
}

@test "login.cgi shows the form to a revoked user instead of sending them on; logout.cgi no longer names them" {
  local token
  token=$(cgi_token alice)
  : > "$REVOKED"
  cgi_run login.cgi HTTP_COOKIE="session=$token" QUERY_STRING="next=/members/" SESSION_REVOKED_FILE="$REVOKED" HTPASSWD_FILE="$HTPASSWD"
  assert_eq "$cgi_status" 303 "live: sent on"
  revoke alice --time $((NOW + 60))
  cgi_run login.cgi HTTP_COOKIE="session=$token" QUERY_STRING="next=/members/" SESSION_REVOKED_FILE="$REVOKED" HTPASSWD_FILE="$HTPASSWD"
  assert_eq "$cgi_status" 200 "revoked: the form"
  assert_match "$cgi_body" '<form' body
  cgi_run logout.cgi HTTP_COOKIE="session=$token" SESSION_REVOKED_FILE="$REVOKED"
  assert_eq "$cgi_status" 200 status
  [[ $cgi_body != *alice* ]]
}

@test "SESSION_REQUIRE user: the named user passes, another gets 403 naming them, with a logout button, and one log line" {
  gate HTTP_COOKIE="session=$(cgi_token alice)" SESSION_REQUIRE="user alice carol"
  assert_eq "$cgi_status" 200 "alice"
  assert_eq "$(env_line REMOTE_USER)" REMOTE_USER=alice REMOTE_USER
  gate HTTP_COOKIE="session=$(cgi_token bob)" SESSION_REQUIRE="user alice carol"
  assert_eq "$cgi_status" 403 "bob"
  assert_eq "$(cgi_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  assert_eq "$(cgi_header Cache-Control)" no-store Cache-Control
  run -1 cgi_header Set-Cookie
  assert_match "$cgi_body" 'You are logged in as <strong>bob</strong>' body
  assert_match "$cgi_body" '<form method="post" action="/cgi-bin/logout.cgi">' "logout form"
  assert_match "$cgi_body" 'name="next" value="/cgi-bin/login.cgi\?next=%2Fmembers%2Fenv.pcgi"' "then back to the login form"
  [[ $cgi_body != *REMOTE_USER=* ]]
  assert_eq "$cgi_stderr" 'gate.cgi: user "bob" may not access /members/env.pcgi from 192.0.2.7' stderr
}

@test "the 403 page escapes the user's name, and the log line quotes it" {
  htpasswd -b "$HTPASSWD" '<b>"x"</b>' pass 2>/dev/null
  gate HTTP_COOKIE="session=$(cgi_token '<b>"x"</b>')" SESSION_REQUIRE="user alice"
  assert_eq "$cgi_status" 403 status
  assert_match "$cgi_body" 'logged in as <strong>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</strong>' body
  assert_eq "$cgi_stderr" 'gate.cgi: user "<b>\"x\"</b>" may not access /members/env.pcgi from 192.0.2.7' stderr
}

@test "SESSION_REQUIRE group reads HTGROUP_FILE: a member passes, others get 403; several rules, any one passing" {
  gate HTTP_COOKIE="session=$(cgi_token alice)" SESSION_REQUIRE="group staff" HTGROUP_FILE="$ETC/groups"
  assert_eq "$cgi_status" 200 "alice, in staff"
  gate HTTP_COOKIE="session=$(cgi_token bob)" SESSION_REQUIRE="group staff" HTGROUP_FILE="$ETC/groups"
  assert_eq "$cgi_status" 403 "bob, not in staff"
  gate HTTP_COOKIE="session=$(cgi_token bob)" SESSION_REQUIRE="group staff; group clients" HTGROUP_FILE="$ETC/groups"
  assert_eq "$cgi_status" 200 "bob, in clients"
  gate HTTP_COOKIE="session=$(cgi_token bob)" SESSION_REQUIRE="valid-user"
  assert_eq "$cgi_status" 200 "valid-user"
}

@test "group files with junk lines are read with one log line" {
  printf '\xef\xbb\xbfjunk line\r\nstaff: alice\r\n' > "$BATS_TEST_TMPDIR/groups"
  gate HTTP_COOKIE="session=$(cgi_token alice)" SESSION_REQUIRE="group staff" HTGROUP_FILE="$BATS_TEST_TMPDIR/groups"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "gate.cgi: HTGROUP_FILE \"$BATS_TEST_TMPDIR/groups\": ignored 1 line that do not parse (line 1)
env.pcgi ran for alice" "stderr: our line, then the program's own"
}

@test "a malformed SESSION_REQUIRE is a 500 for everyone, a stranger too, and runs nothing" {
  gate SESSION_REQUIRE="user"
  cgi_expect_refused 500 'SESSION_REQUIRE has "user": use "valid-user", "user NAME \.\.\." or "group NAME \.\.\.", several separated by ";"$'
  gate HTTP_COOKIE="session=$(cgi_token alice)" SESSION_REQUIRE="all granted"
  cgi_expect_refused 500 'SESSION_REQUIRE has "all granted": '
}

@test "a group rule without HTGROUP_FILE, or with one that cannot be read, is a 500" {
  gate HTTP_COOKIE="session=$(cgi_token alice)" SESSION_REQUIRE="group staff"
  cgi_expect_refused 500 'SESSION_REQUIRE names a group but HTGROUP_FILE is not set: '
  gate HTTP_COOKIE="session=$(cgi_token alice)" SESSION_REQUIRE="group staff" HTGROUP_FILE="$BATS_TEST_TMPDIR/none"
  cgi_expect_refused 500 'HTGROUP_FILE ".*/none" cannot be read \(ENOENT\)$'
}

@test "under Apache's Action the protected folder's rules arrive as REDIRECT_SESSION_REQUIRE and win; a client's header does not count" {
  gate HTTP_COOKIE="session=$(cgi_token bob)" SESSION_REQUIRE=valid-user REDIRECT_SESSION_REQUIRE="group staff" \
    REDIRECT_HTGROUP_FILE="$ETC/groups"
  assert_eq "$cgi_status" 403 "the folder's rule"
  gate HTTP_COOKIE="session=$(cgi_token bob)" SESSION_REQUIRE="user alice" HTTP_SESSION_REQUIRE=valid-user \
    HTTP_REDIRECT_SESSION_REQUIRE=valid-user
  assert_eq "$cgi_status" 403 "request headers"
}

@test "FORBIDDEN_TEMPLATE gives the 403 page the site's look" {
  printf '<title>No</title><p>{{user}} may not. <form action="{{action}}"><input name="next" value="{{next}}"></form>\n' > "$BATS_TEST_TMPDIR/forbidden.html"
  gate HTTP_COOKIE="session=$(cgi_token bob)" SESSION_REQUIRE="user alice" REDIRECT_FORBIDDEN_TEMPLATE="$BATS_TEST_TMPDIR/forbidden.html"
  assert_eq "$cgi_status" 403 status
  assert_eq "$cgi_body" '<title>No</title><p>bob may not. <form action="/cgi-bin/logout.cgi"><input name="next" value="/cgi-bin/login.cgi?next=%2Fmembers%2Fenv.pcgi"></form>
' body
}
