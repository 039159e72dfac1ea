#!/usr/bin/env bash
# Runs test/bats/shared-hosting/shared-hosting.bats inside private mount, network
# and PID namespaces, over copies of the machine's stock /etc (Debian's apache2 and
# apache2-suexec-pristine, as installed by `make test`), an empty /home, /var/www and
# /var/log, and private /run, /var/lib/apache2 and /var/cache: the host's side
# (a2enmod userdir suexec …, AllowOverride All, useradd) runs as root there, the
# README's "Shared hosting" blocks run as the site's owner, an account without root,
# and nothing outside the namespaces changes. Needs root (the host's side is root's).
#
#   bash test/shared-hosting/enter.sh VARIANT [bats options…]
#
# VARIANT: event (Debian's default event MPM, mod_cgid, suEXEC), prefork (prefork
# MPM, mod_cgi, suEXEC), event-no-suexec, prefork-no-suexec (the same without the
# suEXEC wrapper: CGI programs run as www-data).
set -euo pipefail
cd "$(dirname "$0")/../.."
variant=${1:?usage: enter.sh event|prefork|event-no-suexec|prefork-no-suexec [bats options]}
shift
case $variant in event|prefork|event-no-suexec|prefork-no-suexec) ;; *) echo "test/shared-hosting: unknown variant $variant" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "test/shared-hosting: must run as root (the host's side of shared hosting is root's)" >&2; exit 1; }
[ -u /usr/lib/apache2/suexec-pristine ] || { echo "test/shared-hosting: Debian's apache2-suexec-pristine is not installed (make system-deps)" >&2; exit 1; }
scratch=$(mktemp -d /tmp/dbbasic-shared.XXXXXX)
chmod 755 "$scratch"
trap 'rm -rf "$scratch"' EXIT
# The footprint outside the namespaces, compared after the run. (No process
# can outlive the run: the PID namespace ends with its first process.)
footprint() {
  find /etc/apache2 /etc/alternatives/suexec /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid \
       /home /var/www /var/mail /usr/lib/cgi-bin /usr/local/bin /var/lib/apache2 /var/cache/apache2 /var/log/apache2 \
       -printf '%p %u:%g %m %s %T@\n' 2>/dev/null | sort
  stat -c '%n %a %U:%G %s %Y' /usr/lib/apache2/suexec-pristine /var/log/lastlog /var/log/faillog 2>/dev/null
}
footprint > "$scratch/before"
status=0
unshare --mount --net --pid --fork --mount-proc --propagation private \
  bash test/shared-hosting/inside.sh "$variant" "$scratch" "$@" || status=$?
# What the host's side and the site's owner ran, and what reached the programs, for the record.
[ ! -f "$scratch/commands.txt" ] || sed 's/^/# /' "$scratch/commands.txt"
footprint > "$scratch/after"
if ! diff -u "$scratch/before" "$scratch/after" >&2; then
  echo "not ok - the shared-hosting $variant test changed the machine outside its namespaces"; exit 1
fi
echo "ok - the shared-hosting $variant test left the machine as it found it"
exit "$status"
