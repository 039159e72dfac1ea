#!/usr/bin/env bats
# The hostile-input battery (SECURITY.md, "Hostile input"): each program run as a CGI process with
# what scanners and attackers send. Table-driven: every row below is one test,
#
#   row "NAME" "STATUS" "HEADERS" "BODY_RE" "LOG_RE" [--user USER] -- CGI_RUN_ARGS…
#
#   STATUS    the Status header's value ("401 Unauthorized")
#   HEADERS   every other header, in order, "|"-separated; a "*" in a value is a
#             glob (only the token in a Set-Cookie uses one)
#   BODY_RE   extended regex the whole body must match; "=TEXT": the body is exactly TEXT
#   LOG_RE    extended regex for the one stderr line ("" = nothing on stderr)
#   --user    a Set-Cookie in the reply must hold a valid session for USER
#
# and every row also checks what holds for any input: exit status 0, no
# Set-Cookie unless the row expects one, no stack trace or internal path in the
# body, at most one stderr line, and no CR or LF from the input inside it.
# @NAME@ placeholders in the arguments are filled in when the row runs
# (tokens are made at run time; see fill()).

load ../../helpers/cgi


setup_file() {
  local dir=$BATS_FILE_TMPDIR
  H_FILE=$dir/htpasswd
  htpasswd -b -c -B -C 4 "$H_FILE" ann ann-pass 2>/dev/null
  htpasswd -b -p "$H_FILE" plain plain-pass 2>/dev/null
  htpasswd -b -d "$H_FILE" crypt crypt-pa 2>/dev/null
  H_LOCKED=$dir/locked-htpasswd
  cp "$H_FILE" "$H_LOCKED"
  chmod 000 "$H_LOCKED"
  H_GARBAGE=$dir/garbage-htpasswd
  head -c 4096 /dev/urandom > "$H_GARBAGE"
  # login.cgi run as an unprivileged user (as a server runs it), for the unreadable
  # file: a copy in a folder anyone can read, started through setpriv when we are root.
  UNPRIV_DIR=$(mktemp -d /tmp/dbs-hostile-XXXXXX)
  chmod 755 "$UNPRIV_DIR"
  cp "$CGI_BIN/login.cgi" "$UNPRIV_DIR/real-login.cgi"
  UNPRIV=$UNPRIV_DIR/login.cgi
  if [ "$(id -u)" -eq 0 ]; then
    printf '#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups env PATH=%q %q\n' \
      "$(cgi_unprivileged_path "$UNPRIV_DIR")" "$UNPRIV_DIR/real-login.cgi" > "$UNPRIV"
  else
    printf '#!/bin/sh\nexec %q\n' "$UNPRIV_DIR/real-login.cgi" > "$UNPRIV"
  fi
  chmod 755 "$UNPRIV" "$UNPRIV_DIR/real-login.cgi"
  # login.cgi with an endless stdin: a program that read past its limits would
  # never finish, so it runs under a timeout (exit 124 fails the row).
  BOUNDED=$dir/bounded/login.cgi
  mkdir -p "$(dirname "$BOUNDED")"
  printf '#!/bin/sh\nexec timeout 20 %q\n' "$CGI_BIN/login.cgi" > "$BOUNDED"
  chmod 755 "$BOUNDED"
  TOKEN_ANN=$(cgi_token ann)
  TOKEN_BOB=$(cgi_token bob)
  TOKEN_EXPIRED=$(cgi_token ann -10)
  TOKEN_FOREIGN=$(SECRET_KEY=$(printf 'fe%.0s' {1..32}) cli create ann)
  export H_FILE H_LOCKED H_GARBAGE UNPRIV_DIR UNPRIV BOUNDED TOKEN_ANN TOKEN_BOB TOKEN_EXPIRED TOKEN_FOREIGN
}

teardown_file() {
  [ -z "${UNPRIV_DIR:-}" ] || rm -rf "$UNPRIV_DIR"
}

# Placeholders → values, in one argument (printf -v keeps trailing newlines).
fill() {
  local v=$1
  v=${v//@TOKEN@/$TOKEN_ANN}
  v=${v//@TOKEN_BOB@/$TOKEN_BOB}
  v=${v//@EXPIRED@/$TOKEN_EXPIRED}
  v=${v//@FOREIGN@/$TOKEN_FOREIGN}
  v=${v//@TOKEN_PCT@/${TOKEN_ANN//=/%3D}}
  v=${v//@HTPASSWD@/$H_FILE}
  v=${v//@LOCKED@/$H_LOCKED}
  v=${v//@GARBAGE@/$H_GARBAGE}
  v=${v//@UNPRIV@/$UNPRIV}
  v=${v//@BOUNDED@/$BOUNDED}
  v=${v//@REPO_CGI@/$CGI_BIN}
  [[ $v != *@A4K@* ]] || v=${v//@A4K@/$(printf 'a%.0s' {1..4096})}
  [[ $v != *@A8K@* ]] || v=${v//@A8K@/$(printf 'a%.0s' {1..8192})}
  [[ $v != *@MANY@* ]] || v=${v//@MANY@/$(for i in {1..6000}; do printf 'c%d=v; ' "$i"; done)}
  [[ $v != *@Q64K@* ]] || v=${v//@Q64K@/$(printf '%%2F%.0s' {1..21846})}
  printf -v REPLY '%s' "$v"
}

check_row() {
  local status=$1 headers=$2 body_re=$3 log_re=$4 user= a
  shift 4
  if [ "$1" == --user ]; then user=$2; shift 2; fi
  [ "$1" == -- ] && shift
  local -a args=()
  for a in "$@"; do
    fill "$a"
    args+=("$REPLY")
  done
  cgi_run "${args[@]}"

  assert_eq "$cgi_exit" 0 "exit status"
  # Exactly these headers, in this order.
  local -a want got
  IFS='|' read -r -a want <<<"Status: $status|$headers"
  mapfile -t got <<<"$cgi_headers"
  local i
  for ((i = 0; i < ${#want[@]} || i < ${#got[@]}; i++)); do
    # shellcheck disable=SC2053 # the expected line is a glob on purpose
    [[ ${got[i]-} == ${want[i]-} ]] || {
      printf 'header %d differs\n  expected: %s\n  actual:   %q\nall headers:\n%s\n' "$i" "${want[i]-(none)}" "${got[i]-(none)}" "$cgi_headers" >&2
      return 1
    }
  done
  if [[ $body_re == =* ]]; then
    assert_eq "$cgi_body" "${body_re#=}" body
  else
    assert_match "$cgi_body" "$body_re" body
  fi

  # A cookie only on success, and then a valid one for the right user.
  if [ -n "$user" ]; then
    assert_match "$(cgi_header Set-Cookie)" '^session=([^;]+);' Set-Cookie
    assert_eq "$(SECRET_KEY=$CGI_KEY cli verify "${BASH_REMATCH[1]}")" "$user" "user in the cookie"
  fi

  # Nothing internal in the body: no stack trace, no file system path, no error name.
  local leak
  for leak in "    at " "Error:" "Error [" "Exception" "node:" ".cjs" ".ts:" "node_modules" "$TEST_REPO" "$CGI_BIN" "$BATS_FILE_TMPDIR" "/nonexistent" "ENOENT" "EISDIR" "EACCES"; do
    [[ $cgi_body != *"$leak"* ]] || { echo "the body leaks '$leak':" >&2; echo "$cgi_body" >&2; return 1; }
  done

  # At most one stderr line, printable ASCII only (no CR, LF or other control from the input).
  if [ -z "$log_re" ]; then
    assert_eq "$cgi_stderr" "" stderr
  else
    assert_eq "$cgi_stderr_lines" 1 "stderr line count"
    assert_eq "$(tail -c 1 "$CGI_STDERR_FILE" | od -An -c | tr -d ' ')" '\n' "stderr ends with its one newline"
    LC_ALL=C assert_match "$cgi_stderr" '^[ -~]+$' "stderr characters"
    assert_match "$cgi_stderr" "^($log_re)\$" stderr
  fi
}

row() {
  bats_test_function --description "$1" -- check_row "${@:2}"
}

NL=$'\n'
J='Content-Type: application/json|Cache-Control: no-store'
T='Content-Type: text/plain; charset=utf-8|Cache-Control: no-store'
H="Content-Type: text/html; charset=utf-8|Cache-Control: no-store|Content-Security-Policy: default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'|X-Frame-Options: DENY"
NEW_COOKIE='Set-Cookie: session=*.*; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000'
DEL_COOKIE='Set-Cookie: session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0'
NO_SESSION='^\{"error":"no valid session"\}$'
ANN='^\{"user_id":"ann","expires":[0-9]+\}$'
BOB='^\{"user_id":"bob","expires":[0-9]+\}$'
FORM='^<!doctype html>.*<form method="post" action="/cgi-bin/login\.cgi">.*</form>'
FAILED_FORM='^<!doctype html>.*<p class="error" role="alert">Invalid username or password\.</p><form method="post"'
HOME='<a href="/">Continue</a>'
BAD_COOKIE='whoami\.cgi: invalid session cookie from 192\.0\.2\.7'
POST=(REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded HTPASSWD_FILE=@HTPASSWD@)

# --- whoami.cgi: the Cookie header ------------------------------------------------
row "whoami: no Cookie header at all is no session, and nothing is logged" \
  "401 Unauthorized" "$J" "$NO_SESSION" "" -- whoami.cgi
row "whoami: an empty Cookie header is no session" \
  "401 Unauthorized" "$J" "$NO_SESSION" "" -- whoami.cgi HTTP_COOKIE=
row "whoami: an 8 KiB session cookie is refused and logged once" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi HTTP_COOKIE=session=@A8K@
row "whoami: a 64 KiB Cookie header of 6000 other cookies is no session" \
  "401 Unauthorized" "$J" "$NO_SESSION" "" -- whoami.cgi HTTP_COOKIE=@MANY@
row "whoami: a valid session after 4 KiB of other cookies is still found" \
  "200 OK" "$J" "$ANN" "" -- whoami.cgi "HTTP_COOKIE=junk=@A4K@; session=@TOKEN@"
row "whoami: a cookie name without a value is no session" \
  "401 Unauthorized" "$J" "$NO_SESSION" "" -- whoami.cgi HTTP_COOKIE=session
row "whoami: a header of only separators and equals signs is no session" \
  "401 Unauthorized" "$J" "$NO_SESSION" "" -- whoami.cgi "HTTP_COOKIE=;;; ==; = ;="
row "whoami: a value with an extra equals sign before the token is refused" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi HTTP_COOKIE=session==@TOKEN@
row "whoami: a DQUOTE-wrapped token is unwrapped and accepted (RFC 6265)" \
  "200 OK" "$J" "$ANN" "" -- whoami.cgi 'HTTP_COOKIE=session="@TOKEN@"'
row "whoami: a token with only an opening DQUOTE is refused" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi 'HTTP_COOKIE=session="@TOKEN@'
row "whoami: spaces inside the DQUOTEs are part of the value, which is refused" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi 'HTTP_COOKIE=session=" @TOKEN@ "'
row "whoami: blanks around the name and the value are ignored" \
  "200 OK" "$J" "$ANN" "" -- whoami.cgi $'HTTP_COOKIE=  session \t=  @TOKEN@  '
row "whoami: with two session cookies the first one is checked and wins" \
  "200 OK" "$J" "$ANN" "" -- whoami.cgi "HTTP_COOKIE=session=@TOKEN@; session=@TOKEN_BOB@"
row "whoami: a bad first session cookie is not rescued by a valid second one" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi "HTTP_COOKIE=session=garbage; session=@TOKEN@"
row "whoami: cookie names are case-sensitive, Session is not session" \
  "401 Unauthorized" "$J" "$NO_SESSION" "" -- whoami.cgi "HTTP_COOKIE=Session=@TOKEN@; SESSION=@TOKEN@"
row "whoami: a SESSION cookie before session does not shadow it" \
  "200 OK" "$J" "$BOB" "" -- whoami.cgi "HTTP_COOKIE=SESSION=@TOKEN@; session=@TOKEN_BOB@"
row "whoami: __proto__, constructor and toString cookies are no session" \
  "401 Unauthorized" "$J" "$NO_SESSION" "" -- whoami.cgi "HTTP_COOKIE=__proto__=@TOKEN@; constructor=@TOKEN@; toString=x"
row "whoami: a session cookie named __proto__ works like any other name" \
  "200 OK" "$J" "$ANN" "" -- whoami.cgi SESSION_COOKIE=__proto__ "HTTP_COOKIE=__proto__=@TOKEN@"
row "whoami: a session cookie named constructor is absent when not sent" \
  "401 Unauthorized" "$J" "$NO_SESSION" "" -- whoami.cgi SESSION_COOKIE=constructor "HTTP_COOKIE=a=b"
row "whoami: CR and LF inside the Cookie header are refused and never echoed" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi $'HTTP_COOKIE=session=@TOKEN@\r\nSet-Cookie: evil=1'
row "whoami: invalid UTF-8 in the session cookie is refused" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi $'HTTP_COOKIE=session=\xff\xfe\xc3\x28.\x80'
row "whoami: an expired token is refused" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi HTTP_COOKIE=session=@EXPIRED@
row "whoami: a token signed with another key is refused" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi HTTP_COOKIE=session=@FOREIGN@
row "whoami: a percent-encoded token is not decoded, and is refused" \
  "401 Unauthorized" "$J" "$NO_SESSION" "$BAD_COOKIE" -- whoami.cgi HTTP_COOKIE=session=@TOKEN_PCT@
row "whoami: a REMOTE_ADDR with CR and LF is escaped in the log line" \
  "401 Unauthorized" "$J" "$NO_SESSION" 'whoami\.cgi: invalid session cookie from 1\.2\.3\.4\\r\\nwhoami\.cgi: forged' \
  -- whoami.cgi HTTP_COOKIE=session=x $'REMOTE_ADDR=1.2.3.4\r\nwhoami.cgi: forged'

# --- login.cgi: REMOTE_USER and next ---------------------------------------------------
row "login: CR and LF in REMOTE_USER answer 400, with no cookie" \
  "400 Bad Request" "$T" "=Bad Request$NL" 'login\.cgi: REMOTE_USER "ann\\r\\nSet-Cookie: evil=1" holds control characters' \
  -- login.cgi $'REMOTE_USER=ann\r\nSet-Cookie: evil=1'
row "login: a trailing LF in REMOTE_USER answers 400" \
  "400 Bad Request" "$T" "=Bad Request$NL" 'login\.cgi: REMOTE_USER "ann\\n" holds control characters' -- login.cgi $'REMOTE_USER=ann\n'
row "login: markup in REMOTE_USER becomes the session user and is never reflected" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user '<script>alert(1)</script>' -- login.cgi 'REMOTE_USER=<script>alert(1)</script>'
row "login: CR and LF in next give Location /" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user ann -- login.cgi REMOTE_USER=ann 'QUERY_STRING=next=%2Fa%0d%0aSet-Cookie:%20evil=1'
row "login: a protocol-relative next gives Location /" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user ann -- login.cgi REMOTE_USER=ann 'QUERY_STRING=next=%2F%2Fevil.example%2F'
row "login: a next starting with a slash and a backslash gives Location /" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user ann -- login.cgi REMOTE_USER=ann 'QUERY_STRING=next=%2F%5Cevil.example'
row "login: an absolute URL in next gives Location /" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user ann -- login.cgi REMOTE_USER=ann 'QUERY_STRING=next=https%3A%2F%2Fevil.example%2F'
row "login: a tab between the slashes of next gives Location /" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user ann -- login.cgi REMOTE_USER=ann 'QUERY_STRING=next=%2F%09%2Fevil.example'
row "login: a local next is kept as it is" \
  "303 See Other" "$H|Location: /account?tab=2|$NEW_COOKIE" '<a href="/account\?tab=2">Continue</a>' "" --user ann \
  -- login.cgi REMOTE_USER=ann 'QUERY_STRING=next=%2Faccount%3Ftab%3D2'
row "login: markup in a local next is escaped in the page" \
  "303 See Other" "$H|Location: /<script>\"|$NEW_COOKIE" '<a href="/&lt;script&gt;&quot;">Continue</a>' "" --user ann \
  -- login.cgi REMOTE_USER=ann 'QUERY_STRING=next=%2F%3Cscript%3E%22'
row "login: markup in next is escaped in the form's hidden field" \
  "200 OK" "$H" '<input type="hidden" name="next" value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;&amp;&#39;">' "" \
  -- login.cgi 'QUERY_STRING=next=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%26%27'
row "login: a 64 KiB query string still shows the form" \
  "200 OK" "$H" "$FORM" "" -- login.cgi 'QUERY_STRING=next=@Q64K@'
row "login: invalid UTF-8 in the query string shows the form" \
  "200 OK" "$H" '<input type="hidden" name="next" value="/'$'\xef\xbf\xbd''">' "" -- login.cgi $'QUERY_STRING=next=/\xff'

# --- login.cgi: the POSTed form ---------------------------------------------------------
row "login: the right password logs in (the control row)" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user ann -- login.cgi "${POST[@]}" --body 'username=ann&password=ann-pass'
row "login: markup in the username is escaped in the form it reflects" \
  "401 Unauthorized" "$H" '<input name="username" autocomplete="username" required autofocus value="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;">' \
  'login\.cgi: login failed for user "\\"><img src=x onerror=alert\(1\)>" from 192\.0\.2\.7' \
  -- login.cgi "${POST[@]}" --body 'username=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&password=x'
row "login: CR and LF in the username are escaped in the one log line" \
  "401 Unauthorized" "$H" "$FAILED_FORM" 'login\.cgi: login failed for user "ann\\r\\nlogin\.cgi: login failed for user \\"x\\" from 6\.6\.6\.6" from 192\.0\.2\.7' \
  -- login.cgi "${POST[@]}" --body 'username=ann%0D%0Alogin.cgi%3A+login+failed+for+user+%22x%22+from+6.6.6.6&password=x'
row "login: raw invalid UTF-8 in the username is logged as U+FFFD" \
  "401 Unauthorized" "$H" "$FAILED_FORM" 'login\.cgi: login failed for user "\\ufffd\\ufffdann" from 192\.0\.2\.7' \
  -- login.cgi "${POST[@]}" --body $'username=\xff\xfeann&password=x'
row "login: invalid UTF-8 in the password is a wrong password" \
  "401 Unauthorized" "$H" "$FAILED_FORM" 'login\.cgi: login failed for user "ann" from 192\.0\.2\.7' \
  -- login.cgi "${POST[@]}" --body $'username=ann&password=ann-pass\xff'
row "login: markup in the posted next is escaped in the failed form" \
  "401 Unauthorized" "$H" '<input type="hidden" name="next" value="&quot;&gt;&lt;script&gt;">' 'login\.cgi: login failed for user "ann" from 192\.0\.2\.7' \
  -- login.cgi "${POST[@]}" --body 'username=ann&password=x&next=%22%3E%3Cscript%3E'
row "login: CR and LF in the posted next give Location /" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user ann \
  -- login.cgi "${POST[@]}" --body 'username=ann&password=ann-pass&next=%2Fa%0D%0ASet-Cookie%3A+evil%3D1'
row "login: a POST from another site's Origin answers 403" \
  "403 Forbidden" "$T" "=Forbidden$NL" 'login\.cgi: cross-site POST refused \(Origin "https://evil\.example", Host "www\.example\.test"\)' \
  -- login.cgi "${POST[@]}" HTTP_ORIGIN=https://evil.example --body 'username=ann&password=ann-pass'
row "login: an Origin header with CR and LF answers 403 and is escaped in the log" \
  "403 Forbidden" "$T" "=Forbidden$NL" 'login\.cgi: cross-site POST refused \(Origin "x\\r\\ny", Host "www\.example\.test"\)' \
  -- login.cgi "${POST[@]}" $'HTTP_ORIGIN=x\r\ny' --body 'username=ann&password=ann-pass'

# --- login.cgi: media types and lengths --------------------------------------------------
row "login: a text/plain body answers 415" \
  "415 Unsupported Media Type" "$T" "=Unsupported Media Type$NL" 'login\.cgi: POST body is not application/x-www-form-urlencoded' \
  -- login.cgi "${POST[@]}" CONTENT_TYPE=text/plain --body 'username=ann&password=ann-pass'
row "login: a JSON body answers 415" \
  "415 Unsupported Media Type" "$T" "=Unsupported Media Type$NL" 'login\.cgi: POST body is not application/x-www-form-urlencoded' \
  -- login.cgi "${POST[@]}" CONTENT_TYPE=application/json --body '{"username":"ann","password":"ann-pass"}'
row "login: a multipart body answers 415" \
  "415 Unsupported Media Type" "$T" "=Unsupported Media Type$NL" 'login\.cgi: POST body is not application/x-www-form-urlencoded' \
  -- login.cgi "${POST[@]}" 'CONTENT_TYPE=multipart/form-data; boundary=x' --body $'--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nann\r\n--x--\r\n'
row "login: a POST without CONTENT_TYPE answers 415" \
  "415 Unsupported Media Type" "$T" "=Unsupported Media Type$NL" 'login\.cgi: POST body is not application/x-www-form-urlencoded' \
  -- login.cgi "${POST[@]}" --unset CONTENT_TYPE --body 'username=ann&password=ann-pass'
row "login: a form type with parameters and odd case is still a form" \
  "303 See Other" "$H|Location: /|$NEW_COOKIE" "$HOME" "" --user ann \
  -- login.cgi "${POST[@]}" 'CONTENT_TYPE=Application/X-WWW-Form-Urlencoded; charset=UTF-8' --body 'username=ann&password=ann-pass'
row "login: a POST without CONTENT_LENGTH answers 411 without reading the endless body" \
  "411 Length Required" "$T" "=Length Required$NL" 'login\.cgi: POST without CONTENT_LENGTH' -- @BOUNDED@ "${POST[@]}" --stdin /dev/zero
row "login: a non-numeric CONTENT_LENGTH answers 400" \
  "400 Bad Request" "$T" "=Bad Request$NL" 'login\.cgi: malformed CONTENT_LENGTH' -- @BOUNDED@ "${POST[@]}" CONTENT_LENGTH=abc --stdin /dev/zero
row "login: a negative CONTENT_LENGTH answers 400" \
  "400 Bad Request" "$T" "=Bad Request$NL" 'login\.cgi: malformed CONTENT_LENGTH' -- @BOUNDED@ "${POST[@]}" CONTENT_LENGTH=-1 --stdin /dev/zero
row "login: an exponent CONTENT_LENGTH answers 400" \
  "400 Bad Request" "$T" "=Bad Request$NL" 'login\.cgi: malformed CONTENT_LENGTH' -- @BOUNDED@ "${POST[@]}" CONTENT_LENGTH=1e3 --stdin /dev/zero
row "login: a CONTENT_LENGTH with a CR and LF answers 400" \
  "400 Bad Request" "$T" "=Bad Request$NL" 'login\.cgi: malformed CONTENT_LENGTH' -- @BOUNDED@ "${POST[@]}" $'CONTENT_LENGTH=12\r\n' --stdin /dev/zero
row "login: a CONTENT_LENGTH one byte over 64 KiB answers 413 without reading the endless body" \
  "413 Content Too Large" "$T" "=Content Too Large$NL" 'login\.cgi: request body of 65537 bytes is over the 65536-byte limit' \
  -- @BOUNDED@ "${POST[@]}" CONTENT_LENGTH=65537 --stdin /dev/zero
row "login: a 20-digit CONTENT_LENGTH answers 413 without reading the endless body" \
  "413 Content Too Large" "$T" "=Content Too Large$NL" 'login\.cgi: request body of over 10\^15 bytes is over the 65536-byte limit' \
  -- @BOUNDED@ "${POST[@]}" CONTENT_LENGTH=99999999999999999999 --stdin /dev/zero
row "login: a body shorter than CONTENT_LENGTH answers 400" \
  "400 Bad Request" "$T" "=Bad Request$NL" 'login\.cgi: request body truncated: 30 of 100 bytes' \
  -- login.cgi "${POST[@]}" CONTENT_LENGTH=100 --body 'username=ann&password=ann-pass'
row "login: bytes after CONTENT_LENGTH are not read" \
  "401 Unauthorized" "$H" "$FAILED_FORM" 'login\.cgi: login failed for user "ann" from 192\.0\.2\.7' \
  -- login.cgi "${POST[@]}" CONTENT_LENGTH=26 --body 'username=ann&password=ann-pass'

# --- login.cgi: the htpasswd file ---------------------------------------------------------
row "login: a missing htpasswd file answers 500 with one log line" \
  "500 Internal Server Error" "$T" "=Internal Server Error$NL" 'login\.cgi: HTPASSWD_FILE "/nonexistent/htpasswd" cannot be read \(ENOENT\)' \
  -- login.cgi "${POST[@]}" HTPASSWD_FILE=/nonexistent/htpasswd --body 'username=ann&password=ann-pass'
row "login: an htpasswd path that is a folder answers 500" \
  "500 Internal Server Error" "$T" "=Internal Server Error$NL" 'login\.cgi: HTPASSWD_FILE "/" is not a regular file \(a directory\): point it at a file made with `htpasswd -B -c FILE USER`' \
  -- login.cgi "${POST[@]}" HTPASSWD_FILE=/ --body 'username=ann&password=ann-pass'
row "login: an htpasswd file the program may not read answers 500" \
  "500 Internal Server Error" "$T" "=Internal Server Error$NL" 'login\.cgi: HTPASSWD_FILE ".*/locked-htpasswd" cannot be read \(EACCES\)' \
  -- @UNPRIV@ "${POST[@]}" HTPASSWD_FILE=@LOCKED@ --body 'username=ann&password=ann-pass'
row "login: no HTPASSWD_FILE at all answers 500" \
  "500 Internal Server Error" "$T" "=Internal Server Error$NL" 'login\.cgi: HTPASSWD_FILE is not set: point it at a file made with `htpasswd -B -c FILE USER`' \
  -- login.cgi "${POST[@]}" --unset HTPASSWD_FILE --body 'username=ann&password=ann-pass'
row "login: a plain-text htpasswd entry is refused even with its password" \
  "401 Unauthorized" "$H" "$FAILED_FORM" 'login\.cgi: login failed for user "plain" from 192\.0\.2\.7 \(unsupported hash type in HTPASSWD_FILE\)' \
  -- login.cgi "${POST[@]}" --body 'username=plain&password=plain-pass'
row "login: a crypt htpasswd entry is refused even with its password" \
  "401 Unauthorized" "$H" "$FAILED_FORM" 'login\.cgi: login failed for user "crypt" from 192\.0\.2\.7 \(unsupported hash type in HTPASSWD_FILE\)' \
  -- login.cgi "${POST[@]}" --body 'username=crypt&password=crypt-pa'
row "login: an htpasswd file of random bytes refuses everyone" \
  "401 Unauthorized" "$H" "$FAILED_FORM" 'login\.cgi: login failed for user "ann" from 192\.0\.2\.7' \
  -- login.cgi "${POST[@]}" HTPASSWD_FILE=@GARBAGE@ --body 'username=ann&password=ann-pass'

# --- login.cgi and logout.cgi: methods -------------------------------------------------------
row "login: PUT answers 405 with Allow" \
  "405 Method Not Allowed" "$T|Allow: GET, HEAD, POST" "=Method Not Allowed$NL" 'login\.cgi: method "PUT" not allowed' -- login.cgi REQUEST_METHOD=PUT
row "login: a method with CR and LF answers 405 and is escaped in the log" \
  "405 Method Not Allowed" "$T|Allow: GET, HEAD, POST" "=Method Not Allowed$NL" 'login\.cgi: method "GET\\r\\nX: y" not allowed' -- login.cgi $'REQUEST_METHOD=GET\r\nX: y'
row "logout: a POST without a body deletes the cookie (the control row)" \
  "303 See Other" "$H|Location: /|$DEL_COOKIE" "$HOME" "" -- logout.cgi REQUEST_METHOD=POST
row "logout: a JSON body answers 415 and deletes nothing" \
  "415 Unsupported Media Type" "$T" "=Unsupported Media Type$NL" 'logout\.cgi: POST body is not application/x-www-form-urlencoded' \
  -- logout.cgi REQUEST_METHOD=POST CONTENT_TYPE=application/json --body '{}'
row "logout: CR and LF in next give Location /" \
  "303 See Other" "$H|Location: /|$DEL_COOKIE" "$HOME" "" -- logout.cgi REQUEST_METHOD=POST 'QUERY_STRING=next=%2Fa%0D%0AX:%20y'
row "logout: a POST from another site's Origin answers 403 and deletes nothing" \
  "403 Forbidden" "$T" "=Forbidden$NL" 'logout\.cgi: cross-site POST refused \(Origin "https://evil\.example", Host "www\.example\.test"\)' \
  -- logout.cgi REQUEST_METHOD=POST HTTP_ORIGIN=https://evil.example
row "logout: markup in next is escaped in the logout page" \
  "200 OK" "$H" '<input type="hidden" name="next" value="&quot;&gt;&lt;script&gt;">' "" -- logout.cgi 'QUERY_STRING=next=%22%3E%3Cscript%3E'

# --- configuration: fail closed --------------------------------------------------------------
row "whoami: no key at all answers 500 and says what to set" \
  "500 Internal Server Error" "$J" '^\{"error":"server error"\}$' 'whoami\.cgi: no secret key: set SECRET_KEY or SECRET_KEY_FILE .*keygen.*' \
  -- whoami.cgi --unset SECRET_KEY "HTTP_COOKIE=session=@TOKEN@"
row "whoami: the Python placeholder key answers 500" \
  "500 Internal Server Error" "$J" '^\{"error":"server error"\}$' 'whoami\.cgi: the secret key is too weak: .*' \
  -- whoami.cgi SECRET_KEY=CHANGE-ME-IN-PRODUCTION "HTTP_COOKIE=session=@TOKEN@"
row "login: a 31-character key answers 500 and issues no cookie for REMOTE_USER" \
  "500 Internal Server Error" "$T" "=Internal Server Error$NL" 'login\.cgi: the secret key is too weak: .*' \
  -- login.cgi SECRET_KEY=0123456789abcdef0123456789abcde REMOTE_USER=ann
row "login: a missing SECRET_KEY_FILE answers 500 and issues no cookie" \
  "500 Internal Server Error" "$T" "=Internal Server Error$NL" 'login\.cgi: SECRET_KEY_FILE "/nonexistent/key" cannot be read \(ENOENT\); .*' \
  -- login.cgi SECRET_KEY_FILE=/nonexistent/key REMOTE_USER=ann
row "whoami: a SESSION_TTL that is not a number answers 500" \
  "500 Internal Server Error" "$J" '^\{"error":"server error"\}$' 'whoami\.cgi: SESSION_TTL must be a whole number of seconds greater than 0' \
  -- whoami.cgi SESSION_TTL=1e9 "HTTP_COOKIE=session=@TOKEN@"
row "whoami: a SESSION_COOKIE with a space answers 500" \
  "500 Internal Server Error" "$J" '^\{"error":"server error"\}$' 'whoami\.cgi: SESSION_COOKIE is not a valid cookie name: .*' \
  -- whoami.cgi 'SESSION_COOKIE=a b' "HTTP_COOKIE=session=@TOKEN@"

# --- gate.cgi ----------------------------------------------------------------------------------
row "gate: CR and LF in REQUEST_URI are percent-encoded into the login redirect" \
  "303 See Other" "$H|Location: /cgi-bin/login.cgi?next=%2Fa%0D%0ASet-Cookie%3A%20evil%3D1" '<a href="/cgi-bin/login\.cgi\?next=%2Fa%0D%0ASet-Cookie%3A%20evil%3D1">Continue</a>' "" \
  -- gate.cgi $'REQUEST_URI=/a\r\nSet-Cookie: evil=1' --arg @REPO_CGI@/whoami.cgi
row "gate: a forged session cookie runs nothing and redirects to the login" \
  "303 See Other" "$H|Location: /cgi-bin/login.cgi?next=%2Fprivate.pcgi" '<a href="/cgi-bin/login\.cgi\?next=%2Fprivate\.pcgi">Continue</a>' 'gate\.cgi: invalid session cookie from 192\.0\.2\.7' \
  -- gate.cgi REQUEST_URI=/private.pcgi HTTP_COOKIE=session=@FOREIGN@ --arg @REPO_CGI@/whoami.cgi

# --- the SECRET_KEY_FILE permission warning -------------------------------------------------------
key_file() { # MODE [GROUP] — a key file with that mode, path in KEY_FILE
  KEY_FILE=$BATS_TEST_TMPDIR/session.key
  printf '%s\n' "$CGI_KEY" > "$KEY_FILE"
  chmod "$1" "$KEY_FILE"
  [ -z "${2:-}" ] || chgrp "$2" "$KEY_FILE"
}

@test "a SECRET_KEY_FILE readable by every user works, with one warning line naming it and its mode" {
  key_file 644
  cgi_run whoami.cgi --unset SECRET_KEY SECRET_KEY_FILE="$KEY_FILE" HTTP_COOKIE="session=$TOKEN_ANN"
  assert_eq "$cgi_status" 200 status
  assert_match "$cgi_body" "$ANN" body
  assert_eq "$cgi_stderr" "whoami.cgi: SECRET_KEY_FILE \"$KEY_FILE\" is readable by every user (mode 0644): chmod 600 it, or chmod 640 and chgrp it to the web server's group" stderr
}

@test "a SECRET_KEY_FILE readable by a group the program does not run as is warned about" {
  key_file 640 nogroup
  cgi_run whoami.cgi --unset SECRET_KEY SECRET_KEY_FILE="$KEY_FILE" HTTP_COOKIE="session=$TOKEN_ANN"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "whoami.cgi: SECRET_KEY_FILE \"$KEY_FILE\" is readable by its group (mode 0640): chmod 600 it, or chmod 640 and chgrp it to the web server's group" stderr
}

@test "a SECRET_KEY_FILE of mode 600, or 640 with the program's own group, gives no warning" {
  key_file 600
  cgi_run whoami.cgi --unset SECRET_KEY SECRET_KEY_FILE="$KEY_FILE" HTTP_COOKIE="session=$TOKEN_ANN"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "" stderr
  key_file 640 "$(id -g)"
  cgi_run whoami.cgi --unset SECRET_KEY SECRET_KEY_FILE="$KEY_FILE" HTTP_COOKIE="session=$TOKEN_ANN"
  assert_eq "$cgi_status" 200 status
  assert_eq "$cgi_stderr" "" stderr
}

@test "the warning for a readable SECRET_KEY_FILE comes with the refusal line, never instead of it" {
  key_file 604
  cgi_run whoami.cgi --unset SECRET_KEY SECRET_KEY_FILE="$KEY_FILE" HTTP_COOKIE=session=forged
  assert_eq "$cgi_status" 401 status
  assert_eq "$cgi_stderr" "whoami.cgi: SECRET_KEY_FILE \"$KEY_FILE\" is readable by every user (mode 0604): chmod 600 it, or chmod 640 and chgrp it to the web server's group
whoami.cgi: invalid session cookie from 192.0.2.7" stderr
}
