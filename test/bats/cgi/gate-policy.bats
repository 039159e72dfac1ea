#!/usr/bin/env bats
# What gate.cgi never serves or runs (docs/members-area.md, "Protect an existing CGI script",
# "Members area: protect a whole folder"), run as a CGI process: dot-files and
# dot-folders (404), itself (500), programs suEXEC would refuse (500), and a
# symbolic link that would put a file under another folder's rules (500).

load ../../helpers/cgi
load ../../helpers/gate-targets

setup() {
  DOCROOT=$BATS_TEST_TMPDIR/www
  mkdir -p "$DOCROOT/members/staff" "$DOCROOT/members/.git" "$DOCROOT/members/.hidden"
  chmod 755 "$DOCROOT" "$DOCROOT/members" "$DOCROOT/members/staff"
  gate_targets "$DOCROOT/members"
  printf '[core]\nSECRET-CONFIG\n' > "$DOCROOT/members/.git/config"
  printf 'SECRET-TEXT\n' > "$DOCROOT/members/.secret.txt"
  printf 'SECRET-TEXT\n' > "$DOCROOT/members/.hidden/page.txt"
  cp "$DOCROOT/members/env.pcgi" "$DOCROOT/members/.hidden/env.pcgi"
  printf 'STAFF-ONLY\n' > "$DOCROOT/members/staff/salaries.txt"
  printf 'page\n' > "$DOCROOT/members/page.txt"
  TOKEN=$(cgi_token ann)
}

# lighttpd's form for DOCROOT/PATH with a session.
get() { # PATH [cgi_run ARGS…]
  local path=$1
  shift
  cgi_run gate.cgi --arg "$DOCROOT/$path" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/$path" \
    SCRIPT_NAME="/$path" REQUEST_URI="/$path" HTTP_COOKIE="session=$TOKEN" "$@"
}

# Apache's Action form for DOCROOT/PATH with a session.
get_apache() { # PATH [cgi_run ARGS…]
  local path=$1
  shift
  cgi_run gate.cgi DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$CGI_BIN/gate.cgi" SCRIPT_NAME=/cgi-bin/gate.cgi \
    PATH_INFO="/$path" PATH_TRANSLATED="$DOCROOT/$path" REDIRECT_URL="/$path" REDIRECT_STATUS=200 \
    REQUEST_URI="/$path" HTTP_COOKIE="session=$TOKEN" "$@"
}

re() { # TEXT: TEXT as an extended regex matching itself
  sed 's/[][\.*^$()+?{}|/]/\\&/g' <<<"$1"
}

# Refused with STATUS, one log line exactly LINE, and nothing run or sent.
assert_refused_exactly() { # STATUS LINE
  cgi_expect_refused "$1" "$(re "$2")\$"
  [[ $cgi_body != *SECRET* && $cgi_body != *STAFF-ONLY* ]]
  run -1 grep -F 'env.pcgi ran' "$CGI_STDERR_FILE"
}

hidden() { # PATH NAME: the log line for a hidden target
  printf 'target "%s" is hidden ("%s"): gate.cgi never serves or runs a dot-file or anything in a dot-folder' "$DOCROOT/$1" "$2"
}

unsafe() { # WHAT: the end of a suEXEC refusal
  printf '%s: gate.cgi runs nothing others may change (as suEXEC): only the program'"'"'s owner may change it or its folder' "$1"
}

# --- dot-files and dot-folders: 404 ------------------------------------------

@test "a dot-file, a file in a dot-folder and a program in one answer 404 with one log line, in both forms" {
  get members/.git/config
  assert_refused_exactly 404 "$(hidden members/.git/config .git)"
  get_apache members/.git/config
  assert_refused_exactly 404 "$(hidden members/.git/config .git)"
  get members/.secret.txt
  assert_refused_exactly 404 "$(hidden members/.secret.txt .secret.txt)"
  get_apache members/.hidden/page.txt
  assert_refused_exactly 404 "$(hidden members/.hidden/page.txt .hidden)"
  get members/.hidden/env.pcgi
  assert_refused_exactly 404 "$(hidden members/.hidden/env.pcgi .hidden)"
  get members/.git
  assert_refused_exactly 404 "$(hidden members/.git .git)"
}

@test "a dot-file that does not exist answers 404 too, and a stranger is sent to log in as for any page" {
  get members/.git/HEAD
  assert_refused_exactly 404 "$(hidden members/.git/HEAD .git)"
  cgi_run gate.cgi --arg "$DOCROOT/members/.secret.txt" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/members/.secret.txt"
  assert_eq "$cgi_status" 303 status
  assert_eq "$cgi_stderr" "" stderr
}

@test "a link to a dot-file answers 404 even with GATE_FOLLOW_SYMLINKS=1; dots inside a name are fine" {
  ln -s .secret.txt "$DOCROOT/members/plain.txt"
  get members/plain.txt GATE_FOLLOW_SYMLINKS=1
  assert_refused_exactly 404 "target \"$DOCROOT/members/plain.txt\" is hidden (\".secret.txt\"): gate.cgi never serves or runs a dot-file or anything in a dot-folder"
  printf 'fine\n' > "$DOCROOT/members/a.b..txt"
  get members/a.b..txt
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" $'fine\n' body
}

@test "dot-folders above the document root do not count" {
  local root=$BATS_TEST_TMPDIR/.site/www
  mkdir -p "$root"
  printf 'page\n' > "$root/page.txt"
  cgi_run gate.cgi --arg "$root/page.txt" DOCUMENT_ROOT="$root" SCRIPT_FILENAME="$root/page.txt" HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_status" 200 status
}

# --- gate.cgi as its own target: 500 ------------------------------------------

@test "gate.cgi named as its own target (a query word /x.pcgi?/…/cgi-bin/gate.cgi) answers 500, runs nothing" {
  mkdir -p "$DOCROOT/cgi-bin"
  cp "$CGI_BIN/gate.cgi" "$DOCROOT/cgi-bin/gate.cgi"
  chmod 755 "$DOCROOT/cgi-bin" "$DOCROOT/cgi-bin/gate.cgi"
  local self=$DOCROOT/cgi-bin/gate.cgi
  # Apache passes a query without "=" as the argument, and SCRIPT_FILENAME is the gate's own.
  cgi_run "$self" --arg "$self" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$self" SCRIPT_NAME=/cgi-bin/gate.cgi \
    QUERY_STRING="$self" HTTP_COOKIE="session=$TOKEN"
  cgi_expect_refused 500 "$(re "target \"$self\" is gate.cgi itself: gate.cgi may not be its own target")\$"
  ln "$self" "$DOCROOT/members/other.pcgi"
  cgi_run "$self" --arg "$DOCROOT/members/other.pcgi" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/members/other.pcgi" \
    HTTP_COOKIE="session=$TOKEN"
  cgi_expect_refused 500 "$(re "target \"$DOCROOT/members/other.pcgi\" is gate.cgi itself: gate.cgi may not be its own target")\$"
}

# --- suEXEC's rules for programs: 500 -----------------------------------------

@test "a program writable by its group or by every user answers 500 and is not run" {
  chmod 775 "$DOCROOT/members/env.pcgi"
  get members/env.pcgi
  assert_refused_exactly 500 "$(unsafe "target \"$DOCROOT/members/env.pcgi\" is writable by its group (mode 0775)")"
  chmod 757 "$DOCROOT/members/env.pcgi"
  get_apache members/env.pcgi
  assert_refused_exactly 500 "$(unsafe "target \"$DOCROOT/members/env.pcgi\" is writable by every user (mode 0757)")"
  chmod 755 "$DOCROOT/members/env.pcgi"
  get members/env.pcgi
  assert_eq "$cgi_status" 200 "mode 0755"
}

@test "a program in a folder writable by its group or by every user (sticky or not) answers 500" {
  chmod 775 "$DOCROOT/members"
  get members/env.pcgi
  assert_refused_exactly 500 "$(unsafe "the folder \"$DOCROOT/members\" of target \"$DOCROOT/members/env.pcgi\" is writable by its group (mode 0775)")"
  chmod 1777 "$DOCROOT/members"
  get_apache members/env.pcgi
  assert_refused_exactly 500 "$(unsafe "the folder \"$DOCROOT/members\" of target \"$DOCROOT/members/env.pcgi\" is writable by every user (mode 1777)")"
  chmod 2755 "$DOCROOT/members"
  get members/env.pcgi
  assert_eq "$cgi_status" 200 "a setgid folder only its owner writes"
}

@test "a program or folder owned by another user answers 500; this user's or root's runs" {
  chown 12345 "$DOCROOT/members/env.pcgi"
  get members/env.pcgi
  assert_refused_exactly 500 "$(unsafe "target \"$DOCROOT/members/env.pcgi\" is owned by uid 12345, neither this program's user (uid $(id -u)) nor root")"
  chown "$(id -u)" "$DOCROOT/members/env.pcgi"
  chown 12345 "$DOCROOT/members"
  get members/env.pcgi
  assert_refused_exactly 500 "$(unsafe "the folder \"$DOCROOT/members\" of target \"$DOCROOT/members/env.pcgi\" is owned by uid 12345, neither this program's user (uid $(id -u)) nor root")"
  chown "$(id -u)" "$DOCROOT/members"
  get members/env.pcgi
  assert_eq "$cgi_status" 200 status
}

@test "a setuid or setgid program answers 500 and is not run" {
  chmod 4755 "$DOCROOT/members/env.pcgi"
  get members/env.pcgi
  assert_refused_exactly 500 "target \"$DOCROOT/members/env.pcgi\" is setuid or setgid (mode 4755): gate.cgi never runs such a program (as suEXEC)"
  chmod 2755 "$DOCROOT/members/env.pcgi"
  get_apache members/env.pcgi
  assert_refused_exactly 500 "target \"$DOCROOT/members/env.pcgi\" is setuid or setgid (mode 2755): gate.cgi never runs such a program (as suEXEC)"
}

@test "a file that is served, not run, may be group-writable in a group-writable folder" {
  chmod 664 "$DOCROOT/members/page.txt"
  chmod 775 "$DOCROOT/members"
  get members/page.txt
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" $'page\n' body
}

# --- GATE_FOLLOW_SYMLINKS=1: a link never changes whose rules apply -----------

@test "with GATE_FOLLOW_SYMLINKS=1 a link to a file in another folder answers 500, in both forms" {
  ln -s staff/salaries.txt "$DOCROOT/members/report.txt"
  local line="target \"$DOCROOT/members/report.txt\" is a symbolic link into another folder (\"$DOCROOT/members/staff\"): GATE_FOLLOW_SYMLINKS=1 follows only a link to a file in the link's own folder"
  get members/report.txt GATE_FOLLOW_SYMLINKS=1
  assert_refused_exactly 500 "$line"
  get_apache members/report.txt GATE_FOLLOW_SYMLINKS=1
  assert_refused_exactly 500 "$line"
  ln -s ../page.txt "$DOCROOT/members/staff/up.txt"
  get members/staff/up.txt GATE_FOLLOW_SYMLINKS=1
  assert_refused_exactly 500 "target \"$DOCROOT/members/staff/up.txt\" is a symbolic link into another folder (\"$DOCROOT/members\"): GATE_FOLLOW_SYMLINKS=1 follows only a link to a file in the link's own folder"
}

@test "with GATE_FOLLOW_SYMLINKS=1 a folder that is a link is refused, its index too; a link within its folder is followed" {
  ln -s staff "$DOCROOT/members/docs"
  get members/docs/salaries.txt GATE_FOLLOW_SYMLINKS=1
  assert_refused_exactly 500 "target \"$DOCROOT/members/docs/salaries.txt\" is a symbolic link into another folder (\"$DOCROOT/members/staff\"): GATE_FOLLOW_SYMLINKS=1 follows only a link to a file in the link's own folder"
  printf 'STAFF-ONLY index\n' > "$DOCROOT/members/staff/index.html"
  get_apache members/docs/ GATE_FOLLOW_SYMLINKS=1
  assert_refused_exactly 500 "target \"$DOCROOT/members/docs/index.html\" is a symbolic link into another folder (\"$DOCROOT/members/staff\"): GATE_FOLLOW_SYMLINKS=1 follows only a link to a file in the link's own folder"
  ln -s page.txt "$DOCROOT/members/latest.txt"
  get members/latest.txt GATE_FOLLOW_SYMLINKS=1
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_body" $'page\n' body
}
