#!/usr/bin/env bats
# login.cgi run as a CGI process (README, "More"): the form, htpasswd logins, REMOTE_USER logins,
# and every refusal with its exact status, headers, body and log line.

load ../../helpers/cgi

FORM=application/x-www-form-urlencoded
HTML='text/html; charset=utf-8'
COOKIE_ATTRS='; HttpOnly; SameSite=Lax; Path=/; Max-Age='
FAILED='Invalid username or password.'

setup_file() {
  local f=$BATS_FILE_TMPDIR/htpasswd
  htpasswd -c -b -B "$f" ann ann-secret 2>/dev/null # $2y$ bcrypt
  htpasswd -b -m "$f" bob bob-secret 2>/dev/null    # $apr1$
  htpasswd -b -s "$f" cy cy-secret 2>/dev/null      # {SHA}
  # $2b$ and $2a$ name the same bcrypt as $2y$ (other libraries write them).
  htpasswd -nbB dora dora-secret 2>/dev/null | sed 's/\$2y\$/$2b$/' | grep . >> "$f"
  htpasswd -nbB eve eve-secret 2>/dev/null | sed 's/\$2y\$/$2a$/' | grep . >> "$f"
  export HTPASSWD=$f
}

# POST the form fields given as NAME=VALUE (url-encoded here) with extra environment after "--".
post_form() {
  local body=
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    body+=${body:+&}${1%%=*}=$(urlencode "${1#*=}")
    shift
  done
  [ "${1:-}" != -- ] || shift
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" --body "$body" "$@"
}

# 303 to LOCATION with a session cookie for USER (Max-Age MAXAGE, then FLAGS), nothing logged.
expect_session() { # USER LOCATION [MAXAGE] [FLAGS] [COOKIE_NAME]
  local user=$1 location=$2 maxage=${3:-2592000} flags=${4:-} name=${5:-session}
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_status_line" "303 See Other" Status
  assert_eq "$(cgi_header Content-Type)" "$HTML" Content-Type
  assert_eq "$(cgi_header Cache-Control)" no-store Cache-Control
  assert_eq "$(cgi_header Location)" "$location" Location
  assert_eq "$(cgi_header_count Set-Cookie)" 1 "Set-Cookie count"
  assert_match "$(cgi_header Set-Cookie)" "^$name=([A-Za-z0-9_=-]+\.[0-9a-f]{64})${COOKIE_ATTRS}${maxage}${flags}\$" Set-Cookie
  TOKEN=${BASH_REMATCH[1]}
  assert_eq "$(SECRET_KEY=$CGI_KEY cli verify "$TOKEN")" "$user" "user in the token"
  assert_eq "$cgi_stderr" "" stderr
}

# 401: the form again with one generic message and the username kept, no cookie, LOG on stderr.
expect_refused() { # USERNAME_HTML LOG
  assert_eq "$cgi_status_line" "401 Unauthorized" Status
  assert_eq "$(cgi_header Content-Type)" "$HTML" Content-Type
  assert_eq "$(cgi_header Cache-Control)" no-store Cache-Control
  run -1 cgi_header Set-Cookie
  assert_eq "$(grep -o "$FAILED" <<<"$cgi_body" | wc -l)" 1 "error messages"
  assert_match "$cgi_body" "<input name=\"username\"[^>]* value=\"$1\">" "username kept"
  assert_match "$cgi_body" '<input type="password" name="password"[^>]*>' "password field"
  assert_eq "$cgi_stderr" "$2" stderr
}

@test "GET shows the login form posting to itself, with next from the query" {
  cgi_run login.cgi QUERY_STRING='next=%2Faccount%3Ftab%3D1'
  assert_eq "$cgi_status_line" "200 OK" Status
  assert_eq "$(cgi_header Content-Type)" "$HTML" Content-Type
  assert_eq "$(cgi_header Cache-Control)" no-store Cache-Control
  assert_eq "$(cgi_header X-Frame-Options)" DENY X-Frame-Options
  assert_match "$(cgi_header Content-Security-Policy)" "frame-ancestors 'none'" CSP
  run -1 cgi_header Set-Cookie
  assert_match "$cgi_body" '<form method="post" action="/cgi-bin/login\.cgi">' form
  assert_match "$cgi_body" '<input name="username" autocomplete="username" required autofocus value="">' username
  assert_match "$cgi_body" '<input type="hidden" name="next" value="/account\?tab=1">' "hidden next"
  assert_eq "$cgi_stderr" "" stderr
}

@test "GET without next puts / in the hidden field" {
  cgi_run login.cgi
  assert_eq "$cgi_status" 200 status
  assert_match "$cgi_body" '<input type="hidden" name="next" value="/">' "hidden next"
}

@test "the hidden next is HTML-escaped" {
  cgi_run login.cgi QUERY_STRING='next=%2F%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%27'
  assert_match "$cgi_body" '<input type="hidden" name="next" value="/&quot;&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;&#39;">' "escaped next"
  [[ $cgi_body != *"<script>"* ]]
}

@test "HEAD answers like GET" {
  cgi_run login.cgi REQUEST_METHOD=HEAD
  assert_eq "$cgi_status" 200 status
  assert_eq "$(cgi_header Content-Type)" "$HTML" Content-Type
}

@test "a bcrypt (\$2y\$) user with the right password gets 303 to next and a session cookie" {
  post_form username=ann password=ann-secret next=/account
  expect_session ann /account
}

@test "an apr1 user with the right password gets a session" {
  post_form username=bob password=bob-secret next=/account
  expect_session bob /account
}

@test "a SHA user with the right password gets a session" {
  post_form username=cy password=cy-secret next=/account
  expect_session cy /account
}

@test "bcrypt hashes written as \$2b\$ and \$2a\$ are accepted" {
  post_form username=dora password=dora-secret next=/a
  expect_session dora /a
  post_form username=eve password=eve-secret next=/b
  expect_session eve /b
}

@test "the session cookie lasts SESSION_TTL seconds" {
  before=$(date +%s)
  post_form username=ann password=ann-secret -- SESSION_TTL=3600
  after=$(date +%s)
  expect_session ann / 3600
  expires=$(token_expires "$TOKEN")
  [ "$expires" -ge $((before + 3600)) ]
  [ "$expires" -le $((after + 3600)) ]
}

@test "the cookie is Secure when HTTPS=on, and not otherwise" {
  post_form username=ann password=ann-secret -- HTTPS=on
  expect_session ann / 2592000 '; Secure'
  post_form username=ann password=ann-secret -- HTTPS=off
  expect_session ann / 2592000
}

@test "SESSION_COOKIE names the cookie" {
  post_form username=ann password=ann-secret -- SESSION_COOKIE=sid
  expect_session ann / 2592000 '' sid
}

@test "next in the query is used when the form has none" {
  post_form username=ann password=ann-secret -- QUERY_STRING=next=%2Ffrom-query
  expect_session ann /from-query
}

@test "a wrong password answers 401 with the form and one line naming the user and REMOTE_ADDR" {
  post_form username=ann password=wrong next=/account
  expect_refused ann 'login.cgi: login failed for user "ann" from 192.0.2.7'
  assert_match "$cgi_body" '<input type="hidden" name="next" value="/account">' "next kept"
}

@test "an unknown user answers exactly like a wrong password" {
  post_form username=mallory password=whatever next=/account
  expect_refused mallory 'login.cgi: login failed for user "mallory" from 192.0.2.7'
}

@test "an empty username or password is refused like a wrong one" {
  post_form username= password=ann-secret
  expect_refused '' 'login.cgi: login failed for user "" from 192.0.2.7'
  post_form username=ann password=
  expect_refused ann 'login.cgi: login failed for user "ann" from 192.0.2.7'
}

@test "a password over 1024 characters is refused like a wrong one" {
  long=$(printf 'ann-secret%01020d' 0)
  post_form username=ann password="$long" next=/account
  expect_refused ann 'login.cgi: login failed for user "ann" from 192.0.2.7'
}

@test "a hostile username is escaped in the page and in the single log line" {
  post_form username=$'x"><b>\r\nFAKE: line' password=wrong -- REMOTE_ADDR=203.0.113.9
  expect_refused $'x&quot;&gt;&lt;b&gt;\r\nFAKE: line' 'login.cgi: login failed for user "x\"><b>\r\nFAKE: line" from 203.0.113.9'
}

@test "REMOTE_USER set by the server issues the session without a form, to next from the query" {
  cgi_run login.cgi REMOTE_USER=carol AUTH_TYPE=Basic QUERY_STRING='next=%2Fhome'
  expect_session carol /home
}

@test "REMOTE_USER without next goes to /" {
  cgi_run login.cgi REMOTE_USER=carol
  expect_session carol /
}

@test "REMOTE_USER holding a control character is refused with 400" {
  cgi_run login.cgi REMOTE_USER=$'carol\nx'
  cgi_expect_refused 400 'REMOTE_USER "carol\\nx" holds control characters'
}

@test "next that would leave the site is replaced by /" {
  for next in //evil.example '/\evil.example' 'http://evil.example/' 'https:evil' javascript:alert%281%29 evil \
      '%2F%2Fevil.example' '/%0D%0ASet-Cookie:%20x=1' '/a%00b' ''; do
    cgi_run login.cgi REMOTE_USER=carol QUERY_STRING="next=$next"
    expect_session carol /
  done
}

@test "next from the form is sanitised the same way" {
  post_form username=ann password=ann-secret next=//evil.example
  expect_session ann /
  post_form username=ann password=ann-secret next=$'/ok\r\nX: y'
  expect_session ann /
}

@test "a local next keeps its path and query" {
  cgi_run login.cgi REMOTE_USER=carol QUERY_STRING='next=%2Fa%2Fb%3Fc%3Dd%26e'
  expect_session carol '/a/b?c=d&e'
}

@test "a POST whose Origin names another host is refused with 403" {
  post_form username=ann password=ann-secret -- HTTP_ORIGIN=https://evil.example
  cgi_expect_refused 403 'cross-site POST refused \(Origin "https://evil\.example", Host "www\.example\.test"\)'
}

@test "a POST whose Origin is this host is accepted" {
  post_form username=ann password=ann-secret -- HTTP_ORIGIN=http://www.example.test
  expect_session ann /
}

@test "an Origin of null is refused with 403" {
  post_form username=ann password=ann-secret -- HTTP_ORIGIN=null
  cgi_expect_refused 403 'cross-site POST refused'
}

@test "a body over 64 KiB is refused with 413 without being read" {
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" CONTENT_LENGTH=65537
  cgi_expect_refused 413 'request body of 65537 bytes is over the 65536-byte limit'
}

@test "a body of exactly 64 KiB is read" {
  head -c $((65536 - 37)) /dev/zero | tr '\0' x > "$BATS_TEST_TMPDIR/pad"
  printf 'username=ann&password=ann-secret&pad=%s' "$(cat "$BATS_TEST_TMPDIR/pad")" > "$BATS_TEST_TMPDIR/body"
  assert_eq "$(wc -c < "$BATS_TEST_TMPDIR/body")" 65536 "body size"
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" CONTENT_LENGTH=65536 --stdin "$BATS_TEST_TMPDIR/body"
  expect_session ann /
}

@test "a body that is not a form is refused with 415" {
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=application/json HTPASSWD_FILE="$HTPASSWD" --body '{"username":"ann"}'
  cgi_expect_refused 415 'POST body is not application/x-www-form-urlencoded'
}

@test "a form content type with a charset parameter is accepted" {
  post_form username=ann password=ann-secret -- 'CONTENT_TYPE=application/x-www-form-urlencoded; charset=UTF-8'
  expect_session ann /
}

@test "a POST without CONTENT_LENGTH is refused with 411" {
  printf 'username=ann&password=ann-secret' > "$BATS_TEST_TMPDIR/body"
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" --stdin "$BATS_TEST_TMPDIR/body"
  cgi_expect_refused 411 'POST without CONTENT_LENGTH'
}

@test "a malformed CONTENT_LENGTH is refused with 400" {
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" CONTENT_LENGTH=-1 --body x
  assert_eq "$cgi_status" 400 status
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" CONTENT_LENGTH=12abc --body x
  cgi_expect_refused 400 'malformed CONTENT_LENGTH'
}

@test "a body shorter than CONTENT_LENGTH is refused with 400" {
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" CONTENT_LENGTH=100 --body 'username=ann'
  cgi_expect_refused 400 'request body truncated: 12 of 100 bytes'
}

@test "methods other than GET, HEAD and POST answer 405 with Allow" {
  for method in PUT DELETE PATCH OPTIONS; do
    cgi_run login.cgi REQUEST_METHOD=$method HTPASSWD_FILE="$HTPASSWD"
    cgi_expect_refused 405 "method \"$method\" not allowed"
    assert_eq "$(cgi_header Allow)" 'GET, HEAD, POST' Allow
  done
}

@test "no HTPASSWD_FILE answers 500 with a generic body and one line saying what to set" {
  post_form username=ann password=ann-secret -- --unset HTPASSWD_FILE
  cgi_expect_refused 500 'HTPASSWD_FILE is not set'
}

@test "an unreadable HTPASSWD_FILE answers 500 naming the file" {
  post_form username=ann password=ann-secret -- HTPASSWD_FILE=/nonexistent/htpasswd
  cgi_expect_refused 500 'HTPASSWD_FILE "/nonexistent/htpasswd" cannot be read \(ENOENT\)'
}

@test "no key answers 500 and sets no cookie, even for the right password" {
  post_form username=ann password=ann-secret -- --unset SECRET_KEY
  cgi_expect_refused 500 'no secret key: set SECRET_KEY or SECRET_KEY_FILE'
}

@test "a short key answers 500 and sets no cookie" {
  post_form username=ann password=ann-secret -- SECRET_KEY=short-key
  cgi_expect_refused 500 '.*too weak.*SECRET_KEY'
}

@test "the Python default key answers 500, for REMOTE_USER logins too" {
  cgi_run login.cgi REMOTE_USER=carol SECRET_KEY=CHANGE-ME-IN-PRODUCTION
  cgi_expect_refused 500 '.*too weak.*SECRET_KEY'
}

# --- already logged in, and pages in the site's own look (docs/members-area.md, "Pages in your site's look")

CSP="default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'"

# A token for USER signed with CGI_KEY that expired at UNIXTIME (HMAC-SHA256 with openssl).
expired_token() { # USER UNIXTIME
  local payload sig
  payload=$(printf '{"user_id": "%s", "expires": %s}' "$1" "$2" | base64 -w0 | tr '+/' '-_')
  sig=$(printf '%s' "$payload" | openssl dgst -sha256 -hmac "$CGI_KEY" -r | cut -d' ' -f1)
  printf '%s.%s' "$payload" "$sig"
}

# A template that shows every login placeholder, and a few that are not login's.
login_template() {
  printf '%s\n' '<!doctype html><title>Connexion</title><link rel="stylesheet" href="/site.css">' \
    '<form method="post" action="{{action}}"><p class="error">{{error}}</p>' \
    '<input name="username" value="{{ username }}"><input type="password" name="password">' \
    '<input type="hidden" name="next" value="{{next}}">{{user}}{{Next}}{{{next}}}</form>' > "$BATS_TEST_TMPDIR/login.html"
  printf '%s' "$BATS_TEST_TMPDIR/login.html"
}

@test "every HTML page carries the Content-Security-Policy that allows the site's own styles and images, no scripts" {
  cgi_run login.cgi
  assert_eq "$(cgi_header Content-Security-Policy)" "$CSP" CSP
  post_form username=ann password=wrong
  assert_eq "$(cgi_header Content-Security-Policy)" "$CSP" CSP
}

@test "GET with a valid session is sent on to next (303) without a new cookie or a form" {
  cgi_run login.cgi HTTP_COOKIE="session=$(cgi_token ann)" QUERY_STRING='next=%2Fmembers%2F%3Fa%3D1'
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_status_line" "303 See Other" Status
  assert_eq "$(cgi_header Location)" '/members/?a=1' Location
  assert_eq "$(cgi_header Content-Type)" "$HTML" Content-Type
  run -1 cgi_header Set-Cookie
  [[ $cgi_body != *"<form"* ]]
  assert_eq "$cgi_stderr" "" stderr
  cgi_run login.cgi REQUEST_METHOD=HEAD HTTP_COOKIE="other=1; session=$(cgi_token ann)"
  assert_eq "$cgi_status" 303 "HEAD status"
  assert_eq "$(cgi_header Location)" / "Location without next"
}

@test "GET with a valid session sanitises next as a login does" {
  for next in //evil.example '/\evil.example' 'http://evil.example/' '/%0D%0ASet-Cookie:%20x=1'; do
    cgi_run login.cgi HTTP_COOKIE="session=$(cgi_token ann)" QUERY_STRING="next=$next"
    assert_eq "$cgi_status" 303 status
    assert_eq "$(cgi_header Location)" / "Location for $next"
    run -1 cgi_header Set-Cookie
  done
}

@test "GET with an expired, foreign or malformed session cookie shows the form, logging nothing" {
  for cookie in "session=$(expired_token ann 1000)" "session=$(SECRET_KEY=$(printf 'f%.0s' {1..40})x cli create ann)" \
      session=garbage "sid=$(cgi_token ann)"; do
    cgi_run login.cgi HTTP_COOKIE="$cookie" QUERY_STRING=next=%2Fa
    assert_eq "$cgi_status" 200 "status for $cookie"
    assert_match "$cgi_body" '<input type="hidden" name="next" value="/a">' "form for $cookie"
    assert_eq "$cgi_stderr" "" stderr
  done
  # The same token with a future expiry is a session: the check above is the expiry, not the format.
  cgi_run login.cgi HTTP_COOKIE="session=$(expired_token ann $(( $(date +%s) + 600 )))"
  assert_eq "$cgi_status" 303 "status for an unexpired hand-made token"
}

@test "SESSION_COOKIE names the cookie that counts as being logged in" {
  cgi_run login.cgi SESSION_COOKIE=sid HTTP_COOKIE="sid=$(cgi_token ann)" QUERY_STRING=next=%2Fx
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" /x Location
}

@test "POST with a valid session still checks the password: a wrong one answers 401" {
  post_form username=ann password=wrong -- HTTP_COOKIE="session=$(cgi_token bob)"
  expect_refused ann 'login.cgi: login failed for user "ann" from 192.0.2.7'
}

@test "LOGIN_TEMPLATE: GET fills in action and next, empty username and error; unknown placeholders are left out" {
  cgi_run login.cgi LOGIN_TEMPLATE="$(login_template)" QUERY_STRING='next=%2Fa%3Fb%3D1%26c%3D%22%3E'
  assert_eq "$cgi_status_line" "200 OK" Status
  assert_eq "$(cgi_header Content-Type)" "$HTML" Content-Type
  assert_eq "$(cgi_header Content-Security-Policy)" "$CSP" CSP
  assert_eq "$(cgi_header X-Frame-Options)" DENY X-Frame-Options
  assert_eq "$cgi_body" '<!doctype html><title>Connexion</title><link rel="stylesheet" href="/site.css">
<form method="post" action="/cgi-bin/login.cgi"><p class="error"></p>
<input name="username" value=""><input type="password" name="password">
<input type="hidden" name="next" value="/a?b=1&amp;c=&quot;&gt;">{/a?b=1&amp;c=&quot;&gt;}</form>
' body
  assert_eq "$cgi_stderr" "" stderr
}

@test "LOGIN_TEMPLATE: a failed login fills in the username and the error, escaped, with 401" {
  post_form username='x"><b>{{next}}}}' password=wrong next='/n"{{username}}' -- LOGIN_TEMPLATE="$(login_template)"
  assert_eq "$cgi_status_line" "401 Unauthorized" Status
  run -1 cgi_header Set-Cookie
  assert_eq "$cgi_body" '<!doctype html><title>Connexion</title><link rel="stylesheet" href="/site.css">
<form method="post" action="/cgi-bin/login.cgi"><p class="error">Invalid username or password.</p>
<input name="username" value="x&quot;&gt;&lt;b&gt;{{next}}}}"><input type="password" name="password">
<input type="hidden" name="next" value="/n&quot;{{username}}">{/n&quot;{{username}}}</form>
' body
  assert_eq "$cgi_stderr" 'login.cgi: login failed for user "x\"><b>{{next}}}}" from 192.0.2.7' stderr
}

@test "LOGIN_ERROR_TEXT replaces the error message, with and without a template, escaped" {
  post_form username=ann password=wrong -- LOGIN_TEMPLATE="$(login_template)" LOGIN_ERROR_TEXT='Nom ou mot de passe <faux>.'
  assert_eq "$cgi_status" 401 status
  assert_match "$cgi_body" '<p class="error">Nom ou mot de passe &lt;faux&gt;\.</p>' "templated error"
  post_form username=ann password=wrong -- LOGIN_ERROR_TEXT='Benutzername oder Passwort falsch.'
  assert_eq "$cgi_status" 401 status
  assert_match "$cgi_body" '<p class="error" role="alert">Benutzername oder Passwort falsch\.</p>' "built-in error"
  [[ $cgi_body != *"$FAILED"* ]]
}

@test "LOGIN_TEMPLATE: a successful login is the same 303 and cookie" {
  post_form username=ann password=ann-secret next=/account -- LOGIN_TEMPLATE="$(login_template)"
  expect_session ann /account
}

@test "an unreadable LOGIN_TEMPLATE answers 500 with one line naming it" {
  cgi_run login.cgi LOGIN_TEMPLATE="$BATS_TEST_TMPDIR/missing.html"
  cgi_expect_refused 500 "LOGIN_TEMPLATE \"${BATS_TEST_TMPDIR//./\\.}/missing\\.html\" cannot be read \\(ENOENT\\)\$"
  cgi_run login.cgi LOGIN_TEMPLATE="$BATS_TEST_TMPDIR"
  cgi_expect_refused 500 'LOGIN_TEMPLATE ".*" is not a regular file \(a directory\)$'
  cgi_run login.cgi LOGIN_TEMPLATE=/dev/zero
  cgi_expect_refused 500 'LOGIN_TEMPLATE "/dev/zero" is not a regular file \(a character device\)$'
}

@test "a failed login with an unreadable LOGIN_TEMPLATE answers 500 and still logs the failed login first" {
  post_form username=ann password=wrong -- LOGIN_TEMPLATE=/nonexistent/login.html
  assert_eq "$cgi_status_line" "500 Internal Server Error" Status
  assert_eq "$cgi_body" $'Internal Server Error\n' body
  run -1 cgi_header Set-Cookie
  assert_eq "$cgi_stderr" 'login.cgi: login failed for user "ann" from 192.0.2.7
login.cgi: LOGIN_TEMPLATE "/nonexistent/login.html" cannot be read (ENOENT)' stderr
}

@test "LOGIN_TEMPLATE is not read where no page is shown: REMOTE_USER and an existing session" {
  cgi_run login.cgi LOGIN_TEMPLATE=/nonexistent/login.html REMOTE_USER=carol QUERY_STRING=next=%2Fh
  expect_session carol /h
  cgi_run login.cgi LOGIN_TEMPLATE=/nonexistent/login.html HTTP_COOKIE="session=$(cgi_token ann)"
  assert_eq "$cgi_status" 303 status
  assert_eq "$cgi_stderr" "" stderr
}
