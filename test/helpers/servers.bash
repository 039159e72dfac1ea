# test/helpers/servers.bash — real lighttpd and Apache httpd for bats tests.
#
# Servers are started FROM the shipped configs (examples/…), filled in only for
# the port and paths, on 127.0.0.1 and a free port, and stopped by PID.
#
#   load ../../helpers/servers
#   setup_file() {
#     site_init                        # fresh site folder under /tmp, readable by www-data
#     site_add_user ann 'ann-pass' -B  # a bcrypt user in the site's htpasswd (-m apr1, -s SHA)
#     start_lighttpd web               # examples/lighttpd/lighttpd.conf
#   }
#   teardown_file() { stop_servers; }
#   @test "…" { curl -s "$(server_url web)/cgi-bin/whoami.cgi"; }
#
# Site (site_init; all exported, so tests see them):
#   SITE            the folder (mktemp -d /tmp/dbs-XXXXXX, mode 755)
#   SITE_DOCROOT    $SITE/htdocs, document root, holds index.html
#   SITE_CGI_BIN    $SITE/cgi-bin, copies of the repo's cgi-bin/*.cgi
#   SITE_KEY        the key (64 hex), stored in SITE_KEY_FILE = $SITE/etc/session.key
#   SITE_HTPASSWD   $SITE/etc/htpasswd (empty until site_add_user)
#   SITE_GROUPS     $SITE/etc/groups, SITE_REVOKED $SITE/etc/revoked (both empty)
#   Key and htpasswd are mode 640, group www-data (when run as root), like a real install.
#
# Functions:
#   site_init                          create the site (call once per file, in setup_file)
#   site_add_user USER PASS [FLAG]     add USER to SITE_HTPASSWD with `htpasswd -b FLAG` (-B default)
#   site_install_htaccess              shared-hosting layout: programs in $SITE_DOCROOT/cgi-bin
#                                      (SITE_CGI_BIN moves there), a copy of login.cgi in
#                                      $SITE_DOCROOT/auth/, and examples/htaccess/.htaccess filled
#                                      in as $SITE_DOCROOT/.htaccess, examples/htaccess/members/.htaccess
#                                      as $SITE_DOCROOT/members/.htaccess (the members area), and
#                                      examples/htaccess/members/staff/.htaccess in members/staff/
#   site_render TEMPLATE OUT NAME      fill a template's placeholders for instance NAME:
#                                        @PORT@ @DOCROOT@ @CGI_BIN@ @KEY_FILE@ @HTPASSWD@ @LOG_DIR@ @RUN_DIR@
#                                        @GROUPS@ @REVOKED@ @AUTHORIZER_PORT@ (start_authorizer's port)
#   start_lighttpd NAME [TEMPLATE]     lighttpd -D -f (default examples/lighttpd/lighttpd.conf)
#   start_apache NAME [TEMPLATE]       apache2 -DFOREGROUND -f (default examples/apache/httpd.conf)
#   start_authorizer [VAR=VALUE…]      authorizer.fcgi as a service, as the systemd units in examples/systemd/
#                                      run it: a listening socket on 127.0.0.1:PORT handed over as fd 0,
#                                      as www-data (when root), with SECRET_KEY_FILE, HTPASSWD_FILE and
#                                      SESSION_REVOKED_FILE (and VAR=VALUE…) as its environment; instance
#                                      "authorizer" (its port fills @AUTHORIZER_PORT@, kept when started
#                                      again; its stderr is $SITE/srv/authorizer/log/error.log)
#   start_apache_htaccess NAME [if-exists]
#                                      shared hosting: the "Server basics" of examples/apache/httpd.conf
#                                      + test/helpers/shared-hosting.conf (AllowOverride All on
#                                      the document root) + the host's PHP (php_fpm_apache_conf, with
#                                      start_php_fpm); call site_install_htaccess first
#   start_php_fpm                      Debian's php-fpm (package php-fpm) as www-data, instance "php-fpm":
#                                      its pool on PHP_FPM_SOCKET ($SITE/srv/php-fpm/run/php.sock), its log
#                                      $SITE/srv/php-fpm/log/error.log; does nothing when already started
#   php_fpm_apache_conf [if-exists]    the lines a host has to hand *.php to that php-fpm: the proxy
#                                      modules, then Debian's conf-available/phpX.Y-fpm.conf as shipped
#                                      but for the socket's path; "if-exists" wraps its SetHandler in
#                                      <If "-f %{REQUEST_FILENAME}">, the variant that file recommends
#   start_apache_php NAME [TEMPLATE] [if-exists]
#                                      start_php_fpm, then start_apache with php_fpm_apache_conf appended
#                                      (a server-level PHP handler, as Debian's a2enconf phpX.Y-fpm adds)
#   server_port NAME / server_url NAME the instance's port / http://127.0.0.1:PORT
#   server_pid NAME                    its PID
#   server_error_log NAME              paths of its error logs, one a line: error.log, plus
#                                      cgi-error.log for lighttpd, where CGI stderr goes
#                                      (Apache writes CGI stderr to error.log); `cat $(server_error_log web)`
#   server_log_wait NAME REGEX         wait (wait_until: up to WAIT_SECONDS, 60) until an error log has
#                                      a line matching the extended REGEX; prints the logs and fails otherwise
#   stop_server NAME                   stop one instance (TERM, then KILL after 10 s)
#   stop_servers                       stop every instance and remove $SITE (teardown_file)
#   server_logs_if_failed              after a failed test, print every instance's logs (error, access,
#                                      CGI, stdout; last 40 lines each) and the files in SERVER_LOG_FILES
#                                      to stderr, which bats shows with the failure. It is the teardown
#                                      of every file that loads this one and defines none of its own.
#
# HTTP with curl (the response as the server passes it through):
#   http_request [CURL ARGS…] URL      sets http_status (e.g. 303) and http_body; headers are
#                                      read with http_header NAME (every value, one a line,
#                                      case-insensitive name; status 1 when absent).
#                                      e.g. http_request -c "$jar" -b "$jar" -d 'a=b' "$url"
#
# Several instances may run at once (distinct NAMEs, e.g. two lighttpd for key
# rotation). Each has its own folder $SITE/srv/NAME/ {conf, port, pid, log/, run/}.
# For one instance only, a path can be changed by prefixing the call, e.g.
#   SITE_KEY_FILE=$SITE/etc/new.key start_lighttpd b
# and SERVER_EXTRA_CONF, when set, is text appended to the filled-in config,
# e.g. SERVER_EXTRA_CONF='SetEnv SECRET_KEY_FALLBACKS "…"' start_apache old, or for
# lighttpd SERVER_EXTRA_CONF='setenv.add-environment += ( "SECRET_KEY_FALLBACKS" => "…" )'.
# Each server runs in a session of its own (setsid): Apache signals its whole
# process group when stopped. Also loads common.bash (assert_eq, cli, …).

SERVERS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$SERVERS_REPO/test/helpers/common.bash"

site_init() {
  SITE=$(mktemp -d /tmp/dbs-XXXXXX)
  chmod 755 "$SITE"
  SITE_DOCROOT=$SITE/htdocs
  SITE_CGI_BIN=$SITE/cgi-bin
  SITE_KEY_FILE=$SITE/etc/session.key
  SITE_HTPASSWD=$SITE/etc/htpasswd
  SITE_GROUPS=$SITE/etc/groups
  SITE_REVOKED=$SITE/etc/revoked
  # Node's compile cache (docs/performance.md): the server's user's own folder, mode 0700.
  SITE_COMPILE_CACHE=$SITE/var/compile-cache
  mkdir -p "$SITE_DOCROOT" "$SITE_CGI_BIN" "$SITE/etc" "$SITE/srv" "$SITE_COMPILE_CACHE"
  chmod 755 "$SITE/var"
  chmod 700 "$SITE_COMPILE_CACHE"
  [ "$(id -u)" -ne 0 ] || chown www-data:www-data "$SITE_COMPILE_CACHE"
  chmod 755 "$SITE_DOCROOT" "$SITE_CGI_BIN" "$SITE/etc" "$SITE/srv"
  printf '<!doctype html><title>home</title><p>home</p>\n' > "$SITE_DOCROOT/index.html"
  cp "$SERVERS_REPO"/cgi-bin/*.cgi "$SERVERS_REPO"/cgi-bin/*.fcgi "$SITE_CGI_BIN/"
  chmod 755 "$SITE_CGI_BIN"/*.cgi "$SITE_CGI_BIN"/*.fcgi
  SITE_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$SITE_KEY" > "$SITE_KEY_FILE"
  : > "$SITE_HTPASSWD"
  : > "$SITE_GROUPS"
  : > "$SITE_REVOKED"
  _site_private "$SITE_KEY_FILE" "$SITE_HTPASSWD" "$SITE_GROUPS" "$SITE_REVOKED"
  export SITE SITE_DOCROOT SITE_CGI_BIN SITE_KEY SITE_KEY_FILE SITE_HTPASSWD SITE_GROUPS SITE_REVOKED SITE_COMPILE_CACHE
}

# Secret files: readable by the server's user only, as a real install would have them.
_site_private() {
  if [ "$(id -u)" -eq 0 ]; then chgrp www-data "$@" && chmod 640 "$@"; else chmod 600 "$@"; fi
}

site_add_user() {
  local user=$1 pass=$2 flag=${3:--B}
  htpasswd -b "$flag" "$SITE_HTPASSWD" "$user" "$pass" 2>/dev/null || {
    echo "htpasswd could not add $user" >&2
    return 1
  }
}

site_install_htaccess() {
  SITE_CGI_BIN=$SITE_DOCROOT/cgi-bin
  mkdir -p "$SITE_CGI_BIN" "$SITE_DOCROOT/auth"
  cp "$SERVERS_REPO"/cgi-bin/*.cgi "$SITE_CGI_BIN/"
  cp "$SERVERS_REPO"/cgi-bin/login.cgi "$SITE_DOCROOT/auth/login.cgi"
  chmod 755 "$SITE_CGI_BIN" "$SITE_DOCROOT/auth" "$SITE_CGI_BIN"/*.cgi "$SITE_DOCROOT/auth/login.cgi"
  SERVER_EXTRA_CONF='' site_render "$SERVERS_REPO/examples/htaccess/.htaccess" "$SITE_DOCROOT/.htaccess" htaccess
  chmod 644 "$SITE_DOCROOT/.htaccess"
  mkdir -p "$SITE_DOCROOT/members"
  chmod 755 "$SITE_DOCROOT/members"
  SERVER_EXTRA_CONF='' site_render "$SERVERS_REPO/examples/htaccess/members/.htaccess" "$SITE_DOCROOT/members/.htaccess" htaccess
  chmod 644 "$SITE_DOCROOT/members/.htaccess"
  mkdir -p "$SITE_DOCROOT/members/staff"
  chmod 755 "$SITE_DOCROOT/members/staff"
  SERVER_EXTRA_CONF='' site_render "$SERVERS_REPO/examples/htaccess/members/staff/.htaccess" "$SITE_DOCROOT/members/staff/.htaccess" htaccess
  chmod 644 "$SITE_DOCROOT/members/staff/.htaccess"
  export SITE_CGI_BIN
}

site_render() {
  local template=$1 out=$2 dir=$SITE/srv/$3
  sed -e "s|@PORT@|$(cat "$dir/port" 2>/dev/null)|g" \
      -e "s|@DOCROOT@|$SITE_DOCROOT|g" -e "s|@CGI_BIN@|$SITE_CGI_BIN|g" \
      -e "s|@KEY_FILE@|$SITE_KEY_FILE|g" -e "s|@HTPASSWD@|$SITE_HTPASSWD|g" \
      -e "s|@LOG_DIR@|$dir/log|g" -e "s|@RUN_DIR@|$dir/run|g" \
      -e "s|@GROUPS@|$SITE_GROUPS|g" -e "s|@REVOKED@|$SITE_REVOKED|g" -e "s|@COMPILE_CACHE@|$SITE_COMPILE_CACHE|g" \
      -e "s|@AUTHORIZER_PORT@|$(cat "$SITE/srv/authorizer/port" 2>/dev/null)|g" "$template" > "$out"
  if grep -n '@[A-Z_]*@' "$out" >&2; then
    echo "site_render: $template has a placeholder servers.bash does not fill (above)" >&2
    return 1
  fi
  [ -z "${SERVER_EXTRA_CONF:-}" ] || printf '\n%s\n' "$SERVER_EXTRA_CONF" >> "$out"
}

# A port nobody listens on now, chosen by the kernel.
free_port() {
  /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

server_port() { cat "$SITE/srv/$1/port"; }
server_url() { echo "http://127.0.0.1:$(server_port "$1")"; }
server_pid() { cat "$SITE/srv/$1/pid"; }
server_error_log() {
  echo "$SITE/srv/$1/log/error.log"
  [ ! -e "$SITE/srv/$1/log/cgi-error.log" ] || echo "$SITE/srv/$1/log/cgi-error.log"
}

_server_log_has() { # NAME REGEX
  cat $(server_error_log "$1") 2>/dev/null | grep -Eq -- "$2"
}

server_log_wait() {
  wait_until "a line matching /$2/ in the error logs of $1" _server_log_has "$1" "$2" && return 0
  echo "the error logs of $1 (last 30 lines):" >&2
  tail -n 30 $(server_error_log "$1") >&2 2>/dev/null
  return 1
}

# _start_server NAME TEMPLATE COMMAND… — fills the template for a free port,
# starts COMMAND CONF in the background and waits (wait_until) until the port answers.
# A port taken between choosing and binding is retried with another one.
_start_server() {
  local name=$1 template=$2 dir=$SITE/srv/$1 attempt pid port code
  shift 2
  [ -n "${SITE:-}" ] || { echo "call site_init first" >&2; return 1; }
  [ ! -e "$dir/pid" ] || { echo "server $name already started" >&2; return 1; }
  mkdir -p "$dir/log" "$dir/run"
  chmod 755 "$dir" "$dir/log" "$dir/run"
  # lighttpd opens its logs after switching to www-data.
  [ "$(id -u)" -ne 0 ] || chown www-data:www-data "$dir/log" "$dir/run"
  for ((attempt = 0; attempt < 3; attempt++)); do
    free_port > "$dir/port"
    site_render "$template" "$dir/conf" "$name" || return 1
    # A session of its own: Apache signals its whole process group when it
    # stops, which would otherwise include bats. The pid file gets the server's
    # own PID (sh execs it).
    rm -f "$dir/pid"
    setsid sh -c 'echo $$ > "$0"; exec "$@"' "$dir/pid" "$@" "$dir/conf" > "$dir/log/stdout.log" 2>&1 3>&- &
    wait_until "the pid file of server $name" test -s "$dir/pid" || break
    pid=$(cat "$dir/pid")
    port=$(cat "$dir/port")
    # Any HTTP answer will do; the report on giving up has curl's last error.
    if wait_until --alive "$pid" "server $name to answer on http://127.0.0.1:$port/" \
      curl -sS -o /dev/null --max-time 5 "http://127.0.0.1:$port/"; then
      return 0
    fi
    process_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    code=0
    wait "$pid" 2>/dev/null || code=$?
    echo "server $name (process $pid) ended with exit status $code" >&2
    rm -f "$dir/pid"
    if ! grep -qiE 'address already in use|could not bind' "$dir/log/stdout.log" "$dir/log/error.log" 2>/dev/null; then
      break
    fi
  done
  echo "server $name ($*) did not start; its output and error log (last 30 lines each):" >&2
  tail -n 30 "$dir/log/stdout.log" "$dir/log/error.log" >&2 2>/dev/null
  return 1
}

start_lighttpd() {
  _start_server "$1" "${2:-$SERVERS_REPO/examples/lighttpd/lighttpd.conf}" lighttpd -D -f
}

start_apache() {
  _start_server "$1" "${2:-$SERVERS_REPO/examples/apache/httpd.conf}" apache2 -DFOREGROUND -f
}

start_authorizer() {
  local dir=$SITE/srv/authorizer
  local -a as_www=()
  [ ! -e "$dir/pid" ] || { echo "authorizer already started" >&2; return 1; }
  mkdir -p "$dir/log"
  [ -s "$dir/port" ] || free_port > "$dir/port"
  [ "$(id -u)" -ne 0 ] || as_www=(setpriv --reuid=www-data --regid=www-data --init-groups)
  # Python binds and listens, puts the socket on fd 0 and becomes the authorizer: what
  # systemd does for a socket unit with StandardInput=socket.
  setsid /usr/bin/python3 -c '
import os, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(128)
os.dup2(s.fileno(), 0)
s.close()
with open(sys.argv[2], "w") as f: f.write(str(os.getpid()))
os.execvp(sys.argv[3], sys.argv[3:])' "$(cat "$dir/port")" "$dir/pid" \
    env -i PATH=/usr/local/bin:/usr/bin:/bin SECRET_KEY_FILE="$SITE_KEY_FILE" HTPASSWD_FILE="$SITE_HTPASSWD" \
    SESSION_REVOKED_FILE="$SITE_REVOKED" "$@" "${as_www[@]}" node --max-semi-space-size=1 "$SITE_CGI_BIN/authorizer.fcgi" \
    > "$dir/log/stdout.log" 2>> "$dir/log/error.log" 3>&- &
  wait_until "the pid file of the authorizer" test -s "$dir/pid"
}

start_php_fpm() {
  local dir=$SITE/srv/php-fpm fpm
  PHP_FPM_SOCKET=$dir/run/php.sock
  export PHP_FPM_SOCKET
  [ ! -e "$dir/pid" ] || return 0
  fpm=$(ls /usr/sbin/php-fpm[0-9]* 2> /dev/null | sort -V | tail -n 1)
  [ -n "$fpm" ] || { echo "php-fpm is not installed (make system-deps installs Debian's php-fpm)" >&2; return 1; }
  mkdir -p "$dir/log" "$dir/run"
  chmod 755 "$dir" "$dir/log" "$dir/run"
  # Debian's pool (pool.d/www.conf) in the test's own folders; as root the workers are www-data.
  printf '%s\n' '[global]' "pid = $dir/run/php-fpm.pid" "error_log = $dir/log/error.log" \
    '[www]' 'user = www-data' 'group = www-data' "listen = $PHP_FPM_SOCKET" 'listen.owner = www-data' \
    'listen.group = www-data' 'listen.mode = 0660' 'pm = static' 'pm.max_children = 2' > "$dir/conf"
  setsid sh -c 'echo $$ > "$0"; exec "$@"' "$dir/pid" "$fpm" --nodaemonize --fpm-config "$dir/conf" \
    > "$dir/log/stdout.log" 2>&1 3>&- &
  wait_until "the pid file of php-fpm" test -s "$dir/pid" &&
    wait_until --alive "$(cat "$dir/pid")" "php-fpm's socket $PHP_FPM_SOCKET" test -S "$PHP_FPM_SOCKET" && return 0
  echo "php-fpm did not start; its output and log:" >&2
  tail -n 30 "$dir/log/stdout.log" "$dir/log/error.log" >&2 2> /dev/null
  return 1
}

php_fpm_apache_conf() {
  local stock
  stock=$(ls /etc/apache2/conf-available/php*-fpm.conf 2> /dev/null | sort -V | tail -n 1)
  [ -n "$stock" ] || { echo "no /etc/apache2/conf-available/phpX.Y-fpm.conf (package php-fpm)" >&2; return 1; }
  [ -n "${PHP_FPM_SOCKET:-}" ] || { echo "call start_php_fpm first" >&2; return 1; }
  printf '\n# The host'"'"'s PHP, as Debian'"'"'s %s (test/helpers/servers.bash)\n' "${stock##*/}"
  local mod
  for mod in proxy proxy_fcgi setenvif; do
    printf '<IfModule !%s_module>\n    LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so\n</IfModule>\n' "$mod" "$mod" "$mod"
  done
  if [ "${1:-}" = if-exists ]; then
    sed -E -e "s|/run/php/php[0-9.]*-fpm\.sock|$PHP_FPM_SOCKET|" \
      -e 's|^( *)(SetHandler "proxy:.*)$|\1<If "-f %{REQUEST_FILENAME}">\n\1    \2\n\1</If>|' "$stock"
  else
    sed -E "s|/run/php/php[0-9.]*-fpm\.sock|$PHP_FPM_SOCKET|" "$stock"
  fi
}

start_apache_php() {
  local extra
  start_php_fpm || return 1
  extra=$(php_fpm_apache_conf "${3:-}") || return 1
  SERVER_EXTRA_CONF="${SERVER_EXTRA_CONF:-}$extra" start_apache "$1" "${2:-$SERVERS_REPO/examples/apache/httpd.conf}"
}

start_apache_htaccess() {
  local template=$SITE/srv/$1.template
  [ -e "$SITE_DOCROOT/.htaccess" ] || { echo "call site_install_htaccess first" >&2; return 1; }
  start_php_fpm || return 1
  sed '/^# --- dbbasic-sessions/,$d' "$SERVERS_REPO/examples/apache/httpd.conf" > "$template"
  cat "$SERVERS_REPO/test/helpers/shared-hosting.conf" >> "$template"
  php_fpm_apache_conf "${2:-}" >> "$template" || return 1
  start_apache "$1" "$template"
}

stop_server() {
  local pidfile=$SITE/srv/$1/pid pid start=$SECONDS
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true # already gone
  while process_alive "$pid" && [ $((SECONDS - start)) -lt 10 ]; do sleep 0.1; done
  process_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true # not our child when another test started it
  rm -f "$pidfile"
}

stop_servers() {
  [ -n "${SITE:-}" ] && [ -d "$SITE" ] || return 0
  local dir
  for dir in "$SITE"/srv/*/; do
    [ -f "$dir/pid" ] && stop_server "$(basename "$dir")"
  done
  rm -rf "$SITE"
}

server_logs_if_failed() {
  [ -z "${BATS_TEST_COMPLETED:-}" ] || return 0
  local f
  for f in ${SITE:+"$SITE"/srv/*/log/*} ${SERVER_LOG_FILES:-}; do
    [ -s "$f" ] || continue
    printf '\n--- %s (last 40 lines)\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
}

teardown() { server_logs_if_failed; }

http_request() {
  HTTP_HEADERS_FILE=$(mktemp "${BATS_TEST_TMPDIR:-${SITE:-/tmp}}/headers.XXXXXX")
  http_body=$(curl -s -S --max-time 20 -D "$HTTP_HEADERS_FILE" "$@"; printf x)
  http_body=${http_body%x}
  # The last response's block only (a "100 Continue" may come first).
  tr -d '\r' < "$HTTP_HEADERS_FILE" | awk '/^HTTP\//{n=0} {b[n++]=$0} END{for(i=0;i<n;i++)print b[i]}' > "$HTTP_HEADERS_FILE.final"
  mv "$HTTP_HEADERS_FILE.final" "$HTTP_HEADERS_FILE"
  http_status=$(head -n1 "$HTTP_HEADERS_FILE" | cut -d' ' -f2)
}

http_header() {
  local values
  values=$(sed -n "1d; s/^$1:[[:space:]]*//Ip" "$HTTP_HEADERS_FILE")
  [ -n "$values" ] || return 1
  printf '%s\n' "$values"
}
