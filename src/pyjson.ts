/**
 * The JSON that Python's `json.dumps` writes by default (ensure_ascii=True,
 * separators ", " and ": "), for the one object shape a token carries.
 * Byte-identical output is what makes Node and Python tokens interchangeable.
 */

const HEX = "0123456789abcdef";

/** Python's `ESCAPE_ASCII`: everything outside 0x20–0x7E is escaped; UTF-16 units map 1:1 to `\uXXXX`. */
export function pyJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i);
    start = i + 1;
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += "\\\\"; break;
      case 0x0a: out += "\\n"; break;
      case 0x0d: out += "\\r"; break;
      case 0x09: out += "\\t"; break;
      case 0x08: out += "\\b"; break;
      case 0x0c: out += "\\f"; break;
      default:
        out += "\\u" + HEX[(c >> 12) & 15] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15];
    }
  }
  return out + s.slice(start) + '"';
}

/** `json.dumps({"user_id": userId, "expires": expires})` as Python writes it. */
export function pyDumpsSession(userId: string, expires: number): string {
  return '{"user_id": ' + pyJsonString(userId) + ', "expires": ' + String(expires) + "}";
}
