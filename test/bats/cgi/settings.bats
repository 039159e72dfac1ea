#!/usr/bin/env bats
# The settings file (README, "Shared hosting"): the real bundles, run as CGI processes
# by a site's owner (an account without root, test/helpers/site-owner.bash) with only
# the CGI variables suEXEC passes (no HOME, no SetEnv), read ~/.dbbasic-sessions/settings
# from the home the password database gives; a file that cannot be used is a 500 with one
# log line naming the file and the line.

load ../../helpers/cgi
load ../../helpers/site-owner

setup_file() {
  owner_setup
}

teardown_file() {
  owner_teardown
}

setup() {
  owner_fresh_home
  DIR=$OWNER_HOME/.dbbasic-sessions
  SETTINGS=$DIR/settings
  FILE_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  install -d -m 700 -o "$OWNER_UID" -g "$OWNER_GID" "$DIR"
  for p in whoami.cgi login.cgi logout.cgi gate.cgi; do owner_wrapper "$p" >/dev/null; done
  CGI_BIN=$OWNER_ROOT/wrappers
}

# settings TEXT [MODE]: the owner's settings file (printf format), default mode 0600.
settings() {
  printf "$1" > "$SETTINGS"
  chown "$OWNER_UID:$OWNER_GID" "$SETTINGS"
  chmod "${2:-600}" "$SETTINGS"
}

# A token for USER signed with KEY, made by the CLI as root (whose home has no settings file).
token_with() { # KEY USER
  SECRET_KEY=$1 cli create "$2"
}

# whoami.cgi with no key in its environment, as suEXEC runs it.
whoami_as_owner() {
  cgi_run whoami.cgi --unset SECRET_KEY "$@"
}

# The refusal of a settings file that cannot be used: 500, whoami.cgi's generic body, and exactly LOG.
expect_settings_refused() { # LOG
  assert_eq "$cgi_status" 500 status
  assert_eq "$cgi_body" '{"error":"server error"}' body
  run -1 cgi_header Set-Cookie
  assert_eq "$cgi_stderr" "$1" "log line"
  assert_eq "$cgi_stderr_lines" 1 "log lines"
}

@test "without a settings file a program with no key in its environment answers 500, as before" {
  whoami_as_owner
  assert_eq "$cgi_status" 500 status
  assert_eq "$cgi_body" '{"error":"server error"}' body
  assert_eq "$cgi_stderr" "whoami.cgi: no secret key: set SECRET_KEY or SECRET_KEY_FILE to a random key of at least 32 characters; generate one with \`dbbasic-sessions keygen\` or \`openssl rand -hex 32\`" "log line"
}

@test "the key and cookie name in the settings file reach whoami.cgi with no variable set" {
  settings "# the site's settings\nSECRET_KEY=$FILE_KEY\nSESSION_COOKIE=sid\nSESSION_TTL=3600\n"
  # 1000 s left, under half of the file's SESSION_TTL: renewed for 3600 s.
  token=$(SECRET_KEY=$FILE_KEY cli create ann --ttl 1000)
  whoami_as_owner HTTP_COOKIE="sid=$token"
  assert_eq "$cgi_status" 200 status
  assert_match "$cgi_body" '^\{"user_id":"ann","expires":[0-9]+\}$' body
  assert_eq "$cgi_stderr" "" stderr
  assert_match "$(cgi_header Set-Cookie)" '^sid=[^;]+; HttpOnly; SameSite=Lax; Path=/; Max-Age=3600$' Set-Cookie
}

@test "login.cgi checks a form login against HTPASSWD_FILE=~/… from the settings file" {
  htpasswd -B -b -c "$DIR/htpasswd" ann 'correct horse' 2>/dev/null
  chown "$OWNER_UID:$OWNER_GID" "$DIR/htpasswd"
  chmod 600 "$DIR/htpasswd"
  settings "SECRET_KEY=$FILE_KEY\nHTPASSWD_FILE=~/.dbbasic-sessions/htpasswd\n"
  cgi_run login.cgi --unset SECRET_KEY REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded \
    --body 'username=ann&password=correct+horse&next=%2F~dbbsite%2F'
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" "/~dbbsite/" Location
  cookie=$(cgi_header Set-Cookie)
  token=${cookie#session=}
  token=${token%%;*}
  run -0 env SECRET_KEY="$FILE_KEY" "$TEST_REPO/bin/dbbasic-sessions" verify "$token"
  assert_eq "$output" ann "user of the cookie"
}

@test "gate.cgi sends a visitor without a session to the settings file's LOGIN_URL" {
  settings "SECRET_KEY=$FILE_KEY\nLOGIN_URL=/~dbbsite/cgi-bin/login.cgi\n"
  cgi_run gate.cgi --unset SECRET_KEY REQUEST_URI=/~dbbsite/report.pcgi
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" "/~dbbsite/cgi-bin/login.cgi?next=%2F~dbbsite%2Freport.pcgi" Location
  assert_eq "$cgi_stderr" "" stderr
}

@test "a setting in the environment wins over the file's, and the environment's key over all of the file's" {
  other=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$other" > "$DIR/key"
  chown "$OWNER_UID:$OWNER_GID" "$DIR/key"
  chmod 600 "$DIR/key"
  # SECRET_KEY_FILE wins over SECRET_KEY within one source; here the environment's SECRET_KEY wins over the file's key file.
  settings "SECRET_KEY_FILE=~/.dbbasic-sessions/key\nSESSION_COOKIE=fromfile\n"
  cgi_run whoami.cgi SECRET_KEY="$FILE_KEY" SESSION_COOKIE=fromenv HTTP_COOKIE="fromenv=$(token_with "$FILE_KEY" ann)"
  assert_eq "$cgi_status" 200 status
  cgi_run whoami.cgi SECRET_KEY="$FILE_KEY" SESSION_COOKIE=fromenv HTTP_COOKIE="fromenv=$(token_with "$other" ann)"
  assert_eq "$cgi_status" 401 "status with a token of the file's key"
  # Without the environment's key, the file's key file is used.
  whoami_as_owner HTTP_COOKIE="fromfile=$(token_with "$other" bob)"
  assert_eq "$cgi_status" 200 "status with only the file's settings"
  assert_match "$cgi_body" '^\{"user_id":"bob",' body
}

@test "a client's headers never count as settings" {
  settings "SECRET_KEY=$FILE_KEY\n"
  whoami_as_owner HTTP_SECRET_KEY="$CGI_KEY" HTTP_SESSION_COOKIE=sid HTTP_COOKIE="sid=$(token_with "$CGI_KEY" ann)"
  assert_eq "$cgi_status" 401 status
}

@test "the command line, run by the owner, takes the key from the settings file" {
  settings "SECRET_KEY=$FILE_KEY\n"
  run -0 as_owner env -i PATH="$CGI_PATH" "$OWNER_REPO/bin/dbbasic-sessions" create ann
  token=$output
  run -0 env -i PATH="$CGI_PATH" SECRET_KEY="$FILE_KEY" "$TEST_REPO/bin/dbbasic-sessions" verify "$token"
  assert_eq "$output" ann user
  settings "SECRET_KEY=$FILE_KEY\nSESION_TTL=60\n"
  run -2 --separate-stderr as_owner env -i PATH="$CGI_PATH" "$OWNER_REPO/bin/dbbasic-sessions" create ann
  assert_eq "$stderr" "dbbasic-sessions: settings file \"$SETTINGS\" line 2: unknown setting \"SESION_TTL\" (the names are those of README, \"Configuration\")" stderr
  assert_eq "$output" "" stdout
}

@test "every program refuses a settings file with an unknown name, with one line naming the file and the line" {
  settings "SECRET_KEY=$FILE_KEY\n# typo below\nSESION_TTL=60\n"
  line="settings file \"$SETTINGS\" line 3: unknown setting \"SESION_TTL\" (the names are those of README, \"Configuration\")"
  whoami_as_owner HTTP_COOKIE="session=$(token_with "$FILE_KEY" ann)"
  expect_settings_refused "whoami.cgi: $line"
  for program in login.cgi logout.cgi gate.cgi; do
    cgi_run "$program" --unset SECRET_KEY REQUEST_URI=/~dbbsite/x.pcgi
    assert_eq "$cgi_status" 500 "$program status"
    assert_eq "$cgi_body" $'Internal Server Error\n' "$program body"
    assert_eq "$cgi_stderr" "$program: $line" "$program log line"
  done
}

@test "with a key in the environment (a server that passes its settings) the settings file is not read at all" {
  settings "SECRET_KEY=$FILE_KEY\nSESION_TTL=60\n"
  cgi_run whoami.cgi SECRET_KEY="$FILE_KEY" HTTP_COOKIE="session=$(token_with "$FILE_KEY" ann)"
  assert_eq "$cgi_status" 200 "status beside a settings file that would be refused"
  assert_eq "$cgi_stderr" "" stderr
}

@test "a repeated name is refused" {
  settings "SECRET_KEY=$FILE_KEY\nSESSION_TTL=60\nSESSION_TTL=61\n"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\" line 3: SESSION_TTL is already set on line 2"
}

@test "a line without = is refused" {
  settings "SECRET_KEY\n"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\" line 1: expected NAME=value (or a # comment)"
}

@test "CRLF line endings are refused" {
  settings "SECRET_KEY=$FILE_KEY\r\n"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\" line 1: ends with CR (Windows line endings): save the file with Unix (LF) line endings"
}

@test "a byte order mark is refused" {
  settings "\xef\xbb\xbfSECRET_KEY=$FILE_KEY\n"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\" line 1: starts with a byte order mark (BOM): save the file as UTF-8 without one"
}

@test "a symlink to another user's file is refused" {
  printf 'SECRET_KEY=%s\n' "$FILE_KEY" > "$OWNER_ROOT/elsewhere"
  chmod 644 "$OWNER_ROOT/elsewhere"
  ln -s "$OWNER_ROOT/elsewhere" "$SETTINGS"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\": is a symlink: make it a regular file"
}

@test "a FIFO is refused at once, never waited on" {
  mkfifo -m 600 "$SETTINGS"
  chown "$OWNER_UID:$OWNER_GID" "$SETTINGS"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\": is a FIFO: make it a regular file"
}

@test "a file over 64 KiB is refused" {
  settings "SECRET_KEY=$FILE_KEY\n"
  head -c 65536 /dev/zero | tr '\0' '#' >> "$SETTINGS"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\": is over the 65536-byte limit"
}

@test "a file its group can write is refused" {
  settings "SECRET_KEY=$FILE_KEY\n" 620
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\": is writable by its group (mode 0620): chmod go-w it"
}

@test "a folder every user can write is refused" {
  settings "SECRET_KEY=$FILE_KEY\n"
  chmod 1777 "$DIR"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\": its folder is writable by every user (mode 0777): chmod go-w it"
}

@test "a file owned by another user is refused; one owned by root is read" {
  settings "SECRET_KEY=$FILE_KEY\n"
  chown 4243:4243 "$SETTINGS"
  chmod 644 "$SETTINGS"
  printf 'SESSION_TTL=60\n' > "$SETTINGS"
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\": is owned by uid 4243, not by this program's user (uid $OWNER_UID) or root"
  chown root:root "$SETTINGS"
  whoami_as_owner
  assert_eq "$cgi_status" 500 "status (no key: the file was read)"
  assert_match "$cgi_stderr" '^whoami\.cgi: no secret key: ' "log line"
}

@test "a key in a file other users can read is refused" {
  settings "SECRET_KEY=$FILE_KEY\n" 644
  whoami_as_owner
  expect_settings_refused "whoami.cgi: settings file \"$SETTINGS\": holds a key and is readable by every user (mode 0644): chmod 600 it"
}
