# test/helpers/cgi.bash — run a bundle as a CGI process (RFC 3875) with a
# crafted environment and stdin, and split what it wrote.
#
#   load ../../helpers/cgi
#   cgi_run whoami.cgi HTTP_COOKIE="session=$(cgi_token ann)"
#   assert_eq "$cgi_status" 200
#   assert_eq "$(cgi_header Content-Type)" application/json
#
# cgi_run PROGRAM [NAME=VALUE…] [OPTIONS]   (options and variables in any order)
#   PROGRAM   a file name in $CGI_BIN (default: the repo's cgi-bin/), or a path with a "/".
#   NAME=VALUE  environment variables, applied over the base environment below
#             (a later one wins; NAME= sets an empty value).
#   --body STRING   stdin is STRING; CONTENT_LENGTH is set to its length in bytes
#                   unless a CONTENT_LENGTH=… is given
#   --stdin FILE    stdin is FILE (no CONTENT_LENGTH is set for you)
#   --unset NAME    remove NAME from the base environment (e.g. --unset SECRET_KEY)
#   --arg ARG       a command-line argument for PROGRAM (repeatable; lighttpd's gate form)
#   Without --body/--stdin, stdin is empty (/dev/null).
#
# The process runs under `env -i`: only the base environment and the given
# variables. Base environment (the array CGI_BASE_ENV; a test may change it):
#   GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 SERVER_SOFTWARE=bats
#   SERVER_NAME=www.example.test SERVER_PORT=80 HTTP_HOST=www.example.test
#   REQUEST_METHOD=GET QUERY_STRING= REMOTE_ADDR=192.0.2.7
#   SCRIPT_NAME=/cgi-bin/PROGRAM REQUEST_URI=/cgi-bin/PROGRAM
#   PATH=/usr/local/bin:/usr/bin:/bin (plus node's folder)   SECRET_KEY=$CGI_KEY
# CGI_KEY is a random 64-hex key made when this file is loaded (exported).
#
# After cgi_run:
#   cgi_exit          the exit status
#   cgi_status        the Status header's code ("303"); cgi_status_line the whole value
#   cgi_headers       the header block, one "Name: value" a line, CR removed
#   cgi_body          the body (text; use $CGI_STDOUT_FILE for bytes)
#   cgi_stderr        everything written to stderr; cgi_stderr_lines its line count
#   CGI_STDOUT_FILE / CGI_STDERR_FILE   the raw output files
#   cgi_header NAME   every value of header NAME (case-insensitive), one a line;
#                     exit status 1 when there is none
#   cgi_header_count NAME   how many NAME headers there are
#   CGI_PROGRAM       the program's file name ("login.cgi")
#
# cgi_expect_refused STATUS LOG_REGEX   the last run was refused the plain way
#   (reply.ts textReply): Status STATUS, text/plain, Cache-Control: no-store, body
#   "<reason phrase>\n", no Set-Cookie, exactly one stderr line matching
#   "^PROGRAM: LOG_REGEX".
#
# Also: cgi_token USER [TTL]  a token signed with CGI_KEY (via the built CLI),
# and everything in common.bash (assert_eq, assert_match, cli, token_expires…).

CGI_HELPER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$CGI_HELPER_DIR/common.bash"

: "${CGI_BIN:=$TEST_REPO/cgi-bin}"
if [ -z "${CGI_KEY:-}" ]; then
  CGI_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
fi
export CGI_KEY

CGI_PATH=/usr/local/bin:/usr/bin:/bin
CGI_NODE_DIR=$(dirname "$(command -v node)")
[[ ":$CGI_PATH:" == *":$CGI_NODE_DIR:"* ]] || CGI_PATH=$CGI_NODE_DIR:$CGI_PATH

# cgi_unprivileged_path DIR — the PATH for a program run as nobody (through setpriv, as root).
# When nobody cannot run this node (it sits in a folder only its owner may enter: node_modules
# of a clone in root's home), a copy of it goes into DIR/node-bin, which comes first: else
# `#!/usr/bin/env node` would quietly find another Node. DIR is the caller's to remove.
cgi_unprivileged_path() {
  if [ "$(id -u)" -ne 0 ] || setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$CGI_NODE_DIR/node"; then
    printf '%s\n' "$CGI_PATH"
    return
  fi
  mkdir -p "$1/node-bin"
  [ -x "$1/node-bin/node" ] || cp "$CGI_NODE_DIR/node" "$1/node-bin/node"
  chmod 755 "$1" "$1/node-bin" "$1/node-bin/node"
  printf '%s\n' "$1/node-bin:$CGI_PATH"
}

CGI_BASE_ENV=(
  GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 SERVER_SOFTWARE=bats
  SERVER_NAME=www.example.test SERVER_PORT=80 HTTP_HOST=www.example.test
  REQUEST_METHOD=GET QUERY_STRING= REMOTE_ADDR=192.0.2.7
)

cgi_run() {
  local body= have_body= stdin=/dev/null program= path name
  local -a unset=() args=() vars=() given=()
  while [ $# -gt 0 ]; do
    case $1 in
      --body) body=$2 have_body=1; shift 2 ;;
      --stdin) stdin=$2; shift 2 ;;
      --unset) unset+=("$2"); shift 2 ;;
      --arg) args+=("$2"); shift 2 ;;
      *=*) given+=("$1"); shift ;;
      *) [ -z "$program" ] || { echo "cgi_run: two programs: $program, $1" >&2; return 2; }
         program=$1; shift ;;
    esac
  done
  [ -n "$program" ] || { echo "cgi_run: no program" >&2; return 2; }
  if [[ $program == */* ]]; then path=$program; else path=$CGI_BIN/$program; fi
  name=$(basename "$program")
  CGI_PROGRAM=$name

  vars=("${CGI_BASE_ENV[@]}" "SCRIPT_NAME=/cgi-bin/$name" "REQUEST_URI=/cgi-bin/$name" "PATH=$CGI_PATH")
  [ -z "$CGI_KEY" ] || vars+=("SECRET_KEY=$CGI_KEY")
  if [ -n "$have_body" ]; then
    stdin=$(mktemp "${BATS_TEST_TMPDIR:-/tmp}/cgi-stdin.XXXXXX")
    printf '%s' "$body" > "$stdin"
    vars+=("CONTENT_LENGTH=$(wc -c < "$stdin" | tr -d ' ')")
  fi
  vars+=("${given[@]}")
  local -a kept=()
  local v u drop
  for v in "${vars[@]}"; do
    drop=
    for u in "${unset[@]}"; do [ "${v%%=*}" != "$u" ] || drop=1; done
    [ -n "$drop" ] || kept+=("$v")
  done

  CGI_STDOUT_FILE=$(mktemp "${BATS_TEST_TMPDIR:-/tmp}/cgi-stdout.XXXXXX")
  CGI_STDERR_FILE=$(mktemp "${BATS_TEST_TMPDIR:-/tmp}/cgi-stderr.XXXXXX")
  cgi_exit=0
  env -i "${kept[@]}" "$path" "${args[@]}" < "$stdin" > "$CGI_STDOUT_FILE" 2> "$CGI_STDERR_FILE" || cgi_exit=$?
  _cgi_split
}

# Splits stdout at the first empty line (CRLF or LF) into header block and body.
_cgi_split() {
  local out crlf lf head sep
  out=$(cat "$CGI_STDOUT_FILE"; printf x)
  out=${out%x}
  crlf=${out%%$'\r\n\r\n'*}
  lf=${out%%$'\n\n'*}
  if [ ${#crlf} -le ${#lf} ] && [ "$crlf" != "$out" ]; then head=$crlf sep=4; else head=$lf sep=2; fi
  if [ "$head" == "$out" ]; then
    cgi_headers=${out//$'\r'/} cgi_body=
  else
    cgi_headers=${head//$'\r'/}
    cgi_body=${out:$((${#head} + sep))}
  fi
  cgi_status_line=$(cgi_header Status | head -n1)
  cgi_status=${cgi_status_line%% *}
  cgi_stderr=$(cat "$CGI_STDERR_FILE")
  cgi_stderr_lines=$(wc -l < "$CGI_STDERR_FILE" | tr -d ' ')
}

cgi_header() {
  local values
  values=$(sed -n "s/^$1:[[:space:]]*//Ip" <<<"$cgi_headers")
  [ -n "$values" ] || return 1
  printf '%s\n' "$values"
}

cgi_header_count() {
  grep -ci "^$1:" <<<"$cgi_headers"
}

cgi_expect_refused() {
  assert_eq "$cgi_status" "$1" status
  assert_eq "$(cgi_header Content-Type)" 'text/plain; charset=utf-8' Content-Type
  assert_eq "$(cgi_header Cache-Control)" no-store Cache-Control
  assert_eq "$cgi_body" "${cgi_status_line#* }"$'\n' body
  run -1 cgi_header Set-Cookie
  assert_eq "$cgi_stderr_lines" 1 "stderr lines"
  assert_match "$cgi_stderr" "^${CGI_PROGRAM//./\\.}: $2" stderr
}

cgi_token() {
  SECRET_KEY=$CGI_KEY cli create "$1" ${2:+--ttl "$2"}
}
