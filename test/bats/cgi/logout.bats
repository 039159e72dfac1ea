#!/usr/bin/env bats
# logout.cgi run as a CGI process (README, "More"): POST deletes the cookie, GET shows a button.

load ../../helpers/cgi

FORM=application/x-www-form-urlencoded
DELETE='session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0'
CSP="default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'"

# 303 to LOCATION deleting COOKIE (default: the session cookie), nothing logged.
expect_deleted() { # LOCATION [SET_COOKIE]
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_status_line" "303 See Other" Status
  assert_eq "$(cgi_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  assert_eq "$(cgi_header Cache-Control)" no-store Cache-Control
  assert_eq "$(cgi_header Location)" "$1" Location
  assert_eq "$(cgi_header_count Set-Cookie)" 1 "Set-Cookie count"
  assert_eq "$(cgi_header Set-Cookie)" "${2:-$DELETE}" Set-Cookie
  assert_eq "$cgi_stderr" "" stderr
}

@test "POST deletes the session cookie and answers 303 to next" {
  cgi_run logout.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTTP_COOKIE="session=$(cgi_token ann)" --body 'next=%2Fbye'
  expect_deleted /bye
}

@test "POST without a session still deletes the cookie" {
  cgi_run logout.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM --body 'next=%2Fbye'
  expect_deleted /bye
}

@test "POST without a body takes next from the query, or goes to /" {
  cgi_run logout.cgi REQUEST_METHOD=POST QUERY_STRING='next=%2Fq'
  expect_deleted /q
  cgi_run logout.cgi REQUEST_METHOD=POST CONTENT_LENGTH=0
  expect_deleted /
}

@test "the deleting cookie is Secure when HTTPS=on" {
  cgi_run logout.cgi REQUEST_METHOD=POST HTTPS=on
  expect_deleted / "$DELETE; Secure"
}

@test "SESSION_COOKIE names the cookie that is deleted" {
  cgi_run logout.cgi REQUEST_METHOD=POST SESSION_COOKIE=sid
  expect_deleted / 'sid=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0'
}

@test "next that would leave the site is replaced by /" {
  for next in //evil.example '/\evil' 'http://evil.example' $'/\r\nX: y'; do
    cgi_run logout.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM --body "next=$(urlencode "$next")"
    expect_deleted /
  done
}

@test "GET shows a one-button form that posts to itself, and deletes nothing" {
  cgi_run logout.cgi QUERY_STRING='next=%2F%22x'
  assert_eq "$cgi_status_line" "200 OK" Status
  assert_eq "$(cgi_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  assert_eq "$(cgi_header Cache-Control)" no-store Cache-Control
  assert_eq "$(cgi_header Content-Security-Policy)" "$CSP" CSP
  run -1 cgi_header Set-Cookie
  assert_match "$cgi_body" '<form method="post" action="/cgi-bin/logout\.cgi"><input type="hidden" name="next" value="/&quot;x"><button type="submit">Log out</button></form>' form
  assert_eq "$(grep -o '<button' <<<"$cgi_body" | wc -l)" 1 buttons
  assert_eq "$cgi_stderr" "" stderr
}

@test "GET with a valid session says who is logged in" {
  cgi_run logout.cgi HTTP_COOKIE="session=$(cgi_token alice)"
  assert_eq "$cgi_status" 200 status
  run -1 cgi_header Set-Cookie
  assert_match "$cgi_body" '<h1>Log out</h1><p>Logged in as <strong>alice</strong>\.</p><form method="post" action="/cgi-bin/logout\.cgi"><input type="hidden" name="next" value="/"><button type="submit">Log out</button></form>' page
  assert_eq "$cgi_stderr" "" stderr
}

@test "GET names the user HTML-escaped" {
  cgi_run logout.cgi HTTP_COOKIE="session=$(cgi_token "<b>\"O'Neil\" & co</b>")"
  assert_match "$cgi_body" '<p>Logged in as <strong>&lt;b&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;</strong>\.</p>' page
  [[ $cgi_body != *"<b>"* ]]
}

@test "GET without a valid session says so and still offers the button, logging nothing" {
  for cookie in '' session=garbage "session=$(SECRET_KEY=$(printf 'f%.0s' {1..40})x cli create ann)" "sid=$(cgi_token ann)"; do
    cgi_run logout.cgi HTTP_COOKIE="$cookie"
    assert_eq "$cgi_status" 200 "status for '$cookie'"
    assert_match "$cgi_body" '<h1>Log out</h1><p>You are not logged in\.</p><form method="post" action="/cgi-bin/logout\.cgi">' "page for '$cookie'"
    [[ $cgi_body != *"Logged in as"* ]]
    assert_eq "$cgi_stderr" "" stderr
  done
}

@test "LOGOUT_TEMPLATE: GET fills in user, action and next, escaped; other placeholders are left out" {
  printf '%s\n' '<body data-user="{{user}}"><p>Angemeldet als {{ user }}</p>' \
    '<form method="post" action="{{action}}"><input type="hidden" name="next" value="{{next}}"><button>Abmelden</button></form>{{username}}{{error}}</body>' \
    > "$BATS_TEST_TMPDIR/logout.html"
  cgi_run logout.cgi LOGOUT_TEMPLATE="$BATS_TEST_TMPDIR/logout.html" HTTP_COOKIE="session=$(cgi_token 'a<b>{{next}}')" QUERY_STRING='next=%2Fbye%22%7B%7Buser%7D%7D'
  assert_eq "$cgi_status_line" "200 OK" Status
  assert_eq "$(cgi_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  assert_eq "$(cgi_header Content-Security-Policy)" "$CSP" CSP
  run -1 cgi_header Set-Cookie
  assert_eq "$cgi_body" '<body data-user="a&lt;b&gt;{{next}}"><p>Angemeldet als a&lt;b&gt;{{next}}</p>
<form method="post" action="/cgi-bin/logout.cgi"><input type="hidden" name="next" value="/bye&quot;{{user}}"><button>Abmelden</button></form></body>
' body
  assert_eq "$cgi_stderr" "" stderr
  cgi_run logout.cgi LOGOUT_TEMPLATE="$BATS_TEST_TMPDIR/logout.html"
  assert_match "$cgi_body" '^<body data-user=""><p>Angemeldet als </p>' "without a session"
}

@test "an unreadable LOGOUT_TEMPLATE answers 500 with one line naming it" {
  cgi_run logout.cgi LOGOUT_TEMPLATE=/nonexistent/logout.html HTTP_COOKIE="session=$(cgi_token ann)"
  cgi_expect_refused 500 'LOGOUT_TEMPLATE "/nonexistent/logout\.html" cannot be read \(ENOENT\)$'
  cgi_run logout.cgi LOGOUT_TEMPLATE=/dev/null
  cgi_expect_refused 500 'LOGOUT_TEMPLATE "/dev/null" is not a regular file \(a character device\)$'
}

@test "LOGOUT_TEMPLATE is not read by POST: logging out works whatever it names" {
  cgi_run logout.cgi REQUEST_METHOD=POST LOGOUT_TEMPLATE=/nonexistent/logout.html QUERY_STRING=next=%2Fq
  expect_deleted /q
}

@test "a POST whose Origin names another host is refused with 403 and deletes nothing" {
  cgi_run logout.cgi REQUEST_METHOD=POST HTTP_ORIGIN=http://evil.example
  cgi_expect_refused 403 'cross-site POST refused'
}

@test "a body that is not a form is refused with 415" {
  cgi_run logout.cgi REQUEST_METHOD=POST CONTENT_TYPE=text/plain --body 'next=/x'
  cgi_expect_refused 415 'POST body is not application/x-www-form-urlencoded'
}

@test "a body over 64 KiB is refused with 413" {
  cgi_run logout.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM CONTENT_LENGTH=1000000
  cgi_expect_refused 413 'request body of 1000000 bytes is over the 65536-byte limit'
}

@test "methods other than GET, HEAD and POST answer 405 with Allow" {
  cgi_run logout.cgi REQUEST_METHOD=DELETE
  cgi_expect_refused 405 'method "DELETE" not allowed'
  assert_eq "$(cgi_header Allow)" 'GET, HEAD, POST' Allow
}

@test "no key answers 500 and sends no cookie at all" {
  cgi_run logout.cgi REQUEST_METHOD=POST --unset SECRET_KEY
  cgi_expect_refused 500 'no secret key: set SECRET_KEY or SECRET_KEY_FILE'
}

@test "the Python default key answers 500" {
  cgi_run logout.cgi SECRET_KEY=CHANGE-ME-IN-PRODUCTION
  cgi_expect_refused 500 '.*too weak.*SECRET_KEY'
}
