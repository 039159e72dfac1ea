#!/usr/bin/env bats
# gate.cgi run as a CGI process in both invocation forms — lighttpd's
# cgi.assign (the target as the first argument) and Apache's Action (the
# target in PATH_TRANSLATED) — in front of real shell and Perl programs.

load ../../helpers/cgi
load ../../helpers/gate-targets

setup_file() {
  export DOCROOT=$BATS_FILE_TMPDIR/www
  mkdir -p "$DOCROOT"
  gate_targets "$DOCROOT"
}

setup() {
  ENV_CWD=$DOCROOT
  TOKEN=$(cgi_token ann)
}

# lighttpd: cgi.assign = ( ".pcgi" => ".../gate.cgi" ) runs `gate.cgi /docroot/NAME`.
gate_lighttpd() { # NAME [cgi_run ARGS…]
  local name=$1
  shift
  cgi_run gate.cgi --arg "$DOCROOT/$name" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/$name" \
    SCRIPT_NAME="/$name" REQUEST_URI="/$name" "$@"
}

# Apache: Action + AddHandler redirect internally to /cgi-bin/gate.cgi/NAME.
gate_apache() { # NAME [cgi_run ARGS…]
  local name=$1
  shift
  cgi_run gate.cgi DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$CGI_BIN/gate.cgi" SCRIPT_NAME=/cgi-bin/gate.cgi \
    PATH_INFO="/$name" PATH_TRANSLATED="$DOCROOT/$name" REDIRECT_URL="/$name" REDIRECT_STATUS=200 \
    REQUEST_URI="/$name" "$@"
}

# The target wrote nothing: stdout holds only gate.cgi's own reply with STATUS.
assert_gate_reply() { # STATUS
  assert_eq "$cgi_status" "$1" status
  assert_eq "$(cgi_header Cache-Control)" no-store Cache-Control
  assert_eq "$cgi_exit" 0 "exit status"
  run -1 grep -F 'env.pcgi ran' "$CGI_STDERR_FILE"
}

# A 500 with one log line matching REGEX, and nothing run.
assert_refused() { # REGEX
  assert_gate_reply 500
  assert_eq "$(cgi_header Content-Type)" 'text/plain; charset=utf-8' Content-Type
  assert_eq "$cgi_body" $'Internal Server Error\n' body
  assert_eq "$cgi_stderr_lines" 1 "log lines"
  assert_match "$cgi_stderr" "^gate\\.cgi: $1\$" "log line"
}

env_line() { # NAME: env.pcgi's line for NAME
  grep "^$1=" <<<"$cgi_body"
}

body_bytes() { # the body of the raw output, without the CGI header block
  perl -0777 -pe 's/\A.*?\r?\n\r?\n//s' "$CGI_STDOUT_FILE"
}

# --- a valid session: the target runs ------------------------------------------

@test "the lighttpd form runs the program named by the first argument as the session's user" {
  gate_lighttpd env.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_status_line" '200 OK' Status
  assert_eq "$(cgi_header Content-Type)" text/plain Content-Type
  assert_eq "$cgi_body" "$(env_expected REMOTE_USER=ann AUTH_TYPE=Cookie SCRIPT_NAME=/env.pcgi \
    SCRIPT_FILENAME="$DOCROOT/env.pcgi" QUERY_STRING= REQUEST_METHOD=GET)"$'\n' body
  assert_eq "$cgi_stderr" 'env.pcgi ran for ann' "the program's stderr"
}

@test "the Apache form runs the program named in PATH_TRANSLATED, which sees itself as the script" {
  gate_apache env.pcgi HTTP_COOKIE="session=$TOKEN" QUERY_STRING=a=1
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" "$(env_expected REMOTE_USER=ann AUTH_TYPE=Cookie SCRIPT_NAME=/env.pcgi \
    SCRIPT_FILENAME="$DOCROOT/env.pcgi" QUERY_STRING=a=1 REQUEST_METHOD=GET)"$'\n' body
}

@test "the Apache form gives the program its own extra path info" {
  gate_apache env.pcgi/2024/q1 HTTP_COOKIE="session=$TOKEN" REDIRECT_URL=/env.pcgi/2024/q1 REQUEST_URI=/env.pcgi/2024/q1
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" "$(env_expected REMOTE_USER=ann AUTH_TYPE=Cookie SCRIPT_NAME=/env.pcgi \
    SCRIPT_FILENAME="$DOCROOT/env.pcgi" PATH_INFO=/2024/q1 PATH_TRANSLATED="$DOCROOT/2024/q1" \
    QUERY_STRING= REQUEST_METHOD=GET)"$'\n' body
}

@test "the lighttpd form leaves the server's PATH_INFO and PATH_TRANSLATED to the program" {
  gate_lighttpd env.pcgi HTTP_COOKIE="session=$TOKEN" PATH_INFO=/x PATH_TRANSLATED="$DOCROOT/x"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" "$(env_expected REMOTE_USER=ann AUTH_TYPE=Cookie SCRIPT_NAME=/env.pcgi \
    SCRIPT_FILENAME="$DOCROOT/env.pcgi" PATH_INFO=/x PATH_TRANSLATED="$DOCROOT/x" \
    QUERY_STRING= REQUEST_METHOD=GET)"$'\n' body
}

@test "the program never sees SECRET_KEY, SECRET_KEY_FILE, SECRET_KEY_FALLBACKS or Apache's REDIRECT_ copies" {
  printf '%s\n' "$CGI_KEY" > "$BATS_TEST_TMPDIR/key"
  old=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  gate_apache env.pcgi HTTP_COOKIE="session=$TOKEN" SECRET_KEY_FILE="$BATS_TEST_TMPDIR/key" \
    SECRET_KEY_FALLBACKS="$old" REDIRECT_SECRET_KEY_FILE="$BATS_TEST_TMPDIR/key" REDIRECT_SECRET_KEY="$CGI_KEY" \
    REDIRECT_REDIRECT_SECRET_KEY_FALLBACKS="$old"
  assert_eq "$cgi_status" 200 status
  assert_eq "$(env_line secrets)" secrets=0 "SECRET_KEY variables the program sees"
}

@test "the session cookie is removed from HTTP_COOKIE and every other cookie is kept" {
  local -a cases=(
    "a=1; session=$TOKEN; b=2"           'a=1; b=2'
    "session=$TOKEN"                     '(unset)'
    "session=$TOKEN; session=x.y; lang=en" 'lang=en'
    "Session=upper; session=$TOKEN"      'Session=upper'
    "theme=\"dark blue\";session=$TOKEN" 'theme="dark blue"'
  )
  for ((i = 0; i < ${#cases[@]}; i += 2)); do
    gate_lighttpd env.pcgi HTTP_COOKIE="${cases[i]}"
    assert_eq "$cgi_status" 200 "status for ${cases[i]}"
    assert_eq "$(env_line HTTP_COOKIE)" "HTTP_COOKIE=${cases[i+1]}" "HTTP_COOKIE for ${cases[i]}"
  done
}

@test "with SESSION_COOKIE set, that cookie is the one removed" {
  gate_lighttpd env.pcgi SESSION_COOKIE=sid HTTP_COOKIE="session=keep-me; sid=$TOKEN"
  assert_eq "$cgi_status" 200 status
  assert_eq "$(env_line HTTP_COOKIE)" HTTP_COOKIE=session=keep-me HTTP_COOKIE
}

@test "Apache's REDIRECT_HTTP_COOKIE copy loses the session cookie too" {
  cat > "$DOCROOT/cookies.pcgi" <<'SH'
#!/bin/sh
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n%s|%s\n' "${HTTP_COOKIE-(unset)}" "${REDIRECT_HTTP_COOKIE-(unset)}"
SH
  chmod 755 "$DOCROOT/cookies.pcgi"
  gate_apache cookies.pcgi HTTP_COOKIE="a=1; session=$TOKEN" REDIRECT_HTTP_COOKIE="session=$TOKEN; b=2"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" $'a=1|b=2\n' body
}

@test "a binary POST body reaches the Perl program byte for byte, in both forms" {
  perl -e 'binmode STDOUT; print map { chr } (0..255) x 64' > "$BATS_TEST_TMPDIR/in.bin"
  for form in gate_lighttpd gate_apache; do
    $form echo.pcgi HTTP_COOKIE="session=$TOKEN" REQUEST_METHOD=POST CONTENT_LENGTH=16384 \
      CONTENT_TYPE=application/octet-stream --stdin "$BATS_TEST_TMPDIR/in.bin"
    assert_eq "$cgi_exit" 0 "exit status ($form)"
    assert_eq "$(cgi_header X-Method)" POST "X-Method ($form)"
    assert_eq "$(cgi_header X-Length)" 16384 "X-Length ($form)"
    body_bytes > "$BATS_TEST_TMPDIR/out.bin"
    cmp "$BATS_TEST_TMPDIR/in.bin" "$BATS_TEST_TMPDIR/out.bin"
  done
}

@test "the program's binary output passes through byte for byte" {
  gate_lighttpd binary.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_status" 200 status
  perl -e 'binmode STDOUT; print map { chr } 0..255' > "$BATS_TEST_TMPDIR/want.bin"
  body_bytes > "$BATS_TEST_TMPDIR/out.bin"
  cmp "$BATS_TEST_TMPDIR/want.bin" "$BATS_TEST_TMPDIR/out.bin"
}

@test "the program's exit status is gate.cgi's exit status" {
  gate_lighttpd env.pcgi HTTP_COOKIE="session=$TOKEN" ENV_EXIT=3
  assert_eq "$cgi_exit" 3 "exit status"
  assert_eq "$cgi_status" 200 status
}

@test "a program killed by a signal makes gate.cgi exit with 128 + the signal number" {
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\npartial\\n"\nkill -TERM $$\n' > "$DOCROOT/killed.pcgi"
  chmod 755 "$DOCROOT/killed.pcgi"
  gate_lighttpd killed.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_exit" 143 "exit status"
  assert_eq "$cgi_body" $'partial\n' body
}

@test "Apache's query words passed as arguments never choose the program" {
  gate_apache env.pcgi HTTP_COOKIE="session=$TOKEN" QUERY_STRING=%2Fbin%2Fsh --arg /bin/sh
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" "$(env_expected REMOTE_USER=ann AUTH_TYPE=Cookie SCRIPT_NAME=/env.pcgi \
    SCRIPT_FILENAME="$DOCROOT/env.pcgi" QUERY_STRING=%2Fbin%2Fsh REQUEST_METHOD=GET)"$'\n' body
}

@test "a token from a fallback key still opens the gate" {
  old=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  gate_lighttpd env.pcgi SECRET_KEY_FALLBACKS="$old" HTTP_COOKIE="session=$(SECRET_KEY=$old cli create bob)"
  assert_eq "$cgi_status" 200 status
  assert_eq "$(env_line REMOTE_USER)" REMOTE_USER=bob REMOTE_USER
  assert_eq "$(env_line AUTH_TYPE)" AUTH_TYPE=Cookie AUTH_TYPE
}

# --- no valid session: the program never runs -----------------------------------

@test "an anonymous GET is sent to login.cgi with next = the requested URL, percent-encoded" {
  gate_lighttpd env.pcgi REQUEST_URI='/env.pcgi?q=%C3%BC&x=<a b>'
  assert_gate_reply 303
  assert_eq "$(cgi_header Location)" '/cgi-bin/login.cgi?next=%2Fenv.pcgi%3Fq%3D%25C3%25BC%26x%3D%3Ca%20b%3E' Location
  assert_eq "$(cgi_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  run -1 cgi_header Set-Cookie
  assert_eq "$cgi_stderr" '' stderr
}

@test "an anonymous HEAD is sent to login too, in the Apache form as well" {
  gate_apache env.pcgi REQUEST_METHOD=HEAD REQUEST_URI=/env.pcgi
  assert_gate_reply 303
  assert_eq "$(cgi_header Location)" '/cgi-bin/login.cgi?next=%2Fenv.pcgi' Location
}

@test "anonymous POST, PUT and DELETE answer 401 without reading the body" {
  for method in POST PUT DELETE; do
    gate_lighttpd echo.pcgi REQUEST_METHOD=$method --body 'secret=1'
    assert_gate_reply 401
    assert_eq "$(cgi_header Content-Type)" 'text/plain; charset=utf-8' "Content-Type ($method)"
    assert_eq "$cgi_body" $'Unauthorized\n' "body ($method)"
    run -1 cgi_header Location
  done
}

@test "an expired, tampered or foreign-key cookie is no session, and is logged once" {
  other=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  for cookie in "$(cgi_token ann -1)" "${TOKEN%?}x" "$(SECRET_KEY=$other cli create ann)" garbage; do
    gate_lighttpd env.pcgi HTTP_COOKIE="session=$cookie"
    assert_gate_reply 303
    assert_eq "$cgi_stderr" 'gate.cgi: invalid session cookie from 192.0.2.7' "log for $cookie"
  done
}

@test "LOGIN_URL chooses the login page, and next joins its query string" {
  gate_lighttpd env.pcgi LOGIN_URL=/auth/login.cgi
  assert_eq "$(cgi_header Location)" '/auth/login.cgi?next=%2Fenv.pcgi' Location
  gate_lighttpd env.pcgi LOGIN_URL='/login.cgi?site=2'
  assert_eq "$(cgi_header Location)" '/login.cgi?site=2&next=%2Fenv.pcgi' Location
}

@test "a LOGIN_URL that is not a local path answers 500 and is logged, never redirected to" {
  for bad in 'https://evil.example/' '//evil.example/' '/\evil.example' 'login.cgi' $'/login\r\nSet-Cookie: x=1' $'/a\tb'; do
    gate_lighttpd env.pcgi LOGIN_URL="$bad"
    assert_refused 'LOGIN_URL must be a local path such as /cgi-bin/login\.cgi .*'
    run -1 cgi_header Location
  done
}

@test "a requested URL too long for a Location header sends you to the login page without next" {
  long=/env.pcgi?q=$(printf 'a%.0s' {1..3000})
  gate_lighttpd env.pcgi REQUEST_URI="$long"
  assert_gate_reply 303
  assert_eq "$(cgi_header Location)" /cgi-bin/login.cgi Location
}

@test "without a usable key gate.cgi answers 500, logs what to set, and runs nothing" {
  gate_lighttpd env.pcgi --unset SECRET_KEY HTTP_COOKIE="session=$TOKEN"
  assert_refused 'no secret key: set SECRET_KEY or SECRET_KEY_FILE .*'
  gate_lighttpd env.pcgi SECRET_KEY=CHANGE-ME-IN-PRODUCTION
  assert_refused 'the secret key is too weak: .*'
}

# --- targets that may not run: 500, one log line, nothing run -------------------

@test "a program without its run bit answers 500" {
  gate_lighttpd plain.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_refused "target \"$DOCROOT/plain\\.pcgi\" is not an executable regular file"
}

@test "a folder without index.html answers 403; a missing file and a file without #! line answer 500" {
  mkdir -p "$DOCROOT/dir.pcgi"
  chmod 755 "$DOCROOT/dir.pcgi"
  gate_lighttpd dir.pcgi HTTP_COOKIE="session=$TOKEN"
  cgi_expect_refused 403 "target \"$DOCROOT/dir\\.pcgi\" is a folder without index\\.html\$"
  gate_apache gone.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_refused "target \"$DOCROOT/gone\\.pcgi\" does not exist"
  printf 'echo "Content-Type: text/plain"; echo; echo ran by a shell\n' > "$DOCROOT/noshebang.pcgi"
  chmod 755 "$DOCROOT/noshebang.pcgi"
  gate_lighttpd noshebang.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_refused "target \"$DOCROOT/noshebang\\.pcgi\" has no #! line and is not an ELF program"
}

@test "a program whose interpreter is missing answers 500 and is logged" {
  printf '#!/nonexistent/interpreter\n' > "$DOCROOT/nointerp.pcgi"
  chmod 755 "$DOCROOT/nointerp.pcgi"
  gate_lighttpd nointerp.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_refused "cannot run target \"$DOCROOT/nointerp\\.pcgi\" \\(ENOENT\\)"
}

@test "a program outside the document root answers 500, unless GATE_ROOT names its folder" {
  mkdir -p "$BATS_TEST_TMPDIR/elsewhere"
  cp "$DOCROOT/env.pcgi" "$BATS_TEST_TMPDIR/elsewhere/env.pcgi"
  target=$BATS_TEST_TMPDIR/elsewhere/env.pcgi
  cgi_run gate.cgi --arg "$target" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$target" HTTP_COOKIE="session=$TOKEN"
  assert_refused "target \"$target\" is outside the document root \"$DOCROOT\": set GATE_ROOT .*"
  cgi_run gate.cgi --arg /bin/true DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME=/bin/true HTTP_COOKIE="session=$TOKEN"
  assert_refused 'target "/bin/true" is outside the document root .*'

  cgi_run gate.cgi --arg "$target" DOCUMENT_ROOT="$DOCROOT" GATE_ROOT="$BATS_TEST_TMPDIR/elsewhere" \
    SCRIPT_FILENAME="$target" HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_status" 200 status
  assert_eq "$(env_line REMOTE_USER)" REMOTE_USER=ann REMOTE_USER
}

@test "GATE_ROOT lists several folders separated by colons: a program in any of them runs, one elsewhere does not" {
  mkdir -p "$BATS_TEST_TMPDIR/cgi-bin" "$BATS_TEST_TMPDIR/other"
  cp "$DOCROOT/env.pcgi" "$BATS_TEST_TMPDIR/cgi-bin/env.pcgi"
  cp "$DOCROOT/env.pcgi" "$BATS_TEST_TMPDIR/other/env.pcgi"
  local roots="$DOCROOT:$BATS_TEST_TMPDIR/cgi-bin" target
  for target in "$DOCROOT/env.pcgi" "$BATS_TEST_TMPDIR/cgi-bin/env.pcgi"; do
    cgi_run gate.cgi --arg "$target" GATE_ROOT="$roots" SCRIPT_FILENAME="$target" HTTP_COOKIE="session=$TOKEN"
    assert_eq "$cgi_status" 200 "status for $target"
    assert_eq "$(env_line REMOTE_USER)" REMOTE_USER=ann "REMOTE_USER for $target"
  done
  target=$BATS_TEST_TMPDIR/other/env.pcgi
  cgi_run gate.cgi --arg "$target" GATE_ROOT="$roots" SCRIPT_FILENAME="$target" HTTP_COOKIE="session=$TOKEN"
  assert_refused "target \"$target\" is outside the document root \"$roots\": set GATE_ROOT .*"
  cgi_run gate.cgi --arg "$DOCROOT/env.pcgi" GATE_ROOT="$DOCROOT:relative/dir" SCRIPT_FILENAME="$DOCROOT/env.pcgi" HTTP_COOKIE="session=$TOKEN"
  assert_refused 'neither GATE_ROOT nor DOCUMENT_ROOT names an absolute directory: .*'
}

@test "a program reached through a symbolic link answers 500, unless GATE_FOLLOW_SYMLINKS=1" {
  ln -sfn "$DOCROOT/env.pcgi" "$DOCROOT/link.pcgi"
  mkdir -p "$DOCROOT/real"
  cp "$DOCROOT/env.pcgi" "$DOCROOT/real/env.pcgi"
  ln -sfn "$DOCROOT/real" "$DOCROOT/linked-dir"
  gate_lighttpd link.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_refused "target \"$DOCROOT/link\\.pcgi\" is reached through a symbolic link: .* GATE_FOLLOW_SYMLINKS=1"
  gate_apache linked-dir/env.pcgi HTTP_COOKIE="session=$TOKEN"
  assert_refused "target \"$DOCROOT/linked-dir/env\\.pcgi\" is reached through a symbolic link: .*"

  gate_lighttpd link.pcgi HTTP_COOKIE="session=$TOKEN" GATE_FOLLOW_SYMLINKS=1
  assert_eq "$cgi_status" 200 status
  assert_eq "$(env_line SCRIPT_FILENAME)" "SCRIPT_FILENAME=$DOCROOT/env.pcgi" "SCRIPT_FILENAME (the real file)"
}

@test "a symbolic link leading out of the document root answers 500 even with GATE_FOLLOW_SYMLINKS=1" {
  mkdir -p "$BATS_TEST_TMPDIR/outside"
  cp "$DOCROOT/env.pcgi" "$BATS_TEST_TMPDIR/outside/env.pcgi"
  ln -sfn "$BATS_TEST_TMPDIR/outside/env.pcgi" "$DOCROOT/escape.pcgi"
  gate_lighttpd escape.pcgi HTTP_COOKIE="session=$TOKEN" GATE_FOLLOW_SYMLINKS=1
  assert_refused "target \"$DOCROOT/escape\\.pcgi\" is outside the document root .*"
}

@test "a document root that is itself a symbolic link is fine" {
  ln -sfn "$DOCROOT" "$BATS_TEST_TMPDIR/site"
  cgi_run gate.cgi --arg "$BATS_TEST_TMPDIR/site/env.pcgi" DOCUMENT_ROOT="$BATS_TEST_TMPDIR/site" \
    SCRIPT_FILENAME="$BATS_TEST_TMPDIR/site/env.pcgi" HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_status" 200 status
  assert_eq "$(env_line SCRIPT_FILENAME)" "SCRIPT_FILENAME=$DOCROOT/env.pcgi" SCRIPT_FILENAME
}

@test "a direct request for /cgi-bin/gate.cgi/env.pcgi (no Action redirect) runs nothing" {
  cgi_run gate.cgi DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$CGI_BIN/gate.cgi" PATH_INFO=/env.pcgi \
    PATH_TRANSLATED="$DOCROOT/env.pcgi" REDIRECT_STATUS=200 HTTP_COOKIE="session=$TOKEN"
  assert_refused "refusing a direct request for \"$DOCROOT/env\\.pcgi\": .*"
}

@test "an argument that is not the requested script, with no PATH_TRANSLATED, runs nothing" {
  cgi_run gate.cgi --arg "$DOCROOT/env.pcgi" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$CGI_BIN/gate.cgi" \
    HTTP_COOKIE="session=$TOKEN"
  assert_refused 'no target: configure gate\.cgi as a handler .*'
  cgi_run gate.cgi DOCUMENT_ROOT="$DOCROOT" HTTP_COOKIE="session=$TOKEN"
  assert_refused 'no target: configure gate\.cgi as a handler .*'
}

@test "without DOCUMENT_ROOT or GATE_ROOT gate.cgi cannot check its target and answers 500" {
  cgi_run gate.cgi --arg "$DOCROOT/env.pcgi" SCRIPT_FILENAME="$DOCROOT/env.pcgi" HTTP_COOKIE="session=$TOKEN"
  assert_refused 'neither GATE_ROOT nor DOCUMENT_ROOT names an absolute directory: .*'
}
