#!/usr/bin/env bats
# Who may pass (docs/members-area.md, "Who may pass"), through the shipped
# configs on real servers: lighttpd (examples/lighttpd/lighttpd.conf), Apache
# (examples/apache/httpd.conf) and Apache shared hosting (examples/htaccess/,
# with members/staff/.htaccess), both Apaches with PHP enabled at server level
# (servers.bash, start_apache_php and start_apache_htaccess). The staff folder's rule comes from each
# server's own per-folder settings; a user removed with `htpasswd -D` or
# revoked with `dbbasic-sessions revoke` is bounced at the next request,
# with nothing restarted.

load ../../helpers/servers

SERVERS=(lighttpd apache htaccess)

setup_file() {
  site_init
  site_add_user ann ann-pass -B
  site_add_user bob bob-pass -B
  printf '# who may open /members/staff/\nstaff: ann\n' > "$SITE_GROUPS"
  local m=$SITE_DOCROOT/members
  mkdir -p "$m/staff"
  printf 'for members\n' > "$m/notes.txt"
  printf 'for staff\n' > "$m/staff/report.txt"
  chmod 755 "$m" "$m/staff"
  chmod 644 "$m/notes.txt" "$m/staff/report.txt"
  start_lighttpd lighttpd
  start_apache_php apache
  site_install_htaccess
  start_apache_htaccess htaccess
}

teardown_file() { stop_servers; }

token() { SECRET_KEY=$SITE_KEY cli create "$1"; }

# get SERVER PATH USER_TOKEN — sets http_status and http_body.
get() {
  http_request -b "session=$3" "$(server_url "$1")$2"
}

@test "the staff folder's group rule lets ann in and turns bob away with 403 naming him, on every server" {
  local server ann bob
  ann=$(token ann) bob=$(token bob)
  for server in "${SERVERS[@]}"; do
    get "$server" /members/staff/report.txt "$ann"
    assert_eq "$http_status" 200 "$server: ann"
    assert_eq "$http_body" $'for staff\n' "$server: ann's body"
    get "$server" /members/staff/report.txt "$bob"
    assert_eq "$http_status" 403 "$server: bob"
    assert_eq "$(http_header Content-Type)" 'text/html; charset=utf-8' "$server: Content-Type"
    assert_match "$http_body" 'You are logged in as <strong>bob</strong>' "$server: the page names bob"
    [[ $http_body != *"for staff"* ]]
    get "$server" /members/notes.txt "$bob"
    assert_eq "$http_status" 200 "$server: bob elsewhere in the members area"
    server_log_wait "$server" '(^|: )gate\.cgi: user "bob" may not access /members/staff/report\.txt from 127\.0\.0\.1$'
  done
}

@test "a user removed with htpasswd -D is bounced at the next request, on every server" {
  local server carol
  site_add_user carol carol-pass -B
  carol=$(token carol)
  for server in "${SERVERS[@]}"; do
    get "$server" /members/notes.txt "$carol"
    assert_eq "$http_status" 200 "$server: carol, before"
  done
  htpasswd -D "$SITE_HTPASSWD" carol 2> /dev/null
  for server in "${SERVERS[@]}"; do
    get "$server" /members/notes.txt "$carol"
    assert_eq "$http_status" 303 "$server: carol, removed"
    assert_eq "$(http_header Location)" "/cgi-bin/login.cgi?next=%2Fmembers%2Fnotes.txt" "$server: Location"
    get "$server" /cgi-bin/whoami.cgi "$carol"
    assert_eq "$http_status" 401 "$server: carol's whoami"
  done
}

@test "a user revoked with dbbasic-sessions revoke is bounced at the next request; a session issued later is not" {
  local server dave later
  site_add_user dave dave-pass -B
  dave=$(token dave)
  SESSION_REVOKED_FILE=$SITE_REVOKED "$TEST_REPO/bin/dbbasic-sessions" revoke dave --time $(($(date +%s) + 60)) > /dev/null
  for server in "${SERVERS[@]}"; do
    get "$server" /members/notes.txt "$dave"
    assert_eq "$http_status" 303 "$server: dave, revoked"
    get "$server" /members/notes.txt "$(token ann)"
    assert_eq "$http_status" 200 "$server: ann, not revoked"
  done
  # A session issued after the revocation time (the token's clock is a parameter of the library, not of the CLI:
  # revoke at an earlier time instead).
  : > "$SITE_REVOKED"
  SESSION_REVOKED_FILE=$SITE_REVOKED "$TEST_REPO/bin/dbbasic-sessions" revoke dave --time $(($(date +%s) - 60)) > /dev/null
  later=$(token dave)
  for server in "${SERVERS[@]}"; do
    get "$server" /members/notes.txt "$later"
    assert_eq "$http_status" 200 "$server: dave's new session"
  done
}
