#!/usr/bin/env bats
# A members area (docs/members-area.md, "Protect a whole folder"): every file
# under /members/ routed through gate.cgi by the shipped configs — lighttpd
# (examples/lighttpd/lighttpd.conf, cgi.assign "" in a $HTTP["url"] block),
# Apache (examples/apache/httpd.conf, SetHandler in <Directory>) and Apache
# shared hosting (examples/htaccess/members/.htaccess) — fetched with curl:
# a PDF whole, by range, conditionally and with HEAD, exactly as the client
# gets it, and a script without its run bit never sent.
#
# The Apache servers have PHP enabled as hosts have it: Debian's
# conf-available/phpX.Y-fpm.conf at server level (apache, htaccess), or its
# variant with the SetHandler inside <If "-f %{REQUEST_FILENAME}"> (apache-if,
# htaccess-if), handing *.php to a real php-fpm. A .php file in the members
# area still goes through the gate: strangers are sent to log in, a refused
# user gets 403, and PHP never runs there nor is its source sent.

load ../../helpers/servers

MTIME='2024-01-02 03:04:05 UTC'
LAST_MODIFIED='Tue, 02 Jan 2024 03:04:05 GMT'

setup_file() {
  site_init
  site_add_user ann ann-secret -B
  site_add_user bob bob-secret -B
  printf 'staff: ann\n' > "$SITE_GROUPS"
  local m=$SITE_DOCROOT/members
  mkdir -p "$m/empty-folder" "$m/staff"
  { printf '%%PDF-1.4\n'; head -c 20000 /dev/urandom; } > "$m/guide.pdf"
  printf '<!doctype html><title>Members</title><p>Welcome</p>\n' > "$m/index.html"
  printf '#!/bin/sh\n# SECRET-SOURCE-LINE password=hunter2\necho ran\n' > "$m/page.pcgi"
  printf '<?php // SECRET-SOURCE-LINE\n' > "$m/notes.php"
  printf 'SECRET-SOURCE-LINE\n' > "$m/notes.xyz"
  chmod 755 "$m" "$m/empty-folder"
  chmod 644 "$m"/*.*
  touch -d "$MTIME" "$m"/*.*
  # PHP pages: the members area's, the staff folder's (and its index.php), one outside
  # (PHP does run there), and a .php program with its run bit, which the gate runs.
  local php='<?php echo "PHP-RAN-", 6 * 7, "\n"; // PHP-SOURCE-LINE'
  printf '%s\n' "$php" | tee "$m/page.php" "$m/staff/page.php" "$m/staff/index.php" "$SITE_DOCROOT/page.php" > /dev/null
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nrun by the gate for %%s\\n" "$REMOTE_USER"\n# <?php echo "PHP-RAN"; // PHP-SOURCE-LINE\n' > "$m/prog.php"
  chmod 755 "$m/staff" "$m/prog.php"
  chmod 644 "$m/page.php" "$m/staff/page.php" "$m/staff/index.php" "$SITE_DOCROOT/page.php"
  start_lighttpd lighttpd
  start_apache_php apache
  start_apache_php apache-if "" if-exists
  # Shared hosting: the programs move into the document root, configured only by .htaccess files.
  site_install_htaccess
  start_apache_htaccess htaccess
  start_apache_htaccess htaccess-if if-exists
}

teardown_file() { stop_servers; }

setup() {
  TOKEN=$(SECRET_KEY=$SITE_KEY cli create ann)
  BOB=$(SECRET_KEY=$SITE_KEY cli create bob)
  PDF=$SITE_DOCROOT/members/guide.pdf
  SIZE=$(stat -c %s "$PDF")
  ETAG=$(etag_of "$PDF")
}

url() { echo "$(server_url "$1")$2"; }

etag_of() { # FILE: "<size hex>-<mtime ns hex>-<inode hex>"
  local size ino ns
  read -r size ino ns < <(stat -c '%s %i %.9Y' "$1")
  printf '"%x-%x-%x"' "$size" "$((10#${ns%.*} * 1000000000 + 10#${ns#*.}))" "$ino"
}

# curl with the session cookie, the body to $BATS_TEST_TMPDIR/out; sets http_status, headers via http_header.
fetch() { # [CURL ARGS…] URL
  HTTP_HEADERS_FILE=$BATS_TEST_TMPDIR/headers
  rm -f "$BATS_TEST_TMPDIR/out"
  curl -s -S --max-time 20 -D "$HTTP_HEADERS_FILE.raw" -o "$BATS_TEST_TMPDIR/out" -b "session=$TOKEN" "$@"
  tr -d '\r' < "$HTTP_HEADERS_FILE.raw" > "$HTTP_HEADERS_FILE"
  touch "$BATS_TEST_TMPDIR/out"
  http_status=$(head -n1 "$HTTP_HEADERS_FILE" | cut -d' ' -f2)
}

assert_pdf_headers() { # STATUS LENGTH [CONTENT-RANGE]
  assert_eq "$http_status" "$1" status
  assert_eq "$(http_header Content-Type)" application/pdf Content-Type
  assert_eq "$(http_header Content-Length)" "$2" Content-Length
  assert_eq "$(http_header Last-Modified)" "$LAST_MODIFIED" Last-Modified
  assert_eq "$(http_header ETag)" "$ETAG" ETag
  assert_eq "$(http_header Accept-Ranges)" bytes Accept-Ranges
  assert_eq "$(http_header Cache-Control)" 'private, no-cache' Cache-Control
  assert_eq "$(http_header X-Content-Type-Options)" nosniff X-Content-Type-Options
  if [ -n "${3:-}" ]; then assert_eq "$(http_header Content-Range)" "$3" Content-Range; else run -1 http_header Content-Range; fi
}

assert_body_is() { # FILE
  cmp "$1" "$BATS_TEST_TMPDIR/out"
}

assert_no_body() {
  assert_eq "$(wc -c < "$BATS_TEST_TMPDIR/out")" 0 "body bytes"
}

# --- the journeys, each run against every server below -------------------------

anonymous_goes_to_login() { # SERVER
  http_request "$(url "$1" /members/guide.pdf)"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" '/cgi-bin/login.cgi?next=%2Fmembers%2Fguide.pdf' Location
  run -1 grep -c PDF-1.4 <<<"$http_body"
}

whole_pdf() { # SERVER
  fetch "$(url "$1" /members/guide.pdf)"
  assert_pdf_headers 200 "$SIZE"
  assert_body_is "$PDF"
}

head_pdf() { # SERVER (curl -I reads no body; the CGI-process tests show the gate sends none)
  fetch -I "$(url "$1" /members/guide.pdf)"
  assert_pdf_headers 200 "$SIZE"
}

range_pdf() { # SERVER
  fetch -H 'Range: bytes=100-1123' "$(url "$1" /members/guide.pdf)"
  assert_pdf_headers 206 1024 "bytes 100-1123/$SIZE"
  tail -c +101 "$PDF" | head -c 1024 > "$BATS_TEST_TMPDIR/want"
  assert_body_is "$BATS_TEST_TMPDIR/want"
  fetch -H 'Range: bytes=-10' -H "If-Range: $ETAG" "$(url "$1" /members/guide.pdf)"
  assert_pdf_headers 206 10 "bytes $((SIZE - 10))-$((SIZE - 1))/$SIZE"
  tail -c 10 "$PDF" > "$BATS_TEST_TMPDIR/want"
  assert_body_is "$BATS_TEST_TMPDIR/want"
  # A changed file (another ETag): the whole file.
  fetch -H 'Range: bytes=0-9' -H 'If-Range: "stale"' "$(url "$1" /members/guide.pdf)"
  assert_pdf_headers 200 "$SIZE"
  assert_body_is "$PDF"
}

several_ranges_whole_file() { # SERVER: neither the gate nor the server cuts ranges out of a 200
  local range
  for range in bytes=0-1,5-6 bytes=5-2 bytes=x; do
    fetch -H "Range: $range" "$(url "$1" /members/guide.pdf)"
    assert_pdf_headers 200 "$SIZE"
    assert_body_is "$PDF"
  done
}

unsatisfiable_range() { # SERVER
  fetch -H "Range: bytes=$SIZE-" "$(url "$1" /members/guide.pdf)"
  assert_eq "$http_status" 416 status
  assert_eq "$(http_header Content-Range)" "bytes */$SIZE" Content-Range
  assert_eq "$(http_header Content-Length)" 0 Content-Length
  assert_no_body
}

conditional_pdf() { # SERVER
  fetch -H "If-None-Match: $ETAG" "$(url "$1" /members/guide.pdf)"
  assert_eq "$http_status" 304 "status for If-None-Match"
  assert_eq "$(http_header ETag)" "$ETAG" "ETag of the 304"
  assert_eq "$(http_header Cache-Control)" 'private, no-cache' "Cache-Control of the 304"
  assert_no_body
  fetch -H "If-Modified-Since: $LAST_MODIFIED" "$(url "$1" /members/guide.pdf)"
  assert_eq "$http_status" 304 "status for If-Modified-Since"
  assert_no_body
  fetch -H 'If-Modified-Since: garbage' "$(url "$1" /members/guide.pdf)"
  assert_pdf_headers 200 "$SIZE"
  assert_body_is "$PDF"
}

folder_index() { # SERVER
  fetch "$(url "$1" /members/)"
  assert_eq "$http_status" 200 status
  assert_eq "$(http_header Content-Type)" 'text/html; charset=utf-8' Content-Type
  assert_eq "$(http_header Cache-Control)" 'private, no-cache' Cache-Control
  assert_body_is "$SITE_DOCROOT/members/index.html"
  fetch "$(url "$1" /members/empty-folder/)"
  assert_eq "$http_status" 403 "status of a folder without index.html"
  run -1 grep -c SECRET-SOURCE-LINE "$BATS_TEST_TMPDIR/out"
}

missing_file_is_404() { # SERVER: the server answers before the gate, with or without a session
  http_request "$(url "$1" /members/missing.pdf)"
  assert_eq "$http_status" 404 "status without a session"
  fetch "$(url "$1" /members/missing.pdf)"
  assert_eq "$http_status" 404 "status with a session"
}

script_never_sent() { # SERVER
  local name
  for name in page.pcgi notes.php notes.xyz; do
    fetch "$(url "$1" "/members/$name")"
    assert_eq "$http_status" 500 "status for $name"
    assert_eq "$(cat "$BATS_TEST_TMPDIR/out")" 'Internal Server Error' "body for $name"
    run -1 grep -c SECRET-SOURCE-LINE "$BATS_TEST_TMPDIR/out"
  done
  server_log_wait "$1" "gate\\.cgi: target \"$SITE_DOCROOT/members/page\\.pcgi\" is not an executable regular file"
  server_log_wait "$1" "gate\\.cgi: target \"$SITE_DOCROOT/members/notes\\.xyz\" is neither an executable program nor a file of a known static type"
}

# --- PHP: the host's handler never takes a members file from the gate ------------

assert_no_php() { # BODY LABEL
  [[ $1 != *PHP-RAN* && $1 != *PHP-SOURCE-LINE* ]] || { echo "$2: PHP's output or source in the body: $1" >&2; return 1; }
}

php_runs_outside() { # SERVER: PHP is on (else the tests below would prove nothing)
  http_request "$(url "$1" /page.php)"
  assert_eq "$http_status" 200 status
  assert_eq "$(http_header Content-Type)" 'text/html; charset=UTF-8' Content-Type
  assert_eq "$http_body" $'PHP-RAN-42\n' body
}

php_stranger_goes_to_login() { # SERVER
  local path
  for path in /members/page.php /members/prog.php /members/staff/page.php /members/staff/; do
    http_request "$(url "$1" "$path")"
    assert_eq "$http_status" 303 "status for $path"
    assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=$(urlencode "$path")" "Location for $path"
    assert_eq "$(http_header Cache-Control)" no-store "Cache-Control for $path"
    run -1 http_header Set-Cookie
    assert_no_php "$http_body" "$path"
  done
}

php_refused_user_is_403() { # SERVER: bob is not in the staff group
  local path
  for path in /members/staff/page.php /members/staff/; do
    http_request -b "session=$BOB" "$(url "$1" "$path")"
    assert_eq "$http_status" 403 "status for $path"
    assert_eq "$(http_header Content-Type)" 'text/html; charset=utf-8' "Content-Type for $path"
    assert_eq "$(http_header Cache-Control)" no-store "Cache-Control for $path"
    assert_match "$http_body" 'You are logged in as <strong>bob</strong>' "the page for $path names bob"
    assert_no_php "$http_body" "$path"
  done
  server_log_wait "$1" '(^|: )gate\.cgi: user "bob" may not access /members/staff/page\.php from 127\.0\.0\.1$'
}

php_member_gets_the_gates_answer() { # SERVER: a .php without its run bit is 500, one with it runs
  local path
  for path in /members/page.php /members/staff/page.php; do
    http_request -b "session=$TOKEN" "$(url "$1" "$path")"
    assert_eq "$http_status" 500 "status for $path"
    assert_eq "$http_body" $'Internal Server Error\n' "body for $path"
    assert_no_php "$http_body" "$path"
    server_log_wait "$1" "gate\\.cgi: target \"$SITE_DOCROOT${path//./\\.}\" is not an executable regular file"
  done
  http_request -b "session=$TOKEN" "$(url "$1" /members/prog.php)"
  assert_eq "$http_status" 200 "status of the program"
  assert_eq "$(http_header Content-Type)" 'text/plain; charset=utf-8' "Content-Type of the program"
  assert_eq "$http_body" $'run by the gate for ann\n' "the program's output"
  http_request -b "session=$TOKEN" "$(url "$1" /members/staff/)"
  assert_eq "$http_status" 403 "status of the staff folder (index.php, no index.html)"
  assert_no_php "$http_body" /members/staff/
  http_request -b "session=$BOB" "$(url "$1" /members/page.php)"
  assert_eq "$http_status" 500 "bob, outside the staff folder"
  assert_no_php "$http_body" "bob's /members/page.php"
}

for server in apache apache-if htaccess htaccess-if; do
  case $server in
    apache) label='Apache with PHP' ;;
    apache-if) label='Apache with PHP inside <If -f>' ;;
    htaccess) label='.htaccess with the host'"'"'s PHP' ;;
    htaccess-if) label='.htaccess with the host'"'"'s PHP inside <If -f>' ;;
  esac
  bats_test_function --description "$label: PHP runs outside the members area" -- php_runs_outside "$server"
  bats_test_function --description "$label: a stranger asking for a .php in the members area or the staff folder is sent to login, PHP not run" -- php_stranger_goes_to_login "$server"
  bats_test_function --description "$label: a user the staff folder's rule refuses gets 403 for its .php, PHP not run" -- php_refused_user_is_403 "$server"
  bats_test_function --description "$label: a member gets the gate's answer for a .php (500 without its run bit, run as a program with it), never PHP's" -- php_member_gets_the_gates_answer "$server"
done

for server in lighttpd apache htaccess; do
  label=$server
  [ "$server" != htaccess ] || label=.htaccess
  [ "$server" != apache ] || label=Apache
  bats_test_function --description "$label: an anonymous request for a members file is sent to login" -- anonymous_goes_to_login "$server"
  bats_test_function --description "$label: a PDF is served whole with its validators, byte for byte" -- whole_pdf "$server"
  bats_test_function --description "$label: HEAD gets the PDF's headers" -- head_pdf "$server"
  bats_test_function --description "$label: one range gets 206 and those bytes; If-Range honoured" -- range_pdf "$server"
  bats_test_function --description "$label: several ranges, a reversed or a malformed one get the whole file" -- several_ranges_whole_file "$server"
  bats_test_function --description "$label: an unsatisfiable range gets 416" -- unsatisfiable_range "$server"
  bats_test_function --description "$label: If-None-Match and If-Modified-Since get 304" -- conditional_pdf "$server"
  bats_test_function --description "$label: /members/ serves its index.html; a folder without one is 403" -- folder_index "$server"
  bats_test_function --description "$label: a script without its run bit and an unknown type are never sent" -- script_never_sent "$server"
  bats_test_function --description "$label: a missing file is the server's own 404" -- missing_file_is_404 "$server"
done
