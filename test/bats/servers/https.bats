#!/usr/bin/env bats
# Over HTTPS the session cookie carries Secure (docs/members-area.md, "Behaviour worth knowing"): a real Apache with
# mod_ssl (which sets HTTPS=on for CGI programs) and a self-signed certificate,
# started from examples/apache/httpd.conf plus the three TLS lines a site adds.

load ../../helpers/servers

COOKIE_RE='^session=([A-Za-z0-9_=-]+\.[0-9a-f]{64}); HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000; Secure$'

setup_file() {
  site_init
  site_add_user ann ann-secret -B
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -keyout "$SITE/etc/tls.key" -out "$SITE/etc/tls.crt" 2>/dev/null
  SERVER_EXTRA_CONF="LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
SSLEngine on
SSLCertificateFile $SITE/etc/tls.crt
SSLCertificateKeyFile $SITE/etc/tls.key" start_apache web
  export BASE="https://127.0.0.1:$(server_port web)"
}

teardown_file() { stop_servers; }

setup() { JAR=$BATS_TEST_TMPDIR/cookies; }

@test "a form login over HTTPS sets the session cookie with Secure" {
  http_request -k -c "$JAR" --data-urlencode username=ann --data-urlencode password=ann-secret \
    --data-urlencode next=/after "$BASE/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 status
  assert_eq "$(http_header Location)" /after Location
  assert_match "$(http_header Set-Cookie)" "$COOKIE_RE" Set-Cookie
  assert_eq "$(SECRET_KEY=$SITE_KEY cli verify "${BASH_REMATCH[1]}")" ann "user in the token"
}

@test "whoami over HTTPS answers for the Secure cookie, and logout deletes it with Secure" {
  http_request -k -c "$JAR" --data-urlencode username=ann --data-urlencode password=ann-secret "$BASE/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 "login status"
  http_request -k -b "$JAR" "$BASE/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 200 "whoami status"
  assert_match "$http_body" '^\{"user_id":"ann","expires":[0-9]+\}$' "whoami body"
  http_request -k -b "$JAR" -c "$JAR" -X POST "$BASE/cgi-bin/logout.cgi"
  assert_eq "$http_status" 303 "logout status"
  assert_eq "$(http_header Set-Cookie)" 'session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure' "delete cookie"
  http_request -k -b "$JAR" "$BASE/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 401 "whoami after logout"
}
