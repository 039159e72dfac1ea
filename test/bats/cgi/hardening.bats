#!/usr/bin/env bats
# Hardening, each program run as a CGI process: keys that are long enough but
# no key, key and htpasswd paths that name something other than a small regular
# file, key and htpasswd files others may write, bcrypt entries too costly to
# check, a request body trickled into (or stalled on) a non-blocking stdin, and
# a reply that cannot be written. Every case that could hang runs under
# `timeout` (exit 124 fails the test instead of hanging the suite).

load ../../helpers/cgi

FORM=application/x-www-form-urlencoded
HOW='generate one with `dbbasic-sessions keygen` or `openssl rand -hex 32`'
KEY_FIX="set SECRET_KEY or SECRET_KEY_FILE to a random key of at least 32 characters; $HOW"
NOT_REGULAR_KEY_FIX="set SECRET_KEY_FILE to a regular file holding only the key; $HOW"
HTPASSWD_FIX='point it at a file made with `htpasswd -B -c FILE USER`'
KEY_MODE_FIX="chmod 600 it, or chmod 640 and chgrp it to the web server's group"

setup_file() {
  local dir=$BATS_FILE_TMPDIR
  # Each program behind `timeout 20`, under its own name.
  BOUNDED=$dir/bounded
  mkdir -p "$BOUNDED"
  local p
  for p in whoami login logout gate; do
    printf '#!/bin/sh\nexec timeout 20 %q "$@"\n' "$CGI_BIN/$p.cgi" > "$BOUNDED/$p.cgi"
    chmod 755 "$BOUNDED/$p.cgi"
  done
  H_FILE=$dir/htpasswd
  htpasswd -b -c -B -C 4 "$H_FILE" ann ann-pass 2>/dev/null
  chmod 644 "$H_FILE"
  FIFO=$dir/fifo
  mkfifo "$FIFO"
  TOKEN_ANN=$(cgi_token ann)
  export BOUNDED H_FILE FIFO TOKEN_ANN
}

# --- whoami.cgi with a key that is no key -------------------------------------------------------

# 500, JSON body, exactly one stderr line: "whoami.cgi: " + the exact MESSAGE.
expect_key_refused() { # MESSAGE
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_headers" $'Status: 500 Internal Server Error\nContent-Type: application/json\nCache-Control: no-store' headers
  assert_eq "$cgi_body" '{"error":"server error"}' body
  assert_eq "$cgi_stderr" "whoami.cgi: $1" stderr
}

key_file_of() { # CONTENT (printf format) — the key file, in KEY_FILE
  KEY_FILE=$BATS_TEST_TMPDIR/session.key
  printf "$1" > "$KEY_FILE"
  chmod 600 "$KEY_FILE"
}

whoami_with_key_file() {
  cgi_run "$BOUNDED/whoami.cgi" --unset SECRET_KEY SECRET_KEY_FILE="$1" HTTP_COOKIE="session=$TOKEN_ANN" "${@:2}"
}

@test "a key file of 64 NUL bytes is refused, naming the problem, not the key" {
  KEY_FILE=$BATS_TEST_TMPDIR/session.key
  head -c 64 /dev/zero > "$KEY_FILE"
  whoami_with_key_file "$KEY_FILE"
  expect_key_refused "the secret key holds a NUL or another control character: $KEY_FIX"
}

@test "a key file of 33 tabs is refused" {
  key_file_of "$(printf '\\t%.0s' {1..33})\\n"
  whoami_with_key_file "$KEY_FILE"
  expect_key_refused "the secret key holds a NUL or another control character: $KEY_FIX"
}

@test "a key file of 40 newlines is refused as more than one line" {
  key_file_of "$(printf '\\n%.0s' {1..40})"
  whoami_with_key_file "$KEY_FILE"
  expect_key_refused "SECRET_KEY_FILE \"$KEY_FILE\" holds more than one line: set SECRET_KEY or SECRET_KEY_FILE to a random key on a single line; $HOW"
}

@test "a key file of two lines is refused, not read as a key with a newline in it" {
  key_file_of "$CGI_KEY\\n$CGI_KEY\\n"
  whoami_with_key_file "$KEY_FILE"
  expect_key_refused "SECRET_KEY_FILE \"$KEY_FILE\" holds more than one line: set SECRET_KEY or SECRET_KEY_FILE to a random key on a single line; $HOW"
}

@test "SECRET_KEY of 32 spaces is refused" {
  cgi_run "$BOUNDED/whoami.cgi" SECRET_KEY="$(printf ' %.0s' {1..32})" HTTP_COOKIE="session=$TOKEN_ANN"
  expect_key_refused "the secret key is only whitespace: $KEY_FIX"
}

@test "SECRET_KEY of one character repeated is refused" {
  cgi_run "$BOUNDED/whoami.cgi" SECRET_KEY="$(printf 'a%.0s' {1..64})" HTTP_COOKIE="session=$TOKEN_ANN"
  expect_key_refused "the secret key is one character repeated: $KEY_FIX"
}

@test "a SECRET_KEY_FALLBACKS entry of one character repeated is refused" {
  cgi_run "$BOUNDED/whoami.cgi" SECRET_KEY_FALLBACKS="$(printf 'o%.0s' {1..40})" HTTP_COOKIE="session=$TOKEN_ANN"
  expect_key_refused "a key in SECRET_KEY_FALLBACKS is one character repeated: remove it from SECRET_KEY_FALLBACKS or replace it with a random key of at least 32 characters; $HOW"
}

@test "SECRET_KEY_FILE=/dev/zero is refused at once" {
  whoami_with_key_file /dev/zero
  expect_key_refused "SECRET_KEY_FILE \"/dev/zero\" is not a regular file (a character device): $NOT_REGULAR_KEY_FIX"
}

@test "SECRET_KEY_FILE naming a FIFO is refused at once, without waiting for a writer" {
  whoami_with_key_file "$FIFO"
  expect_key_refused "SECRET_KEY_FILE \"$FIFO\" is not a regular file (a FIFO): $NOT_REGULAR_KEY_FIX"
}

@test "SECRET_KEY_FILE naming a directory is refused" {
  whoami_with_key_file "$BATS_TEST_TMPDIR"
  expect_key_refused "SECRET_KEY_FILE \"$BATS_TEST_TMPDIR\" is not a regular file (a directory): $NOT_REGULAR_KEY_FIX"
}

@test "a key file over 4096 bytes is refused; one of 4096 bytes is read" {
  KEY_FILE=$BATS_TEST_TMPDIR/session.key
  local long
  long=$(for _ in {1..64}; do printf '%s' "$CGI_KEY"; done) # 4096 characters
  printf '%s' "$long" > "$KEY_FILE"
  chmod 600 "$KEY_FILE"
  cgi_run "$BOUNDED/whoami.cgi" --unset SECRET_KEY SECRET_KEY_FILE="$KEY_FILE" HTTP_COOKIE="session=$(SECRET_KEY=$long cli create ann)"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "" stderr
  printf '%s\n' "$long" > "$KEY_FILE"
  whoami_with_key_file "$KEY_FILE"
  expect_key_refused "SECRET_KEY_FILE \"$KEY_FILE\" is over the 4096-byte limit: $NOT_REGULAR_KEY_FIX"
}

# --- key and htpasswd files others may write ----------------------------------------------------

@test "a key file writable by others works, with one warning line, for modes 0602, 0622 and 0620" {
  local mode who
  for mode in 602:'every user' 622:'every user' 620:'its group'; do
    who=${mode#*:} mode=${mode%%:*}
    key_file_of "$CGI_KEY\\n"
    chmod "$mode" "$KEY_FILE"
    whoami_with_key_file "$KEY_FILE"
    assert_eq "$cgi_status" 200 "status for mode $mode"
    assert_eq "$cgi_stderr" "whoami.cgi: SECRET_KEY_FILE \"$KEY_FILE\" is writable by $who (mode 0$mode), who can then forge any session: $KEY_MODE_FIX" "stderr for mode $mode"
  done
}

@test "a key file of another account's, readable by every user (a site's owner where CGI runs as the server's user), is warned about with advice its owner can follow" {
  key_file_of "$CGI_KEY\n"
  chmod 644 "$KEY_FILE"
  chown nobody "$KEY_FILE"
  whoami_with_key_file "$KEY_FILE"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "whoami.cgi: SECRET_KEY_FILE \"$KEY_FILE\" is readable by every user (mode 0644): this host runs CGI programs as the web server's user, so every account's programs can read it: ask the host for suEXEC (README, \"Shared hosting\")" stderr
}

login_post() { # HTPASSWD USER PASSWORD [CGI_RUN ARGS…]
  cgi_run "$BOUNDED/login.cgi" REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$1" \
    --body "username=$2&password=$3" "${@:4}"
}

@test "an htpasswd file writable by others works, with one warning line" {
  local file=$BATS_TEST_TMPDIR/htpasswd mode who
  for mode in 646:'every user' 664:'its group'; do
    who=${mode#*:} mode=${mode%%:*}
    cp "$H_FILE" "$file"
    chmod "$mode" "$file"
    login_post "$file" ann ann-pass
    assert_eq "$cgi_status" 303 "status for mode $mode"
    assert_eq "$cgi_stderr" "login.cgi: HTPASSWD_FILE \"$file\" is writable by $who (mode 0$mode), who can then add a user and log in: chmod 644 it, or chmod 640 and chgrp it to the web server's group" "stderr for mode $mode"
  done
  chmod 640 "$file"
  login_post "$file" ann ann-pass
  assert_eq "$cgi_status" 303 status
  assert_eq "$cgi_stderr" "" stderr
}

# --- htpasswd paths that are not small regular files --------------------------------------------

@test "HTPASSWD_FILE naming a FIFO is refused at once with 500" {
  login_post "$FIFO" ann ann-pass
  cgi_expect_refused 500 "HTPASSWD_FILE \"${FIFO//./\\.}\" is not a regular file \(a FIFO\): point it at a file made with \`htpasswd -B -c FILE USER\`\$"
}

@test "HTPASSWD_FILE=/dev/zero is refused at once with 500" {
  login_post /dev/zero ann ann-pass
  cgi_expect_refused 500 'HTPASSWD_FILE "/dev/zero" is not a regular file \(a character device\): point it at a file made with `htpasswd -B -c FILE USER`$'
}

@test "an htpasswd file of 4 MiB is read; one a byte larger is refused with 500" {
  local file=$BATS_TEST_TMPDIR/big-htpasswd size
  cp "$H_FILE" "$file"
  size=$(wc -c < "$file")
  # Comment lines up to exactly 4 MiB (4194304 bytes).
  head -c $((4194304 - size - 1)) /dev/zero | tr '\0' '#' >> "$file"
  printf '\n' >> "$file"
  assert_eq "$(wc -c < "$file")" 4194304 size
  login_post "$file" ann ann-pass
  assert_eq "$cgi_status" 303 status
  assert_eq "$cgi_stderr" "" stderr
  printf '#' >> "$file"
  login_post "$file" ann ann-pass
  cgi_expect_refused 500 "HTPASSWD_FILE \"${file//./\\.}\" is over the 4194304-byte limit: point it at a file made with \`htpasswd -B -c FILE USER\`\$"
}

# --- bcrypt costs -------------------------------------------------------------------------------

@test "a \$2y\$31\$ entry is an unsupported entry: its user and unknown users get 401 at once" {
  local file=$BATS_TEST_TMPDIR/htpasswd salt
  salt=$(sed -n 's/^ann:\$2y\$04\$//p' "$H_FILE")
  { printf 'cy:$2y$31$%s\n' "$salt"; cat "$H_FILE"; } > "$file"
  login_post "$file" cy ann-pass
  assert_eq "$cgi_status_line" "401 Unauthorized" Status
  assert_eq "$cgi_stderr" 'login.cgi: login failed for user "cy" from 192.0.2.7 (unsupported hash type in HTPASSWD_FILE)' stderr
  login_post "$file" mallory x
  assert_eq "$cgi_status_line" "401 Unauthorized" Status
  assert_eq "$cgi_stderr" 'login.cgi: login failed for user "mallory" from 192.0.2.7' stderr
  login_post "$file" ann ann-pass
  assert_eq "$cgi_status" 303 status
}

# --- a request body on a non-blocking stdin ----------------------------------------------------

# nb_post PROGRAM DELAY PIECE… — POSTs PIECE… (CONTENT_LENGTH: their total, unless given as
# NB_LENGTH) to PROGRAM through a pipe set O_NONBLOCK, DELAY seconds between pieces; a last
# PIECE "-" leaves the pipe open (a client that stalls). Sets what cgi_run sets, plus NB_CPU
# (the program's user + system CPU seconds, from wait4).
nb_post() {
  local program=$1 delay=$2 body
  shift 2
  body=$(printf '%s' "${@/#-/}")
  CGI_PROGRAM=$(basename "$program")
  CGI_STDOUT_FILE=$BATS_TEST_TMPDIR/nb-stdout CGI_STDERR_FILE=$BATS_TEST_TMPDIR/nb-stderr
  local result
  result=$(env -i "${CGI_BASE_ENV[@]}" PATH="$CGI_PATH" SECRET_KEY="$CGI_KEY" REQUEST_METHOD=POST \
    SCRIPT_NAME="/cgi-bin/$CGI_PROGRAM" REQUEST_URI="/cgi-bin/$CGI_PROGRAM" CONTENT_TYPE=$FORM \
    CONTENT_LENGTH="${NB_LENGTH:-${#body}}" HTPASSWD_FILE="$H_FILE" ${NB_ENV:-} \
    /usr/bin/python3 - "$program" "$CGI_STDOUT_FILE" "$CGI_STDERR_FILE" "$delay" "$@" <<'EOF'
import os, signal, sys, time
prog, out, err, delay, *pieces = sys.argv[1:]
stall = bool(pieces) and pieces[-1] == "-"
if stall:
    pieces = pieces[:-1]
r, w = os.pipe()
os.set_blocking(r, False)
pid = os.fork()
if pid == 0:
    os.dup2(r, 0)
    os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    os.closerange(3, 256)
    os.execv(prog, [prog])
os.close(r)
for i, piece in enumerate(pieces):
    if i:
        time.sleep(float(delay))
    os.write(w, piece.encode())
if not stall:
    os.close(w)
deadline = time.monotonic() + 20  # a program that never ends is killed and reported (exit -9)
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if time.monotonic() > deadline:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.05)
print(f"{usage.ru_utime + usage.ru_stime:.3f} {os.waitstatus_to_exitcode(status)}")
EOF
  )
  NB_CPU=${result% *} cgi_exit=${result#* }
  _cgi_split
}

# CPU seconds under LIMIT (a spinning read burns about as much CPU as the wait lasts).
assert_cpu_below() { # LIMIT
  awk -v cpu="$NB_CPU" -v max="$1" 'BEGIN { exit !(cpu < max) }' || {
    echo "CPU time $NB_CPU s is not under $1 s" >&2
    return 1
  }
}

@test "a body trickled over 3 s into a non-blocking stdin logs in, using little CPU" {
  nb_post "$CGI_BIN/login.cgi" 1 'username=a' 'nn&passwor' 'd=ann-pass' '&next=%2Fa'
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_status_line" "303 See Other" Status
  assert_eq "$(cgi_header Location)" /a Location
  assert_match "$(cgi_header Set-Cookie)" '^session=[A-Za-z0-9_=-]+\.[0-9a-f]{64}; ' Set-Cookie
  assert_eq "$cgi_stderr" "" stderr
  assert_cpu_below 0.5
}

@test "a body that stalls on a non-blocking stdin gets 408 and one log line after CGI_BODY_TIMEOUT" {
  NB_ENV=CGI_BODY_TIMEOUT=1 NB_LENGTH=30 nb_post "$CGI_BIN/login.cgi" 0 'username=a' -
  assert_eq "$cgi_exit" 0 "exit status"
  cgi_expect_refused 408 'request body stalled: 10 of 30 bytes after 1 s$'
  assert_eq "$cgi_status_line" "408 Request Timeout" Status
  assert_cpu_below 0.5
}

@test "logout.cgi waits for a trickled body the same way" {
  nb_post "$CGI_BIN/logout.cgi" 1 'next=%2F' 'bye'
  assert_eq "$cgi_status_line" "303 See Other" Status
  assert_eq "$(cgi_header Location)" /bye Location
  assert_eq "$cgi_stderr" "" stderr
  assert_cpu_below 0.5
}

@test "a CGI_BODY_TIMEOUT that is not a number of seconds answers 500" {
  cgi_run login.cgi REQUEST_METHOD=POST CONTENT_TYPE=$FORM HTPASSWD_FILE="$H_FILE" CGI_BODY_TIMEOUT=soon --body 'username=ann&password=ann-pass'
  cgi_expect_refused 500 'CGI_BODY_TIMEOUT must be a number of seconds greater than 0 and at most 3600$'
}

# --- a reply that cannot be written ------------------------------------------------------------

# The request each program answers with a reply of its own (no body to read).
# (gate.cgi: its own 303 to the login page, for a visitor without a session.)
REQUESTS=(whoami.cgi login.cgi logout.cgi gate.cgi)

run_with_stdout() { # HOW PROGRAM [NAME=VALUE…] — HOW: closed | read-only | broken-pipe
  local how=$1 program=$2
  shift 2
  local -a vars=("${CGI_BASE_ENV[@]}" PATH="$CGI_PATH" SECRET_KEY="$CGI_KEY" SCRIPT_NAME="/cgi-bin/$program" "$@")
  local err=$BATS_TEST_TMPDIR/stderr
  cgi_exit=0
  case $how in
    closed) env -i "${vars[@]}" "$BOUNDED/$program" < /dev/null >&- 2> "$err" || cgi_exit=$? ;;
    read-only) env -i "${vars[@]}" "$BOUNDED/$program" < /dev/null 1< /dev/null 2> "$err" || cgi_exit=$? ;;
    broken-pipe)
      # stdout a pipe whose reader has exited before the program writes.
      env -i "${vars[@]}" /usr/bin/python3 -c '
import os, sys
r, w = os.pipe()
os.close(r)
os.dup2(w, 1)
os.execv(sys.argv[1], sys.argv[1:])' "$BOUNDED/$program" < /dev/null 2> "$err" || cgi_exit=$? ;;
  esac
  cgi_stderr=$(cat "$err")
  cgi_stderr_lines=$(wc -l < "$err" | tr -d ' ')
}

expect_one_quiet_line() { # PROGRAM CODE
  assert_eq "$cgi_exit" 1 "$1 exit status"
  assert_eq "$cgi_stderr_lines" 1 "$1 stderr lines"
  assert_eq "$cgi_stderr" "$1: cannot write the reply to stdout ($2)" "$1 stderr"
  [[ $cgi_stderr != *"    at "* && $cgi_stderr != *"$CGI_BIN"* ]] || { echo "a stack trace or path in: $cgi_stderr" >&2; return 1; }
}

@test "every program whose stdout is a pipe with no reader logs one line (EPIPE) and exits 1, no stack trace" {
  local request
  for request in "${REQUESTS[@]}"; do
    run_with_stdout broken-pipe "$request"
    expect_one_quiet_line "$request" EPIPE
  done
}

@test "every program whose stdout cannot be written (EBADF) logs one line and exits 1, no stack trace" {
  local request
  for request in "${REQUESTS[@]}"; do
    run_with_stdout read-only "$request"
    expect_one_quiet_line "$request" EBADF
  done
}

@test "every program started with stdout closed (>&-) ends quietly: Node puts /dev/null there" {
  local request
  for request in "${REQUESTS[@]}"; do
    run_with_stdout closed "$request"
    assert_eq "$cgi_exit" 0 "$request exit status"
    assert_eq "$cgi_stderr" "" "$request stderr"
  done
}
