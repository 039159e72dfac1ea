#!/usr/bin/env bash
# make demo — a real lighttpd on http://127.0.0.1:8080/ serving the demo site:
# a small site (htdocs/) whose home page asks whoami.cgi who you are, login.cgi
# and logout.cgi showing the site's own templates (templates/), members.pcgi,
# an unchanged shell CGI script behind gate.cgi, and the members' area
# /members/ (a page, an image, a PDF) whose files gate.cgi serves, with
# /members/staff/ for the group staff only.
#
# It uses the shipped examples/lighttpd/lighttpd.conf, filled in for the demo's
# port and paths, a development key it generates, a demo user and a demo admin
# (the only member of the group staff) whose random passwords it prints.
# Ctrl-C stops lighttpd (and with it every CGI process).
#
# Environment (all optional; the browser test uses them):
#   DEMO_PORT      port to listen on (default 8080)
#   DEMO_USER      the demo user's name (default demo)
#   DEMO_PASSWORD  the demo user's password (default: a new random one each run)
#   DEMO_ADMIN     the demo admin's name, the only member of the group staff (default warden)
#   DEMO_ADMIN_PASSWORD  the demo admin's password (default: a new random one each run)
#   DEMO_STATE     folder for the key, htpasswd, config and logs (default examples/demo/.state, gitignored)
set -euo pipefail

DEMO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$DEMO/../.." && pwd)
PORT=${DEMO_PORT:-8080}
USER_NAME=${DEMO_USER:-demo}
ADMIN_NAME=${DEMO_ADMIN:-warden}
for name in "$USER_NAME" "$ADMIN_NAME"; do
  [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "run.sh: user name \"$name\" must be letters, digits, '.', '_' or '-'" >&2; exit 1; }
done
[ "$USER_NAME" != "$ADMIN_NAME" ] || { echo "run.sh: DEMO_USER and DEMO_ADMIN must differ" >&2; exit 1; }
STATE=${DEMO_STATE:-$DEMO/.state}

# lighttpd: installed with apt-get when missing and we are root, else the one command to run.
bash "$REPO/test/helpers/system-deps.sh" lighttpd
LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)
NODE=$(command -v node) || { echo "node is not on PATH: install Node.js 20 or later" >&2; exit 1; }
for f in whoami login logout gate; do
  [ -x "$REPO/cgi-bin/$f.cgi" ] || { echo "cgi-bin/$f.cgi is missing: run make first" >&2; exit 1; }
done

# State: readable by the server's user only. As root, lighttpd drops to www-data (server.username).
umask 077
mkdir -p "$STATE/log" "$STATE/run"
chmod 755 "$STATE"
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
# Node's compile cache (README, "Performance"): the server's user's own folder, mode 0700.
COMPILE_CACHE=$STATE/compile-cache
mkdir -p "$COMPILE_CACHE"
chmod 700 "$COMPILE_CACHE"
if [ "$(id -u)" -eq 0 ]; then
  chown www-data:www-data "$KEY_FILE" "$HTPASSWD" "$REVOKED" "$GROUPS_FILE" "$STATE/log" "$STATE/run" "$COMPILE_CACHE"
fi

# The shipped config, filled in for this demo. PATH gains node's folder in case node is not in /usr/bin.
NODE_DIR=$(dirname "$NODE")
sed -e "s|@PORT@|$PORT|g" -e "s|@DOCROOT@|$DEMO/htdocs|g" -e "s|@CGI_BIN@|$REPO/cgi-bin|g" \
    -e "s|@KEY_FILE@|$KEY_FILE|g" -e "s|@HTPASSWD@|$HTPASSWD|g" \
    -e "s|@REVOKED@|$REVOKED|g" -e "s|@GROUPS@|$GROUPS_FILE|g" -e "s|@COMPILE_CACHE@|$COMPILE_CACHE|g" \
    -e "s|@LOG_DIR@|$STATE/log|g" -e "s|@RUN_DIR@|$STATE/run|g" \
    -e "s|\"PATH\" *=> *\"/usr/local/bin:/usr/bin:/bin\"|\"PATH\" => \"$NODE_DIR:/usr/local/bin:/usr/bin:/bin\"|" \
    -e "s|^\( *\"HTPASSWD_FILE\" *=> *\"[^\"]*\",\)\$|\1\n  \"LOGIN_TEMPLATE\" => \"$DEMO/templates/login.html\",\n  \"LOGOUT_TEMPLATE\" => \"$DEMO/templates/logout.html\",\n  \"FORBIDDEN_TEMPLATE\" => \"$DEMO/templates/forbidden.html\",|" \
    "$REPO/examples/lighttpd/lighttpd.conf" > "$STATE/lighttpd.conf"
# The login, logout and 403 pages in the site's own look (README, "Pages in your site's look") go
# into the config's main setenv block above, which the per-folder "+=" blocks extend.
grep -q '"FORBIDDEN_TEMPLATE"' "$STATE/lighttpd.conf" \
  || { echo "run.sh: no HTPASSWD_FILE line in examples/lighttpd/lighttpd.conf to add the templates after" >&2; exit 1; }
! grep -n '@[A-Z_]*@' "$STATE/lighttpd.conf" >&2 \
  || { echo "run.sh: examples/lighttpd/lighttpd.conf has a placeholder this script does not fill (above)" >&2; exit 1; }
# The favicon: pages link favicon.svg; a browser still asks for /favicon.ico (on whoami.cgi's JSON).
echo 'mimetype.assign += ( ".ico" => "image/vnd.microsoft.icon" )' >> "$STATE/lighttpd.conf"
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
  logs:       $STATE/log/ (cgi-error.log holds the programs' stderr lines)
  templates:  $DEMO/templates/ (LOGIN_TEMPLATE, LOGOUT_TEMPLATE, FORBIDDEN_TEMPLATE)
Press Ctrl-C to stop.
EOF
# lighttpd replaces this shell, so Ctrl-C (SIGINT) reaches it directly and it stops its CGI processes.
exec "$LIGHTTPD" -D -f "$STATE/lighttpd.conf"
