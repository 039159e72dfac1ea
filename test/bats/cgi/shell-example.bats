#!/usr/bin/env bats
# The committed command line, bin/dbbasic-sessions, installed by copying it out of the
# repository, and the shell example page (examples/shell/members.cgi) run as a CGI
# process with that copy on its PATH (docs/command-line.md).

load ../../helpers/cgi

MEMBERS=$TEST_REPO/examples/shell/members.cgi
LOGIN_LOCATION='/cgi-bin/login.cgi?next=/cgi-bin/members.cgi'
NO_KEY_LINE='dbbasic-sessions: no secret key: set SECRET_KEY or SECRET_KEY_FILE to a random key of at least 32 characters; generate one with `dbbasic-sessions keygen` or `openssl rand -hex 32`'

setup() {
  # An install by `cp` into a folder outside the repository: no package.json above it, no node_modules.
  INSTALL=$(mktemp -d /tmp/dbs-install.XXXXXX)
  cp "$TEST_REPO/bin/dbbasic-sessions" "$INSTALL/"
  CGI_PATH=$INSTALL:$CGI_PATH
}

teardown() {
  rm -rf "$INSTALL"
}

# 200 naming USER, the three fixed headers, nothing logged.
expect_member() {
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_headers" $'Status: 200 OK\nContent-Type: text/plain; charset=utf-8\nCache-Control: no-store' headers
  assert_eq "$cgi_body" "Members only. You are logged in as $1."$'\n' body
  assert_eq "$cgi_stderr" "" stderr
}

# Not logged in: 303 to the login page, no body, nothing logged.
expect_login_redirect() {
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_headers" $'Status: 303 See Other\nLocation: '"$LOGIN_LOCATION"$'\nCache-Control: no-store' headers
  assert_eq "$cgi_body" "" body
  assert_eq "$cgi_stderr" "" stderr
}

# Misconfigured: 500, generic body; stderr is REASON_LINE (if any) and the page's own line with the exit status.
expect_500() { # EXIT_STATUS REASON_REGEX
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_headers" $'Status: 500 Internal Server Error\nContent-Type: text/plain\nCache-Control: no-store' headers
  assert_eq "$cgi_body" $'server error\n' body
  assert_eq "$cgi_stderr_lines" 2 "stderr lines"
  assert_match "${cgi_stderr%%$'\n'*}" "$2" "first stderr line"
  assert_eq "${cgi_stderr#*$'\n'}" "members.cgi: dbbasic-sessions verify exited $1" "second stderr line"
}

@test "bin/dbbasic-sessions is committed with its run bit and a #!/usr/bin/env node line" {
  run git -C "$TEST_REPO" ls-files -s bin/dbbasic-sessions
  assert_match "$output" '^100755 [0-9a-f]{40} 0	bin/dbbasic-sessions$' "git mode"
  [ -x "$TEST_REPO/bin/dbbasic-sessions" ]
  assert_eq "$(head -n1 "$TEST_REPO/bin/dbbasic-sessions")" '#!/usr/bin/env node' "first line"
}

@test "bin/dbbasic-sessions loads nothing but Node's own modules" {
  run grep -oE '(require|import)\("[^"]*"\)' "$TEST_REPO/bin/dbbasic-sessions"
  # node:child_process, node:os and node:path are setup-site's and the settings file's, loaded only when used.
  assert_eq "$(sort -u <<<"$output" | tr '\n' ' ')" 'import("node:crypto") require("node:child_process") require("node:crypto") require("node:fs") require("node:os") require("node:path") ' modules
}

@test "a copy outside the repository runs keygen, create and verify by its own name" {
  dir=$INSTALL
  while [ "$dir" != / ]; do
    [ ! -e "$dir/package.json" ] || { echo "$dir/package.json exists" >&2; return 1; }
    dir=$(dirname "$dir")
  done
  cd "$BATS_TEST_TMPDIR"
  run --separate-stderr env -i PATH="$CGI_PATH" dbbasic-sessions keygen
  assert_eq "$status" 0 "keygen exit status"
  assert_match "$output" '^[0-9a-f]{64}$' key
  key=$output
  run --separate-stderr env -i PATH="$CGI_PATH" SECRET_KEY="$key" dbbasic-sessions create 'ann b' --ttl 60
  assert_eq "$status" 0 "create exit status"
  assert_eq "$stderr" "" "create stderr"
  run --separate-stderr env -i PATH="$CGI_PATH" SECRET_KEY="$key" "$INSTALL/dbbasic-sessions" verify "$output"
  assert_eq "$status" 0 "verify exit status"
  assert_eq "$output" 'ann b' user
  assert_eq "$stderr" "" "verify stderr"
}

@test "the copy's exit status tells a bad token (1) from a missing key (2)" {
  run --separate-stderr env -i PATH="$CGI_PATH" SECRET_KEY="$CGI_KEY" dbbasic-sessions verify not-a-token
  assert_eq "$status" 1 "exit status for a bad token"
  assert_eq "$output$stderr" "" output
  run --separate-stderr env -i PATH="$CGI_PATH" dbbasic-sessions verify "$(cgi_token ann)"
  assert_eq "$status" 2 "exit status without a key"
  assert_eq "$output" "" stdout
  assert_eq "$stderr" "$NO_KEY_LINE" stderr
}

@test "members.cgi answers 200 naming the user for a valid session cookie" {
  cgi_run "$MEMBERS" HTTP_COOKIE="session=$(cgi_token 'ann@example.org')"
  expect_member ann@example.org
}

@test "members.cgi reads the key from SECRET_KEY_FILE" {
  printf '%s\n' "$CGI_KEY" > "$BATS_TEST_TMPDIR/key"
  cgi_run "$MEMBERS" --unset SECRET_KEY SECRET_KEY_FILE="$BATS_TEST_TMPDIR/key" HTTP_COOKIE="session=$(cgi_token ann)"
  expect_member ann
}

@test "members.cgi takes the first session cookie among others, trimmed, with a quoted value unwrapped" {
  token=$(cgi_token ann)
  for cookie in "theme=dark; session=$token" "session=\"$token\"; theme=dark" \
                " a=1 ;	session	=	$token	; session=garbage" "flag; session=$token" "a=b=c; session=$token"; do
    cgi_run "$MEMBERS" HTTP_COOKIE="$cookie"
    expect_member ann
  done
  cgi_run "$MEMBERS" HTTP_COOKIE="session=garbage; session=$token"
  expect_login_redirect
}

@test "members.cgi uses the cookie name in SESSION_COOKIE" {
  token=$(cgi_token ann)
  cgi_run "$MEMBERS" SESSION_COOKIE=sid HTTP_COOKIE="session=garbage; sid=$token"
  expect_member ann
  cgi_run "$MEMBERS" SESSION_COOKIE=sid HTTP_COOKIE="session=$token"
  expect_login_redirect
}

@test "members.cgi sends a visitor without a valid session to the login page (303)" {
  other_key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  other_token=$(SECRET_KEY=$other_key cli create ann)
  assert_match "$other_token" '^[A-Za-z0-9_=-]+\.[0-9a-f]{64}$' "token signed with another key"
  cgi_run "$MEMBERS" --unset HTTP_COOKIE
  expect_login_redirect
  for cookie in "" "theme=dark" "sessionx=$(cgi_token ann)" "session=" 'session=""' "session=$(cgi_token ann 0)" \
                "session=$other_token" 'session=-x' 'session=*' 'session=$(id)'; do
    cgi_run "$MEMBERS" HTTP_COOKIE="$cookie"
    expect_login_redirect
  done
}

@test "members.cgi answers 500, not a login redirect, when the key is missing, and logs why" {
  cgi_run "$MEMBERS" --unset SECRET_KEY HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 2 "^${NO_KEY_LINE//[\$\`]/.}\$"
  cgi_run "$MEMBERS" --unset SECRET_KEY
  expect_500 2 '^dbbasic-sessions: no secret key'
}

@test "members.cgi answers 500 when the key is too weak or its file cannot be read" {
  cgi_run "$MEMBERS" SECRET_KEY=short HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 2 '^dbbasic-sessions: .*too weak'
  cgi_run "$MEMBERS" SECRET_KEY_FILE=/nonexistent/key HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 2 '^dbbasic-sessions: SECRET_KEY_FILE "/nonexistent/key" cannot be read'
}

@test "members.cgi answers 500 when dbbasic-sessions is not installed" {
  CGI_PATH=/usr/bin:/bin
  cgi_run "$MEMBERS" HTTP_COOKIE="session=$(cgi_token ann)"
  expect_500 127 'dbbasic-sessions: not found$'
}
