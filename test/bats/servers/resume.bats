#!/usr/bin/env bats
# Resuming a download of a members' file without the session cookie (wget -c, which skips
# curl's "#HttpOnly_" cookie-jar lines, or curl -C - with no cookie): the gate sends the
# client to log in (303) and the client follows, keeping its Range header. The login page
# must then never be a 206 slice the client appends to the partial file, nor a 200 page that
# wget writes over it (docs/members-area.md, "Protect a whole folder").
# On lighttpd, Apache (httpd.conf) and Apache configured only by .htaccess files: the
# partial file stays byte for byte as it was and the tool fails; with the cookie, the
# resume completes the file.

load ../../helpers/servers

setup_file() {
  site_init
  site_add_user ann ann-secret -B
  mkdir -p "$SITE_DOCROOT/members"
  chmod 755 "$SITE_DOCROOT/members"
  { printf '%%PDF-1.4\n'; head -c 30000 /dev/urandom; } > "$SITE_DOCROOT/members/guide.pdf"
  chmod 644 "$SITE_DOCROOT/members/guide.pdf"
  start_lighttpd lighttpd
  start_apache apache
  site_install_htaccess
  start_apache_htaccess htaccess
}

teardown_file() { stop_servers; }

setup() {
  PDF=$SITE_DOCROOT/members/guide.pdf
  TOKEN=$(SECRET_KEY=$SITE_KEY cli create ann)
  cd "$BATS_TEST_TMPDIR"
}

url() { echo "$(server_url "$1")/members/guide.pdf"; }

# partial BYTES: guide.pdf holds the PDF's first BYTES bytes, partial.pdf a copy to compare with.
partial() {
  head -c "$1" "$PDF" > guide.pdf
  cp guide.pdf partial.pdf
}

# The partial file is exactly as it was.
expect_untouched() { # WHAT
  cmp guide.pdf partial.pdf || { echo "$1: the partial file changed ($(stat -c %s guide.pdf) bytes)" >&2; return 1; }
}

# wget -c without a cookie: the login page refuses the Range request it was sent on with (403),
# so wget reports the error and writes nothing, whether the partial file is shorter or longer
# than the page (a 200 page would be written over it, a 206 slice appended to it).
wget_without_cookie() { # SERVER
  for bytes in 100 20000; do
    partial $bytes
    run --separate-stderr wget -c --tries=1 --timeout=20 "$(url "$1")"
    assert_eq "$status" 8 "$1: wget exit status, $bytes bytes"
    assert_match "$stderr" "ERROR 403: Forbidden\." "$1: wget's message, $bytes bytes"
    expect_untouched "$1: wget -c, $bytes bytes"
  done
}

# curl -L -C - without a cookie: the same 403, with no Content-Range: curl cannot resume (33).
curl_without_cookie() { # SERVER
  for bytes in 100 20000; do
    partial $bytes
    run --separate-stderr curl -s -S -L -C - --max-time 20 -o guide.pdf "$(url "$1")"
    assert_eq "$status" 33 "$1: curl exit status, $bytes bytes"
    assert_match "$stderr" "doesn't seem to support byte ranges" "$1: curl's message, $bytes bytes"
    expect_untouched "$1: curl -C -, $bytes bytes"
  done
}

# With the cookie, each resumes the file to the whole PDF.
resume_with_cookie() { # SERVER
  partial 1000
  run --separate-stderr wget -c -q --tries=1 --timeout=20 --header "Cookie: session=$TOKEN" "$(url "$1")"
  assert_eq "$status" 0 "$1: wget exit status"
  cmp guide.pdf "$PDF"
  partial 1000
  run --separate-stderr curl -s -S -L -C - --max-time 20 -b "session=$TOKEN" -o guide.pdf "$(url "$1")"
  assert_eq "$status" 0 "$1: curl exit status"
  cmp guide.pdf "$PDF"
}

# The login page the resume ends at: a Range request is refused (403, Accept-Ranges: none, no
# Content-Range) with one line in the error log; without Range the page is as always.
login_page_refuses_ranges() { # SERVER
  local login
  login=$(curl -s -o /dev/null -w '%{redirect_url}' "$(url "$1")")
  assert_match "$login" '/login\.cgi\?next=' "$1: the gate's redirect"
  for range in 'bytes=100-' 'bytes=0-10' 'bytes=-5'; do
    http_request -H "Range: $range" "$login"
    assert_eq "$http_status" 403 "$1: status for Range: $range"
    assert_eq "$(http_header Accept-Ranges)" none "$1: Accept-Ranges for Range: $range"
    run -1 http_header Content-Range
    assert_eq "$http_body" $'Forbidden\n' "$1: body for Range: $range"
  done
  server_log_wait "$1" 'login\.cgi: refused a Range request for a page \(a download resumed without the session cookie\)'
  http_request "$login"
  assert_eq "$http_status" 200 "$1: status without Range"
  assert_match "$http_body" '^<!doctype html>' "$1: the login page"
}

@test "lighttpd: wget -c without the cookie leaves the partial file untouched and fails" { wget_without_cookie lighttpd; }
@test "lighttpd: curl -L -C - without the cookie leaves the partial file untouched and fails" { curl_without_cookie lighttpd; }
@test "lighttpd: wget -c and curl -C - with the cookie complete the file" { resume_with_cookie lighttpd; }
@test "lighttpd: the login page refuses a Range request (403, Accept-Ranges: none)" { login_page_refuses_ranges lighttpd; }
@test "Apache: wget -c without the cookie leaves the partial file untouched and fails" { wget_without_cookie apache; }
@test "Apache: curl -L -C - without the cookie leaves the partial file untouched and fails" { curl_without_cookie apache; }
@test "Apache: wget -c and curl -C - with the cookie complete the file" { resume_with_cookie apache; }
@test "Apache: the login page refuses a Range request (403, Accept-Ranges: none)" { login_page_refuses_ranges apache; }
@test "Apache .htaccess: wget -c without the cookie leaves the partial file untouched and fails" { wget_without_cookie htaccess; }
@test "Apache .htaccess: curl -L -C - without the cookie leaves the partial file untouched and fails" { curl_without_cookie htaccess; }
@test "Apache .htaccess: wget -c and curl -C - with the cookie complete the file" { resume_with_cookie htaccess; }
@test "Apache .htaccess: the login page refuses a Range request (403, Accept-Ranges: none)" { login_page_refuses_ranges htaccess; }
