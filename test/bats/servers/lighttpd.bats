#!/usr/bin/env bats
# The programs behind a real lighttpd, started from examples/lighttpd/lighttpd.conf:
# every journey of test/helpers/server-flows.bash (form and Basic-auth login,
# whoami, logout, refusals), driven by curl with a cookie jar, asserting exact
# statuses, headers, bodies and error-log lines as the server passes them through.

load ../../helpers/servers
load ../../helpers/server-flows

BASIC_AUTH_LOG_RE=$LIGHTTPD_BASIC_AUTH_LOG_RE

setup_file() {
  site_init
  flows_add_users
  start_lighttpd web
}

teardown_file() { stop_servers; }

setup() { flows_setup; }

flows_register_tests lighttpd

@test "lighttpd: /cgi-bin/authorizer.fcgi, in the programs' folder, is refused, never handed out as a file" {
  http_request "$(server_url web)/cgi-bin/authorizer.fcgi"
  assert_eq "$http_status" 403 status
  [[ $http_body != *"#!/usr/bin/env node"* ]] || { echo "authorizer.fcgi was sent as source" >&2; return 1; }
}
