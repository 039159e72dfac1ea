#!/usr/bin/env bash
# Runs test/bats/debian/SERVER.bats inside private mount, network and PID
# namespaces, over copies of the machine's stock /etc, an empty /var/www,
# /usr/lib/cgi-bin and /var/log, and private /run, /var/lib and /var/cache
# folders: the README's Debian commands (a2enmod, lighty-enable-mod, service …
# restart, fail2ban) run as written, against the real packages, and nothing
# outside the namespaces changes. Needs root (the commands are root's).
#
#   bash test/debian/enter.sh apache2|lighttpd [bats options…]
set -euo pipefail
cd "$(dirname "$0")/../.."
server=${1:?usage: enter.sh apache2|lighttpd [bats options]}
shift
[ "$(id -u)" -eq 0 ] || { echo "test/debian: must run as root (the README's Debian commands are root's)" >&2; exit 1; }
scratch=$(mktemp -d /tmp/dbbasic-debian.XXXXXX)
chmod 755 "$scratch"
trap 'rm -rf "$scratch"' EXIT
# The footprint outside the namespaces, compared after the run. (No process
# can outlive the run: the PID namespace ends with its first process.)
footprint() {
  find /etc/apache2 /etc/lighttpd /etc/fail2ban /usr/lib/cgi-bin /usr/local/bin /var/lib/apache2 /var/lib/fail2ban \
       /var/cache/apache2 /var/cache/lighttpd /var/www /var/log/apache2 /var/log/lighttpd -printf '%p %m %s %T@\n' 2>/dev/null | sort
  if [ -e /etc/dbbasic-sessions ]; then echo "/etc/dbbasic-sessions exists"; fi
  if [ -e /var/cache/dbbasic-sessions ]; then echo "/var/cache/dbbasic-sessions exists"; fi
}
footprint > "$scratch/before"
status=0
unshare --mount --net --pid --fork --mount-proc --propagation private \
  bash test/debian/inside.sh "$server" "$scratch" "$@" || status=$?
# What the README's blocks ran, and fail2ban's view of the ban, for the record.
[ ! -f "$scratch/commands-$server.txt" ] || sed 's/^/# /' "$scratch/commands-$server.txt"
footprint > "$scratch/after"
if ! diff -u "$scratch/before" "$scratch/after" >&2; then
  echo "not ok - the Debian $server test changed the machine outside its namespaces" ; exit 1
fi
echo "ok - the Debian $server test left the machine as it found it"
exit "$status"
