#!/usr/bin/python3
"""whoami.cgi's job, as a Python CGI script would do it with the seed library."""
import json
import os
import sys
from http.cookies import SimpleCookie

from dbbasic_sessions import get_session

cookie = SimpleCookie(os.environ.get("HTTP_COOKIE", ""))
token = cookie["session"].value if "session" in cookie else None
user = get_session(token) if token else None
if user is None:
    sys.stdout.write('Status: 401 Unauthorized\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n{"error":"no valid session"}')
else:
    sys.stdout.write("Status: 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n" + json.dumps({"user_id": user}))
