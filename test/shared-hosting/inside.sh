#!/usr/bin/env bash
# Inside the namespaces of enter.sh: lay private copies over the system folders the
# host's side and the site's owner touch, then run the shared-hosting bats file.
set -euo pipefail
variant=$1 scratch=$2
shift 2

source "$(dirname "$0")/../helpers/private-dirs.bash"

# /etc: useradd writes passwd, group, shadow; a2enmod the Apache links. Without suEXEC
# the wrapper's link is gone, as on a host without apache2-suexec-pristine (Apache
# looks for /usr/lib/apache2/suexec, which points through /etc/alternatives).
private_copy /etc
case $variant in *-no-suexec) rm -f /etc/alternatives/suexec ;; esac
private_empty /home root:root 755
private_empty /var/mail root:mail 2775
private_empty /usr/local/bin root:root 755
private_empty /usr/lib/cgi-bin root:root 755
private_copy /var/lib/apache2
cache=$scratch/root/var/cache
mkdir -p "$cache"
chmod 755 "$cache"
[ ! -d /var/cache/apache2 ] || cp -a /var/cache/apache2 "$cache/"
mount --bind "$cache" /var/cache
private_empty /var/www root:root 755
mkdir -p /var/www/html
echo '<p>the host</p>' > /var/www/html/index.html
# /var/log as a freshly installed system has it: Apache's folder, empty, and the
# login records useradd and su write to.
private_empty /var/log root:root 755
install -d -o root -g adm -m 750 /var/log/apache2
install -m 664 -o root -g utmp /dev/null /var/log/lastlog
install -m 660 -o root -g utmp /dev/null /var/log/faillog
install -m 664 -o root -g utmp /dev/null /var/log/wtmp
install -m 660 -o root -g utmp /dev/null /var/log/btmp
# /run (and /var/run, /var/lock through it) as at boot: no systemd here, so
# "service" runs the package's own init script.
mount -t tmpfs -o mode=755 tmpfs /run
install -d -m 1777 /run/lock
ip link set lo up

export SHARED_VARIANT=$variant SHARED_SCRATCH=$scratch
exec node_modules/bats/bin/bats "$@" test/bats/shared-hosting/shared-hosting.bats
