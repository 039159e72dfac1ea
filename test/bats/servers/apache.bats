#!/usr/bin/env bats
# The programs behind a real Apache httpd, started from examples/apache/httpd.conf
# with PHP enabled as Debian's php-fpm package does it (servers.bash, start_apache_php):
# every journey of test/helpers/server-flows.bash (form and Basic-auth login,
# whoami, logout, refusals), driven by curl with a cookie jar, asserting exact
# statuses, headers, bodies and error-log lines as the server passes them through.

load ../../helpers/servers
load ../../helpers/server-flows

BASIC_AUTH_LOG_RE=$APACHE_BASIC_AUTH_LOG_RE

setup_file() {
  site_init
  flows_add_users
  start_apache_php web
}

teardown_file() { stop_servers; }

setup() { flows_setup; }

flows_register_tests Apache
