/**
 * HMAC-SHA256 in pure JavaScript (@noble/hashes). Under CGI every request is a
 * new process, and loading node:crypto costs more start-up time than the whole
 * HMAC does (see README, "Dependencies"); noble is audited and dependency-free.
 */
import { hmac, type _HMAC } from "@noble/hashes/hmac.js";
import { sha256, type _SHA256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

/** A key with its inner and outer pads hashed once, reused for every message. */
export class HmacKey {
  readonly #base: _HMAC<_SHA256>;
  constructor(key: string) {
    this.#base = hmac.create(sha256, utf8ToBytes(key));
  }
  /** Lowercase hex HMAC-SHA256 of an ASCII/UTF-8 message. */
  hex(message: string): string {
    return bytesToHex(this.#base.clone().update(utf8ToBytes(message)).digest());
  }
}

/** Constant-time string equality for equal-length ASCII strings (hex digests). */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
