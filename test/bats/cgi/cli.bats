#!/usr/bin/env bats
# The command line (docs/command-line.md), run as a process with only the environment each test gives it.

load ../../helpers/cgi

CLI=$TEST_REPO/bin/dbbasic-sessions
OLD_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

# Runs the CLI under env -i with PATH and the NAME=VALUE variables given before "--".
dbs() {
  local -a vars=("PATH=$CGI_PATH")
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  run --separate-stderr env -i "${vars[@]}" "$CLI" "$@"
}

# The token the Python library makes: base64url(json.dumps(...)) "." hex HMAC-SHA256.
python_token() { # JSON KEY
  local payload
  payload=$(printf '%s' "$1" | base64 -w0 | tr '+/' '-_')
  printf '%s.%s' "$payload" "$(printf '%s' "$payload" | openssl dgst -sha256 -hmac "$2" | sed 's/^.*= //')"
}

@test "keygen prints one 64-character lowercase hex key, a new one each time" {
  dbs -- keygen
  assert_eq "$status" 0 "exit status"
  assert_match "$output" '^[0-9a-f]{64}$' key
  assert_eq "$stderr" "" stderr
  first=$output
  dbs -- keygen
  [ "$output" != "$first" ]
}

@test "a key from keygen signs tokens" {
  dbs -- keygen
  key=$output
  dbs SECRET_KEY="$key" -- create ann
  assert_eq "$status" 0 "exit status"
  dbs SECRET_KEY="$key" -- verify "$output"
  assert_eq "$output" ann user
}

@test "create prints exactly the token the Python library makes for that user, expiry and key" {
  dbs SECRET_KEY="$CGI_KEY" -- create 'é "x"' --ttl 60
  assert_eq "$status" 0 "exit status"
  assert_eq "$stderr" "" stderr
  expires=$(token_expires "$output")
  assert_eq "$(token_payload "$output")" "{\"user_id\": \"\\u00e9 \\\"x\\\"\", \"expires\": $expires}" payload
  assert_eq "$output" "$(python_token "{\"user_id\": \"\\u00e9 \\\"x\\\"\", \"expires\": $expires}" "$CGI_KEY")" token
}

@test "create gives a 30-day session by default" {
  before=$(date +%s)
  dbs SECRET_KEY="$CGI_KEY" -- create ann
  after=$(date +%s)
  expires=$(token_expires "$output")
  [ "$expires" -ge $((before + 2592000)) ]
  [ "$expires" -le $((after + 2592000)) ]
}

@test "create --ttl sets the lifetime in seconds" {
  before=$(date +%s)
  dbs SECRET_KEY="$CGI_KEY" -- create ann --ttl 90
  after=$(date +%s)
  expires=$(token_expires "$output")
  [ "$expires" -ge $((before + 90)) ]
  [ "$expires" -le $((after + 90)) ]
}

@test "verify prints the user id and exits 0 for a valid token" {
  dbs SECRET_KEY="$CGI_KEY" -- verify "$(cgi_token 'ann@example.org')"
  assert_eq "$status" 0 "exit status"
  assert_eq "$output" ann@example.org user
  assert_eq "$stderr" "" stderr
}

@test "verify exits 1 and prints nothing for an expired token" {
  for ttl in -1 0; do
    dbs SECRET_KEY="$CGI_KEY" -- verify "$(cgi_token ann "$ttl")"
    assert_eq "$status" 1 "exit status"
    assert_eq "$output$stderr" "" output
  done
}

@test "verify exits 1 and prints nothing for tokens that are not valid" {
  token=$(cgi_token ann)
  for bad in "${token%?}x" "$(SECRET_KEY=$OLD_KEY cli create ann)" garbage a.b.c '' "${token%%.*}"; do
    dbs SECRET_KEY="$CGI_KEY" -- verify "$bad"
    assert_eq "$status" 1 "exit status for $bad"
    assert_eq "$output$stderr" "" output
  done
}

@test "SECRET_KEY_FILE holds the key for create and verify" {
  printf '%s\n' "$CGI_KEY" > "$BATS_TEST_TMPDIR/key"
  chmod 600 "$BATS_TEST_TMPDIR/key"
  dbs SECRET_KEY_FILE="$BATS_TEST_TMPDIR/key" -- create ann
  token=$output
  dbs SECRET_KEY="$CGI_KEY" -- verify "$token"
  assert_eq "$output" ann user
  dbs SECRET_KEY_FILE="$BATS_TEST_TMPDIR/key" -- verify "$token"
  assert_eq "$output" ann user
}

@test "verify accepts a token signed with a key in SECRET_KEY_FALLBACKS; create signs with the current key" {
  dbs SECRET_KEY="$CGI_KEY" SECRET_KEY_FALLBACKS="$OLD_KEY" -- verify "$(SECRET_KEY=$OLD_KEY cli create ann)"
  assert_eq "$status" 0 "exit status"
  assert_eq "$output" ann user
  dbs SECRET_KEY="$CGI_KEY" SECRET_KEY_FALLBACKS="$OLD_KEY" -- create ann
  dbs SECRET_KEY="$OLD_KEY" -- verify "$output"
  assert_eq "$status" 1 "exit status under the old key alone"
}

@test "without a key, create and verify exit 2 with one line saying what to set" {
  for command in "create ann" "verify $(cgi_token ann)"; do
    dbs -- $command
    assert_eq "$status" 2 "exit status"
    assert_eq "$output" "" stdout
    assert_eq "$stderr" 'dbbasic-sessions: no secret key: set SECRET_KEY or SECRET_KEY_FILE to a random key of at least 32 characters; generate one with `dbbasic-sessions keygen` or `openssl rand -hex 32`' stderr
  done
}

@test "a short key or the Python default key is refused with exit 2" {
  for key in short 0123456789abcdef0123456789abcde CHANGE-ME-IN-PRODUCTION; do
    dbs SECRET_KEY="$key" -- create ann
    assert_eq "$status" 2 "exit status"
    assert_eq "$output" "" stdout
    assert_match "$stderr" '^dbbasic-sessions: .*too weak.*SECRET_KEY' stderr
  done
}

@test "an empty user id is refused with exit 2" {
  dbs SECRET_KEY="$CGI_KEY" -- create ''
  assert_eq "$status" 2 "exit status"
  assert_eq "$output" "" stdout
  assert_eq "$stderr" 'dbbasic-sessions: user id must not be empty' stderr
}

@test "a --ttl that is not a whole number is refused with exit 2 and the usage" {
  dbs SECRET_KEY="$CGI_KEY" -- create ann --ttl 1.5
  assert_eq "$status" 2 "exit status"
  assert_eq "$output" "" stdout
  assert_eq "${stderr%%$'\n'*}" 'dbbasic-sessions: --ttl takes a whole number of seconds' "first stderr line"
  assert_match "$stderr" 'usage:' usage
}

@test "no command, an unknown one, or extra arguments print the usage and exit 2" {
  for args in "" "frobnicate" "keygen extra" "verify a b" "create"; do
    dbs SECRET_KEY="$CGI_KEY" -- $args
    assert_eq "$status" 2 "exit status for '$args'"
    assert_eq "$output" "" stdout
    assert_eq "${stderr%%$'\n'*}" 'usage:' "first stderr line"
  done
}

# A page runs `dbbasic-sessions verify` with no TOKEN (docs/command-line.md): the cookie comes
# from HTTP_COOKIE, read as the CGI programs read it, and no cookie at all is "not logged in".
@test "verify without TOKEN reads the session cookie from HTTP_COOKIE: the first one named SESSION_COOKIE (default session)" {
  token=$(cgi_token 'ann b')
  for cookie in "session=$token" "theme=dark; session=\"$token\"" " a=1 ;	session	=	$token	; session=garbage" "flag; session=$token"; do
    dbs SECRET_KEY="$CGI_KEY" HTTP_COOKIE="$cookie" -- verify
    assert_eq "$status" 0 "exit status for '$cookie'"
    assert_eq "$output" 'ann b' "user for '$cookie'"
    assert_eq "$stderr" "" "stderr for '$cookie'"
  done
  dbs SECRET_KEY="$CGI_KEY" SESSION_COOKIE=sid HTTP_COOKIE="session=garbage; sid=$token" -- verify
  assert_eq "$status $output" "0 ann b" "SESSION_COOKIE=sid"
  dbs SECRET_KEY="$CGI_KEY" SESSION_COOKIE=sid HTTP_COOKIE="session=$token" -- verify
  assert_eq "$status $output$stderr" "1 " "SESSION_COOKIE=sid, only a session cookie"
}

@test "verify without a token, or with an empty one, exits 1 (not logged in), never 2" {
  dbs SECRET_KEY="$CGI_KEY" -- verify
  assert_eq "$status" 1 "exit status without HTTP_COOKIE"
  assert_eq "$output$stderr" "" output
  for cookie in "" "theme=dark" "session=" 'session=""' "session=garbage" "sessionx=$(cgi_token ann)" "session=garbage; session=$(cgi_token ann)"; do
    dbs SECRET_KEY="$CGI_KEY" HTTP_COOKIE="$cookie" -- verify
    assert_eq "$status" 1 "exit status for '$cookie'"
    assert_eq "$output$stderr" "" "output for '$cookie'"
  done
  dbs SECRET_KEY="$CGI_KEY" HTTP_COOKIE="session=$(cgi_token ann)" -- verify ''
  assert_eq "$status" 1 "exit status for an empty TOKEN argument (it wins over HTTP_COOKIE)"
  assert_eq "$output$stderr" "" "output for an empty TOKEN argument"
}

@test "verify without TOKEN still exits 2 for a missing key or a bad SESSION_COOKIE, with one line" {
  dbs HTTP_COOKIE="session=$(cgi_token ann)" -- verify
  assert_eq "$status" 2 "exit status without a key"
  assert_eq "$output" "" stdout
  assert_match "$stderr" '^dbbasic-sessions: no secret key: set SECRET_KEY or SECRET_KEY_FILE' stderr
  dbs -- verify
  assert_eq "$status" 2 "exit status without a key or a cookie"
  dbs SECRET_KEY="$CGI_KEY" SESSION_COOKIE='bad name' HTTP_COOKIE="session=$(cgi_token ann)" -- verify
  assert_eq "$status" 2 "exit status for a bad SESSION_COOKIE"
  assert_eq "$output" "" stdout
  assert_eq "$stderr" "dbbasic-sessions: invalid cookie name: set SESSION_COOKIE to letters, digits or !#\$%&'*+-.^_\`|~" stderr
}
