#!/usr/bin/env bats
# gate.cgi serving the files of a protected folder (docs/members-area.md, "Protect a whole folder"),
# run as a CGI process in both invocation forms:
# exact headers, the bytes sent, conditional requests, ranges (RFC 9110), and
# files that must never be sent (a script without its run bit, an unknown type).

load ../../helpers/cgi

MTIME='2024-01-02 03:04:05 UTC'
LAST_MODIFIED='Tue, 02 Jan 2024 03:04:05 GMT'

setup_file() {
  export DOCROOT=$BATS_FILE_TMPDIR/www
  mkdir -p "$DOCROOT/members/docs" "$DOCROOT/members/empty-folder"
  { printf '%%PDF-1.4\n'; head -c 10000 /dev/urandom; } > "$DOCROOT/members/guide.pdf"
  printf '<!doctype html><title>Members</title><p>Welcome</p>\n' > "$DOCROOT/members/index.html"
  printf 'a,b\n1,2\n' > "$DOCROOT/members/data.csv"
  printf '\x89PNG\r\n\x1a\n' > "$DOCROOT/members/logo.png"
  chmod 755 "$DOCROOT/members/logo.png" # uploaded with its run bit: still an image, not a program
  : > "$DOCROOT/members/empty.txt"
  local ext
  for ext in pcgi php sh pl py cgi rb; do
    printf '#!/bin/sh\n# SECRET-SOURCE-LINE password=hunter2\necho ran\n' > "$DOCROOT/members/page.$ext"
    chmod 644 "$DOCROOT/members/page.$ext"
  done
  printf 'SECRET-SOURCE-LINE\n' > "$DOCROOT/members/notes.xyz"
  printf 'SECRET-SOURCE-LINE\n' > "$DOCROOT/members/README"
  printf '<?php echo "SECRET-SOURCE-LINE"; ?>\n' > "$DOCROOT/members/noshebang.php"
  chmod 755 "$DOCROOT/members/noshebang.php"
  printf '#!/bin/sh\nprintf "Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nran as %%s\\n" "$REMOTE_USER"\n' > "$DOCROOT/members/tool.txt"
  chmod 755 "$DOCROOT/members/tool.txt"
  head -c 1048576 /dev/urandom > "$DOCROOT/members/small.zip"
  head -c 52428800 /dev/urandom > "$DOCROOT/members/big.mp4"
  ln -s guide.pdf "$DOCROOT/members/link.pdf"
  touch -d "$MTIME" "$DOCROOT"/members/*
}

setup() {
  TOKEN=$(cgi_token ann)
}

# lighttpd: cgi.assign = ( "" => ".../gate.cgi" ) in $HTTP["url"] =~ "^/members/" runs `gate.cgi /docroot/members/NAME`.
serve() { # NAME [cgi_run ARGS…]
  local name=$1
  shift
  cgi_run gate.cgi --arg "$DOCROOT/members/$name" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/members/$name" \
    SCRIPT_NAME="/members/$name" REQUEST_URI="/members/$name" HTTP_COOKIE="session=$TOKEN" "$@"
}

# Apache: SetHandler + Action redirect internally to /cgi-bin/gate.cgi/members/NAME.
serve_apache() { # NAME [cgi_run ARGS…]
  local name=$1
  shift
  cgi_run gate.cgi DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$CGI_BIN/gate.cgi" SCRIPT_NAME=/cgi-bin/gate.cgi \
    PATH_INFO="/members/$name" PATH_TRANSLATED="$DOCROOT/members/$name" REDIRECT_URL="/members/$name" REDIRECT_STATUS=200 \
    REQUEST_URI="/members/$name" HTTP_COOKIE="session=$TOKEN" "$@"
}

etag_of() { # FILE: "<size hex>-<mtime ns hex>-<inode hex>"
  local size ino ns
  read -r size ino ns < <(stat -c '%s %i %.9Y' "$1")
  printf '"%x-%x-%x"' "$size" "$((10#${ns%.*} * 1000000000 + 10#${ns#*.}))" "$ino"
}

body_bytes() { # the raw body, without the CGI header block
  perl -0777 -pe 's/\A.*?\r\n\r\n//s' "$CGI_STDOUT_FILE"
}

# The header block of a served file: STATUS TYPE LENGTH FILE [Content-Range].
served_headers() {
  printf 'Status: %s\nContent-Type: %s\nContent-Length: %s\n' "$1" "$2" "$3"
  [ -z "${5:-}" ] || printf 'Content-Range: %s\n' "$5"
  printf 'Last-Modified: %s\nETag: %s\nAccept-Ranges: bytes\nCache-Control: private, no-cache\nX-Content-Type-Options: nosniff' \
    "$LAST_MODIFIED" "$(etag_of "$4")"
}

not_modified_headers() { # FILE
  printf 'Status: 304 Not Modified\nLast-Modified: %s\nETag: %s\nCache-Control: private, no-cache' "$LAST_MODIFIED" "$(etag_of "$1")"
}

# A 500 with one log line matching REGEX, and not a byte of the file sent.
assert_never_sent() { # REGEX
  cgi_expect_refused 500 "$1\$"
  assert_eq "$cgi_exit" 0 "exit status"
  run -1 grep -c SECRET-SOURCE-LINE "$CGI_STDOUT_FILE"
}

@test "a PDF answers 200 with its type, length, Last-Modified, strong ETag, Accept-Ranges and private, no-cache, and its exact bytes" {
  local file=$DOCROOT/members/guide.pdf
  for form in serve serve_apache; do
    $form guide.pdf
    assert_eq "$cgi_exit" 0 "exit status ($form)"
    assert_eq "$cgi_headers" "$(served_headers '200 OK' application/pdf 10009 "$file")" "headers ($form)"
    body_bytes > "$BATS_TEST_TMPDIR/out"
    cmp "$file" "$BATS_TEST_TMPDIR/out"
    assert_eq "$cgi_stderr" '' stderr
  done
}

@test "text types are UTF-8; an empty file is 200 with Content-Length 0" {
  serve data.csv
  assert_eq "$cgi_headers" "$(served_headers '200 OK' 'text/csv; charset=utf-8' 8 "$DOCROOT/members/data.csv")" headers
  assert_eq "$cgi_body" $'a,b\n1,2\n' body
  serve empty.txt
  assert_eq "$cgi_headers" "$(served_headers '200 OK' 'text/plain; charset=utf-8' 0 "$DOCROOT/members/empty.txt")" headers
  assert_eq "$(body_bytes | wc -c)" 0 "body bytes"
}

@test "HEAD gets the same headers and no body" {
  serve guide.pdf REQUEST_METHOD=HEAD
  assert_eq "$cgi_headers" "$(served_headers '200 OK' application/pdf 10009 "$DOCROOT/members/guide.pdf")" headers
  assert_eq "$(body_bytes | wc -c)" 0 "body bytes"
  serve guide.pdf REQUEST_METHOD=HEAD HTTP_RANGE=bytes=0-9
  assert_eq "$cgi_status" 200 "status (Range is for GET only)"
}

@test "If-None-Match with the ETag (weak comparison, in a list, or *) answers 304 without a body" {
  local file=$DOCROOT/members/guide.pdf etag
  etag=$(etag_of "$file")
  for inm in "$etag" "W/$etag" "\"other\", $etag" '*'; do
    serve guide.pdf HTTP_IF_NONE_MATCH="$inm"
    assert_eq "$cgi_headers" "$(not_modified_headers "$file")" "headers for If-None-Match: $inm"
    assert_eq "$(body_bytes | wc -c)" 0 "body bytes for $inm"
  done
  serve guide.pdf HTTP_IF_NONE_MATCH='"other"'
  assert_eq "$cgi_status" 200 "status for another ETag"
  assert_eq "$(body_bytes | wc -c)" 10009 "body bytes for another ETag"
}

@test "If-Modified-Since at or after Last-Modified answers 304; before it, garbage, or beside a failing If-None-Match, 200" {
  local file=$DOCROOT/members/guide.pdf
  for ims in "$LAST_MODIFIED" 'Wed, 03 Jan 2024 00:00:00 GMT' 'Tuesday, 02-Jan-24 03:04:05 GMT' 'Tue Jan  2 03:04:05 2024'; do
    serve guide.pdf HTTP_IF_MODIFIED_SINCE="$ims"
    assert_eq "$cgi_headers" "$(not_modified_headers "$file")" "headers for If-Modified-Since: $ims"
  done
  for ims in 'Tue, 02 Jan 2024 03:04:04 GMT' garbage '' 'Tue, 31 Feb 2024 03:04:05 GMT' 2024-01-03; do
    serve guide.pdf HTTP_IF_MODIFIED_SINCE="$ims"
    assert_eq "$cgi_status" 200 "status for If-Modified-Since: $ims"
    assert_eq "$cgi_stderr" '' "stderr for $ims"
  done
  serve guide.pdf HTTP_IF_MODIFIED_SINCE="$LAST_MODIFIED" HTTP_IF_NONE_MATCH='"other"'
  assert_eq "$cgi_status" 200 "status when If-None-Match does not match"
}

@test "a failing If-Match or If-Unmodified-Since answers 412; a matching one serves the file" {
  local file=$DOCROOT/members/guide.pdf
  for cond in 'HTTP_IF_MATCH="other"' "HTTP_IF_MATCH=W/$(etag_of "$file")" 'HTTP_IF_UNMODIFIED_SINCE=Tue, 02 Jan 2024 03:04:04 GMT'; do
    serve guide.pdf "$cond"
    assert_eq "$cgi_headers" $'Status: 412 Precondition Failed\nContent-Type: text/plain; charset=utf-8\nContent-Length: 20\nCache-Control: private, no-cache' "headers for $cond"
    assert_eq "$cgi_body" $'Precondition Failed\n' "body for $cond"
  done
  serve guide.pdf HTTP_IF_MATCH='"other"' REQUEST_METHOD=HEAD
  assert_eq "$cgi_status" 412 "status for HEAD"
  assert_eq "$(body_bytes | wc -c)" 0 "body bytes for HEAD"
  for cond in "HTTP_IF_MATCH=$(etag_of "$file")" 'HTTP_IF_MATCH=*' "HTTP_IF_UNMODIFIED_SINCE=$LAST_MODIFIED" 'HTTP_IF_UNMODIFIED_SINCE=garbage'; do
    serve guide.pdf "$cond"
    assert_eq "$cgi_status" 200 "status for $cond"
  done
}

@test "one Range answers 206 with Content-Range and exactly those bytes" {
  local file=$DOCROOT/members/guide.pdf
  serve guide.pdf HTTP_RANGE=bytes=100-1123
  assert_eq "$cgi_headers" "$(served_headers '206 Partial Content' application/pdf 1024 "$file" 'bytes 100-1123/10009')" headers
  body_bytes > "$BATS_TEST_TMPDIR/out"
  tail -c +101 "$file" | head -c 1024 > "$BATS_TEST_TMPDIR/want"
  cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"

  serve guide.pdf HTTP_RANGE=bytes=-9
  assert_eq "$(cgi_header Content-Range)" 'bytes 10000-10008/10009' "Content-Range of a suffix"
  body_bytes > "$BATS_TEST_TMPDIR/out"
  tail -c 9 "$file" > "$BATS_TEST_TMPDIR/want"
  cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"

  serve guide.pdf HTTP_RANGE=bytes=10000-
  assert_eq "$(cgi_header Content-Range)" 'bytes 10000-10008/10009' "Content-Range of an open range"
  serve guide.pdf HTTP_RANGE=bytes=0-99999999999999999999999999999
  assert_eq "$(cgi_header Content-Range)" 'bytes 0-10008/10009' "Content-Range of a range past 2^53"
}

@test "If-Range with the ETag or the exact Last-Modified keeps the range; anything else sends the whole file" {
  local file=$DOCROOT/members/guide.pdf etag
  etag=$(etag_of "$file")
  for ir in "$etag" "$LAST_MODIFIED"; do
    serve guide.pdf HTTP_RANGE=bytes=0-9 HTTP_IF_RANGE="$ir"
    assert_eq "$cgi_status_line" '206 Partial Content' "status for If-Range: $ir"
    assert_eq "$(body_bytes | wc -c)" 10 "body bytes for If-Range: $ir"
  done
  for ir in '"other"' "W/$etag" 'Wed, 03 Jan 2024 00:00:00 GMT' garbage; do
    serve guide.pdf HTTP_RANGE=bytes=0-9 HTTP_IF_RANGE="$ir"
    assert_eq "$cgi_headers" "$(served_headers '200 OK' application/pdf 10009 "$file")" "headers for If-Range: $ir"
    body_bytes > "$BATS_TEST_TMPDIR/out"
    cmp "$file" "$BATS_TEST_TMPDIR/out"
  done
}

@test "an unsatisfiable range answers 416 with Content-Range bytes */size and no body" {
  for range in bytes=10009- bytes=20000-30000 bytes=-0 bytes=99999999999999999999999999-; do
    serve guide.pdf HTTP_RANGE="$range"
    assert_eq "$cgi_headers" $'Status: 416 Range Not Satisfiable\nContent-Range: bytes */10009\nContent-Length: 0\nCache-Control: private, no-cache' "headers for $range"
    assert_eq "$(body_bytes | wc -c)" 0 "body bytes for $range"
  done
}

@test "several ranges, a reversed range and a malformed Range header get the whole file (200)" {
  local file=$DOCROOT/members/guide.pdf
  for range in bytes=0-9,20-29 bytes=5-2 bytes= '' bytes=abc 'bytes=1 - 2' items=0-9 bytes=0-1,x; do
    serve guide.pdf HTTP_RANGE="$range"
    assert_eq "$cgi_headers" "$(served_headers '200 OK' application/pdf 10009 "$file")" "headers for Range: $range"
    body_bytes > "$BATS_TEST_TMPDIR/out"
    cmp "$file" "$BATS_TEST_TMPDIR/out"
    assert_eq "$cgi_stderr" '' "stderr for $range"
  done
}

@test "a script without its run bit (.pcgi, .php, .sh, .pl, .py, .cgi, .rb) answers 500 and not a byte of its source" {
  for ext in pcgi php sh pl py cgi rb; do
    serve page.$ext
    assert_never_sent "target \"$DOCROOT/members/page\\.$ext\" is not an executable regular file"
    serve_apache page.$ext
    assert_never_sent "target \"$DOCROOT/members/page\\.$ext\" is not an executable regular file"
  done
}

@test "an unknown extension, no extension, or an executable without #! line answers 500 and sends nothing" {
  serve notes.xyz
  assert_never_sent "target \"$DOCROOT/members/notes\\.xyz\" is neither an executable program nor a file of a known static type"
  serve README
  assert_never_sent "target \"$DOCROOT/members/README\" is neither an executable program nor a file of a known static type"
  serve noshebang.php
  assert_never_sent "target \"$DOCROOT/members/noshebang\\.php\" has no #! line and is not an ELF program"
}

@test "an image with its run bit but no #! line is served; a #! file with its run bit is run, whatever its name" {
  serve logo.png
  assert_eq "$cgi_headers" "$(served_headers '200 OK' image/png 8 "$DOCROOT/members/logo.png")" headers
  serve tool.txt
  assert_eq "$cgi_status" 200 status
  assert_eq "$(cgi_header Content-Type)" text/plain Content-Type
  assert_eq "$cgi_body" $'ran as ann\n' body
}

@test "a folder handed to the gate serves its index.html; a folder without one answers 403" {
  serve_apache "" REDIRECT_URL=/members/ PATH_INFO=/members/ REQUEST_URI=/members/
  assert_eq "$cgi_headers" "$(served_headers '200 OK' 'text/html; charset=utf-8' 52 "$DOCROOT/members/index.html")" headers
  assert_eq "$cgi_body" $'<!doctype html><title>Members</title><p>Welcome</p>\n' body
  serve_apache empty-folder/ REDIRECT_URL=/members/empty-folder/ PATH_INFO=/members/empty-folder/
  cgi_expect_refused 403 "target \"$DOCROOT/members/empty-folder/\" is a folder without index\\.html\$"
}

@test "a file with path info after its name answers 404" {
  serve_apache guide.pdf/more REDIRECT_URL=/members/guide.pdf/more PATH_INFO=/members/guide.pdf/more
  cgi_expect_refused 404 "target \"$DOCROOT/members/guide\\.pdf\" is a file, not a program: it takes no path info \\(\"/more\"\\)\$"
}

@test "POST to a file answers 405 with Allow: GET, HEAD" {
  serve guide.pdf REQUEST_METHOD=POST --body 'a=1'
  cgi_expect_refused 405 "method \"POST\" not allowed on the file \"$DOCROOT/members/guide\\.pdf\"\$"
  assert_eq "$(cgi_header Allow)" 'GET, HEAD' Allow
}

@test "without a session a file is never sent: GET goes to login" {
  cgi_run gate.cgi --arg "$DOCROOT/members/guide.pdf" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/members/guide.pdf" \
    REQUEST_URI=/members/guide.pdf
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" '/cgi-bin/login.cgi?next=%2Fmembers%2Fguide.pdf' Location
  run -1 grep -c PDF-1.4 "$CGI_STDOUT_FILE"
}

@test "a file reached through a symbolic link answers 500 unless GATE_FOLLOW_SYMLINKS=1" {
  serve link.pdf
  cgi_expect_refused 500 "target \"$DOCROOT/members/link\\.pdf\" is reached through a symbolic link: .*"
  serve link.pdf GATE_FOLLOW_SYMLINKS=1
  assert_eq "$cgi_status" 200 status
  assert_eq "$(cgi_header ETag)" "$(etag_of "$DOCROOT/members/guide.pdf")" "ETag (the real file's)"
}

@test "a 50 MB file is streamed byte for byte, and memory does not grow with it" {
  local rss_small rss_big
  # Not cgi_run: its split of the output in bash would take minutes on 50 MB.
  run_gate() { # NAME [COMMAND PREFIX…]: the gate's answer for members/NAME on stdout
    local name=$1
    shift
    env -i PATH="$CGI_PATH" SECRET_KEY="$CGI_KEY" DOCUMENT_ROOT="$DOCROOT" REQUEST_METHOD=GET HTTP_COOKIE="session=$TOKEN" \
      SCRIPT_FILENAME="$DOCROOT/members/$name" "$@" "$CGI_BIN/gate.cgi" "$DOCROOT/members/$name"
  }
  run_gate big.mp4 > "$BATS_TEST_TMPDIR/raw"
  CGI_STDOUT_FILE=$BATS_TEST_TMPDIR/raw
  assert_eq "$(perl -0777 -ne 'print $1 if /\A(.*?)\r\n\r\n/s' "$CGI_STDOUT_FILE" | tr -d '\r')" \
    "$(served_headers '200 OK' video/mp4 52428800 "$DOCROOT/members/big.mp4")" headers
  body_bytes > "$BATS_TEST_TMPDIR/out"
  cmp "$DOCROOT/members/big.mp4" "$BATS_TEST_TMPDIR/out"
  # Peak RSS (kB) of the gate process serving each file.
  rss() {
    run_gate "$1" /usr/bin/time -f %M 2>&1 >/dev/null | tail -n1
  }
  rss_small=$(rss small.zip)
  rss_big=$(rss big.mp4)
  echo "peak RSS: 1 MB file $rss_small kB, 50 MB file $rss_big kB" >&3
  # Read whole, the 50 MB file would add at least 50 MB; streamed, V8's young generation adds a few.
  [ "$rss_big" -lt $((rss_small + 25600)) ] || { echo "peak RSS grew with the file: $rss_small kB for 1 MB, $rss_big kB for 50 MB" >&2; return 1; }
}

@test "a client that leaves midway ends the gate with exit status 1 and one log line" {
  local status
  env -i PATH="$CGI_PATH" SECRET_KEY="$CGI_KEY" DOCUMENT_ROOT="$DOCROOT" REQUEST_METHOD=GET HTTP_COOKIE="session=$TOKEN" \
    SCRIPT_FILENAME="$DOCROOT/members/big.mp4" "$CGI_BIN/gate.cgi" "$DOCROOT/members/big.mp4" 2> "$BATS_TEST_TMPDIR/err" | head -c 1000 > /dev/null
  status=${PIPESTATUS[0]}
  assert_eq "$status" 1 "exit status"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/err")" 'gate.cgi: cannot write the reply to stdout (EPIPE)' stderr
}

@test "a non-blocking stdout drained slowly gets every byte, and the gate waits without spinning" {
  head -c 4194304 /dev/urandom > "$DOCROOT/members/slow.zip"
  # The reader takes 64 KiB every 20 ms (about 1.3 s for 4 MiB): a gate that spun on EAGAIN would
  # burn about that much CPU.
  local result
  result=$(env -i PATH="$CGI_PATH" SECRET_KEY="$CGI_KEY" DOCUMENT_ROOT="$DOCROOT" REQUEST_METHOD=GET \
    HTTP_COOKIE="session=$TOKEN" SCRIPT_FILENAME="$DOCROOT/members/slow.zip" \
    /usr/bin/python3 - "$CGI_BIN/gate.cgi" "$DOCROOT/members/slow.zip" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" <<'PY'
import os, sys, time
prog, target, out, err = sys.argv[1:]
r, w = os.pipe()
os.set_blocking(w, False)
pid = os.fork()
if pid == 0:
    os.dup2(w, 1)
    os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    os.closerange(3, 256)
    os.execv(prog, [prog, target])
os.close(w)
with open(out, "wb") as f:
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        f.write(chunk)
        time.sleep(0.02)
_, status, usage = os.wait4(pid, 0)
print(f"{usage.ru_utime + usage.ru_stime:.3f} {os.waitstatus_to_exitcode(status)}")
PY
  )
  assert_eq "${result#* }" 0 "exit status"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/err")" '' stderr
  CGI_STDOUT_FILE=$BATS_TEST_TMPDIR/out
  body_bytes > "$BATS_TEST_TMPDIR/body"
  cmp "$DOCROOT/members/slow.zip" "$BATS_TEST_TMPDIR/body"
  awk -v cpu="${result% *}" 'BEGIN { exit !(cpu < 0.5) }' || { echo "CPU time ${result% *} s is not under 0.5 s" >&2; return 1; }
}

@test "a file the server's user cannot read answers 403 and one log line" {
  # As root, the gate runs as nobody (root reads any file); otherwise the file loses its read bit.
  local dir as=()
  dir=$(mktemp -d /tmp/dbs-static-XXXXXX)
  mkdir "$dir/www"
  chmod 755 "$dir" "$dir/www"
  cp "$CGI_BIN/gate.cgi" "$dir/gate.cgi"
  chmod 755 "$dir/gate.cgi"
  printf 'SECRET-SOURCE-LINE\n' > "$dir/www/locked.pdf"
  if [ "$(id -u)" -eq 0 ]; then
    chmod 600 "$dir/www/locked.pdf"
    as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else
    chmod 000 "$dir/www/locked.pdf"
  fi
  CGI_PROGRAM=gate.cgi CGI_STDOUT_FILE=$BATS_TEST_TMPDIR/out CGI_STDERR_FILE=$BATS_TEST_TMPDIR/err
  cgi_exit=0
  "${as[@]}" env -i PATH="$(cgi_unprivileged_path "$dir")" SECRET_KEY="$CGI_KEY" DOCUMENT_ROOT="$dir/www" REQUEST_METHOD=GET \
    HTTP_COOKIE="session=$TOKEN" SCRIPT_FILENAME="$dir/www/locked.pdf" "$dir/gate.cgi" "$dir/www/locked.pdf" \
    > "$CGI_STDOUT_FILE" 2> "$CGI_STDERR_FILE" || cgi_exit=$?
  _cgi_split
  rm -rf "$dir"
  assert_eq "$cgi_exit" 0 "exit status"
  cgi_expect_refused 403 "target \"$dir/www/locked\\.pdf\" is not readable by the server's user \\(EACCES\\)\$"
  run -1 grep -c SECRET-SOURCE-LINE "$CGI_STDOUT_FILE"
}
