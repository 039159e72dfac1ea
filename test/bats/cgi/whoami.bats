#!/usr/bin/env bats
# whoami.cgi run as a CGI process (README, "More"): who the session cookie says you are.

load ../../helpers/cgi

COOKIE_ATTRS='; HttpOnly; SameSite=Lax; Path=/; Max-Age='
NO_SESSION='{"error":"no valid session"}'

# 200 for USER with the expiry of TOKEN, the three fixed headers only, nothing logged.
expect_user() {
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_status_line" "200 OK" Status
  assert_eq "$cgi_headers" $'Status: 200 OK\nContent-Type: application/json\nCache-Control: no-store' headers
  assert_eq "$cgi_body" "{\"user_id\":\"$1\",\"expires\":$(token_expires "$2")}" body
  assert_eq "$cgi_stderr" "" stderr
}

# 401 with the generic body and no cookie; LOG is the one stderr line expected, or "" for none.
expect_401() {
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_headers" $'Status: 401 Unauthorized\nContent-Type: application/json\nCache-Control: no-store' headers
  assert_eq "$cgi_body" "$NO_SESSION" body
  assert_eq "$cgi_stderr" "$1" stderr
}

# 500 with a generic body, no cookie, and one stderr line that says what to set.
expect_500() {
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_headers" $'Status: 500 Internal Server Error\nContent-Type: application/json\nCache-Control: no-store' headers
  assert_eq "$cgi_body" '{"error":"server error"}' body
  assert_eq "$cgi_stderr_lines" 1 "stderr lines"
  assert_match "$cgi_stderr" "^whoami\.cgi: $1" stderr
}

INVALID_LINE='whoami.cgi: invalid session cookie from 192.0.2.7'

@test "a valid session cookie answers 200 with the user and its expiry" {
  token=$(cgi_token ann)
  cgi_run whoami.cgi HTTP_COOKIE="session=$token"
  expect_user ann "$token"
}

@test "a cookie made for a user id with quotes, backslashes and CJK answers with that id as JSON" {
  token=$(cgi_token 'a"b\c 日本')
  cgi_run whoami.cgi HTTP_COOKIE="session=$token"
  expect_user 'a\"b\\c 日本' "$token"
}

@test "no cookie at all answers 401 and logs nothing" {
  cgi_run whoami.cgi
  expect_401 ""
}

@test "other cookies without the session one answer 401 and log nothing" {
  cgi_run whoami.cgi HTTP_COOKIE="theme=dark; Session=$(cgi_token ann)"
  expect_401 ""
}

@test "a cookie signed with another key answers 401 and logs one line" {
  cgi_run whoami.cgi HTTP_COOKIE="session=$(SECRET_KEY=$(printf 'ke%.0s' {1..20}) cli create ann)"
  expect_401 "$INVALID_LINE"
}

@test "a cookie with a changed signature answers 401 and logs one line" {
  token=$(cgi_token ann)
  sig=${token#*.}
  cgi_run whoami.cgi HTTP_COOKIE="session=${token%%.*}.$(tr 0-9a-f 1-9a-f0 <<<"$sig")"
  expect_401 "$INVALID_LINE"
}

@test "a cookie whose payload names another user answers 401" {
  token=$(cgi_token ann)
  other=$(cgi_token bob)
  cgi_run whoami.cgi HTTP_COOKIE="session=${other%%.*}.${token#*.}"
  expect_401 "$INVALID_LINE"
}

@test "malformed cookie values answer 401 and log one line each" {
  for value in garbage a.b a.b.c '' "$(printf 'A%.0s' {1..5000}).$(printf '0%.0s' {1..64})" '%00%ff'; do
    cgi_run whoami.cgi HTTP_COOKIE="session=$value"
    expect_401 "$INVALID_LINE"
  done
}

@test "an expired cookie answers 401 and logs one line" {
  cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token ann -1)"
  expect_401 "$INVALID_LINE"
}

@test "a DQUOTE-wrapped cookie value is unwrapped" {
  token=$(cgi_token ann)
  cgi_run whoami.cgi HTTP_COOKIE="session=\"$token\""
  expect_user ann "$token"
}

@test "the session cookie is found among other cookies" {
  token=$(cgi_token ann)
  cgi_run whoami.cgi HTTP_COOKIE="a=1; session=$token; b=2"
  expect_user ann "$token"
}

@test "the first cookie of the name is the one checked" {
  good=$(cgi_token ann)
  cgi_run whoami.cgi HTTP_COOKIE="session=$good; session=garbage"
  expect_user ann "$good"
  cgi_run whoami.cgi HTTP_COOKIE="session=garbage; session=$good"
  expect_401 "$INVALID_LINE"
}

@test "SESSION_COOKIE names the cookie that is read" {
  token=$(cgi_token ann)
  cgi_run whoami.cgi SESSION_COOKIE=sid HTTP_COOKIE="sid=$token"
  expect_user ann "$token"
  cgi_run whoami.cgi SESSION_COOKIE=sid HTTP_COOKIE="session=$token"
  expect_401 ""
}

@test "a session with less than half of SESSION_TTL left is renewed with a fresh cookie" {
  old=$(cgi_token ann 100)
  before=$(date +%s)
  cgi_run whoami.cgi HTTP_COOKIE="session=$old"
  after=$(date +%s)
  assert_eq "$cgi_status" 200 status
  assert_eq "$(cgi_header_count Set-Cookie)" 1 "Set-Cookie count"
  assert_match "$(cgi_header Set-Cookie)" "^session=([^;]+)${COOKIE_ATTRS}2592000\$" Set-Cookie
  new=${BASH_REMATCH[1]}
  assert_eq "$(SECRET_KEY=$CGI_KEY cli verify "$new")" ann "renewed token's user"
  expires=$(token_expires "$new")
  [ "$expires" -ge $((before + 2592000)) ]
  [ "$expires" -le $((after + 2592000)) ]
  assert_eq "$cgi_body" "{\"user_id\":\"ann\",\"expires\":$expires}" body
  assert_eq "$cgi_stderr" "" stderr
}

@test "SESSION_TTL sets the renewal threshold and the renewed Max-Age" {
  cgi_run whoami.cgi SESSION_TTL=600 HTTP_COOKIE="session=$(cgi_token ann 200)"
  assert_eq "$cgi_status" 200 status
  assert_match "$(cgi_header Set-Cookie)" "^session=[^;]+${COOKIE_ATTRS}600\$" Set-Cookie

  kept=$(cgi_token ann 500)
  cgi_run whoami.cgi SESSION_TTL=600 HTTP_COOKIE="session=$kept"
  expect_user ann "$kept"
}

@test "a renewed cookie is Secure when the request came over HTTPS" {
  cgi_run whoami.cgi HTTPS=on HTTP_COOKIE="session=$(cgi_token ann 100)"
  assert_match "$(cgi_header Set-Cookie)" "^session=[^;]+${COOKIE_ATTRS}2592000; Secure\$" Set-Cookie
}

@test "a renewed cookie keeps the SESSION_COOKIE name" {
  cgi_run whoami.cgi SESSION_COOKIE=sid HTTP_COOKIE="sid=$(cgi_token ann 100)"
  assert_match "$(cgi_header Set-Cookie)" "^sid=[^;]+${COOKIE_ATTRS}2592000\$" Set-Cookie
}

@test "the key can come from SECRET_KEY_FILE, trailing newline ignored" {
  printf '%s\n' "$CGI_KEY" > "$BATS_TEST_TMPDIR/key"
  chmod 600 "$BATS_TEST_TMPDIR/key"
  token=$(cgi_token ann)
  cgi_run whoami.cgi --unset SECRET_KEY SECRET_KEY_FILE="$BATS_TEST_TMPDIR/key" HTTP_COOKIE="session=$token"
  expect_user ann "$token"
}

@test "a cookie signed with a key in SECRET_KEY_FALLBACKS is accepted" {
  old_key=$(printf 'ol%.0s' {1..20})
  token=$(SECRET_KEY=$old_key cli create ann)
  cgi_run whoami.cgi SECRET_KEY_FALLBACKS="other-key-of-at-least-32-characters!!, $old_key" HTTP_COOKIE="session=$token"
  expect_user ann "$token"
}

@test "no key answers 500 with a generic body and one line naming SECRET_KEY" {
  cgi_run whoami.cgi --unset SECRET_KEY HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 "no secret key: set SECRET_KEY or SECRET_KEY_FILE"
}

@test "an empty key answers 500" {
  cgi_run whoami.cgi SECRET_KEY= HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 ".*SECRET_KEY"
}

@test "a key shorter than 32 characters answers 500" {
  cgi_run whoami.cgi SECRET_KEY=0123456789abcdef0123456789abcde HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 ".*too weak.*SECRET_KEY"
}

@test "the Python default key CHANGE-ME-IN-PRODUCTION answers 500" {
  cgi_run whoami.cgi SECRET_KEY=CHANGE-ME-IN-PRODUCTION HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 ".*too weak.*SECRET_KEY"
}

@test "an unreadable SECRET_KEY_FILE answers 500 naming the file" {
  cgi_run whoami.cgi --unset SECRET_KEY SECRET_KEY_FILE=/nonexistent/key HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 'SECRET_KEY_FILE "/nonexistent/key" cannot be read \(ENOENT\)'
}

@test "a SESSION_TTL that is not a positive whole number answers 500" {
  for ttl in abc 0 -5 1.5 ' 60'; do
    cgi_run whoami.cgi SESSION_TTL="$ttl" HTTP_COOKIE="session=$(cgi_token ann)"
    expect_500 "SESSION_TTL must be a whole number of seconds greater than 0"
  done
}

@test "a SESSION_COOKIE that is not a cookie name answers 500" {
  cgi_run whoami.cgi SESSION_COOKIE='a b' HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 "SESSION_COOKIE is not a valid cookie name"
}
