#!/usr/bin/env bats
# Which process the protected program runs in. On a Node with process.execve
# (22.15+, 23.11+) gate.cgi replaces itself with the program: the process the
# server started becomes the program, and nothing of the gate (nor its
# environment, which holds the key) stays behind. On older Node the program is
# the gate's child. Run under each Node the test layers use (test/run-all.sh):
# the node first on PATH is the one the programs' `#!/usr/bin/env node` finds.

load ../../helpers/cgi

setup_file() {
  export DOCROOT=$BATS_FILE_TMPDIR/www
  mkdir -p "$DOCROOT"
  # Prints its own process id and command line, its parent's, and whether the
  # parent's environment holds a key it could read.
  cat > "$DOCROOT/proc.pcgi" <<'SH'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
echo "pid=$$"
echo "cmdline=$(tr '\0' ' ' < /proc/$$/cmdline)"
echo "ppid=$PPID"
echo "parent=$(tr '\0' ' ' < /proc/$PPID/cmdline)"
if tr '\0' '\n' < /proc/$PPID/environ | grep -q '^SECRET_KEY='; then echo "parent_key=readable"; else echo "parent_key=none"; fi
echo "cwd=$(pwd)"
echo "REMOTE_USER=$REMOTE_USER AUTH_TYPE=$AUTH_TYPE"
SH
  # A pipeline whose first command outlives the reader: with SIGPIPE at its
  # default, `yes` ends quietly; with SIGPIPE ignored it logs "Broken pipe".
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nyes | head -n 2\nawk '"'"'/^SigIgn/ { print "sigign=" $2 }'"'"' /proc/$$/status\n' > "$DOCROOT/pipe.pcgi"
  # A script whose interpreter is itself a script.
  printf '#!/bin/sh\nexec /bin/sh "$@"\n' > "$DOCROOT/interp.sh"
  printf '#!%s\nprintf "Content-Type: text/plain\\r\\n\\r\\nnested\\n"\n' "$DOCROOT/interp.sh" > "$DOCROOT/nested.pcgi"
  # Saved with Windows line ends: the kernel looks for an interpreter "/bin/sh\r".
  printf '#!/bin/sh\r\nprintf "Content-Type: text/plain\\r\\n\\r\\ncrlf\\n"\r\n' > "$DOCROOT/crlf.pcgi"
  chmod 755 "$DOCROOT"/*.pcgi "$DOCROOT/interp.sh"
  # Whether this Node has process.execve (22.15+ and 23.11+), from its version number alone.
  local node=$CGI_NODE_DIR/node
  if node_at_least "$node" 23.11 || { node_at_least "$node" 22.15 && ! node_at_least "$node" 23.0; }; then
    export EXECVE=1
  else
    export EXECVE=0
  fi
}

setup() {
  TOKEN=$(cgi_token ann)
}

# Starts gate.cgi for NAME as lighttpd does (the target as its argument), in the
# background so that its process id is known: GATE_PID. Output in OUT and ERR.
gate_started() { # NAME [NAME=VALUE…]
  local name=$1
  shift
  OUT=$BATS_TEST_TMPDIR/out ERR=$BATS_TEST_TMPDIR/err
  env -i "${CGI_BASE_ENV[@]}" PATH="$CGI_PATH" SECRET_KEY="$CGI_KEY" HTTP_COOKIE="session=$TOKEN" \
    DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/$name" SCRIPT_NAME="/$name" REQUEST_URI="/$name" "$@" \
    "$CGI_BIN/gate.cgi" "$DOCROOT/$name" < /dev/null > "$OUT" 2> "$ERR" &
  GATE_PID=$!
  GATE_EXIT=0
  wait "$GATE_PID" || GATE_EXIT=$?
}

@test "on a Node with process.execve the program takes over gate.cgi's process; on older Node it is gate.cgi's child" {
  local me=$BASHPID
  gate_started proc.pcgi
  assert_eq "$GATE_EXIT" 0 "exit status"
  assert_eq "$(cat "$ERR")" "" stderr
  if [ "$EXECVE" = 1 ]; then
    # The process the server started is now /bin/sh running the program; its parent is the server (here, bats).
    assert_eq "$(cat "$OUT")" "$(printf 'Content-Type: text/plain\r\n\r\npid=%s\ncmdline=/bin/sh %s \nppid=%s\nparent=%s\nparent_key=none\ncwd=%s\nREMOTE_USER=ann AUTH_TYPE=Cookie' \
      "$GATE_PID" "$DOCROOT/proc.pcgi" "$me" "$(tr '\0' ' ' < /proc/$me/cmdline)" "$DOCROOT")" output
  else
    # gate.cgi (node) stays alive as the program's parent, with the key in its environment.
    assert_eq "$(cat "$OUT")" "$(printf 'Content-Type: text/plain\r\n\r\npid=%s\ncmdline=/bin/sh %s \nppid=%s\nparent=node %s %s \nparent_key=readable\ncwd=%s\nREMOTE_USER=ann AUTH_TYPE=Cookie' \
      "$(sed -n 's/^pid=//p' "$OUT")" "$DOCROOT/proc.pcgi" "$GATE_PID" "$CGI_BIN/gate.cgi" "$DOCROOT/proc.pcgi" "$DOCROOT")" output
    [ "$(sed -n 's/^pid=//p' "$OUT")" != "$GATE_PID" ]
  fi
}

@test "the program starts with SIGPIPE and SIGXFSZ at their defaults, so a shell pipeline ends quietly" {
  gate_started pipe.pcgi
  assert_eq "$GATE_EXIT" 0 "exit status"
  assert_eq "$(cat "$ERR")" "" "stderr (no Broken pipe)"
  assert_eq "$(sed -n '3,4p' "$OUT")" $'y\ny' body
  local sigign
  sigign=$(sed -n 's/^sigign=//p' "$OUT")
  assert_match "$sigign" '^[0-9a-f]{16}$' SigIgn
  assert_eq "$(( 0x$sigign & ((1 << 12) | (1 << 24)) ))" 0 "SIGPIPE and SIGXFSZ ignored"
}

@test "a program whose interpreter is itself a script runs" {
  gate_started nested.pcgi
  assert_eq "$GATE_EXIT" 0 "exit status"
  assert_eq "$(cat "$OUT")" $'Content-Type: text/plain\r\n\r\nnested' output
  assert_eq "$(cat "$ERR")" "" stderr
}

@test "a #! line with a carriage return (no such interpreter) answers 500 with one log line, never an abort" {
  gate_started crlf.pcgi
  assert_eq "$GATE_EXIT" 0 "exit status"
  assert_eq "$(cat "$OUT")" $'Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nInternal Server Error' output
  assert_eq "$(cat "$ERR")" "gate.cgi: cannot run target \"$DOCROOT/crlf.pcgi\" (ENOENT)" stderr
}
