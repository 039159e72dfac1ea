#!/usr/bin/env bash
# Installs the Debian packages the tests need when a command is missing.
# As root it runs apt-get; otherwise it prints the one command to run and fails.
set -euo pipefail
declare -A probe=([lighttpd]=lighttpd [apache2]=apache2 [apache2-utils]=htpasswd [chromium]=chromium
                  [fail2ban]=fail2ban-regex [hyperfine]=hyperfine [curl]=curl [iproute2]=ip
                  [systemd]=systemd-socket-activate
                  [apache2-suexec-pristine]=/usr/lib/apache2/suexec-pristine [php-fpm]='/usr/sbin/php-fpm[0-9]*' [libfcgi-bin]=cgi-fcgi)
missing=()
for pkg in "$@"; do
  bin=${probe[$pkg]:-$pkg}
  # compgen -G: a pattern, for names with a version in them (php-fpm8.2).
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || compgen -G "$bin" >/dev/null || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
