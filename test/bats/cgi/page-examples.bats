#!/usr/bin/env bats
# The example pages that check the session with `dbbasic-sessions verify` (docs/command-line.md):
# examples/php/members.php run by php-cgi, examples/perl/members.pl and examples/shell/members.cgi,
# each as a CGI process with a copy of bin/dbbasic-sessions on its PATH. No cookie, an empty or a
# garbage one is "please log in" (303), never a 500; a valid cookie names the user.

load ../../helpers/cgi

PHP_PAGE=$TEST_REPO/examples/php/members.php
PERL_PAGE=$TEST_REPO/examples/perl/members.pl
SHELL_PAGE=$TEST_REPO/examples/shell/members.cgi

setup() {
  command -v php-cgi >/dev/null || { echo "php-cgi is missing: make system-deps" >&2; return 1; }
  INSTALL=$(mktemp -d /tmp/dbs-install.XXXXXX)
  cp "$TEST_REPO/bin/dbbasic-sessions" "$INSTALL/"
  CGI_PATH=$INSTALL:$CGI_PATH
}

teardown() {
  rm -rf "$INSTALL"
}

# page NAME [cgi_run ARGS…]: runs one page as a CGI process.
page() {
  local name=$1
  shift
  case $name in
    php) cgi_run "$(command -v php-cgi)" SCRIPT_FILENAME="$PHP_PAGE" SCRIPT_NAME=/members.php REDIRECT_STATUS=200 "$@" ;;
    perl) cgi_run "$PERL_PAGE" "$@" ;;
    shell) cgi_run "$SHELL_PAGE" "$@" ;;
  esac
}

login_location() {
  case $1 in
    php) echo /cgi-bin/login.cgi?next=/members.php ;;
    perl) echo /cgi-bin/login.cgi?next=/cgi-bin/members.pl ;;
    shell) echo /cgi-bin/login.cgi?next=/cgi-bin/members.cgi ;;
  esac
}

expect_member() { # PAGE USER
  assert_eq "$cgi_exit" 0 "$1: exit status"
  case $1 in
    php) assert_eq "$cgi_headers" $'Cache-Control: no-store\nContent-Type: text/plain; charset=utf-8' "$1: headers" ;;
    *) assert_eq "$cgi_headers" $'Status: 200 OK\nContent-Type: text/plain; charset=utf-8\nCache-Control: no-store' "$1: headers" ;;
  esac
  assert_eq "$cgi_body" "Members only. You are logged in as $2."$'\n' "$1: body"
  assert_eq "$cgi_stderr" "" "$1: stderr"
}

expect_login_redirect() { # PAGE WHAT
  assert_eq "$cgi_exit" 0 "$1 ($2): exit status"
  case $1 in
    php) assert_eq "$cgi_headers" $'Status: 303 See Other\nCache-Control: no-store\nLocation: '"$(login_location php)"$'\nContent-type: text/html; charset=UTF-8' "$1 ($2): headers" ;;
    *) assert_eq "$cgi_headers" $'Status: 303 See Other\nLocation: '"$(login_location "$1")"$'\nCache-Control: no-store' "$1 ($2): headers" ;;
  esac
  assert_eq "$cgi_body" "" "$1 ($2): body"
  assert_eq "$cgi_stderr" "" "$1 ($2): stderr"
}

expect_500() { # PAGE EXIT_STATUS
  assert_eq "$cgi_exit" 0 "$1: exit status"
  assert_eq "$cgi_status" 500 "$1: status"
  assert_eq "$cgi_body" $'server error\n' "$1: body"
  assert_match "$cgi_stderr" "members\.(php|pl|cgi): dbbasic-sessions verify exited $2\$" "$1: stderr"
}

@test "each page names the user of a valid session cookie, the first session cookie among others" {
  token=$(cgi_token 'ann b')
  for p in php perl shell; do
    for cookie in "session=$token" "theme=dark; session=\"$token\"" "flag; session=$token; session=garbage"; do
      page $p HTTP_COOKIE="$cookie"
      expect_member $p 'ann b'
    done
  done
}

@test "each page sends a visitor without a cookie, or with an empty or garbage one, to the login page, never a 500" {
  other_key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  for p in php perl shell; do
    page $p --unset HTTP_COOKIE
    expect_login_redirect $p "no Cookie header"
    for cookie in "" "theme=dark" "session=" 'session=""' "session=garbage" "session=garbage; session=$(cgi_token ann)" \
                  "session=$(cgi_token ann 0)" "session=$(SECRET_KEY=$other_key cli create ann)" \
                  'session=$(id)' "session='; id; '" 'session=-x' 'session=*' 'session=%00'; do
      page $p HTTP_COOKIE="$cookie"
      expect_login_redirect $p "Cookie: $cookie"
    done
  done
}

@test "each page uses the cookie name in SESSION_COOKIE" {
  token=$(cgi_token ann)
  for p in php perl shell; do
    page $p SESSION_COOKIE=sid HTTP_COOKIE="session=garbage; sid=$token"
    expect_member $p ann
    page $p SESSION_COOKIE=sid HTTP_COOKIE="session=$token"
    expect_login_redirect $p "only a session cookie, SESSION_COOKIE=sid"
  done
}

@test "each page answers 500, not a login redirect, when the key is missing, and logs why" {
  for p in php perl shell; do
    page $p --unset SECRET_KEY HTTP_COOKIE="session=$(cgi_token ann)"
    expect_500 $p 2
    assert_match "$cgi_stderr" '^dbbasic-sessions: no secret key' "$p: the command's line"
    page $p --unset SECRET_KEY --unset HTTP_COOKIE
    expect_500 $p 2
  done
}

@test "each page answers 500 when dbbasic-sessions is not installed" {
  CGI_PATH=/usr/bin:/bin
  for p in php perl shell; do
    page $p HTTP_COOKIE="session=$(cgi_token ann)"
    expect_500 $p 127
  done
}

