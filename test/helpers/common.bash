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
#   TEST_REPO                           the repository root

# `run -1 …` (exit-status checks) needs bats ≥ 1.5.
! declare -F bats_require_minimum_version >/dev/null || bats_require_minimum_version 1.5.0

TEST_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

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
