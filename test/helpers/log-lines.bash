# test/helpers/log-lines.bash — waiting for a server's log to catch up.
#
#   wait_log_lines FILE REGEX N   wait (bounded, 5 s) until FILE holds at least N
#                                 lines matching the extended REGEX; the caller
#                                 then asserts the exact count.
# A server may write a request's CGI stderr line a moment after the response
# has reached curl, so a test reads the log only once the lines are in.

wait_log_lines() {
  local i
  for ((i = 0; i < 50; i++)); do
    [ "$(grep -cE -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.1
  done
  return 0
}
