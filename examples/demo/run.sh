#!/usr/bin/env bash
# make demo — a real lighttpd on http://127.0.0.1:8080/ serving the demo site:
# a small site (htdocs/) whose home page, index.cgi, asks `dbbasic-sessions verify`
# who you are, login.cgi and logout.cgi showing the site's own templates
# (templates/), members.pcgi, an unchanged shell CGI script behind gate.cgi, and
# the members' area /members/ (a page, an image, a PDF) whose files gate.cgi
# serves, with /members/staff/ for the group staff only.
#
# It uses the shipped examples/lighttpd/lighttpd.conf, filled in for the demo's
# port and paths, a development key it generates, a demo user and a demo admin
# (the only member of the group staff) whose random passwords it prints.
# Ctrl-C stops lighttpd (and with it every CGI process).
#
# Run as root, lighttpd drops to www-data, which may not be able to enter the clone
# (a home folder is often mode 700): what the server reads or runs (the site, the
# templates, the programs, the key, and node when www-data cannot run it where it
# is) is copied into a state folder of its own under /tmp, removed when the demo stops.
#
# Environment (all optional; the browser test uses them):
#   DEMO_PORT      port to listen on (default 8080)
#   DEMO_USER      the demo user's name (default demo)
#   DEMO_PASSWORD  the demo user's password (default: a new random one each run)
#   DEMO_ADMIN     the demo admin's name, the only member of the group staff (default warden)
#   DEMO_ADMIN_PASSWORD  the demo admin's password (default: a new random one each run)
#   DEMO_STATE     folder for the copies, key, htpasswd, config and logs, kept when the demo
#                  stops (default: a new folder under /tmp, removed when it stops)
set -euo pipefail

DEMO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$DEMO/../.." && pwd)
PORT=${DEMO_PORT:-8080}
USER_NAME=${DEMO_USER:-demo}
ADMIN_NAME=${DEMO_ADMIN:-warden}
[[ $PORT =~ ^[1-9][0-9]{0,4}$ ]] && [ "$PORT" -le 65535 ] \
  || { echo "run.sh: DEMO_PORT must be a port number (1 to 65535), not \"$PORT\"" >&2; exit 1; }
for name in "$USER_NAME" "$ADMIN_NAME"; do
  [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "run.sh: user name \"$name\" must be letters, digits, '.', '_' or '-'" >&2; exit 1; }
done
[ "$USER_NAME" != "$ADMIN_NAME" ] || { echo "run.sh: DEMO_USER and DEMO_ADMIN must differ" >&2; exit 1; }
NODE=$(command -v node) || { echo "node is not on PATH: install Node.js 20 or later" >&2; exit 1; }

# The port, before anything is written: a second `make demo` must not replace the running
# one's passwords only to fail on "Address already in use". lighttpd binds 127.0.0.1:PORT.
port_error=$("$NODE" -e '
  const server = require("net").createServer();
  server.once("error", (err) => { console.log(err.code); process.exitCode = 1; });
  server.listen(Number(process.argv[1]), "127.0.0.1", () => server.close());
' "$PORT") || {
  if [ "$port_error" = EADDRINUSE ]; then
    echo "run.sh: port $PORT is already in use (another make demo?): stop it, or choose another port, e.g. DEMO_PORT=$((PORT == 65535 ? 8081 : PORT + 1)) make demo" >&2
  else
    echo "run.sh: cannot listen on 127.0.0.1:$PORT ($port_error): choose another port, e.g. DEMO_PORT=8081 make demo" >&2
  fi
  exit 1
}

# lighttpd: installed with apt-get when missing and we are root, else the one command to run.
bash "$REPO/test/helpers/system-deps.sh" lighttpd
LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)
for f in whoami login logout gate; do
  [ -x "$REPO/cgi-bin/$f.cgi" ] || { echo "cgi-bin/$f.cgi is missing: run make first" >&2; exit 1; }
done

# As root, lighttpd runs as www-data (server.username): COMMAND… as that user, to check what it can
# reach. Through env: setpriv looks COMMAND up while it still holds root's capabilities.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=www-data --regid=www-data --clear-groups env "$@"; else "$@"; fi
}

if [ -n "${DEMO_STATE:-}" ]; then
  STATE=$DEMO_STATE
  mkdir -p "$STATE"
  STATE=$(cd "$STATE" && pwd)
else
  STATE=$(mktemp -d /tmp/dbbasic-sessions-demo.XXXXXX)
  # Removed when the demo stops (below, once lighttpd has ended), or now if a step fails.
  trap 'rm -rf "$STATE"' EXIT
fi
chmod 755 "$STATE"
as_server_user test -x "$STATE" \
  || { echo "run.sh: www-data cannot enter DEMO_STATE $STATE (a folder in a mode-700 home?): choose one under /tmp" >&2; exit 1; }

# The site the server reads and runs: copies, world-readable, never the clone itself.
SITE=$STATE/site
rm -rf "$SITE"
(
  umask 022
  mkdir -p "$SITE/cgi-bin" "$SITE/bin"
  cp -R "$DEMO/htdocs" "$DEMO/templates" "$SITE/"
  cp "$REPO"/cgi-bin/{whoami,login,logout,gate}.cgi "$SITE/cgi-bin/"
  # index.cgi asks `dbbasic-sessions verify`; the programs' PATH gets this folder first.
  cp "$REPO/bin/dbbasic-sessions" "$SITE/bin/"
  chmod -R u+rwX,go+rX,go-w "$SITE"
  # www-data must be able to run node, through "#!/usr/bin/env node" and the PATH below. A node
  # it cannot reach (in the clone's node_modules, in a mode-700 home) is copied next to the site.
  if ! as_server_user "$NODE" -e 0 2>/dev/null; then
    mkdir -p "$SITE/node/bin"
    cp "$NODE" "$SITE/node/bin/node"
  fi
)
NODE_DIR=$(dirname "$NODE")
[ ! -x "$SITE/node/bin/node" ] || NODE_DIR=$SITE/node/bin

# State: readable by the server's user only. As root, lighttpd drops to www-data (server.username).
umask 077
mkdir -p "$STATE/log" "$STATE/run"
KEY_FILE=$STATE/session.key
HTPASSWD=$STATE/htpasswd
REVOKED=$STATE/revoked   # `dbbasic-sessions revoke USER >> FILE` lines; empty: nobody revoked
GROUPS_FILE=$STATE/groups # /members/staff/ is for the group staff: the demo admin, not the demo user
[ -s "$KEY_FILE" ] || "$NODE" "$REPO/bin/dbbasic-sessions" keygen > "$KEY_FILE"

random_password() { "$NODE" -e 'console.log(require("crypto").randomBytes(9).toString("base64url"))'; }
PASSWORD=${DEMO_PASSWORD:-$(random_password)}
ADMIN_PASSWORD=${DEMO_ADMIN_PASSWORD:-$(random_password)}
# A bcrypt ($2b$) htpasswd line per user, as `htpasswd -B` writes (bcryptjs is already a dependency).
DEMO_USER_NAME=$USER_NAME DEMO_USER_PASSWORD=$PASSWORD \
DEMO_ADMIN_NAME=$ADMIN_NAME DEMO_ADMIN_PASSWORD=$ADMIN_PASSWORD "$NODE" -e '
  const bcrypt = require(process.argv[1]);
  const env = process.env;
  for (const [name, password] of [[env.DEMO_USER_NAME, env.DEMO_USER_PASSWORD], [env.DEMO_ADMIN_NAME, env.DEMO_ADMIN_PASSWORD]]) {
    process.stdout.write(name + ":" + bcrypt.hashSync(password, 10) + "\n");
  }
' "$REPO/node_modules/bcryptjs" > "$HTPASSWD"
: > "$REVOKED"
echo "staff: $ADMIN_NAME" > "$GROUPS_FILE"
chmod 600 "$KEY_FILE" "$HTPASSWD" "$REVOKED" "$GROUPS_FILE"
# Node's compile cache (docs/performance.md): the server's user's own folder, mode 0700.
COMPILE_CACHE=$STATE/compile-cache
mkdir -p "$COMPILE_CACHE"
chmod 700 "$COMPILE_CACHE"
if [ "$(id -u)" -eq 0 ]; then
  chown www-data:www-data "$KEY_FILE" "$HTPASSWD" "$REVOKED" "$GROUPS_FILE" "$STATE/log" "$STATE/run" "$COMPILE_CACHE"
fi

# The shipped config, filled in for this demo. PATH gains the dbbasic-sessions command's folder
# and node's, in case node is not in /usr/bin.
sed -e "s|@PORT@|$PORT|g" -e "s|@DOCROOT@|$SITE/htdocs|g" -e "s|@CGI_BIN@|$SITE/cgi-bin|g" \
    -e "s|@KEY_FILE@|$KEY_FILE|g" -e "s|@HTPASSWD@|$HTPASSWD|g" \
    -e "s|@REVOKED@|$REVOKED|g" -e "s|@GROUPS@|$GROUPS_FILE|g" -e "s|@COMPILE_CACHE@|$COMPILE_CACHE|g" \
    -e "s|@LOG_DIR@|$STATE/log|g" -e "s|@RUN_DIR@|$STATE/run|g" \
    -e "s|\"PATH\" *=> *\"/usr/local/bin:/usr/bin:/bin\"|\"PATH\" => \"$SITE/bin:$NODE_DIR:/usr/local/bin:/usr/bin:/bin\"|" \
    -e "s|^\( *\"HTPASSWD_FILE\" *=> *\"[^\"]*\",\)\$|\1\n  \"LOGIN_TEMPLATE\" => \"$SITE/templates/login.html\",\n  \"LOGOUT_TEMPLATE\" => \"$SITE/templates/logout.html\",\n  \"FORBIDDEN_TEMPLATE\" => \"$SITE/templates/forbidden.html\",|" \
    "$REPO/examples/lighttpd/lighttpd.conf" > "$STATE/lighttpd.conf"
# The login, logout and 403 pages in the site's own look (docs/members-area.md, "Pages in your site's look") go
# into the config's main setenv block above, which the per-folder "+=" blocks extend.
grep -q '"FORBIDDEN_TEMPLATE"' "$STATE/lighttpd.conf" \
  || { echo "run.sh: no HTPASSWD_FILE line in examples/lighttpd/lighttpd.conf to add the templates after" >&2; exit 1; }
grep -qF "\"PATH\" => \"$SITE/bin:" "$STATE/lighttpd.conf" \
  || { echo "run.sh: no PATH line in examples/lighttpd/lighttpd.conf to add the command's folder to" >&2; exit 1; }
! grep -n '@[A-Z_]*@' "$STATE/lighttpd.conf" >&2 \
  || { echo "run.sh: examples/lighttpd/lighttpd.conf has a placeholder this script does not fill (above)" >&2; exit 1; }
cat >> "$STATE/lighttpd.conf" <<'CONF'

# The demo's own lines. The home page is index.cgi, a shell CGI (the shipped config runs .cgi
# only in /cgi-bin/): it writes the page for who is logged in, with no script in it.
index-file.names := ( "index.cgi", "index.html" )
$HTTP["url"] == "/index.cgi" {
  cgi.assign = ( ".cgi" => "" )
}
# The favicon: pages link favicon.svg; a browser still asks for /favicon.ico.
mimetype.assign += ( ".ico" => "image/vnd.microsoft.icon" )
CONF
chmod 644 "$STATE/lighttpd.conf"
"$LIGHTTPD" -tt -f "$STATE/lighttpd.conf" >/dev/null

cat <<EOF
dbbasic-sessions demo: http://127.0.0.1:$PORT/
  user:       $USER_NAME
  password:   $PASSWORD
  admin:      $ADMIN_NAME
  admin password: $ADMIN_PASSWORD
  protected:  http://127.0.0.1:$PORT/members.pcgi
  members:    http://127.0.0.1:$PORT/members/ (a page, an image, a PDF)
  staff only: http://127.0.0.1:$PORT/members/staff/rota.html (the group staff: $ADMIN_NAME)
  logs:       $STATE/log/ (cgi-error.log holds the programs' stderr lines)$([ -n "${DEMO_STATE:-}" ] || printf '%s' ', removed when the demo stops')
  site:       $SITE/ (copied from examples/demo/ at start: edit there, then restart)
Press Ctrl-C to stop.
EOF
# lighttpd runs as this script's child, so that the temporary state folder can be removed once it
# stops. Ctrl-C reaches both (one process group); SIGTERM or SIGHUP to this script alone is passed on.
"$LIGHTTPD" -D -f "$STATE/lighttpd.conf" &
lighttpd_pid=$!
trap 'kill -TERM "$lighttpd_pid" 2>/dev/null || true' INT TERM HUP
status=0
while :; do
  wait "$lighttpd_pid" && status=0 || status=$?
  # A trapped signal ends `wait` early (status > 128) while lighttpd is still stopping.
  kill -0 "$lighttpd_pid" 2>/dev/null || break
done
exit "$status"
