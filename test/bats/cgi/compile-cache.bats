#!/usr/bin/env bats
# Node's compile cache (docs/performance.md): with NODE_COMPILE_CACHE naming a
# folder, Node 22.1+ keeps the programs' compiled code there and the next
# process starts from it; older Node ignores the variable. The answers are the
# same either way, a damaged cache entry is compiled again, and a folder that
# others can write gets one warning line. Run under each Node the test layers
# use (test/run-all.sh).

load ../../helpers/cgi

setup_file() {
  export DOCROOT=$BATS_FILE_TMPDIR/www
  mkdir -p "$DOCROOT"
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nhello %%s\\n" "$REMOTE_USER"\n' > "$DOCROOT/hello.pcgi"
  chmod 755 "$DOCROOT/hello.pcgi"
  # Whether this Node reads NODE_COMPILE_CACHE (22.1 and later), from its version number alone.
  NODE_VERSION=$("$CGI_NODE_DIR/node" --version)
  if node_at_least "$CGI_NODE_DIR/node" 22.1; then CACHES=1; else CACHES=0; fi
  export NODE_VERSION CACHES
}

setup() {
  CACHE=$BATS_TEST_TMPDIR/cache
  mkdir -m 700 "$CACHE"
  TOKEN=$(cgi_token ann)
}

gate_run() { # [NAME=VALUE…] — gate.cgi for hello.pcgi, as lighttpd runs it
  cgi_run gate.cgi --arg "$DOCROOT/hello.pcgi" DOCUMENT_ROOT="$DOCROOT" SCRIPT_FILENAME="$DOCROOT/hello.pcgi" \
    SCRIPT_NAME=/hello.pcgi REQUEST_URI=/hello.pcgi "$@"
}

# What Node left in CACHE: its one folder for this Node and user, and the files in it.
cache_files() {
  find "$CACHE" -mindepth 2 -type f | sort
}

expect_cache_filled() { # FILES — one entry per program that ran
  if [ "$CACHES" = 1 ]; then
    local folders
    folders=$(find "$CACHE" -mindepth 1 -maxdepth 1 -printf '%f\n')
    assert_match "$folders" "^${NODE_VERSION//./\\.}-[a-z0-9]+-[0-9a-f]{8}-$(id -u)\$" "the cache's folder"
    assert_eq "$(cache_files | wc -l)" "$1" "entries in the cache"
  else
    assert_eq "$(find "$CACHE" -mindepth 1)" "" "the cache folder (Node $NODE_VERSION ignores NODE_COMPILE_CACHE)"
  fi
}

@test "gate.cgi's redirect to login and whoami.cgi answer the same with the compile cache as without, and fill it (Node 22.1+)" {
  gate_run
  local want_gate=$cgi_headers$'\n\n'$cgi_body
  assert_eq "$cgi_status" 303 "gate without a session"
  cgi_run whoami.cgi HTTP_COOKIE="session=$TOKEN"
  local want_whoami=$cgi_headers$'\n\n'$cgi_body
  assert_eq "$cgi_status" 200 "whoami"

  local round
  for round in first second; do
    gate_run NODE_COMPILE_CACHE="$CACHE"
    assert_eq "$cgi_headers"$'\n\n'"$cgi_body" "$want_gate" "gate, $round run with the cache"
    assert_eq "$cgi_stderr" "" "gate's stderr, $round run"
    cgi_run whoami.cgi HTTP_COOKIE="session=$TOKEN" NODE_COMPILE_CACHE="$CACHE"
    assert_eq "$cgi_headers"$'\n\n'"$cgi_body" "$want_whoami" "whoami, $round run with the cache"
    assert_eq "$cgi_stderr" "" "whoami's stderr, $round run"
  done
  expect_cache_filled 2
}

@test "with a session the gate runs its program from a filled compile cache" {
  gate_run NODE_COMPILE_CACHE="$CACHE" # no session: fills the cache
  gate_run NODE_COMPILE_CACHE="$CACHE" HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_exit" 0 "exit status"
  assert_eq "$cgi_headers" "Content-Type: text/plain" headers
  assert_eq "$cgi_body" $'hello ann\n' body
  assert_eq "$cgi_stderr" "" stderr
  expect_cache_filled 1
}

@test "a damaged cache entry is compiled again: the same answer, nothing in the log" {
  gate_run NODE_COMPILE_CACHE="$CACHE"
  local want=$cgi_headers$'\n\n'$cgi_body f
  while read -r f; do head -c 4096 /dev/urandom > "$f"; done < <(cache_files)
  gate_run NODE_COMPILE_CACHE="$CACHE"
  assert_eq "$cgi_headers"$'\n\n'"$cgi_body" "$want" "the answer after the damage"
  assert_eq "$cgi_stderr" "" stderr
  gate_run NODE_COMPILE_CACHE="$CACHE" HTTP_COOKIE="session=$TOKEN"
  assert_eq "$cgi_body" $'hello ann\n' "the program, after the damage"
  assert_eq "$cgi_stderr" "" "stderr with a session"
  if [ "$CACHES" = 1 ]; then
    # Node wrote the entry again: it is no longer the 4096 random bytes.
    while read -r f; do [ "$(stat -c %s "$f")" != 4096 ] || { echo "$f was not rewritten" >&2; return 1; }; done < <(cache_files)
  fi
}

# warning WHERE WHO MODE — the warning line's text after "PROGRAM: ", or nothing on a Node that ignores the cache.
warning() {
  [ "$CACHES" = 1 ] || return 0
  printf 'NODE_COMPILE_CACHE %s is writable by %s (mode %s), who can then run code as this program: make it the web server user'"'"'s own folder, mode 0700' "$1" "$2" "$3"
}

@test "a compile cache folder every user may write gets one warning line (on a Node that reads it); the answer is the same" {
  chmod 777 "$CACHE"
  gate_run NODE_COMPILE_CACHE="$CACHE"
  assert_eq "$cgi_status" 303 status
  assert_eq "$cgi_stderr" "$(warning "\"$CACHE\"" "every user" 0777 | sed 's/^./gate.cgi: &/')" stderr
}

@test "a compile cache folder its group may write, or owned by another user, gets the warning too" {
  chmod 770 "$CACHE"
  cgi_run whoami.cgi HTTP_COOKIE="session=$TOKEN" NODE_COMPILE_CACHE="$CACHE"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "$(warning "\"$CACHE\"" "its group" 0770 | sed 's/^./whoami.cgi: &/')" "group-writable"
  chmod 700 "$CACHE"
  chown nobody "$CACHE"
  cgi_run whoami.cgi HTTP_COOKIE="session=$TOKEN" NODE_COMPILE_CACHE="$CACHE"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "$(warning "\"$CACHE\"" "uid $(id -u nobody)" 0700 | sed 's/^./whoami.cgi: &/')" "owned by nobody"
}

@test "a folder inside the cache that others may write (Node makes one per version under the server's umask) gets the warning" {
  local sub=$CACHE/v99.0.0-x64-00000000-$(id -u)
  mkdir -m 777 "$sub"
  chmod 777 "$sub" # past the umask
  cgi_run whoami.cgi HTTP_COOKIE="session=$TOKEN" NODE_COMPILE_CACHE="$CACHE"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "$(warning "folder \"$sub\"" "every user" 0777 | sed 's/^./whoami.cgi: &/')" "a world-writable version folder"
  chmod 775 "$sub"
  cgi_run whoami.cgi HTTP_COOKIE="session=$TOKEN" NODE_COMPILE_CACHE="$CACHE"
  assert_eq "$cgi_stderr" "$(warning "folder \"$sub\"" "its group" 0775 | sed 's/^./whoami.cgi: &/')" "a group-writable version folder"
  chmod 700 "$sub"
  cgi_run whoami.cgi HTTP_COOKIE="session=$TOKEN" NODE_COMPILE_CACHE="$CACHE"
  assert_eq "$cgi_stderr" "" "mode 0700"
}

@test "the program's own folder, mode 0700, and a folder Node has yet to make get no warning" {
  gate_run NODE_COMPILE_CACHE="$CACHE"
  assert_eq "$cgi_stderr" "" "mode 0700"
  gate_run NODE_COMPILE_CACHE="$BATS_TEST_TMPDIR/not-yet"
  assert_eq "$cgi_status" 303 status
  assert_eq "$cgi_stderr" "" "a folder not made yet"
}
