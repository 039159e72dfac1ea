# test/helpers/site-owner.bash — a site's owner on shared hosting: an account
# without root whose home the test controls. The programs find the settings file
# through the password database (never HOME), so the account is real to them: each
# command runs in a private mount namespace where copies of /etc/passwd and
# /etc/group, holding the account, are bind-mounted over the real ones, then as
# that account (setpriv). Nothing outside the namespace changes; the namespace ends
# with the command. Needs root (unshare, mount, setpriv).
#
#   load ../../helpers/site-owner
#   setup_file() { owner_setup; }      teardown_file() { owner_teardown; }
#   setup() { owner_fresh_home; }
#
#   owner_setup        OWNER_ROOT (a world-readable temp folder), OWNER_NAME, OWNER_UID,
#                      OWNER_GID, OWNER_HOME ($OWNER_ROOT/home/$OWNER_NAME), and
#                      OWNER_REPO: a world-readable copy of what the owner's clone
#                      holds (bin/, cgi-bin/*.cgi, examples/htaccess/site.htaccess),
#                      since a test may not need another user to read the clone
#   owner_fresh_home   an empty home, the owner's, mode 0711
#   as_owner CMD…      runs CMD as the owner, with the caller's environment
#   owner_wrapper PROGRAM   prints the path of a script that runs $OWNER_REPO/cgi-bin/PROGRAM
#                      as the owner, keeping the environment it is given: a program
#                      for cgi_run (test/helpers/cgi.bash), which runs it under env -i
#   owner_teardown     removes OWNER_ROOT

owner_setup() {
  [ "$(id -u)" -eq 0 ] || { echo "site-owner.bash: must run as root (unshare, mount, setpriv)" >&2; return 1; }
  OWNER_ROOT=$(mktemp -d /tmp/dbbasic-owner.XXXXXX)
  chmod 755 "$OWNER_ROOT"
  OWNER_NAME=dbbsite
  OWNER_UID=61000
  while getent passwd "$OWNER_UID" >/dev/null || getent group "$OWNER_UID" >/dev/null; do OWNER_UID=$((OWNER_UID + 1)); done
  OWNER_GID=$OWNER_UID
  OWNER_HOME=$OWNER_ROOT/home/$OWNER_NAME
  mkdir -p "$OWNER_ROOT/home"
  chmod 755 "$OWNER_ROOT/home"
  { cat /etc/passwd; echo "$OWNER_NAME:x:$OWNER_UID:$OWNER_GID:site owner:$OWNER_HOME:/bin/sh"; } > "$OWNER_ROOT/passwd"
  { cat /etc/group; echo "$OWNER_NAME:x:$OWNER_GID:"; } > "$OWNER_ROOT/group"
  chmod 644 "$OWNER_ROOT/passwd" "$OWNER_ROOT/group"
  OWNER_REPO=$OWNER_ROOT/repo
  mkdir -p "$OWNER_REPO/bin" "$OWNER_REPO/cgi-bin" "$OWNER_REPO/examples/htaccess"
  cp "$TEST_REPO/bin/dbbasic-sessions" "$TEST_REPO/bin/package.json" "$OWNER_REPO/bin/"
  cp "$TEST_REPO"/cgi-bin/*.cgi "$OWNER_REPO/cgi-bin/"
  cp "$TEST_REPO/examples/htaccess/site.htaccess" "$OWNER_REPO/examples/htaccess/"
  chmod -R a+rX "$OWNER_REPO"
  mkdir -p "$OWNER_ROOT/wrappers"
  export OWNER_ROOT OWNER_NAME OWNER_UID OWNER_GID OWNER_HOME OWNER_REPO
}

owner_fresh_home() {
  rm -rf "$OWNER_HOME"
  mkdir -m 711 "$OWNER_HOME"
  chown "$OWNER_UID:$OWNER_GID" "$OWNER_HOME"
}

as_owner() {
  /usr/bin/unshare --mount --propagation private -- /bin/sh -c \
    'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && uid=$3 && shift 3 &&
     exec /usr/bin/setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$@"' \
    sh "$OWNER_ROOT/passwd" "$OWNER_ROOT/group" "$OWNER_UID" "$@"
}

owner_wrapper() {
  local wrapper=$OWNER_ROOT/wrappers/$1
  cat > "$wrapper" <<EOF
#!/bin/sh
exec /usr/bin/unshare --mount --propagation private -- /bin/sh -c 'mount --bind "\$1" /etc/passwd && mount --bind "\$2" /etc/group && shift 2 && exec /usr/bin/setpriv --reuid=$OWNER_UID --regid=$OWNER_GID --clear-groups -- "\$@"' sh "$OWNER_ROOT/passwd" "$OWNER_ROOT/group" "$OWNER_REPO/cgi-bin/$1" "\$@"
EOF
  chmod 755 "$wrapper"
  printf '%s\n' "$wrapper"
}

owner_teardown() {
  [ -z "${OWNER_ROOT:-}" ] || rm -rf "$OWNER_ROOT"
}
