#!/usr/bin/python3
"""logout.cgi's job in Python: delete the cookie, 303 to /."""
import sys

from dbbasic_sessions import destroy_session

destroy_session(None)
sys.stdout.write(
    "Status: 303 See Other\r\nLocation: /\r\nContent-Type: text/html\r\nCache-Control: no-store\r\n"
    "Set-Cookie: session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0\r\n\r\n"
)
