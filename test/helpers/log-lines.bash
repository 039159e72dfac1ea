# test/helpers/log-lines.bash — waiting for a server's log to catch up.
#
#   wait_log_lines FILE REGEX N   wait (wait_until: up to WAIT_SECONDS, 60) until FILE
#                                 holds at least N lines matching the extended REGEX;
#                                 the caller then asserts the exact count.
# A server may write a request's CGI stderr line a moment after the response
# has reached curl, so a test reads the log only once the lines are in.

declare -F wait_until >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

_log_lines_at_least() { # FILE REGEX N
  local n
  n=$(grep -cE -- "$2" "$1" 2>/dev/null)
  echo "$n of $3 lines so far"
  [ "${n:-0}" -ge "$3" ]
}

wait_log_lines() {
  wait_until "$3 lines matching /$2/ in $1" _log_lines_at_least "$@" || true
}
