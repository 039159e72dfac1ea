#!/bin/sh
# The demo's home page: a shell CGI script, so that the page says who is logged in, and its
# header offers "Log in" or "Log out", as it is served, with no script in the page. It asks
# `dbbasic-sessions verify` (docs/command-line.md) about the session cookie; run.sh puts
# the command on the programs' PATH.

: "${PATH:=/usr/local/bin:/usr/bin:/bin}"   # lighttpd passes no PATH
export PATH

html() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' -e "s/'/\&#39;/g"; }

# verify, with no token, reads the session cookie from HTTP_COOKIE: exit 0 and the user id on
# stdout; 1 not logged in; 2 misconfigured (its reason on stderr, which goes to the server's
# error log). 2 is a 500: a broken key file must not look like everyone being logged out.
user=$(dbbasic-sessions verify)
case $? in
  0) nav='<a href="/cgi-bin/logout.cgi?next=/">Log out</a>'
     status="You are logged in as <strong class=\"user\">$(html "$user")</strong>." ;;
  1) nav='<a href="/cgi-bin/login.cgi?next=/">Log in</a>'
     status='You are not logged in.' ;;
  *) echo "index.cgi: dbbasic-sessions verify failed" >&2
     printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nserver error\n'
     exit 0 ;;
esac

# no-store: the page differs by cookie, so no cache may keep one visitor's copy for another.
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
cat <<PAGE
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="stylesheet" href="/demo.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<title>Riverside Allotments</title>
</head>
<body>
<header class="site"><div class="bar"><a class="brand" href="/"><img src="/favicon.svg" alt="">Riverside Allotments</a>
<nav><a href="/">Home</a> <a href="/members/">Members</a> $nav</nav></div></header>
<main>
<h1>Welcome to Riverside Allotments</h1>
<p>A small site with a members area, logged in with signed-cookie sessions for classic CGI.</p>
<p id="status">$status</p>
<ul>
  <li><a href="/members/">The members' area</a>: a folder of plain files (a page, a map, a PDF handbook)
    that <code>gate.cgi</code> serves to logged-in visitors only</li>
  <li><a href="/members.pcgi">The members page</a>: an unchanged shell CGI script behind <code>gate.cgi</code></li>
  <li><a href="/members/staff/rota.html">The staff rota</a>: a static page for the group <code>staff</code> only,
    which is the demo admin; the demo user gets the site's own 403 page</li>
  <li><a href="/cgi-bin/whoami.cgi">/cgi-bin/whoami.cgi</a>: who the cookie says you are, as JSON</li>
</ul>
<p class="note">This page is <code>index.cgi</code>, a shell CGI script that asks <code>dbbasic-sessions verify</code>
who the cookie says you are. The login and logout pages are <code>login.cgi</code> and <code>logout.cgi</code>
showing this site's own templates (<code>LOGIN_TEMPLATE</code>, <code>LOGOUT_TEMPLATE</code>,
<code>FORBIDDEN_TEMPLATE</code>).</p>
</main>
<footer class="site"><div class="bar">Riverside Allotments is the demo site of dbbasic-sessions: signed-cookie sessions for classic CGI, served here by lighttpd. <a href="/">Home</a></div></footer>
</body>
</html>
PAGE
