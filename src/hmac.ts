/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) in about sixty lines of plain
 * JavaScript. Under CGI every request is a new process, so what matters is the
 * cost of the first HMAC in a fresh process: loading node:crypto takes longer
 * than the rest of the request (≈ 2.5 ms on Node 20), and @noble/hashes, audited
 * and fast once warm, spends ≈ 0.8 ms more than this file on loading and
 * first-call compilation (docs/performance.md; `make bench`). Checked against
 * node:crypto in test/unit/hmac.test.ts.
 */

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// FIPS 180-4 §5.3.3: the initial hash value.
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const W = new Int32Array(64);

/** FIPS 180-4 §6.2.2: folds every 16-word block of `m` into the 8-word state `h`, in place. */
function compress(h: Int32Array, m: Int32Array): void {
  for (let off = 0; off < m.length; off += 16) {
    for (let i = 0; i < 16; i++) W[i] = m[off + i]!;
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15]!, y = W[i - 2]!;
      W[i] = (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + W[i - 7]! +
        (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + W[i - 16]!;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
    for (let i = 0; i < 64; i++) {
      const t1 = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
      const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a; h[1] = h[1]! + b; h[2] = h[2]! + c; h[3] = h[3]! + d;
    h[4] = h[4]! + e; h[5] = h[5]! + f; h[6] = h[6]! + g; h[7] = h[7]! + k;
  }
}

/** UTF-8 bytes of `s`; ASCII (every token payload) is copied without calling into Node's encoder. */
function utf8(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return Buffer.from(s);
    out[i] = c;
  }
  return out;
}

/** `bytes` as big-endian words with SHA-256 padding, for a message `prefix` bytes longer (FIPS 180-4 §5.1.1). */
function pad(bytes: Uint8Array, prefix: number): Int32Array {
  const n = bytes.length;
  const m = new Int32Array((((n + 8) >> 6) + 1) << 4);
  for (let i = 0; i < n; i++) m[i >> 2]! |= bytes[i]! << (24 - ((i & 3) << 3));
  m[n >> 2]! |= 0x80 << (24 - ((n & 3) << 3));
  const bits = (n + prefix) * 8;
  m[m.length - 2] = Math.floor(bits / 0x100000000);
  m[m.length - 1] = bits | 0;
  return m;
}

function toBytes(h: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = h[i >> 2]! >>> (24 - ((i & 3) << 3));
  return out;
}

/** The state after the first block, the key XOR an HMAC pad (RFC 2104 §2). */
function keyed(key: Uint8Array, xor: number): Int32Array {
  const block = new Uint8Array(64).fill(xor);
  for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ xor;
  const h = new Int32Array(IV);
  compress(h, pad(block, 0).subarray(0, 16));
  return h;
}

/** The SHA-256 states after the key's inner and outer pad blocks (RFC 2104 §2). */
function keyPads(key: string): [Int32Array, Int32Array] {
  let k = utf8(key);
  if (k.length > 64) {
    // RFC 2104 §2: a key longer than the block is hashed first.
    const h = new Int32Array(IV);
    compress(h, pad(k, 0));
    k = toBytes(h);
  }
  return [keyed(k, 0x36), keyed(k, 0x5c)];
}

/** Lowercase hex HMAC-SHA256 of `message` (UTF-8 encoded), from the key's pad states. */
function hmacHex(pads: [Int32Array, Int32Array], message: string): string {
  const inner = new Int32Array(pads[0]);
  compress(inner, pad(utf8(message), 64));
  const outer = new Int32Array(pads[1]);
  compress(outer, pad(toBytes(inner), 64));
  let hex = "";
  for (let i = 0; i < 8; i++) hex += (outer[i]! >>> 0).toString(16).padStart(8, "0");
  return hex;
}

/**
 * A key whose inner and outer pads are hashed once, on first use, then reused
 * for every message. Lazily: logout.cgi, or gate.cgi without a cookie, checks
 * the key but never signs, and skips the two SHA-256 blocks.
 */
export class HmacKey {
  readonly #key: string;
  #pads: [Int32Array, Int32Array] | undefined;
  constructor(key: string) {
    this.#key = key;
  }

  /** Lowercase hex HMAC-SHA256 of a message (UTF-8 encoded). */
  hex(message: string): string {
    this.#pads ??= keyPads(this.#key);
    return hmacHex(this.#pads, message);
  }
}

/** Constant-time string equality for equal-length ASCII strings (hex digests). */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
