# test/helpers/common.bash — small assertions and token helpers shared by the
# bats files (loaded by cgi.bash and servers.bash; load it directly otherwise).
#
#   assert_eq ACTUAL EXPECTED [WHAT]    fail, printing both, unless equal
#   assert_match ACTUAL REGEX [WHAT]    fail unless ACTUAL matches the extended REGEX ([[ =~ ]])
#   cli ARGS…                           run the built CLI (bin/dbbasic-sessions) with the
#                                       caller's environment; e.g. SECRET_KEY=… cli create ann
#   urlencode STRING                    percent-encode every byte but A-Z a-z 0-9 . _ ~ -
#   token_payload TOKEN                 the JSON inside a token (base64url-decoded payload)
#   token_expires TOKEN                 the token's "expires"
#   wait_until [--alive PID] WHAT COMMAND…
#                                       run COMMAND (output kept, not shown) every 0.1 s until it
#                                       succeeds, for at most WAIT_SECONDS (default 60) of wall-clock
#                                       time, and with --alive only while process PID lives. On giving
#                                       up: one report on stderr (what it waited for, how long, whether
#                                       PID still runs, the last try's exit status and output) and
#                                       status 1. Every wait on a server goes through it: a deadline,
#                                       not a count of tries, holds on a loaded machine.
#   process_alive PID                   PID runs (a zombie, exited but not yet reaped, does not)
#   node_at_least NODE MAJOR.MINOR      `NODE --version` is MAJOR.MINOR or later (what a feature
#                                       needs, told from the version number alone)
#   TEST_REPO                           the repository root

# `run -1 …` (exit-status checks) needs bats ≥ 1.5.
! declare -F bats_require_minimum_version >/dev/null || bats_require_minimum_version 1.5.0

TEST_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

node_at_least() {
  local v
  v=$("$1" --version) || return 1
  v=${v#v}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%.*}
  [ "$major" -gt "${2%%.*}" ] || { [ "$major" -eq "${2%%.*}" ] && [ "$minor" -ge "${2#*.}" ]; }
}

assert_eq() {
  [ "$1" == "$2" ] && return 0
  printf '%s differs\n  expected: %q\n  actual:   %q\n' "${3:-value}" "$2" "$1" >&2
  return 1
}

assert_match() {
  [[ "$1" =~ $2 ]] && return 0
  printf '%s does not match /%s/\n  actual: %q\n' "${3:-value}" "$2" "$1" >&2
  return 1
}

process_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

wait_until() {
  local pid= limit=${WAIT_SECONDS:-60} start=$SECONDS what last= status=0 gone=
  if [ "$1" = --alive ]; then pid=$2; shift 2; fi
  what=$1
  shift
  while :; do
    if last=$("$@" 2>&1); then return 0; else status=$?; fi
    if [ -n "$pid" ] && ! process_alive "$pid"; then gone=1; break; fi
    [ $((SECONDS - start)) -lt "$limit" ] || break
    sleep 0.1
  done
  {
    if [ -n "$gone" ]; then
      printf 'gave up waiting for %s: process %s exited after %s s\n' "$what" "$pid" $((SECONDS - start))
    else
      printf 'gave up waiting for %s after %s s' "$what" $((SECONDS - start))
      if [ -n "$pid" ]; then printf ' (process %s still running)' "$pid"; fi
      printf '\n'
    fi
    printf 'last try: %s\n  exit status %s%s\n' "$*" "$status" "${last:+, output:}"
    [ -z "$last" ] || printf '%s\n' "$last" | tail -n 20 | sed 's/^/  | /'
  } >&2
  return 1
}

cli() {
  "$TEST_REPO/bin/dbbasic-sessions" "$@"
}

token_payload() {
  printf '%s' "${1%%.*}" | tr -- '-_' '+/' | base64 -d
}

token_expires() {
  token_payload "$1" | sed -E 's/.*"expires": (-?[0-9]+)\}$/\1/'
}

urlencode() {
  local LC_ALL=C s=$1 out= c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  printf '%s' "$out"
}
