#!/usr/bin/python3
"""login.cgi's job in Python: REMOTE_USER, or a form checked against a bcrypt htpasswd
entry with the C library's crypt(3) (libxcrypt), then a session cookie and a 303."""
import os
import sys
import warnings
from urllib.parse import parse_qs

from dbbasic_sessions import create_session


def check(user, password):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # crypt is deprecated in 3.11, still shipped
        import crypt
    with open(os.environ["HTPASSWD_FILE"]) as f:
        for line in f:
            name, _, stored = line.rstrip("\n").partition(":")
            if name == user:
                return crypt.crypt(password, stored) == stored
    return False


user = os.environ.get("REMOTE_USER")
if not user:
    body = sys.stdin.buffer.read(int(os.environ.get("CONTENT_LENGTH") or 0)).decode()
    form = parse_qs(body)
    name, password = form.get("username", [""])[0], form.get("password", [""])[0]
    if not check(name, password):
        sys.stdout.write("Status: 401 Unauthorized\r\nContent-Type: text/html\r\nCache-Control: no-store\r\n\r\nno")
        sys.exit(0)
    user = name
token = create_session(user)
sys.stdout.write(
    "Status: 303 See Other\r\nLocation: /\r\nContent-Type: text/html\r\nCache-Control: no-store\r\n"
    f"Set-Cookie: session={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000\r\n\r\n"
)
