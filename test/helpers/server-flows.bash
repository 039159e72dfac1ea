# test/helpers/server-flows.bash — the journeys every real-server test file
# (lighttpd.bats, apache.bats, htaccess.bats) drives with curl and a cookie jar.
# Each file starts its server as "web" with the users of flows_add_users, sets
# BASIC_AUTH_LOG_RE (the server's own log line for a wrong Basic-auth password)
# and calls flows_register_tests LABEL, which registers every journey below as a test.
# SERVER_URL and JAR are set by flows_setup (the files' setup).

flows_add_users() {
  site_add_user ann ann-secret -B # bcrypt
  site_add_user bob bob-secret -m # $apr1$
  site_add_user cy cy-secret -s   # {SHA}
}

flows_setup() {
  SERVER_URL=$(server_url web)
  JAR=$BATS_TEST_TMPDIR/cookies
}

# Each server's own error-log line for a wrong Basic-auth password of ann from 127.0.0.1.
LIGHTTPD_BASIC_AUTH_LOG_RE='\(mod_auth\.c\.[0-9]+\) password doesn.t match for /auth/login\.cgi username: ann IP: 127\.0\.0\.1'
APACHE_BASIC_AUTH_LOG_RE='\[client 127\.0\.0\.1:[0-9]+\] AH01617: user ann: authentication failure for "/auth/login\.cgi": Password Mismatch'

COOKIE_RE='^session=([A-Za-z0-9_=-]+\.[0-9a-f]{64}); HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000$'
DELETE_COOKIE='session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0'

# The last reply set the session cookie for USER, and sent us to LOCATION.
_expect_session_for() {
  local user=$1 location=$2
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" "$location" Location
  assert_eq "$(http_header Cache-Control)" no-store Cache-Control
  assert_match "$(http_header Set-Cookie)" "$COOKIE_RE" Set-Cookie
  TOKEN=${BASH_REMATCH[1]}
  assert_eq "$(SECRET_KEY=$SITE_KEY cli verify "$TOKEN")" "$user" "user in the token"
}

# whoami with the jar answers 200 with USER and the token's expiry, and renews nothing.
_expect_whoami() {
  http_request -b "$JAR" -c "$JAR" "$SERVER_URL/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 200 status
  assert_eq "$(http_header Content-Type)" application/json Content-Type
  assert_eq "$(http_header Cache-Control)" no-store Cache-Control
  assert_eq "$http_body" "{\"user_id\":\"$1\",\"expires\":$(token_expires "$TOKEN")}" body
  run -1 http_header Set-Cookie
}

_expect_whoami_401() {
  http_request -b "$JAR" -c "$JAR" "$SERVER_URL/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 status
  assert_eq "$(http_header Content-Type)" application/json Content-Type
  assert_eq "$(http_header Cache-Control)" no-store Cache-Control
  assert_eq "$http_body" '{"error":"no valid session"}' body
  run -1 http_header Set-Cookie
}

# Log out with the form's POST, then whoami answers 401 and the jar holds no session.
_logout_then_401() {
  http_request -b "$JAR" -c "$JAR" --data-urlencode next=/bye "$SERVER_URL/cgi-bin/logout.cgi"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" /bye Location
  assert_eq "$(http_header Set-Cookie)" "$DELETE_COOKIE" Set-Cookie
  run -1 grep -w session "$JAR"
  _expect_whoami_401
}

flow_form_login() { # USER PASSWORD
  http_request -b "$JAR" -c "$JAR" --data-urlencode "username=$1" --data-urlencode "password=$2" \
    --data-urlencode 'next=/account?tab=1' "$SERVER_URL/cgi-bin/login.cgi"
  _expect_session_for "$1" '/account?tab=1'
  assert_eq "$(http_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  _expect_whoami "$1"
  _logout_then_401
}

flow_basic_login() { # USER PASSWORD
  http_request -b "$JAR" -c "$JAR" -u "$1:$2" "$SERVER_URL/auth/login.cgi?next=/home"
  _expect_session_for "$1" /home
  _expect_whoami "$1"
  _logout_then_401
}

flow_basic_needs_credentials() {
  http_request -b "$JAR" -c "$JAR" "$SERVER_URL/auth/login.cgi?next=/home"
  assert_eq "$http_status" 401 status
  assert_match "$(http_header WWW-Authenticate)" '^Basic realm="dbbasic-sessions"' WWW-Authenticate
  run -1 http_header Set-Cookie
}

flow_basic_wrong_password() { # the server's own line (BASIC_AUTH_LOG_RE) names ann and 127.0.0.1
  http_request -b "$JAR" -c "$JAR" -u ann:wrong "$SERVER_URL/auth/login.cgi?next=/home"
  assert_eq "$http_status" 401 status
  run -1 http_header Set-Cookie
  server_log_wait web "$BASIC_AUTH_LOG_RE"
  _expect_whoami_401
}

# A refused form login: 401, the form again with one generic message, no cookie,
# and login.cgi's line in the server's error log naming USER and 127.0.0.1.
flow_form_refused() { # USER PASSWORD
  http_request -b "$JAR" -c "$JAR" --data-urlencode "username=$1" --data-urlencode "password=$2" \
    --data-urlencode next=/account "$SERVER_URL/cgi-bin/login.cgi"
  assert_eq "$http_status" 401 status
  assert_eq "$(http_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  assert_eq "$(http_header Cache-Control)" no-store Cache-Control
  run -1 http_header Set-Cookie
  assert_eq "$(grep -o 'Invalid username or password\.' <<<"$http_body" | wc -l)" 1 "error messages"
  server_log_wait web "login\.cgi: login failed for user \"$1\" from 127\.0\.0\.1"
  _expect_whoami_401
}

flow_login_form() {
  http_request "$SERVER_URL/cgi-bin/login.cgi?next=/a%22b"
  assert_eq "$http_status" 200 status
  assert_eq "$(http_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  assert_eq "$(http_header Cache-Control)" no-store Cache-Control
  assert_match "$http_body" '<form method="post" action="/cgi-bin/login\.cgi">' form
  assert_match "$http_body" '<input type="hidden" name="next" value="/a&quot;b">' "hidden next"
}

flow_cross_site_post() {
  http_request -H 'Origin: http://evil.example' --data-urlencode username=ann \
    --data-urlencode password=ann-secret "$SERVER_URL/cgi-bin/login.cgi"
  assert_eq "$http_status" 403 status
  run -1 http_header Set-Cookie
  server_log_wait web 'cross-site POST refused \(Origin "http://evil\.example"'
}

flow_oversized_body() {
  head -c 70000 /dev/zero | tr '\0' a > "$BATS_TEST_TMPDIR/big"
  http_request --data-binary "@$BATS_TEST_TMPDIR/big" "$SERVER_URL/cgi-bin/login.cgi"
  assert_eq "$http_status" 413 status
  run -1 http_header Set-Cookie
  server_log_wait web 'request body of 70000 bytes is over the 65536-byte limit'
}

flow_tampered_cookie() {
  local token
  token=$(SECRET_KEY=$SITE_KEY cli create ann)
  local last=0
  [ "${token: -1}" != 0 ] || last=1
  http_request -b "session=${token%?}$last" "$SERVER_URL/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 status
  assert_eq "$http_body" '{"error":"no valid session"}' body
  server_log_wait web 'whoami\.cgi: invalid session cookie from 127\.0\.0\.1'
}

flow_sliding_renewal() {
  local token
  token=$(SECRET_KEY=$SITE_KEY cli create ann --ttl 100)
  http_request -b "session=$token" "$SERVER_URL/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 200 status
  assert_match "$(http_header Set-Cookie)" "$COOKIE_RE" Set-Cookie
  TOKEN=${BASH_REMATCH[1]}
  assert_eq "$http_body" "{\"user_id\":\"ann\",\"expires\":$(token_expires "$TOKEN")}" body
  [ "$(token_expires "$TOKEN")" -gt "$(token_expires "$token")" ] || { echo "not renewed" >&2; return 1; }
}

flow_expired_token() {
  http_request -b "session=$(SECRET_KEY=$SITE_KEY cli create ann --ttl -1)" "$SERVER_URL/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 status
  assert_eq "$http_body" '{"error":"no valid session"}' body
}

# One test per journey, named "LABEL: sentence" (bats_test_function, bats >= 1.11).
flows_register_tests() { # LABEL
  while IFS='|' read -r description command; do
    [ -n "$description" ] || continue
    # shellcheck disable=SC2086
    bats_test_function --description "$1: $description" -- $command
  done <<'TESTS'
a bcrypt user logs in with the form, whoami names them, and after logout whoami answers 401|flow_form_login ann ann-secret
an apr1 user logs in with the form, whoami names them, and after logout whoami answers 401|flow_form_login bob bob-secret
a SHA user logs in with the form, whoami names them, and after logout whoami answers 401|flow_form_login cy cy-secret
a Basic-auth login on /auth/login.cgi issues the session for REMOTE_USER, and logout ends it|flow_basic_login ann ann-secret
an apr1 user logs in with Basic auth as well|flow_basic_login bob bob-secret
/auth/login.cgi without credentials asks for Basic auth and sets no cookie|flow_basic_needs_credentials
a wrong Basic-auth password answers 401 and the server logs the user and 127.0.0.1|flow_basic_wrong_password
a wrong form password answers 401 with the form and logs the user and 127.0.0.1|flow_form_refused ann wrong-password
an unknown user answers 401 exactly like a wrong password and is logged|flow_form_refused mallory whatever
GET login.cgi shows the form with the escaped next|flow_login_form
a POST from another site's Origin is refused with 403 and no cookie|flow_cross_site_post
a body over 64 KiB is refused with 413|flow_oversized_body
a cookie with a tampered signature gets 401 and one log line|flow_tampered_cookie
a session under half its lifetime is renewed by whoami|flow_sliding_renewal
an expired session gets 401|flow_expired_token
TESTS
}
