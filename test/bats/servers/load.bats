#!/usr/bin/env bats
# Load through real servers: 1 100 requests from 12 concurrent
# keep-alive clients through a real lighttpd, then the same through a real
# Apache (2 200 in all), to whoami.cgi and login.cgi (form and Basic auth) with
# three users' cookies. Every response is checked for its user by
# test/helpers/load.mjs (status, headers, body, and the user inside every
# issued cookie), and the servers' error logs must hold exactly the lines the
# refused requests explain. Loopback only; bounded in count. No timing.

load ../../helpers/servers
load ../../helpers/log-lines

LOAD_REQUESTS=${LOAD_REQUESTS:-1100}
LOAD_CLIENTS=${LOAD_CLIENTS:-12}

setup_file() {
  site_init
  site_add_user ann ann-pass -B # bcrypt
  site_add_user bob bob-pass -m # $apr1$
  site_add_user cy cy-pass -s   # {SHA}
  start_lighttpd lighttpd
  start_apache apache
  LOAD_USERS=
  local u
  for u in ann bob cy; do LOAD_USERS+="$u:$u-pass:$(SECRET_KEY=$SITE_KEY cli create "$u") "; done
  export LOAD_USERS
}

teardown_file() { stop_servers; }

# count_of KIND — how many requests of KIND the driver sent (from its output).
count_of() {
  sed -n "s/^kind=$1 count=//p" <<<"$output"
}

run_load() { # NAME
  run env LOAD_KEY="$SITE_KEY" node "$TEST_REPO/test/helpers/load.mjs" "$(server_url "$1")" "$LOAD_REQUESTS" "$LOAD_CLIENTS"
  sed "s/^/# $1: /" <<<"$output" >&3 # the figures, in the TAP output
  assert_eq "$status" 0 "load driver exit status"
  assert_eq "${lines[0]}" "sent=$LOAD_REQUESTS ok=$LOAD_REQUESTS errors=0" summary
  # Every kind of request was part of the run.
  local kind
  for kind in whoami-ann whoami-bob whoami-cy whoami-no-cookie whoami-tampered form-login-ann form-login-bob \
    form-login-cy basic-login-ann basic-login-bob basic-login-cy form-login-wrong-password; do
    [ "$(count_of "$kind")" -gt 0 ] || { echo "no $kind request was sent" >&2; return 1; }
  done
}

@test "1 100 requests from 12 concurrent clients through lighttpd are all answered right for their user" {
  run_load lighttpd
  local log=$SITE/srv/lighttpd/log/cgi-error.log tampered wrong
  tampered=$(count_of whoami-tampered)
  wrong=$(count_of form-login-wrong-password)
  wait_log_lines "$log" . $((tampered + wrong))
  # The programs logged one line per refused request, and nothing else.
  assert_eq "$(grep -cx 'whoami.cgi: invalid session cookie from 127.0.0.1' "$log")" "$tampered" "invalid-cookie lines"
  assert_eq "$(grep -cx 'login.cgi: login failed for user "bob" from 127.0.0.1' "$log")" "$wrong" "login-failed lines"
  assert_eq "$(wc -l < "$log")" $((tampered + wrong)) "lines in the CGI error log"
}

@test "1 100 requests from 12 concurrent clients through Apache are all answered right for their user" {
  run_load apache
  local log=$SITE/srv/apache/log/error.log tampered wrong
  tampered=$(count_of whoami-tampered)
  wrong=$(count_of form-login-wrong-password)
  wait_log_lines "$log" 'AH01215' $((tampered + wrong))
  assert_eq "$(grep -c 'AH01215: stderr from .*/whoami.cgi: whoami.cgi: invalid session cookie from 127.0.0.1$' "$log")" "$tampered" "invalid-cookie lines"
  assert_eq "$(grep -c 'AH01215: stderr from .*/login.cgi: login.cgi: login failed for user "bob" from 127.0.0.1$' "$log")" "$wrong" "login-failed lines"
  # No other error of any kind: every error-level line is one of those.
  assert_eq "$(grep -cE '\[[a-z_]*:(error|crit|alert|emerg)\]' "$log")" $((tampered + wrong)) "error-level lines in Apache's log"
}
