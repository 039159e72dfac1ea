#!/usr/bin/env python3
"""The Python dbbasic-sessions 3.x algorithm, as published, for interop tests.

Standard library only; run with /usr/bin/python3. Keys and the clock are arguments,
never the environment, so every result is reproducible.

    pysessions.py create USER TTL NOW KEY     print a token; exit 0
    pysessions.py verify TOKEN NOW KEY        print the user id and exit 0; exit 1 when not valid
    pysessions.py dumps                       read a JSON string on stdin, print json.dumps of it
    pysessions.py batch                       read a JSON list of requests on stdin, print a JSON list
    pysessions.py vectors                     print the golden vectors (test/unit/vectors.json)

`batch` requests are {"op": "create", "user_id", "ttl", "now", "key"},
{"op": "verify", "token", "now", "key"} or {"op": "dumps", "value"}; they carry any
string (NUL, lone surrogates) that a command line cannot.
"""
import base64
import hashlib
import hmac
import json
import sys


def create_session(user_id, ttl, now, key):
    """create_session(user_id, ttl) of the Python library, with `now` and `key` passed in."""
    data = {"user_id": str(user_id), "expires": int(now) + ttl}
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    sig = hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return payload + "." + sig


def get_session(token, now, key):
    """get_session(token) of the Python library: the user id, or None for anything invalid."""
    if not token:
        return None
    try:
        payload, sig = token.split(".")
        expected = hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, expected):
            return None
        data = json.loads(base64.urlsafe_b64decode(payload))
        if data["expires"] > now:
            return data["user_id"]
        return None
    except Exception:
        return None


# Golden vectors: fixed user, expiry and key -> the exact token. Each pins one
# corner of json.dumps (ensure_ascii escaping), base64 padding or the key encoding.
KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
KEY_2 = "correct horse battery staple, 32+ characters long!"
KEY_UNICODE = "clé secrète — 鍵 — 🔑 — at least thirty-two characters"
VECTORS = [
    ("ascii", "alice", 1700000000, KEY),
    ("integer user id 42", 42, 1700000000, KEY),
    ("digits", "1234567890", 2000000000, KEY),
    ("e-mail", "ann.o'neil+tag@example.com", 1700003600, KEY),
    ("e-mail, second key", "bob@example.org", 1700003600, KEY_2),
    ("quotes", 'say "hi"', 1700000000, KEY),
    ("backslashes", "C:\\Users\\ann\\", 1700000000, KEY),
    ("slash and html", "</script><b>&amp;", 1700000000, KEY),
    ("spaces", "  two  spaces  ", 1700000000, KEY),
    ("newline", "a\nb", 1700000000, KEY),
    ("carriage return", "a\rb", 1700000000, KEY),
    ("tab", "a\tb", 1700000000, KEY),
    ("backspace", "a\bb", 1700000000, KEY),
    ("form feed", "a\fb", 1700000000, KEY),
    ("NUL", "a\x00b", 1700000000, KEY),
    ("unit separator 0x1f", "a\x1fb", 1700000000, KEY),
    ("DEL 0x7f", "a\x7fb", 1700000000, KEY),
    ("every control character", "".join(chr(c) for c in range(0x20)) + "\x7f", 1700000000, KEY),
    ("C1 control 0x85 and NBSP", "a\x85b\xa0c", 1700000000, KEY),
    ("latin-1", "Zoë Ångström", 1700000000, KEY),
    ("CJK", "山田太郎", 1700000000, KEY),
    ("Hangul and Cyrillic", "김민준 Иван", 1700000000, KEY),
    ("emoji (astral, surrogate pair)", "😀", 1700000000, KEY),
    ("mixed astral", "ann 👩‍💻 𝕏 𠀀", 1700000000, KEY),
    ("BOM, U+2028, U+FFFF", "\ufeff\u2028\uffff", 1700000000, KEY),
    ("lone high surrogate", "\ud800", 1700000000, KEY),
    ("lone low surrogate", "x\udfffy", 1700000000, KEY),
    ("unicode key", "alice", 1700000000, KEY_UNICODE),
    ("padding one \"=\"", "abc", 1700000000, KEY),
    ("padding none", "abcd", 1700000000, KEY),
    ("padding two \"==\"", "abcde", 1700000000, KEY),
    ("url-safe alphabet", "~~~???>>>", 1700000000, KEY),
    ("expires 0", "alice", 0, KEY),
    ("expires 2**53 - 1", "alice", 2**53 - 1, KEY),
    ("long id", "x" * 1000, 1700000000, KEY),
]


def vectors():
    out = []
    for name, user_id, expires, key in VECTORS:
        dumped = json.dumps({"user_id": str(user_id), "expires": expires})
        token = create_session(user_id, expires, 0, key)
        out.append({
            "name": name,
            "user_id": user_id,
            "expires": expires,
            "key": key,
            "json": dumped,
            "token": token,
        })
    return out


def batch(requests):
    results = []
    for r in requests:
        op = r["op"]
        if op == "create":
            results.append(create_session(r["user_id"], r["ttl"], r["now"], r["key"]))
        elif op == "verify":
            results.append(get_session(r["token"], r["now"], r["key"]))
        elif op == "dumps":
            results.append(json.dumps(r["value"]))
        else:
            raise ValueError("unknown op %r" % op)
    return results


def main(argv):
    cmd, args = (argv[0], argv[1:]) if argv else ("", [])
    if cmd == "create" and len(args) == 4:
        print(create_session(args[0], int(args[1]), int(args[2]), args[3]))
        return 0
    if cmd == "verify" and len(args) == 3:
        user = get_session(args[0], int(args[1]), args[2])
        if user is None:
            return 1
        print(user)
        return 0
    if cmd == "dumps" and not args:
        sys.stdout.write(json.dumps(json.loads(sys.stdin.read())))
        return 0
    if cmd == "batch" and not args:
        json.dump(batch(json.loads(sys.stdin.read())), sys.stdout)
        return 0
    if cmd == "vectors" and not args:
        json.dump(vectors(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
