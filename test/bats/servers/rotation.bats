#!/usr/bin/env bats
# Rolling key rotation on two real lighttpd instances (two ports standing in
# for two hosts behind a load balancer), as the README describes it:
#
#   step 0  both hosts sign and verify with key A
#   step 1  add B as a fallback everywhere (B is accepted before anyone signs with it)
#   step 2  make B the primary, A the fallback, one host at a time
#   step 3  retire A: B only
#
# and "log out everyone": a new key C without any fallback.
# At each step every session that should be valid is sent to both hosts and
# must be accepted for its user; a config change is applied by restarting the
# host, as an operator would. The steps run in order and share their tokens
# through $BATS_FILE_TMPDIR.

load ../../helpers/servers

COOKIE_RE='^session=([A-Za-z0-9_=-]+\.[0-9a-f]{64}); HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000$'

setup_file() {
  site_init
  site_add_user ann ann-pass -B
  site_add_user bob bob-pass -B
  local k
  for k in A B C; do
    cli keygen > "$SITE/etc/$k.key"
    _site_private "$SITE/etc/$k.key"
  done
  mkdir -p "$BATS_FILE_TMPDIR/tokens"
}

teardown_file() { stop_servers; }

key() { tr -d '\n' < "$SITE/etc/$1.key"; }

# host NAME PRIMARY [FALLBACK…] — (re)start lighttpd NAME signing with PRIMARY,
# also accepting FALLBACK keys (SECRET_KEY_FALLBACKS), from the shipped config.
host() {
  local name=$1 primary=$2 fallbacks= k
  shift 2
  for k in "$@"; do fallbacks+="${fallbacks:+ }$(key "$k")"; done
  stop_server "$name"
  if [ -n "$fallbacks" ]; then
    SITE_KEY_FILE=$SITE/etc/$primary.key \
      SERVER_EXTRA_CONF="setenv.add-environment += ( \"SECRET_KEY_FALLBACKS\" => \"$fallbacks\" )" start_lighttpd "$name"
  else
    SITE_KEY_FILE=$SITE/etc/$primary.key SERVER_EXTRA_CONF= start_lighttpd "$name"
  fi
}

# login_on HOST USER PASS SAVE_AS — a form login; the session is saved as SAVE_AS.
login_on() {
  http_request -d "username=$2&password=$3" "$(server_url "$1")/cgi-bin/login.cgi"
  assert_eq "$http_status" 303 "login status on $1"
  assert_match "$(http_header Set-Cookie)" "$COOKIE_RE" "Set-Cookie from $1"
  printf '%s %s\n' "$2" "${BASH_REMATCH[1]}" > "$BATS_FILE_TMPDIR/tokens/$4"
}

token() { cut -d' ' -f2 < "$BATS_FILE_TMPDIR/tokens/$1"; }
user_of() { cut -d' ' -f1 < "$BATS_FILE_TMPDIR/tokens/$1"; }

# signed_with SAVED KEY — the token verifies under KEY alone, and not under the other keys.
signed_with() {
  local k
  for k in A B C; do
    if [ "$k" == "$2" ]; then
      SECRET_KEY=$(key "$k") cli verify "$(token "$1")" > /dev/null || { echo "$1 is not signed with $k" >&2; return 1; }
    else
      ! SECRET_KEY=$(key "$k") cli verify "$(token "$1")" > /dev/null || { echo "$1 is signed with $k, not $2" >&2; return 1; }
    fi
  done
}

# accepted SAVED… — both hosts answer whoami 200 with the token's user.
# refused SAVED…  — both hosts answer whoami 401 and set no cookie.
accepted() { _whoami_on_both 200 "$@"; }
refused() { _whoami_on_both 401 "$@"; }

_whoami_on_both() {
  local want=$1 saved h body
  shift
  for saved in "$@"; do
    if [ "$want" == 200 ]; then
      body="^\{\"user_id\":\"$(user_of "$saved")\",\"expires\":[0-9]+\}\$"
    else
      body='^\{"error":"no valid session"\}$'
    fi
    for h in h1 h2; do
      http_request -H "Cookie: session=$(token "$saved")" "$(server_url "$h")/cgi-bin/whoami.cgi"
      assert_eq "$http_status" "$want" "whoami status on $h for $saved"
      assert_match "$http_body" "$body" "whoami body on $h for $saved"
      [ "$want" == 200 ] || ! http_header Set-Cookie > /dev/null || { echo "a cookie was set for $saved" >&2; return 1; }
    done
  done
}

# A session made with the CLI, signed with KEY, for USER, expiring in TTL seconds.
cli_session() { # SAVE_AS KEY USER TTL
  printf '%s %s\n' "$3" "$(SECRET_KEY=$(key "$2") cli create "$3" --ttl "$4")" > "$BATS_FILE_TMPDIR/tokens/$1"
}

@test "step 0: both hosts on key A accept each other's sessions" {
  host h1 A
  host h2 A
  login_on h1 ann ann-pass s0-h1
  login_on h2 bob bob-pass s0-h2
  signed_with s0-h1 A
  signed_with s0-h2 A
  accepted s0-h1 s0-h2
  # B is not trusted yet.
  cli_session b-early B ann 3600
  refused b-early
}

@test "step 1: with B added as a fallback everywhere, every host still signs with A and now accepts B" {
  host h1 A B
  host h2 A B
  login_on h1 ann ann-pass s1-h1
  login_on h2 bob bob-pass s1-h2
  signed_with s1-h1 A
  signed_with s1-h2 A
  cli_session b-only B bob 3600
  accepted s0-h1 s0-h2 s1-h1 s1-h2 b-only b-early
}

@test "step 2a: host 1 signs with B (A as fallback) while host 2 still signs with A, and each accepts the other's sessions" {
  host h1 B A
  login_on h1 ann ann-pass s2-h1
  login_on h2 bob bob-pass s2-h2
  signed_with s2-h1 B
  signed_with s2-h2 A
  accepted s0-h1 s0-h2 s1-h1 s1-h2 s2-h1 s2-h2 b-only
}

@test "step 2b: host 2 signs with B as well, and every session so far is still accepted by both" {
  host h2 B A
  login_on h1 bob bob-pass s3-h1
  login_on h2 ann ann-pass s3-h2
  signed_with s3-h1 B
  signed_with s3-h2 B
  accepted s0-h1 s0-h2 s1-h1 s1-h2 s2-h1 s2-h2 s3-h1 s3-h2 b-only
}

@test "step 2c: an active session signed with A near its expiry is renewed under B by whoami" {
  cli_session near-expiry A ann 60
  http_request -H "Cookie: session=$(token near-expiry)" "$(server_url h2)/cgi-bin/whoami.cgi"
  assert_eq "$http_status" 200 "whoami status"
  assert_match "$(http_header Set-Cookie)" "$COOKIE_RE" "renewed Set-Cookie"
  printf 'ann %s\n' "${BASH_REMATCH[1]}" > "$BATS_FILE_TMPDIR/tokens/renewed"
  signed_with renewed B
  accepted renewed
}

@test "step 3: with A retired, every session signed with B is accepted and every one signed only with A is refused" {
  host h1 B
  host h2 B
  accepted s2-h1 s3-h1 s3-h2 b-only b-early renewed
  refused s0-h1 s0-h2 s1-h1 s1-h2 s2-h2 near-expiry
  cli_session a-only A ann 3600
  refused a-only
  login_on h2 ann ann-pass s4-h2
  signed_with s4-h2 B
  accepted s4-h2
}

@test "log out everyone: a new key C without fallback refuses every earlier session on both hosts" {
  host h1 C
  host h2 C
  refused s2-h1 s3-h1 s3-h2 s4-h2 b-only renewed a-only
  login_on h1 ann ann-pass s5-h1
  signed_with s5-h1 C
  accepted s5-h1
}
