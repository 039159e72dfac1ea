#!/usr/bin/env bats
# `dbbasic-sessions setup-site` (docs/command-line.md): run by a site's owner, an account
# without root (test/helpers/site-owner.bash), from a copy of the repository, it installs
# the programs, ~/.dbbasic-sessions and the .htaccess, changes only what is missing or
# outdated, and with --dry-run nothing.

load ../../helpers/cgi
load ../../helpers/site-owner

setup_file() {
  owner_setup
  # Node 22 reads NODE_COMPILE_CACHE: a copy the owner can run (the clone may be private).
  install -d -m 755 "$OWNER_ROOT/node22"
  install -m 755 "$TEST_REPO/node_modules/node22/bin/node" "$OWNER_ROOT/node22/node"
  # The PATH the owner runs the command with: suEXEC's safe PATH, where the system's Node is (one
  # that ignores NODE_COMPILE_CACHE: the last test runs Node 22), whichever Node this layer tests.
  OWNER_PATH=/usr/local/bin:/usr/bin:/bin
  export OWNER_PATH
}

teardown_file() {
  owner_teardown
}

setup() {
  owner_fresh_home
  DIR=$OWNER_HOME/.dbbasic-sessions
  SITE=$OWNER_HOME/public_html
  NODE=$(PATH=$OWNER_PATH node -p process.execPath)
}

# setup_site [ARGS…]: the command as the owner, with only PATH set (as from a login shell's cron or ssh).
setup_site() {
  run --separate-stderr as_owner env -i PATH="$OWNER_PATH" "$OWNER_REPO/bin/dbbasic-sessions" setup-site "$@"
}

# Every file under the home: type and mode, owner, size, modification time, path.
listing() {
  (cd "$OWNER_HOME" && find . -printf '%M %U %s %T@ %p\n' | sort -k5)
}

# The template with the prefix filled in.
htaccess_for() { # PREFIX — the template filled in: @PREFIX_RE@ with "." and "+" escaped for Apache's m#…#
  local re
  re=$(printf '%s' "$1" | sed 's/[.+]/\\\\&/g')
  sed -e "s|@PREFIX_RE@|$re|g" -e "s|@PREFIX@|$1|g" "$OWNER_REPO/examples/htaccess/site.htaccess"
}

@test "as root it refuses (exit 2) and creates nothing" {
  run --separate-stderr env -i PATH="$CGI_PATH" "$OWNER_REPO/bin/dbbasic-sessions" setup-site --dry-run
  assert_eq "$status" 2 "exit status"
  assert_eq "$stderr" "dbbasic-sessions setup-site: refused as root: run it as the site's owner, in their own account (it sets up that account's site)" stderr
  assert_eq "$output" "" stdout
}

@test "the first run installs the programs, ~/.dbbasic-sessions with a new key and the .htaccess, one line per action" {
  setup_site
  assert_eq "$status" 0 "exit status"
  assert_eq "$stderr" "" stderr
  expected="created $DIR (0700)
created $DIR/settings (0600) with a new key
created $DIR/htpasswd (0600, empty)
created $DIR/revoked (0600, empty)
created $SITE (0755)
created $SITE/cgi-bin (0755)
installed $SITE/cgi-bin/whoami.cgi (0755, #!$NODE)
installed $SITE/cgi-bin/login.cgi (0755, #!$NODE)
installed $SITE/cgi-bin/logout.cgi (0755, #!$NODE)
installed $SITE/cgi-bin/gate.cgi (0755, #!$NODE)
wrote $SITE/.htaccess (0644)
next: add a user with \`htpasswd -B $DIR/htpasswd USER\`, then log in at /~dbbsite/cgi-bin/login.cgi"
  assert_eq "$output" "$expected" stdout
  assert_eq "$(cd "$OWNER_HOME" && find . -printf '%M %U %p\n' | sort -k3)" "drwx--x--x $OWNER_UID .
drwx------ $OWNER_UID ./.dbbasic-sessions
-rw------- $OWNER_UID ./.dbbasic-sessions/htpasswd
-rw------- $OWNER_UID ./.dbbasic-sessions/revoked
-rw------- $OWNER_UID ./.dbbasic-sessions/settings
drwxr-xr-x $OWNER_UID ./public_html
-rw-r--r-- $OWNER_UID ./public_html/.htaccess
drwxr-xr-x $OWNER_UID ./public_html/cgi-bin
-rwxr-xr-x $OWNER_UID ./public_html/cgi-bin/gate.cgi
-rwxr-xr-x $OWNER_UID ./public_html/cgi-bin/login.cgi
-rwxr-xr-x $OWNER_UID ./public_html/cgi-bin/logout.cgi
-rwxr-xr-x $OWNER_UID ./public_html/cgi-bin/whoami.cgi" files
  for p in whoami login logout gate; do
    assert_eq "$(head -n1 "$SITE/cgi-bin/$p.cgi")" "#!$NODE" "$p.cgi first line"
    cmp <(tail -n +2 "$SITE/cgi-bin/$p.cgi") <(tail -n +2 "$OWNER_REPO/cgi-bin/$p.cgi")
  done
  assert_eq "$(cat "$SITE/.htaccess")" "$(htaccess_for /~dbbsite)" .htaccess
  assert_match "$(grep -v '^#' "$DIR/settings")" "^SECRET_KEY=[0-9a-f]{64}
HTPASSWD_FILE=~/.dbbasic-sessions/htpasswd
SESSION_REVOKED_FILE=~/.dbbasic-sessions/revoked
LOGIN_URL=/~dbbsite/cgi-bin/login.cgi
LOGOUT_URL=/~dbbsite/cgi-bin/logout.cgi\$" settings
  # The installed program, with only CGI variables, takes the key and HTPASSWD_FILE (still empty) from the settings file.
  key=$(sed -n 's/^SECRET_KEY=//p' "$DIR/settings")
  run -0 --separate-stderr as_owner env -i REQUEST_METHOD=GET REMOTE_ADDR=192.0.2.7 HTTP_COOKIE="session=$(SECRET_KEY=$key cli create ann)" "$SITE/cgi-bin/whoami.cgi"
  assert_eq "$stderr" 'whoami.cgi: session of user "ann" refused: its user is not in HTPASSWD_FILE (from 192.0.2.7)' "whoami.cgi log"
  assert_eq "$output" $'Status: 401 Unauthorized\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n{"error":"no valid session"}' "whoami.cgi reply"
}

@test "a second run changes nothing and keeps the key" {
  setup_site
  before=$(listing)
  setup_site
  assert_eq "$status" 0 "exit status"
  assert_eq "$output" "nothing to do: $SITE and $DIR are set up" stdout
  assert_eq "$stderr" "" stderr
  assert_eq "$(listing)" "$before" "files, sizes and times"
}

@test "a rerun updates an outdated program and fixes a mode, and only those" {
  setup_site
  echo '// an older version' >> "$SITE/cgi-bin/gate.cgi"
  chmod 700 "$SITE/cgi-bin/whoami.cgi"
  key_before=$(cat "$DIR/settings")
  setup_site
  assert_eq "$status" 0 "exit status"
  assert_eq "$output" "set mode 0755 on $SITE/cgi-bin/whoami.cgi
updated $SITE/cgi-bin/gate.cgi (0755, #!$NODE)" stdout
  cmp <(tail -n +2 "$SITE/cgi-bin/gate.cgi") <(tail -n +2 "$OWNER_REPO/cgi-bin/gate.cgi")
  assert_eq "$(stat -c '%a %u' "$SITE/cgi-bin/gate.cgi" "$SITE/cgi-bin/whoami.cgi")" "755 $OWNER_UID
755 $OWNER_UID" modes
  assert_eq "$(cat "$DIR/settings")" "$key_before" "settings file"
}

@test "a rerun takes write access away from a private folder's group and others, and leaves 0711 alone" {
  setup_site
  chmod 775 "$DIR"
  setup_site
  assert_eq "$output" "set mode 0755 on $DIR" stdout
  chmod 711 "$DIR"
  setup_site
  assert_eq "$output" "nothing to do: $SITE and $DIR are set up" stdout
  assert_eq "$(stat -c '%a' "$DIR")" 711 "folder mode"
}

@test "an existing .htaccess is left alone and the lines to add are printed" {
  install -d -m 755 -o "$OWNER_UID" -g "$OWNER_GID" "$SITE"
  printf '# my own rules\nDirectoryIndex index.html\n' > "$SITE/.htaccess"
  chown "$OWNER_UID:$OWNER_GID" "$SITE/.htaccess"
  setup_site
  assert_eq "$status" 0 "exit status"
  assert_eq "$(cat "$SITE/.htaccess")" $'# my own rules\nDirectoryIndex index.html' .htaccess
  want="$SITE/.htaccess exists and is left alone: add these lines to it
$(htaccess_for /~dbbsite | sed 's/^/    /')"
  assert_eq "$(sed -n "/exists and is left alone/,/^    <\/FilesMatch>/p" <<<"$output")" "$want" "printed lines"
  # Once the lines are in it, nothing more is said about it.
  htaccess_for /~dbbsite >> "$SITE/.htaccess"
  setup_site
  assert_eq "$output" "nothing to do: $SITE and $DIR are set up" stdout
}

@test "an existing settings file is left alone, and what it lacks is reported" {
  install -d -m 700 -o "$OWNER_UID" -g "$OWNER_GID" "$DIR"
  printf 'SESSION_TTL=3600\nHTPASSWD_FILE=/elsewhere/htpasswd\n' > "$DIR/settings"
  chown "$OWNER_UID:$OWNER_GID" "$DIR/settings"
  chmod 600 "$DIR/settings"
  setup_site
  assert_eq "$status" 0 "exit status"
  assert_eq "$(cat "$DIR/settings")" $'SESSION_TTL=3600\nHTPASSWD_FILE=/elsewhere/htpasswd' settings
  assert_eq "$(head -n 2 <<<"$output")" "$DIR/settings has no SECRET_KEY or SECRET_KEY_FILE line: add SECRET_KEY=<the output of \`dbbasic-sessions keygen\`>
$DIR/settings has no SESSION_REVOKED_FILE line: add SESSION_REVOKED_FILE=~/.dbbasic-sessions/revoked" "reported lines"
}

@test "a settings file that cannot be used stops it (exit 1), naming the line" {
  install -d -m 700 -o "$OWNER_UID" -g "$OWNER_GID" "$DIR"
  printf 'SECRET_KEY=x\nSESION_TTL=60\n' > "$DIR/settings"
  chown "$OWNER_UID:$OWNER_GID" "$DIR/settings"
  chmod 600 "$DIR/settings"
  setup_site
  assert_eq "$status" 1 "exit status"
  assert_eq "$stderr" "dbbasic-sessions setup-site: settings file \"$DIR/settings\" line 2: unknown setting \"SESION_TTL\" (the names are those of README, \"Configuration\")" stderr
}

@test "--dry-run prints what it would do and changes nothing" {
  before=$(listing)
  setup_site --dry-run
  assert_eq "$status" 0 "exit status"
  assert_eq "$(listing)" "$before" "files on a fresh home"
  assert_eq "$(wc -l <<<"$output")" 11 "lines"
  assert_eq "$(grep -vc '^would ' <<<"$output")" 0 "lines not starting with 'would '"
  assert_eq "$(sed -n 1p <<<"$output")" "would create $DIR (0700)" "first line"
  # On a site set up before, with one program outdated.
  setup_site
  echo '// older' >> "$SITE/cgi-bin/login.cgi"
  before=$(listing)
  setup_site --dry-run
  assert_eq "$output" "would update $SITE/cgi-bin/login.cgi (0755, #!$NODE)" stdout
  assert_eq "$(listing)" "$before" "files on a set-up home"
}

@test "--site and --prefix set where the site is and the address it is served at" {
  setup_site --site "$OWNER_HOME/www" --prefix /members-site
  assert_eq "$status" 0 "exit status"
  assert_eq "$(cat "$OWNER_HOME/www/.htaccess")" "$(htaccess_for /members-site)" .htaccess
  assert_eq "$(grep -c '^Action dbbasic-gate /members-site/cgi-bin/gate.cgi$' "$OWNER_HOME/www/.htaccess")" 1 "Action line"
  assert_eq "$(grep '_URL=' "$DIR/settings")" $'LOGIN_URL=/members-site/cgi-bin/login.cgi\nLOGOUT_URL=/members-site/cgi-bin/logout.cgi' "URL settings"
  [ -x "$OWNER_HOME/www/cgi-bin/gate.cgi" ]
  [ ! -e "$SITE" ]
}

@test "usage mistakes exit 2 and change nothing" {
  before=$(listing)
  setup_site --prefix site/
  assert_eq "$status" 2 "exit status"
  assert_eq "$stderr" "dbbasic-sessions setup-site: --prefix \"site/\": give the site's URL path, like /~dbbsite or /site (no trailing slash), or \"\" for /" stderr
  setup_site --force
  assert_eq "$status" 2 "exit status"
  assert_eq "$stderr" "dbbasic-sessions setup-site: unknown argument \"--force\"" stderr
  setup_site --site
  assert_eq "$status" 2 "exit status"
  assert_eq "$stderr" "dbbasic-sessions setup-site: --site takes a value" stderr
  assert_eq "$(listing)" "$before" files
}

@test "a copy of the repository without the built programs is a failure (exit 1)" {
  broken=$OWNER_ROOT/broken-repo
  rm -rf "$broken"
  cp -a "$OWNER_REPO" "$broken"
  rm "$broken/cgi-bin/gate.cgi"
  run --separate-stderr as_owner env -i PATH="$CGI_PATH" "$broken/bin/dbbasic-sessions" setup-site
  assert_eq "$status" 1 "exit status"
  assert_eq "$stderr" "dbbasic-sessions setup-site: cannot read \"$broken/cgi-bin/gate.cgi\" (ENOENT): run the dbbasic-sessions of a copy of the repository, built with \`make build\`" stderr
  assert_eq "$(ls -A "$OWNER_HOME")" "" "home"
}

@test "with a Node that reads the compile cache, the first line sets NODE_COMPILE_CACHE to ~/.dbbasic-sessions/cache (0700)" {
  run --separate-stderr as_owner env -i PATH="$CGI_PATH" "$OWNER_ROOT/node22/node" "$OWNER_REPO/bin/dbbasic-sessions" setup-site
  assert_eq "$status" 0 "exit status"
  line="#!/usr/bin/env -S NODE_COMPILE_CACHE=$DIR/cache $OWNER_ROOT/node22/node"
  assert_eq "$(sed -n 2p <<<"$output")" "created $DIR/cache (0700)" "second line"
  for p in whoami login logout gate; do assert_eq "$(head -n1 "$SITE/cgi-bin/$p.cgi")" "$line" "$p.cgi first line"; done
  assert_eq "$(stat -c '%a' "$DIR/cache")" 700 "cache mode"
  # The kernel runs the #! line (coreutils env -S): the program answers, and Node fills the cache.
  run -0 as_owner env -i REQUEST_METHOD=GET "$SITE/cgi-bin/whoami.cgi"
  assert_match "$output" $'^Status: 401 Unauthorized\r\n' "whoami.cgi reply"
  assert_eq "$(find "$DIR/cache" -type f | wc -l)" 1 "compiled files in the cache"
}
