#!/usr/bin/env bats
# A site below a URL prefix (docs/members-area.md, "Protect a whole folder"):
# Apache's userdir /~alice/ and Alias pass CONTEXT_PREFIX and
# CONTEXT_DOCUMENT_ROOT, and gate.cgi, login.cgi and logout.cgi, run as CGI
# processes, keep to that site: its folder is the gate's root, the login and
# logout pages are its own, `next` stays inside it and so does the cookie.

load ../../helpers/cgi

FORM=application/x-www-form-urlencoded

setup_file() {
  htpasswd -cbB -C 4 "$BATS_FILE_TMPDIR/htpasswd" alice alice-pass 2>/dev/null
  export HTPASSWD=$BATS_FILE_TMPDIR/htpasswd
}

setup() {
  SITE=$BATS_TEST_TMPDIR/home/alice/public_html
  HOSTROOT=$BATS_TEST_TMPDIR/var/www
  mkdir -p "$SITE/members" "$SITE/cgi-bin" "$HOSTROOT"
  printf 'page of alice\n' > "$SITE/members/page.txt"
  TOKEN=$(cgi_token alice)
}

# As Apache runs /~alice/cgi-bin/PROGRAM for a userdir site.
SITE_ENV() { printf '%s\n' CONTEXT_PREFIX=/~alice "CONTEXT_DOCUMENT_ROOT=$SITE" "DOCUMENT_ROOT=$HOSTROOT"; }

# Apache's Action for /~alice/PATH: an internal redirect to /~alice/cgi-bin/gate.cgi/~alice/PATH.
gate_site() { # PATH [cgi_run ARGS…]
  local path=$1
  shift
  local -a site
  mapfile -t site < <(SITE_ENV)
  cgi_run gate.cgi "${site[@]}" SCRIPT_FILENAME="$SITE/cgi-bin/gate.cgi" SCRIPT_NAME=/~alice/cgi-bin/gate.cgi \
    PATH_INFO="/~alice/$path" PATH_TRANSLATED="$SITE/$path" REDIRECT_URL="/~alice/$path" REDIRECT_STATUS=200 \
    REQUEST_URI="/~alice/$path" "$@"
}

site_program() { # PROGRAM [cgi_run ARGS…]
  local program=$1
  shift
  local -a site
  mapfile -t site < <(SITE_ENV)
  cgi_run "$program" "${site[@]}" SCRIPT_NAME="/~alice/cgi-bin/$program" REQUEST_URI="/~alice/cgi-bin/$program" \
    SCRIPT_FILENAME="$SITE/cgi-bin/$program" HTPASSWD_FILE="$HTPASSWD" "$@"
}

login_post() { # NEXT [cgi_run ARGS…]
  local next=$1
  shift
  site_program login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM \
    --body "username=alice&password=alice-pass${next:+&next=$(urlencode "$next")}" "$@"
}

assert_session_cookie() { # PATH: one session cookie with that Path
  assert_eq "$(cgi_header_count Set-Cookie)" 1 "Set-Cookie count"
  assert_match "$(cgi_header Set-Cookie)" "^session=[A-Za-z0-9_=-]+\.[0-9a-f]{64}; HttpOnly; SameSite=Lax; Path=$1; Max-Age=2592000\$" Set-Cookie
}

# --- gate.cgi -----------------------------------------------------------------

@test "the gate's root is the site's folder: alice's page is served though it is outside DOCUMENT_ROOT" {
  gate_site members/page.txt HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" $'page of alice\n' body
  gate_site members/page.txt HTTP_COOKIE="session=$TOKEN" --unset CONTEXT_PREFIX --unset CONTEXT_DOCUMENT_ROOT
  cgi_expect_refused 500 "target \"$SITE/members/page\\.txt\" is outside the document root \"$HOSTROOT\": "
}

@test "GATE_ROOT set explicitly wins over the site's folder" {
  gate_site members/page.txt HTTP_COOKIE="session=$TOKEN" GATE_ROOT="$HOSTROOT"
  cgi_expect_refused 500 "target \"$SITE/members/page\\.txt\" is outside the document root \"$HOSTROOT\": "
}

@test "a stranger is sent to the site's own login page, with next inside the site" {
  gate_site members/page.txt
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" '/~alice/cgi-bin/login.cgi?next=%2F~alice%2Fmembers%2Fpage.txt' Location
  gate_site members/page.txt LOGIN_URL=/login/
  assert_eq "$(cgi_header Location)" '/login/?next=%2F~alice%2Fmembers%2Fpage.txt' "LOGIN_URL set explicitly"
}

@test "the 403 page's logout button posts to the site's own logout.cgi unless LOGOUT_URL is set" {
  gate_site members/page.txt HTTP_COOKIE="session=$TOKEN" SESSION_REQUIRE="user bob"
  assert_eq "$cgi_status" 403 status
  assert_match "$cgi_body" '<form method="post" action="/~alice/cgi-bin/logout\.cgi">' "logout action"
  gate_site members/page.txt HTTP_COOKIE="session=$TOKEN" SESSION_REQUIRE="user bob" LOGOUT_URL=/out
  assert_match "$cgi_body" '<form method="post" action="/out">' "LOGOUT_URL set explicitly"
}

@test "a client's Context-Prefix and Context-Document-Root headers, or REDIRECT_ copies, never count" {
  cgi_run gate.cgi DOCUMENT_ROOT="$HOSTROOT" SCRIPT_FILENAME="$SITE/cgi-bin/gate.cgi" SCRIPT_NAME=/~alice/cgi-bin/gate.cgi \
    PATH_INFO=/~alice/members/page.txt PATH_TRANSLATED="$SITE/members/page.txt" REDIRECT_URL=/~alice/members/page.txt \
    REQUEST_URI=/~alice/members/page.txt HTTP_CONTEXT_PREFIX=/~alice HTTP_CONTEXT_DOCUMENT_ROOT="$SITE" \
    REDIRECT_CONTEXT_PREFIX=/~alice REDIRECT_CONTEXT_DOCUMENT_ROOT="$SITE"
  assert_eq "$(cgi_header Location)" '/cgi-bin/login.cgi?next=%2F~alice%2Fmembers%2Fpage.txt' Location
  cgi_run login.cgi SCRIPT_NAME=/~alice/cgi-bin/login.cgi HTTP_CONTEXT_PREFIX=/~alice HTTP_CONTEXT_DOCUMENT_ROOT="$SITE" \
    REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" --body 'username=alice&password=alice-pass&next=/~bob/'
  assert_eq "$(cgi_header Location)" /~bob/ Location
  assert_session_cookie /
}

@test "a server-wide ScriptAlias /cgi-bin/ (CONTEXT_PREFIX=/cgi-bin/) is not a site: everything as without it" {
  local cgi=$BATS_TEST_TMPDIR/usr/lib/cgi-bin
  mkdir -p "$cgi" "$HOSTROOT/members"
  printf 'host page\n' > "$HOSTROOT/members/page.txt"
  cgi_run gate.cgi CONTEXT_PREFIX=/cgi-bin/ CONTEXT_DOCUMENT_ROOT="$cgi/" DOCUMENT_ROOT="$HOSTROOT" \
    SCRIPT_FILENAME="$cgi/gate.cgi" SCRIPT_NAME=/cgi-bin/gate.cgi PATH_INFO=/members/page.txt \
    PATH_TRANSLATED="$HOSTROOT/members/page.txt" REDIRECT_URL=/members/page.txt REQUEST_URI=/members/page.txt
  assert_eq "$(cgi_header Location)" '/cgi-bin/login.cgi?next=%2Fmembers%2Fpage.txt' Location
  cgi_run gate.cgi CONTEXT_PREFIX=/cgi-bin/ CONTEXT_DOCUMENT_ROOT="$cgi/" DOCUMENT_ROOT="$HOSTROOT" \
    SCRIPT_FILENAME="$cgi/gate.cgi" SCRIPT_NAME=/cgi-bin/gate.cgi PATH_INFO=/members/page.txt \
    PATH_TRANSLATED="$HOSTROOT/members/page.txt" REDIRECT_URL=/members/page.txt REQUEST_URI=/members/page.txt \
    HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_body" $'host page\n' body
  cgi_run login.cgi CONTEXT_PREFIX=/cgi-bin/ CONTEXT_DOCUMENT_ROOT="$cgi/" SCRIPT_NAME=/cgi-bin/login.cgi \
    REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$HTPASSWD" --body 'username=alice&password=alice-pass'
  assert_eq "$(cgi_header Location)" / Location
  assert_session_cookie /
  cgi_run login.cgi CONTEXT_PREFIX=/auth/login.cgi CONTEXT_DOCUMENT_ROOT="$cgi/login.cgi" SCRIPT_NAME=/auth/login.cgi \
    REMOTE_USER=alice QUERY_STRING=next=/x
  assert_eq "$(cgi_header Location)" /x "ScriptAlias /auth/login.cgi"
  assert_session_cookie /
}

# --- login.cgi and logout.cgi -------------------------------------------------

@test "login.cgi: the cookie's Path is the site's, and next defaults to the site's home" {
  login_post ''
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" /~alice/ Location
  assert_session_cookie /~alice/
  assert_eq "$cgi_stderr" "" stderr
  site_program login.cgi REMOTE_USER=alice QUERY_STRING=next=%2F~alice%2Fmembers%2Fpage.txt
  assert_eq "$(cgi_header Location)" /~alice/members/page.txt "REMOTE_USER login"
  assert_session_cookie /~alice/
}

@test "login.cgi: a next outside the site, or that a browser would resolve out of it, becomes the site's home" {
  local next
  for next in /~bob/ / /~alicex /~alice/../~bob/ /~alice/%2e%2e/~bob/ /~alice/.%2E/x '/~alice/..\~bob/' //evil.example /~alice/./x; do
    login_post "$next"
    assert_eq "$(cgi_header Location)" /~alice/ "next=$next"
  done
  for next in /~alice /~alice/ /~alice/members/page.txt?a=1 /~alice?x /~alice/a..b/; do
    login_post "$next"
    assert_eq "$(cgi_header Location)" "$next" "next=$next"
  done
}

@test "login.cgi: the form carries the site's home as next; a visitor already logged in goes there" {
  site_program login.cgi
  assert_eq "$cgi_status" 200 status
  assert_match "$cgi_body" '<input type="hidden" name="next" value="/~alice/">' "hidden next"
  site_program login.cgi QUERY_STRING=next=/~bob/
  assert_match "$cgi_body" '<input type="hidden" name="next" value="/~alice/">' "hidden next outside the site"
  site_program login.cgi HTTP_COOKIE="session=$TOKEN" QUERY_STRING=next=/~bob/
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" /~alice/ Location
}

@test "logout.cgi: the cookie is deleted with the site's Path, and next stays inside the site" {
  site_program logout.cgi REQUEST_METHOD=POST
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" /~alice/ Location
  assert_eq "$(cgi_header Set-Cookie)" 'session=; HttpOnly; SameSite=Lax; Path=/~alice/; Max-Age=0' Set-Cookie
  site_program logout.cgi REQUEST_METHOD=POST QUERY_STRING=next=/~bob/
  assert_eq "$(cgi_header Location)" /~alice/ "next outside the site"
  site_program logout.cgi REQUEST_METHOD=POST QUERY_STRING=next=/~alice/bye
  assert_eq "$(cgi_header Location)" /~alice/bye "next inside the site"
  site_program logout.cgi HTTP_COOKIE="session=$TOKEN"
  assert_match "$cgi_body" '<input type="hidden" name="next" value="/~alice/">' "the page's next"
}

# --- a prefix that cannot be trusted: 500 --------------------------------------

@test "a CONTEXT_PREFIX with a dot segment, a control character, // or too long answers 500 in every program" {
  local prefix program
  local -a cases=('/~a/../b|has a "\." or "\.\." segment$' '/~a/./b|has a "\." or "\.\." segment$'
    $'/~a\tb|holds a character a cookie Path cannot carry$' '/~a;b|holds a character a cookie Path cannot carry$'
    '/a//b|is not a usable URL prefix \(one leading "/", no "//" or "\\", at most 256 characters\)$'
    "/$(printf 'a%.0s' {1..300})|is not a usable URL prefix ")
  for case in "${cases[@]}"; do
    prefix=${case%%|*}
    for program in login.cgi logout.cgi; do
      cgi_run "$program" CONTEXT_PREFIX="$prefix" CONTEXT_DOCUMENT_ROOT="$SITE" SCRIPT_NAME="$prefix/cgi-bin/$program"
      cgi_expect_refused 500 "CONTEXT_PREFIX \".*\" ${case#*|}"
    done
    cgi_run gate.cgi CONTEXT_PREFIX="$prefix" CONTEXT_DOCUMENT_ROOT="$SITE" SCRIPT_NAME="$prefix/cgi-bin/gate.cgi" \
      PATH_INFO="$prefix/members/page.txt" PATH_TRANSLATED="$SITE/members/page.txt" REDIRECT_URL="$prefix/members/page.txt"
    cgi_expect_refused 500 "CONTEXT_PREFIX \".*\" ${case#*|}"
  done
  cgi_run login.cgi CONTEXT_PREFIX=/~alice CONTEXT_DOCUMENT_ROOT=home/alice SCRIPT_NAME=/~alice/cgi-bin/login.cgi
  cgi_expect_refused 500 'CONTEXT_DOCUMENT_ROOT "home/alice" is not an absolute path$'
}
