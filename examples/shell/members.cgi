#!/bin/sh
# members.cgi: a shell CGI page that checks the session cookie itself with the
# dbbasic-sessions command (docs/command-line.md); no gate.cgi in front of it.
# Install: cp bin/dbbasic-sessions /usr/local/bin/, then copy this file into cgi-bin
# next to login.cgi. It reads the key the same way the .cgi programs do
# (SECRET_KEY_FILE or SECRET_KEY from the server's environment).

: "${PATH:=/usr/local/bin:/usr/bin:/bin}"   # lighttpd passes no PATH
export PATH
LOGIN='/cgi-bin/login.cgi?next=/cgi-bin/members.cgi'

# The token: the value of the first cookie named "session" (or $SESSION_COOKIE) in
# HTTP_COOKIE, spaces and tabs trimmed, a DQUOTE-wrapped value unwrapped (RFC 6265).
name=${SESSION_COOKIE:-session}
token=
trim() { trimmed=${1#"${1%%[! 	]*}"}; trimmed=${trimmed%"${trimmed##*[! 	]}"}; }
set -f; IFS=';'
for pair in ${HTTP_COOKIE-}; do
  case $pair in *=*) ;; *) continue ;; esac
  trim "${pair%%=*}"
  [ "$trimmed" = "$name" ] || continue
  trim "${pair#*=}"
  token=$trimmed
  case $token in \"*\") token=${token#\"}; token=${token%\"} ;; esac
  break
done
unset IFS; set +f

# verify: exit 0 and the user id on stdout; 1 not logged in; 2 misconfigured (its reason on stderr).
user=$(dbbasic-sessions verify "$token")
status=$?
case $status in
  0) printf 'Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
     printf 'Members only. You are logged in as %s.\n' "$user" ;;
  1) printf 'Status: 303 See Other\r\nLocation: %s\r\nCache-Control: no-store\r\n\r\n' "$LOGIN" ;;
  *) echo "members.cgi: dbbasic-sessions verify exited $status" >&2
     printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\r\nserver error\n' ;;
esac
