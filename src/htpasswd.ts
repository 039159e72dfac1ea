/**
 * Checking a password against an htpasswd file as Apache's `htpasswd` writes
 * it: bcrypt (`$2y$`, `$2b$`, `$2a$`), Apache MD5 (`$apr1$`) and `{SHA}`.
 * bcrypt comes from bcryptjs (pure JS, so the CGI file stays self-contained)
 * and is loaded only when a bcrypt hash is checked; MD5 and SHA-1 come from
 * @noble/hashes (audited, pure JS). login.cgi loads this module only for a form
 * POST (start-up time, `make bench`).
 */
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { timingSafeEqualString } from "./hmac.js";

/** Parses `user:hash` lines; blank lines and `#` comments are skipped; the first entry for a user wins. */
export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.length === 0 || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const user = line.slice(0, colon);
    if (!users.has(user)) users.set(user, line.slice(colon + 1));
  }
  return users;
}

export type HashScheme = "bcrypt" | "apr1" | "sha" | "unsupported";

/**
 * The highest bcrypt cost checked. Each step doubles the work; this machine's
 * bcryptjs takes ≈ 0.07 s at 10, 0.3 s at 12, 1.2 s at 14 and 3 s at 15
 * (docs/members-area.md, "Behaviour worth knowing"). An entry above it is refused as
 * unsupported: one such line would otherwise make every failed login, and the
 * stand-in check for every unknown user, cost that much CPU.
 */
export const MAX_BCRYPT_COST = 14;

// bcrypt as htpasswd -B writes it: $2y$ (or $2a$/$2b$), a cost of 04 (bcrypt's least) to
// MAX_BCRYPT_COST (14), 53 radix-64 chars.
const BCRYPT_RE = /^\$2[aby]\$(?:0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}$/;

/** Which scheme a stored hash uses. */
export function hashScheme(hash: string): HashScheme {
  if (BCRYPT_RE.test(hash)) return "bcrypt";
  if (hash.startsWith("$apr1$")) return "apr1";
  if (hash.startsWith("{SHA}")) return "sha";
  return "unsupported";
}

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Apache's `$apr1$` MD5-crypt (the FreeBSD md5crypt algorithm with another magic string). */
export function apr1(password: string, salt: string): string {
  const magic = utf8ToBytes("$apr1$");
  const pw = utf8ToBytes(password);
  const s = utf8ToBytes(salt.slice(0, 8));
  let final = md5(concat([pw, s, pw]));
  const parts: Uint8Array[] = [pw, magic, s];
  for (let left = pw.length; left > 0; left -= 16) parts.push(final.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i > 0; i >>= 1) parts.push(i & 1 ? new Uint8Array(1) : pw.subarray(0, 1));
  final = md5(concat(parts));
  for (let i = 0; i < 1000; i++) {
    const round: Uint8Array[] = [i & 1 ? pw : final];
    if (i % 3) round.push(s);
    if (i % 7) round.push(pw);
    round.push(i & 1 ? final : pw);
    final = md5(concat(round));
  }
  let out = "";
  const to64 = (v: number, n: number) => {
    for (; n > 0; n--, v >>= 6) out += ITOA64[v & 0x3f];
  };
  const f = final;
  to64((f[0]! << 16) | (f[6]! << 8) | f[12]!, 4);
  to64((f[1]! << 16) | (f[7]! << 8) | f[13]!, 4);
  to64((f[2]! << 16) | (f[8]! << 8) | f[14]!, 4);
  to64((f[3]! << 16) | (f[9]! << 8) | f[15]!, 4);
  to64((f[4]! << 16) | (f[10]! << 8) | f[5]!, 4);
  to64(f[11]!, 2);
  return "$apr1$" + salt.slice(0, 8) + "$" + out;
}

async function checkHash(hash: string, password: string, scheme: HashScheme): Promise<boolean> {
  switch (scheme) {
    case "bcrypt": {
      const bcrypt = await import("bcryptjs");
      return bcrypt.compareSync(password, hash);
    }
    case "apr1": {
      const salt = hash.slice(6).split("$")[0] ?? "";
      return timingSafeEqualString(apr1(password, salt), hash);
    }
    case "sha":
      return timingSafeEqualString("{SHA}" + Buffer.from(sha1(utf8ToBytes(password))).toString("base64"), hash);
    default:
      return false;
  }
}

// Stand-ins checked for an unknown user (and for an entry whose hash type we do
// not support), so that "no such user" costs what "wrong password" costs and
// usernames cannot be told apart by timing. The bcrypt one is re-costed to the
// file's most expensive supported bcrypt entry (so never above MAX_BCRYPT_COST);
// its cost 05 is htpasswd -B's default.
const DUMMY: Record<Exclude<HashScheme, "unsupported">, string> = {
  bcrypt: "$2y$05$a2VOy4dKwROPdB0kEeG8keAAeNywVsHENOiBA1YzwhXDuJnH1I4g6",
  apr1: "$apr1$dummysal$Y1hPoUOiXyRGv4NvR3bs8/",
  sha: "{SHA}AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
};

/** Work per check, cheapest first: bcrypt ranks by its cost. */
function rank(hash: string, scheme: HashScheme): number {
  if (scheme === "bcrypt") return 100 + Number(hash.slice(4, 6));
  return scheme === "apr1" ? 2 : scheme === "sha" ? 1 : 0;
}

/**
 * The stand-in for the file's most expensive entry. A file mixing schemes
 * (some users on {SHA}, some on bcrypt) makes an unknown user look like its
 * strongest users; `htpasswd -B` for everyone keeps every user alike.
 */
export function dummyHash(users: ReadonlyMap<string, string>): { hash: string; scheme: Exclude<HashScheme, "unsupported"> } {
  let best: { hash: string; scheme: Exclude<HashScheme, "unsupported"> } | undefined;
  for (const hash of users.values()) {
    const scheme = hashScheme(hash);
    if (scheme !== "unsupported" && (!best || rank(hash, scheme) > rank(best.hash, best.scheme))) best = { hash, scheme };
  }
  if (!best) return { hash: DUMMY.bcrypt, scheme: "bcrypt" };
  // Same scheme, same prefix ($2y$/$2b$/$2a$) and cost as the entry it stands in for.
  const hash = best.scheme === "bcrypt" ? best.hash.slice(0, 7) + DUMMY.bcrypt.slice(7) : DUMMY[best.scheme];
  return { hash, scheme: best.scheme };
}

export interface HtpasswdResult {
  /** The password matched the user's entry. */
  ok: boolean;
  /** Why not, for the log line (never for the client). */
  reason: "ok" | "unknown-user" | "bad-password" | "unsupported-hash";
  /** The hash scheme whose work was done (for an unknown user or an unsupported entry: the dummy's). */
  scheme: HashScheme;
}

/**
 * Checks `user`/`password` against htpasswd text. An unknown user, or an entry
 * in a hash type we do not support, costs the same work as a wrong password:
 * a dummy hash of the file's most expensive scheme (and bcrypt cost) is
 * checked instead.
 *
 * @example
 * await verifyHtpasswd(readFileSync(".htpasswd", "utf8"), "ann", "s3cret") // { ok: true, … }
 */
export async function verifyHtpasswd(text: string, user: string, password: string): Promise<HtpasswdResult> {
  const users = parseHtpasswd(text);
  const hash = users.get(user);
  const scheme = hash === undefined ? "unsupported" : hashScheme(hash);
  if (hash === undefined || scheme === "unsupported") {
    const dummy = dummyHash(users);
    await checkHash(dummy.hash, password, dummy.scheme);
    return { ok: false, reason: hash === undefined ? "unknown-user" : "unsupported-hash", scheme: dummy.scheme };
  }
  const ok = await checkHash(hash, password, scheme);
  return { ok, reason: ok ? "ok" : "bad-password", scheme };
}
