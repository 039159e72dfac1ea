#!/usr/bin/python3
"""gate.cgi's job in Python: check the session, then replace this process with the
target (os.execve: no shell, stdin/stdout inherited, its exit status is ours)."""
import os
import sys
from http.cookies import SimpleCookie

from dbbasic_sessions import get_session

cookie = SimpleCookie(os.environ.get("HTTP_COOKIE", ""))
token = cookie["session"].value if "session" in cookie else None
user = get_session(token) if token else None
if user is None:
    sys.stdout.write("Status: 303 See Other\r\nLocation: /cgi-bin/login.cgi\r\nContent-Type: text/html\r\nCache-Control: no-store\r\n\r\n")
    sys.exit(0)
target = sys.argv[1]
env = {k: v for k, v in os.environ.items() if not k.startswith("SECRET_KEY") and k != "HTTP_COOKIE"}
env.update(REMOTE_USER=user, AUTH_TYPE="Cookie")
os.execve(target, [target], env)
