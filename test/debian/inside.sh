#!/usr/bin/env bash
# Inside the namespaces of enter.sh: lay private copies over the system folders
# the README's Debian commands touch, then run the bats file for SERVER.
set -euo pipefail
server=$1 scratch=$2
shift 2

source "$(dirname "$0")/../helpers/private-dirs.bash"

private_copy /etc
private_empty /usr/local/bin root:root 755
private_copy /var/lib/apache2
private_copy /var/lib/fail2ban
# /var/cache: a private folder holding copies of the servers' own caches (the README makes
# /var/cache/dbbasic-sessions in it).
cache=$scratch/root/var/cache
mkdir -p "$cache"
chmod 755 "$cache"
for d in apache2 lighttpd; do [ ! -d "/var/cache/$d" ] || cp -a "/var/cache/$d" "$cache/"; done
mount --bind "$cache" /var/cache
private_empty /usr/lib/cgi-bin root:root 755
private_empty /var/www root:root 755
mkdir -p /var/www/html
# /var/log as a freshly installed system has it: the servers' own folders, empty.
private_empty /var/log root:root 755
install -d -o root -g adm -m 750 /var/log/apache2
install -d -o www-data -g www-data -m 750 /var/log/lighttpd
# sshd's log, which Debian's default fail2ban jail (sshd) expects to find.
install -m 640 -o root -g adm /dev/null /var/log/auth.log
# /run (and /var/run, /var/lock through it) as at boot: no systemd here, so
# "service" runs the packages' own init scripts.
mount -t tmpfs -o mode=755 tmpfs /run
install -d -m 1777 /run/lock
ip link set lo up

export DEBIAN_SERVER=$server DEBIAN_SCRATCH=$scratch
exec node_modules/bats/bin/bats "$@" test/bats/debian/debian.bats
