// src/errors.ts
var SessionError = class extends Error {
  code;
  constructor(code, message) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
};
var KeyConfigError = class extends SessionError {
};
var ConfigError = class extends SessionError {
  constructor(message) {
    super("ERR_CONFIG", message);
  }
};
var SessionCreateError = class extends SessionError {
};
var TokenInvalidError = class extends SessionError {
  constructor() {
    super("ERR_TOKEN_INVALID", "invalid session token");
  }
};

// src/files.ts
import { constants, readFileSync, statSync } from "node:fs";
var SmallFileError = class extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
  code;
};
function kindOf(mode) {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFDIR:
      return "a directory";
    case constants.S_IFCHR:
      return "a character device";
    case constants.S_IFBLK:
      return "a block device";
    case constants.S_IFIFO:
      return "a FIFO";
    case constants.S_IFSOCK:
      return "a socket";
    default:
      return "not a regular file";
  }
}
var READ_OPTIONS = {
  encoding: "utf8",
  flag: constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY
};
function readSmallRegularFile(path, cap, what) {
  let st;
  let text = "";
  try {
    st = statSync(path);
    if ((st.mode & constants.S_IFMT) === constants.S_IFREG && st.size <= cap) text = readFileSync(path, READ_OPTIONS);
  } catch (err) {
    const code = err.code ?? "error";
    throw new SmallFileError(`${what} ${JSON.stringify(path)} cannot be read (${code})`, code);
  }
  if ((st.mode & constants.S_IFMT) !== constants.S_IFREG) {
    throw new SmallFileError(`${what} ${JSON.stringify(path)} is not a regular file (${kindOf(st.mode)})`, "ENOTREG");
  }
  if (st.size > cap || text.length > cap / 3 && Buffer.byteLength(text) > cap) {
    throw new SmallFileError(`${what} ${JSON.stringify(path)} is over the ${cap}-byte limit`, "EFBIG");
  }
  return { text, mode: st.mode, uid: st.uid, gid: st.gid };
}

// src/hmac.ts
var K = new Int32Array([
  1116352408,
  1899447441,
  3049323471,
  3921009573,
  961987163,
  1508970993,
  2453635748,
  2870763221,
  3624381080,
  310598401,
  607225278,
  1426881987,
  1925078388,
  2162078206,
  2614888103,
  3248222580,
  3835390401,
  4022224774,
  264347078,
  604807628,
  770255983,
  1249150122,
  1555081692,
  1996064986,
  2554220882,
  2821834349,
  2952996808,
  3210313671,
  3336571891,
  3584528711,
  113926993,
  338241895,
  666307205,
  773529912,
  1294757372,
  1396182291,
  1695183700,
  1986661051,
  2177026350,
  2456956037,
  2730485921,
  2820302411,
  3259730800,
  3345764771,
  3516065817,
  3600352804,
  4094571909,
  275423344,
  430227734,
  506948616,
  659060556,
  883997877,
  958139571,
  1322822218,
  1537002063,
  1747873779,
  1955562222,
  2024104815,
  2227730452,
  2361852424,
  2428436474,
  2756734187,
  3204031479,
  3329325298
]);
var IV = [1779033703, 3144134277, 1013904242, 2773480762, 1359893119, 2600822924, 528734635, 1541459225];
var W = new Int32Array(64);
function compress(h, m) {
  for (let off = 0; off < m.length; off += 16) {
    for (let i = 0; i < 16; i++) W[i] = m[off + i];
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15], y = W[i - 2];
      W[i] = ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ x >>> 3) + W[i - 7] + ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ y >>> 10) + W[i - 16];
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (let i = 0; i < 64; i++) {
      const t1 = k + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + (e & f ^ ~e & g) + K[i] + W[i] | 0;
      const t2 = ((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + (a & b ^ a & c ^ b & c) | 0;
      k = g;
      g = f;
      f = e;
      e = d + t1 | 0;
      d = c;
      c = b;
      b = a;
      a = t1 + t2 | 0;
    }
    h[0] = h[0] + a;
    h[1] = h[1] + b;
    h[2] = h[2] + c;
    h[3] = h[3] + d;
    h[4] = h[4] + e;
    h[5] = h[5] + f;
    h[6] = h[6] + g;
    h[7] = h[7] + k;
  }
}
function utf8(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return Buffer.from(s);
    out[i] = c;
  }
  return out;
}
function pad(bytes, prefix) {
  const n = bytes.length;
  const m = new Int32Array((n + 8 >> 6) + 1 << 4);
  for (let i = 0; i < n; i++) m[i >> 2] |= bytes[i] << 24 - ((i & 3) << 3);
  m[n >> 2] |= 128 << 24 - ((n & 3) << 3);
  const bits = (n + prefix) * 8;
  m[m.length - 2] = Math.floor(bits / 4294967296);
  m[m.length - 1] = bits | 0;
  return m;
}
function toBytes(h) {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = h[i >> 2] >>> 24 - ((i & 3) << 3);
  return out;
}
function keyed(key, xor) {
  const block = new Uint8Array(64).fill(xor);
  for (let i = 0; i < key.length; i++) block[i] = key[i] ^ xor;
  const h = new Int32Array(IV);
  compress(h, pad(block, 0).subarray(0, 16));
  return h;
}
function keyPads(key) {
  let k = utf8(key);
  if (k.length > 64) {
    const h = new Int32Array(IV);
    compress(h, pad(k, 0));
    k = toBytes(h);
  }
  return [keyed(k, 54), keyed(k, 92)];
}
function hmacHex(pads, message) {
  const inner = new Int32Array(pads[0]);
  compress(inner, pad(utf8(message), 64));
  const outer = new Int32Array(pads[1]);
  compress(outer, pad(toBytes(inner), 64));
  let hex = "";
  for (let i = 0; i < 8; i++) hex += (outer[i] >>> 0).toString(16).padStart(8, "0");
  return hex;
}
var HmacKey = class {
  #key;
  #pads;
  constructor(key) {
    this.#key = key;
  }
  /** Lowercase hex HMAC-SHA256 of a message (UTF-8 encoded). */
  hex(message) {
    this.#pads ??= keyPads(this.#key);
    return hmacHex(this.#pads, message);
  }
};
function timingSafeEqualString(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// src/keys.ts
var MIN_KEY_LENGTH = 32;
var KNOWN_BAD_KEYS = /* @__PURE__ */ new Set(["CHANGE-ME-IN-PRODUCTION"]);
var HOW_TO_GENERATE = "generate one with `dbbasic-sessions keygen` or `openssl rand -hex 32`";
var MAX_KEY_FILE = 4096;
function textProblem(key) {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 32 || c >= 127 && c <= 159) return "holds a NUL or another control character";
    if (c === 65533) return "holds bytes that are not UTF-8 text";
  }
  return key.trim() === "" ? "is only whitespace" : void 0;
}
function oneCharacterRepeated(key) {
  const unit = key.codePointAt(0) > 65535 ? 2 : 1;
  return key === key.slice(0, unit).repeat(Math.ceil(key.length / unit));
}
function checkKey(key, what, fix) {
  if (key.length === 0) {
    throw new KeyConfigError("ERR_KEY_MISSING", `${what} is empty: ${fix} a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`);
  }
  let problem;
  if (KNOWN_BAD_KEYS.has(key) || key.length < 2 * MIN_KEY_LENGTH && [...key].length < MIN_KEY_LENGTH) {
    problem = "is too weak";
  } else {
    let unreserved = false;
    try {
      unreserved = encodeURIComponent(key).length === key.length;
    } catch {
    }
    if (!unreserved) problem = textProblem(key);
    const first = key.charCodeAt(0);
    if (problem === void 0 && key.charCodeAt(first >= 55296 && first <= 56319 ? 2 : 1) === first && oneCharacterRepeated(key)) {
      problem = "is one character repeated";
    }
  }
  if (problem !== void 0) {
    throw new KeyConfigError("ERR_KEY_WEAK", `${what} ${problem}: ${fix} a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`);
  }
}
var Keyring = class {
  #current;
  #all;
  constructor(current, fallbacks = []) {
    if (typeof current !== "string") {
      throw new KeyConfigError("ERR_KEY_MISSING", `no secret key: set SECRET_KEY or SECRET_KEY_FILE; ${HOW_TO_GENERATE}`);
    }
    checkKey(current, "the secret key", "set SECRET_KEY or SECRET_KEY_FILE to");
    fallbacks.forEach((k) => checkKey(k, "a key in SECRET_KEY_FALLBACKS", "remove it from SECRET_KEY_FALLBACKS or replace it with"));
    this.#current = new HmacKey(current);
    this.#all = [this.#current, ...fallbacks.map((k) => new HmacKey(k))];
  }
  /** Lowercase hex HMAC-SHA256 under the current key. */
  sign(payload) {
    return this.#current.hex(payload);
  }
  /** True when `signature` is the HMAC of `payload` under any accepted key (constant-time per key). */
  verify(payload, signature) {
    let ok = false;
    for (const key of this.#all) ok = timingSafeEqualString(key.hex(payload), signature) || ok;
    return ok;
  }
};
function parseFallbacks(value) {
  if (!value) return [];
  return value.split(/[\s,]+/).filter((k) => k.length > 0);
}
var lastKeyFile;
function readKeyFile(path) {
  let text;
  try {
    const file = readSmallRegularFile(path, MAX_KEY_FILE, "SECRET_KEY_FILE");
    lastKeyFile = { path, mode: file.mode, uid: file.uid, gid: file.gid };
    text = file.text;
  } catch (err) {
    if (!(err instanceof SmallFileError)) throw err;
    const message = err.code === "ENOTREG" || err.code === "EFBIG" ? `${err.message}: set SECRET_KEY_FILE to a regular file holding only the key; ${HOW_TO_GENERATE}` : `${err.message}; ${HOW_TO_GENERATE} and store it there`;
    throw new KeyConfigError("ERR_KEY_FILE", message);
  }
  let end = text.length;
  if (text.charCodeAt(end - 1) === 10) end -= text.charCodeAt(end - 2) === 13 ? 2 : 1;
  const key = text.slice(0, end);
  if (key.includes("\n") || key.includes("\r")) {
    throw new KeyConfigError(
      "ERR_KEY_FILE",
      `SECRET_KEY_FILE ${JSON.stringify(path)} holds more than one line: set SECRET_KEY or SECRET_KEY_FILE to a random key on a single line; ${HOW_TO_GENERATE}`
    );
  }
  return key;
}
function keyringFromEnv(env = process.env) {
  let current;
  if (env.SECRET_KEY_FILE) {
    current = readKeyFile(env.SECRET_KEY_FILE);
  } else if (env.SECRET_KEY !== void 0) {
    current = env.SECRET_KEY;
  } else {
    throw new KeyConfigError(
      "ERR_KEY_MISSING",
      `no secret key: set SECRET_KEY or SECRET_KEY_FILE to a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`
    );
  }
  return new Keyring(current, parseFallbacks(env.SECRET_KEY_FALLBACKS));
}

// src/pyjson.ts
var HEX = "0123456789abcdef";
function pyJsonString(s) {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c <= 126 && c !== 34 && c !== 92) continue;
    out += s.slice(start, i);
    start = i + 1;
    switch (c) {
      case 34:
        out += '\\"';
        break;
      case 92:
        out += "\\\\";
        break;
      case 10:
        out += "\\n";
        break;
      case 13:
        out += "\\r";
        break;
      case 9:
        out += "\\t";
        break;
      case 8:
        out += "\\b";
        break;
      case 12:
        out += "\\f";
        break;
      default:
        out += "\\u" + HEX[c >> 12 & 15] + HEX[c >> 8 & 15] + HEX[c >> 4 & 15] + HEX[c & 15];
    }
  }
  return out + s.slice(start) + '"';
}
function pyDumpsSession(userId, expires) {
  return '{"user_id": ' + pyJsonString(userId) + ', "expires": ' + String(expires) + "}";
}

// src/token.ts
var MAX_TOKEN_LENGTH = 4096;
var PAYLOAD_RE = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;
var SIGNATURE_RE = /^[0-9a-f]{64}$/;
function b64urlPadded(ascii) {
  return btoa(ascii).replaceAll("+", "-").replaceAll("/", "_");
}
function payloadText(payload) {
  const binary = atob(payload.replaceAll("-", "+").replaceAll("_", "/"));
  for (let i = 0; i < binary.length; i++) {
    if (binary.charCodeAt(i) > 127) return Buffer.from(binary, "latin1").toString("utf8");
  }
  return binary;
}
function encodeToken(keys, userId, expires) {
  const payload = b64urlPadded(pyDumpsSession(userId, expires));
  return payload + "." + keys.sign(payload);
}
function decodeToken(keys, token, now) {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new TokenInvalidError();
  }
  const dot = token.indexOf(".");
  if (dot <= 0 || token.indexOf(".", dot + 1) !== -1) throw new TokenInvalidError();
  const payload = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  if (!SIGNATURE_RE.test(signature) || !PAYLOAD_RE.test(payload)) throw new TokenInvalidError();
  if (!keys.verify(payload, signature)) throw new TokenInvalidError();
  let data;
  try {
    data = JSON.parse(payloadText(payload));
  } catch {
    throw new TokenInvalidError();
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new TokenInvalidError();
  const { user_id: userId, expires } = data;
  if (typeof userId !== "string" || userId.length === 0) throw new TokenInvalidError();
  if (typeof expires !== "number" || !Number.isSafeInteger(expires)) throw new TokenInvalidError();
  if (!(expires > now)) throw new TokenInvalidError();
  return { userId, expires };
}

// src/session.ts
var DEFAULT_TTL = 2592e3;
var cached;
function resolveKeys(options = {}) {
  const { keys } = options;
  if (keys instanceof Keyring) return keys;
  if (keys !== void 0) return new Keyring(keys);
  const env = options.env ?? process.env;
  const a = env.SECRET_KEY, b = env.SECRET_KEY_FILE, c = env.SECRET_KEY_FALLBACKS;
  if (cached && cached.env === env && cached.a === a && cached.b === b && cached.c === c) {
    return cached.ring;
  }
  const ring = keyringFromEnv(env);
  cached = { env, a, b, c, ring };
  return ring;
}
function nowSeconds(options) {
  return options.now ? options.now() : Date.now() / 1e3;
}
function createSession(userId, ttl = DEFAULT_TTL, options = {}) {
  const keys = resolveKeys(options);
  if (typeof userId === "number" && !Number.isFinite(userId)) {
    throw new SessionCreateError("ERR_USER_ID_INVALID", "user id must be a non-empty string or a finite number");
  }
  if (typeof userId !== "string" && typeof userId !== "number") {
    throw new SessionCreateError("ERR_USER_ID_INVALID", "user id must be a non-empty string or a finite number");
  }
  const id = typeof userId === "number" && Number.isInteger(userId) ? BigInt(userId).toString() : String(userId);
  if (id.length === 0) throw new SessionCreateError("ERR_USER_ID_INVALID", "user id must not be empty");
  if (!Number.isSafeInteger(ttl)) throw new SessionCreateError("ERR_TTL_INVALID", "ttl must be an integer number of seconds");
  const expires = Math.floor(nowSeconds(options)) + ttl;
  if (!Number.isSafeInteger(expires)) throw new SessionCreateError("ERR_TTL_INVALID", "ttl is out of range");
  const token = encodeToken(keys, id, expires);
  const name = options.cookieName ?? "session";
  if (name.length + 1 + token.length > MAX_TOKEN_LENGTH) {
    throw new SessionCreateError(
      "ERR_TOKEN_TOO_LARGE",
      `the session cookie would be ${name.length + 1 + token.length} bytes, over the ${MAX_TOKEN_LENGTH} that browsers keep: use a shorter user id`
    );
  }
  return token;
}
function verifySession(token, options = {}) {
  return decodeToken(resolveKeys(options), token, nowSeconds(options));
}
function getSession(token, options = {}) {
  const keys = resolveKeys(options);
  try {
    return decodeToken(keys, token, nowSeconds(options)).userId;
  } catch {
    return null;
  }
}
function destroySession(_token) {
}

// src/cookie.ts
var COOKIE_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
var COOKIE_VALUE_RE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
function unquote(value) {
  return value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34 ? value.slice(1, -1) : value;
}
function readCookie(header, name) {
  if (!header) return void 0;
  for (let start = 0; start < header.length; ) {
    let end = header.indexOf(";", start);
    if (end === -1) end = header.length;
    const eq = header.indexOf("=", start);
    if (eq === -1) return void 0;
    if (eq < end && trimSpTab(header.slice(start, eq)) === name) return unquote(trimSpTab(header.slice(eq + 1, end)));
    start = end + 1;
  }
  return void 0;
}
function trimSpTab(s) {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return s.slice(a, b);
}
function assertCookieName(name) {
  if (!COOKIE_NAME_RE.test(name)) throw new TypeError(`invalid cookie name: set SESSION_COOKIE to letters, digits or !#$%&'*+-.^_\`|~`);
}
function attributes(maxAge, flags) {
  return "; HttpOnly; SameSite=Lax; Path=/; Max-Age=" + maxAge + (flags.secure ? "; Secure" : "");
}
function serializeSessionCookie(name, token, maxAge, flags) {
  assertCookieName(name);
  if (!COOKIE_VALUE_RE.test(token)) throw new TypeError("invalid cookie value");
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new TypeError("invalid Max-Age");
  return name + "=" + token + attributes(maxAge, flags);
}
function serializeDeleteCookie(name, flags) {
  assertCookieName(name);
  return name + "=" + attributes(0, flags);
}

// src/redirect.ts
function safeNext(next) {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return "/";
  if (next.charCodeAt(0) !== 47) return "/";
  const second = next.charCodeAt(1);
  if (second === 47 || second === 92) return "/";
  let printable = true;
  for (let i = 0; i < next.length; i++) {
    const c = next.charCodeAt(i);
    if (c <= 31 || c >= 127 && c <= 159) return "/";
    if (c > 126 || c === 32) printable = false;
  }
  if (printable) return next;
  try {
    return encodeURI(next).replace(/%25([0-9A-Fa-f]{2})/g, "%$1");
  } catch {
    return "/";
  }
}

// src/htpasswd.ts
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
function parseHtpasswd(text) {
  const users = /* @__PURE__ */ new Map();
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
var BCRYPT_RE = /^\$2[aby]\$(?:0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}$/;
function hashScheme(hash) {
  if (BCRYPT_RE.test(hash)) return "bcrypt";
  if (hash.startsWith("$apr1$")) return "apr1";
  if (hash.startsWith("{SHA}")) return "sha";
  return "unsupported";
}
var ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function apr1(password, salt) {
  const magic = utf8ToBytes("$apr1$");
  const pw = utf8ToBytes(password);
  const s = utf8ToBytes(salt.slice(0, 8));
  let final = md5(concat([pw, s, pw]));
  const parts = [pw, magic, s];
  for (let left = pw.length; left > 0; left -= 16) parts.push(final.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i > 0; i >>= 1) parts.push(i & 1 ? new Uint8Array(1) : pw.subarray(0, 1));
  final = md5(concat(parts));
  for (let i = 0; i < 1e3; i++) {
    const round = [i & 1 ? pw : final];
    if (i % 3) round.push(s);
    if (i % 7) round.push(pw);
    round.push(i & 1 ? final : pw);
    final = md5(concat(round));
  }
  let out = "";
  const to64 = (v, n) => {
    for (; n > 0; n--, v >>= 6) out += ITOA64[v & 63];
  };
  const f = final;
  to64(f[0] << 16 | f[6] << 8 | f[12], 4);
  to64(f[1] << 16 | f[7] << 8 | f[13], 4);
  to64(f[2] << 16 | f[8] << 8 | f[14], 4);
  to64(f[3] << 16 | f[9] << 8 | f[15], 4);
  to64(f[4] << 16 | f[10] << 8 | f[5], 4);
  to64(f[11], 2);
  return "$apr1$" + salt.slice(0, 8) + "$" + out;
}
async function checkHash(hash, password, scheme) {
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
var DUMMY = {
  bcrypt: "$2y$05$a2VOy4dKwROPdB0kEeG8keAAeNywVsHENOiBA1YzwhXDuJnH1I4g6",
  apr1: "$apr1$dummysal$Y1hPoUOiXyRGv4NvR3bs8/",
  sha: "{SHA}AAAAAAAAAAAAAAAAAAAAAAAAAAA="
};
function rank(hash, scheme) {
  if (scheme === "bcrypt") return 100 + Number(hash.slice(4, 6));
  return scheme === "apr1" ? 2 : scheme === "sha" ? 1 : 0;
}
function dummyHash(users) {
  let best;
  for (const hash2 of users.values()) {
    const scheme = hashScheme(hash2);
    if (scheme !== "unsupported" && (!best || rank(hash2, scheme) > rank(best.hash, best.scheme))) best = { hash: hash2, scheme };
  }
  if (!best) return { hash: DUMMY.bcrypt, scheme: "bcrypt" };
  const hash = best.scheme === "bcrypt" ? best.hash.slice(0, 7) + DUMMY.bcrypt.slice(7) : DUMMY[best.scheme];
  return { hash, scheme: best.scheme };
}
async function verifyHtpasswd(text, user, password) {
  const users = parseHtpasswd(text);
  const hash = users.get(user);
  const scheme = hash === void 0 ? "unsupported" : hashScheme(hash);
  if (hash === void 0 || scheme === "unsupported") {
    const dummy = dummyHash(users);
    await checkHash(dummy.hash, password, dummy.scheme);
    return { ok: false, reason: hash === void 0 ? "unknown-user" : "unsupported-hash", scheme: dummy.scheme };
  }
  const ok = await checkHash(hash, password, scheme);
  return { ok, reason: ok ? "ok" : "bad-password", scheme };
}
export {
  ConfigError,
  DEFAULT_TTL,
  KeyConfigError,
  Keyring,
  MAX_TOKEN_LENGTH,
  MIN_KEY_LENGTH,
  SessionCreateError,
  SessionError,
  TokenInvalidError,
  createSession,
  decodeToken,
  destroySession,
  encodeToken,
  getSession,
  keyringFromEnv,
  parseFallbacks,
  parseHtpasswd,
  readCookie,
  resolveKeys,
  safeNext,
  serializeDeleteCookie,
  serializeSessionCookie,
  verifyHtpasswd,
  verifySession
};
