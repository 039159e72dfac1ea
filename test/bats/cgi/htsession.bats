#!/usr/bin/env bats
# A folder's own access rule, .htsession (docs/members-area.md, "Who may pass"),
# read by gate.cgi run as a CGI process: Apache's Require words, the
# nearest file wins, SESSION_REQUIRE must pass as well, and a file that cannot
# be used is a 500 for everyone with one log line naming it.

load ../../helpers/cgi

setup_file() {
  export ETC=$BATS_FILE_TMPDIR/etc
  mkdir -p "$ETC"
  printf 'staff: alice\nclients: bob carol\n' > "$ETC/groups"
}

setup() {
  DOCROOT=$BATS_TEST_TMPDIR/www
  mkdir -p "$DOCROOT/members/staff/deep" "$DOCROOT/members/open"
  local dir
  for dir in members members/staff members/staff/deep members/open; do
    printf 'page of %s\n' "$dir" > "$DOCROOT/$dir/page.txt"
  done
  printf '#!/bin/sh\nprintf "Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nran for %%s\\n" "$REMOTE_USER"\n' > "$DOCROOT/members/staff/tool.pcgi"
  chmod 755 "$DOCROOT/members/staff/tool.pcgi"
}

# lighttpd's form for DOCROOT/PATH, with a session for USER (none when USER is "-").
get() { # USER PATH [cgi_run ARGS…]
  local user=$1 path=$2
  shift 2
  local -a cookie=()
  [ "$user" == - ] || cookie=(HTTP_COOKIE="session=$(cgi_token "$user")")
  cgi_run gate.cgi --arg "$DOCROOT/$path" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/$path" \
    SCRIPT_NAME="/$path" REQUEST_URI="/$path" HTGROUP_FILE="$ETC/groups" "${cookie[@]}" "$@"
}

# Apache's Action form for DOCROOT/PATH.
get_apache() { # USER PATH [cgi_run ARGS…]
  local user=$1 path=$2
  shift 2
  cgi_run gate.cgi DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$CGI_BIN/gate.cgi" SCRIPT_NAME=/cgi-bin/gate.cgi \
    PATH_INFO="/$path" PATH_TRANSLATED="$DOCROOT/$path" REDIRECT_URL="/$path" REDIRECT_STATUS=200 \
    REQUEST_URI="/$path" REDIRECT_HTGROUP_FILE="$ETC/groups" HTTP_COOKIE="session=$(cgi_token "$user")" "$@"
}

rule() { # DIR TEXT: DIR's .htsession (mode 644)
  printf '%b' "$2" > "$DOCROOT/$1/.htsession"
  chmod 644 "$DOCROOT/$1/.htsession"
}

assert_served() { # DIR: DIR/page.txt was sent
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" "page of $1"$'\n' body
}

assert_forbidden() { # USER
  assert_eq "$cgi_status" 403 status
  assert_eq "$cgi_stderr_lines" 1 "log lines"
  assert_match "$cgi_stderr" "^gate\\.cgi: user \"$1\" may not access /" "log line"
  [[ $cgi_body != *"page of"* ]]
}

@test "Require group staff lets staff in and refuses everyone else with 403, in both forms" {
  rule members/staff '# staff only\nRequire group staff\n'
  get alice members/staff/page.txt
  assert_served members/staff
  get bob members/staff/page.txt
  assert_forbidden bob
  get_apache alice members/staff/page.txt
  assert_served members/staff
  get_apache bob members/staff/page.txt
  assert_forbidden bob
  get alice members/staff/tool.pcgi
  assert_eq "$cgi_body" "ran for alice"$'\n' "a program in the folder"
  get carol members/staff/tool.pcgi
  assert_forbidden carol
}

@test "a visitor without a session is still sent to the login form" {
  rule members/staff 'Require group staff\n'
  get - members/staff/page.txt
  assert_eq "$cgi_status" 303 status
  assert_eq "$(cgi_header Location)" "/cgi-bin/login.cgi?next=%2Fmembers%2Fstaff%2Fpage.txt" Location
}

@test "Require user and valid-user; several Require lines let in anyone one of them passes" {
  rule members/staff 'Require user carol dave\n'
  get carol members/staff/page.txt
  assert_served members/staff
  get alice members/staff/page.txt
  assert_forbidden alice
  rule members/staff 'Require user dave\n\n  # or the clients\nREQUIRE Group clients\r\n'
  get carol members/staff/page.txt
  assert_served members/staff
  get dave members/staff/page.txt
  assert_served members/staff
  get alice members/staff/page.txt
  assert_forbidden alice
  rule members/staff 'Require valid-user\n'
  get zoe members/staff/page.txt
  assert_served members/staff
}

@test "the nearest .htsession at or above the folder wins over those further up" {
  rule members 'Require group clients\n'
  rule members/staff 'Require group staff\n'
  get alice members/staff/deep/page.txt
  assert_served members/staff/deep
  get bob members/staff/deep/page.txt
  assert_forbidden bob
  get bob members/open/page.txt
  assert_served members/open
  get alice members/open/page.txt
  assert_forbidden alice
  get bob members/page.txt
  assert_served members
  get alice members/page.txt
  assert_forbidden alice
}

@test "a .htsession in the document root itself applies below it; one above the root is never read" {
  rule . 'Require user alice\n'
  get bob members/page.txt
  assert_forbidden bob
  rm "$DOCROOT/.htsession"
  printf 'Require user nobody\n' > "$BATS_TEST_TMPDIR/.htsession"
  get bob members/page.txt
  assert_served members
}

@test "SESSION_REQUIRE and .htsession must both pass" {
  rule members/staff 'Require group staff\n'
  get alice members/staff/page.txt SESSION_REQUIRE="user bob"
  assert_forbidden alice
  get bob members/staff/page.txt SESSION_REQUIRE="user bob"
  assert_forbidden bob
  get alice members/staff/page.txt SESSION_REQUIRE="user alice"
  assert_served members/staff
  get_apache alice members/staff/page.txt REDIRECT_SESSION_REQUIRE="group clients"
  assert_forbidden alice
}

@test "a leading UTF-8 BOM is skipped, as Apache does in its own files" {
  rule members/staff '\xef\xbb\xbfRequire group staff\n'
  get alice members/staff/page.txt
  assert_served members/staff
  get bob members/staff/page.txt
  assert_forbidden bob
}

@test "a .htsession that does not parse is a 500 for everyone, a stranger too, naming the file and line" {
  local file=$DOCROOT/members/staff/.htsession bad
  rule members/staff 'Require group staff\nRequire all granted\n'
  for user in alice bob -; do
    get "$user" members/staff/page.txt
    cgi_expect_refused 500 ".htsession \"${file//./\\.}\" line 2: \"Require all granted\" is not a rule gate\\.cgi knows: use \"Require valid-user\", \"Require user NAME \\.\\.\\.\" or \"Require group NAME \\.\\.\\.\"\$"
  done
  for bad in 'Require not user bob' 'Require user' 'Require' 'Require ip 127.0.0.1' 'Require valid-user bob' 'Require expr true'; do
    rule members/staff "# c\n$bad\n"
    get alice members/staff/page.txt
    cgi_expect_refused 500 ".htsession \"${file//./\\.}\" line 2: \"$bad\" is not a rule gate\\.cgi knows: "
  done
  rule members/staff 'AuthType Basic\n'
  get alice members/staff/page.txt
  cgi_expect_refused 500 ".htsession \"${file//./\\.}\" line 1: \"AuthType Basic\" is not a Require line: "
  rule members/staff 'Require user alice # me\n'
  get alice members/staff/page.txt
  cgi_expect_refused 500 ".htsession \"${file//./\\.}\" line 1: \"Require user alice # me\" has a \"#\" after the rule: "
  rule members/staff 'Require user \\\nalice\n'
  get alice members/staff/page.txt
  cgi_expect_refused 500 ".htsession \"${file//./\\.}\" line 1: \"Require user \\\\\\\\\" continues on the next line: "
  rule members/staff '# nothing yet\n\n'
  get alice members/staff/page.txt
  cgi_expect_refused 500 ".htsession \"${file//./\\.}\": has no Require line: write \"Require valid-user\" for anyone logged in\$"
  rule members/staff 'Require user \xff\n'
  get alice members/staff/page.txt
  cgi_expect_refused 500 ".htsession \"${file//./\\.}\" is not UTF-8 text\$"
}

@test "a group rule in .htsession without HTGROUP_FILE is a 500 naming the file" {
  rule members/staff 'Require group staff\n'
  cgi_run gate.cgi --arg "$DOCROOT/members/staff/page.txt" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/members/staff/page.txt" \
    HTTP_COOKIE="session=$(cgi_token alice)"
  cgi_expect_refused 500 "\\.htsession \".*/members/staff/\\.htsession\" names a group but HTGROUP_FILE is not set: "
}

@test "a .htsession that is not a safe regular file is a 500: a folder, a link, a FIFO, huge, writable by others" {
  local file=$DOCROOT/members/staff/.htsession
  local shown="\\.htsession \"${file//./\\.}\""
  mkdir "$file"
  get alice members/staff/page.txt
  cgi_expect_refused 500 "$shown is not a regular file\$"
  rmdir "$file"
  printf 'Require valid-user\n' > "$BATS_TEST_TMPDIR/elsewhere"
  ln -s "$BATS_TEST_TMPDIR/elsewhere" "$file"
  get alice members/staff/page.txt
  cgi_expect_refused 500 "$shown is not a regular file \\(a symbolic link\\)\$"
  rm "$file"
  mkfifo "$file"
  get alice members/staff/page.txt
  cgi_expect_refused 500 "$shown is not a regular file\$"
  rm "$file"
  { printf 'Require valid-user\n'; head -c 65536 /dev/zero | tr '\0' '#'; } > "$file"
  get alice members/staff/page.txt
  cgi_expect_refused 500 "$shown is over the 65536-byte limit\$"
  rule members/staff 'Require valid-user\n'
  chmod 664 "$file"
  get alice members/staff/page.txt
  cgi_expect_refused 500 "$shown is writable by its group \\(mode 0664\\), who could change who may pass: chmod 644 it\$"
  chmod 646 "$file"
  get bob members/staff/page.txt
  cgi_expect_refused 500 "$shown is writable by every user \\(mode 0646\\), "
}

@test "a .htsession owned by another user is a 500; one of this program's user or root is read" {
  rule members/staff 'Require valid-user\n'
  chown 12345 "$DOCROOT/members/staff/.htsession"
  get alice members/staff/page.txt
  cgi_expect_refused 500 "\\.htsession \".*/members/staff/\\.htsession\" is owned by uid 12345, neither this program's user \\(uid $(id -u)\\) nor root: "
  chown "$(id -u)" "$DOCROOT/members/staff/.htsession"
  get bob members/staff/page.txt
  assert_served members/staff
}

@test "a .htsession file itself is never served: 404 to those its folder lets in" {
  rule members/staff 'Require group staff\n'
  get alice members/staff/.htsession
  cgi_expect_refused 404 "target \".*/members/staff/\\.htsession\" is hidden \\(\"\\.htsession\"\\): gate\\.cgi never serves or runs a dot-file or anything in a dot-folder\$"
  [[ $cgi_body != *Require* ]]
}
