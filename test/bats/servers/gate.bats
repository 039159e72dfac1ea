#!/usr/bin/env bats
# gate.cgi in front of ordinary CGI programs (*.pcgi) under a real lighttpd
# (examples/lighttpd/lighttpd.conf, cgi.assign), a real Apache
# (examples/apache/httpd.conf, Action + AddHandler) and Apache shared hosting
# (examples/htaccess/.htaccess), all serving one document root: curl, a cookie
# jar and exact statuses, headers and bodies. Both Apaches have PHP enabled at
# server level (servers.bash, start_apache_php and start_apache_htaccess).

load ../../helpers/servers
load ../../helpers/server-flows
load ../../helpers/gate-targets

setup_file() {
  site_init
  site_add_user ann ann-secret -B
  gate_targets "$SITE_DOCROOT"
  ln -s "$SITE_DOCROOT/env.pcgi" "$SITE_DOCROOT/link.pcgi"
  start_lighttpd lighttpd
  start_apache_php apache
  # Shared hosting: the programs move into the document root, configured only by .htaccess.
  site_install_htaccess
  start_apache_htaccess htaccess
}

teardown_file() { stop_servers; }

setup() {
  JAR=$BATS_TEST_TMPDIR/cookies
  ENV_CWD=$SITE_DOCROOT
  TOKEN=$(SECRET_KEY=$SITE_KEY cli create ann)
}

url() { echo "$(server_url "$1")$2"; }

# --- the journeys, each run against every server below -------------------------

anonymous_get_goes_to_login() { # SERVER
  http_request "$(url "$1" '/env.pcgi?a=1&b=/x')"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" '/cgi-bin/login.cgi?next=%2Fenv.pcgi%3Fa%3D1%26b%3D%2Fx' Location
  assert_eq "$(http_header Cache-Control)" no-store Cache-Control
  run -1 http_header Set-Cookie
}

anonymous_post_is_refused() { # SERVER
  http_request --data-binary 'a=1' "$(url "$1" /echo.pcgi)"
  assert_eq "$http_status" 401 status
  assert_eq "$(http_header Cache-Control)" no-store Cache-Control
  assert_eq "$http_body" $'Unauthorized\n' body
  run -1 http_header Location
}

login_page_logout() { # SERVER: log in with the form, the page runs as ann, log out, the page sends us to login
  http_request -c "$JAR" -b "$JAR" --data-urlencode username=ann --data-urlencode password=ann-secret \
    --data-urlencode next=/env.pcgi "$(url "$1" /cgi-bin/login.cgi)"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" /env.pcgi Location

  http_request -c "$JAR" -b "$JAR" "$(url "$1" /env.pcgi)"
  assert_eq "$http_status" 200 status
  assert_env_body REMOTE_USER=ann AUTH_TYPE=Cookie SCRIPT_NAME=/env.pcgi \
    SCRIPT_FILENAME="$SITE_DOCROOT/env.pcgi" QUERY_STRING= REQUEST_METHOD=GET
  server_log_wait "$1" 'env\.pcgi ran for ann'

  http_request -c "$JAR" -b "$JAR" --data-urlencode next=/env.pcgi "$(url "$1" /cgi-bin/logout.cgi)"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" /env.pcgi Location
  assert_eq "$(http_header Set-Cookie)" "$DELETE_COOKIE" Set-Cookie

  http_request -c "$JAR" -b "$JAR" "$(url "$1" /env.pcgi)"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" '/cgi-bin/login.cgi?next=%2Fenv.pcgi' Location
}

other_cookies_and_path_info_reach_the_page() { # SERVER
  http_request -H "Cookie: theme=dark; session=$TOKEN; lang=en" "$(url "$1" '/env.pcgi/2024/q1?x=1')"
  assert_eq "$http_status" 200 status
  assert_env_body REMOTE_USER=ann AUTH_TYPE=Cookie 'HTTP_COOKIE=theme=dark; lang=en' \
    SCRIPT_NAME=/env.pcgi SCRIPT_FILENAME="$SITE_DOCROOT/env.pcgi" PATH_INFO=/2024/q1 \
    PATH_TRANSLATED="$SITE_DOCROOT/2024/q1" QUERY_STRING=x=1 REQUEST_METHOD=GET
}

binary_post_body_round_trips() { # SERVER
  perl -e 'binmode STDOUT; print map { chr } (0..255) x 64' > "$BATS_TEST_TMPDIR/in.bin" # 16 KiB, every byte value
  curl -s -S --max-time 20 -D "$BATS_TEST_TMPDIR/headers" -o "$BATS_TEST_TMPDIR/out.bin" -b "session=$TOKEN" \
    -H 'Content-Type: application/octet-stream' --data-binary "@$BATS_TEST_TMPDIR/in.bin" "$(url "$1" /echo.pcgi)"
  HTTP_HEADERS_FILE=$BATS_TEST_TMPDIR/headers
  assert_match "$(head -n1 "$HTTP_HEADERS_FILE")" '^HTTP/1\.1 200 ' status
  assert_eq "$(http_header X-Method | tr -d '\r')" POST X-Method
  assert_eq "$(http_header X-Length | tr -d '\r')" 16384 X-Length
  cmp "$BATS_TEST_TMPDIR/in.bin" "$BATS_TEST_TMPDIR/out.bin"
}

binary_output_passes_through() { # SERVER
  curl -s -S --max-time 20 -o "$BATS_TEST_TMPDIR/out.bin" -w '%{http_code}' -b "session=$TOKEN" \
    "$(url "$1" /binary.pcgi)" > "$BATS_TEST_TMPDIR/status"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/status")" 200 status
  perl -e 'binmode STDOUT; print map { chr } 0..255' > "$BATS_TEST_TMPDIR/want.bin"
  cmp "$BATS_TEST_TMPDIR/want.bin" "$BATS_TEST_TMPDIR/out.bin"
}

non_executable_target_is_500() { # SERVER
  http_request -b "session=$TOKEN" "$(url "$1" /plain.pcgi)"
  assert_eq "$http_status" 500 status
  assert_eq "$http_body" $'Internal Server Error\n' body
  server_log_wait "$1" "gate\.cgi: target \"$SITE_DOCROOT/plain\.pcgi\" is not an executable regular file"
}

direct_request_is_refused() { # SERVER: /cgi-bin/gate.cgi/env.pcgi must not run env.pcgi
  http_request -b "session=$TOKEN" "$(url "$1" /cgi-bin/gate.cgi/env.pcgi)"
  assert_eq "$http_status" 500 status
  assert_eq "$http_body" $'Internal Server Error\n' body
  server_log_wait "$1" 'gate\.cgi: refusing a direct request for ".*/env\.pcgi"'
}

query_words_never_choose_the_program() { # SERVER: Apache passes "?/bin/sh" to gate.cgi as an argument
  http_request -b "session=$TOKEN" "$(url "$1" '/env.pcgi?%2Fbin%2Fsh')"
  assert_eq "$http_status" 200 status
  assert_env_body REMOTE_USER=ann AUTH_TYPE=Cookie SCRIPT_NAME=/env.pcgi \
    SCRIPT_FILENAME="$SITE_DOCROOT/env.pcgi" QUERY_STRING=%2Fbin%2Fsh REQUEST_METHOD=GET
}

# --- lighttpd: cgi.assign passes the page's path as gate.cgi's first argument ----

@test "lighttpd: an anonymous GET of a protected page is sent to login.cgi with next" {
  anonymous_get_goes_to_login lighttpd
}

@test "lighttpd: an anonymous POST to a protected page answers 401" {
  anonymous_post_is_refused lighttpd
}

@test "lighttpd: after a form login the page runs with REMOTE_USER, and after logout it sends you to login" {
  login_page_logout lighttpd
}

@test "lighttpd: the page keeps other cookies and its path info, without the session cookie" {
  other_cookies_and_path_info_reach_the_page lighttpd
}

@test "lighttpd: a binary POST body reaches the protected program byte for byte" {
  binary_post_body_round_trips lighttpd
}

@test "lighttpd: a protected program's binary output reaches the client byte for byte" {
  binary_output_passes_through lighttpd
}

@test "lighttpd: a protected page without its run bit answers 500 and is logged" {
  non_executable_target_is_500 lighttpd
}

@test "lighttpd: a protected page reached through a symbolic link answers 500 and is logged" {
  http_request -b "session=$TOKEN" "$(url lighttpd /link.pcgi)"
  assert_eq "$http_status" 500 status
  assert_eq "$http_body" $'Internal Server Error\n' body
  server_log_wait lighttpd "gate\.cgi: target \"$SITE_DOCROOT/link\.pcgi\" is reached through a symbolic link"
}

@test "lighttpd: a direct request for /cgi-bin/gate.cgi/env.pcgi runs nothing" {
  direct_request_is_refused lighttpd
}

# --- Apache: Action + AddHandler, the page's path in PATH_TRANSLATED ------------

@test "Apache: an anonymous GET of a protected page is sent to login.cgi with next" {
  anonymous_get_goes_to_login apache
}

@test "Apache: an anonymous POST to a protected page answers 401" {
  anonymous_post_is_refused apache
}

@test "Apache: after a form login the page runs with REMOTE_USER, and after logout it sends you to login" {
  login_page_logout apache
}

@test "Apache: the page keeps other cookies and its path info, without the session cookie" {
  other_cookies_and_path_info_reach_the_page apache
}

@test "Apache: a binary POST body reaches the protected program byte for byte" {
  binary_post_body_round_trips apache
}

@test "Apache: a protected program's binary output reaches the client byte for byte" {
  binary_output_passes_through apache
}

@test "Apache: a protected page without its run bit answers 500 and is logged" {
  non_executable_target_is_500 apache
}

@test "Apache: a direct request for /cgi-bin/gate.cgi/env.pcgi runs nothing" {
  direct_request_is_refused apache
}

@test "Apache: query words that Apache passes as arguments never choose the program" {
  query_words_never_choose_the_program apache
}

# --- Apache shared hosting: the same, configured only by .htaccess --------------

@test ".htaccess: an anonymous GET of a protected page is sent to login.cgi with next" {
  anonymous_get_goes_to_login htaccess
}

@test ".htaccess: an anonymous POST to a protected page answers 401" {
  anonymous_post_is_refused htaccess
}

@test ".htaccess: after a form login the page runs with REMOTE_USER, and after logout it sends you to login" {
  login_page_logout htaccess
}

@test ".htaccess: the page keeps other cookies and its path info, without the session cookie" {
  other_cookies_and_path_info_reach_the_page htaccess
}

@test ".htaccess: a binary POST body reaches the protected program byte for byte" {
  binary_post_body_round_trips htaccess
}

@test ".htaccess: a protected page without its run bit answers 500 and is logged" {
  non_executable_target_is_500 htaccess
}

@test ".htaccess: a direct request for /cgi-bin/gate.cgi/env.pcgi runs nothing" {
  direct_request_is_refused htaccess
}

@test ".htaccess: query words that Apache passes as arguments never choose the program" {
  query_words_never_choose_the_program htaccess
}
