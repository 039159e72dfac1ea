/**
 * Key loading, fail closed (SPEC §2). There is no default key, ever: a missing,
 * empty, short or well-known key refuses to sign or verify anything.
 */
import { readFileSync } from "node:fs";
import { KeyConfigError } from "./errors.js";
import { HmacKey, timingSafeEqualString } from "./hmac.js";

export const MIN_KEY_LENGTH = 32;
/** The Python library's placeholder: a key everyone knows is no key. */
const KNOWN_BAD_KEYS = new Set(["CHANGE-ME-IN-PRODUCTION"]);
const HOW_TO_GENERATE =
  "generate one with `dbbasic-sessions keygen` or `openssl rand -hex 32`";

/** The environment variables that configure keys. */
export interface KeyEnv {
  SECRET_KEY?: string | undefined;
  SECRET_KEY_FILE?: string | undefined;
  SECRET_KEY_FALLBACKS?: string | undefined;
}

function checkKey(key: string, source: string): void {
  if (key.length === 0) {
    throw new KeyConfigError(
      "ERR_KEY_MISSING",
      `${source} is empty: set SECRET_KEY or SECRET_KEY_FILE to a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`,
    );
  }
  if (KNOWN_BAD_KEYS.has(key) || [...key].length < MIN_KEY_LENGTH) {
    throw new KeyConfigError(
      "ERR_KEY_WEAK",
      `${source} is too weak: use a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`,
    );
  }
}

/**
 * The current signing key and the older keys still accepted for verification.
 * Newest signs; verification tries each (rolling rotation without logouts).
 *
 * @example
 * const ring = new Keyring("0123…(64 hex)", ["old key …"]);
 * const sig = ring.sign(payload);
 */
export class Keyring {
  readonly #current: HmacKey;
  readonly #all: HmacKey[];

  constructor(current: string, fallbacks: readonly string[] = []) {
    if (typeof current !== "string") {
      throw new KeyConfigError("ERR_KEY_MISSING", `no secret key: set SECRET_KEY or SECRET_KEY_FILE; ${HOW_TO_GENERATE}`);
    }
    checkKey(current, "the secret key");
    fallbacks.forEach((k) => checkKey(k, "a key in SECRET_KEY_FALLBACKS"));
    this.#current = new HmacKey(current);
    this.#all = [this.#current, ...fallbacks.map((k) => new HmacKey(k))];
  }

  /** Lowercase hex HMAC-SHA256 under the current key. */
  sign(payload: string): string {
    return this.#current.hex(payload);
  }

  /** True when `signature` is the HMAC of `payload` under any accepted key (constant-time per key). */
  verify(payload: string, signature: string): boolean {
    let ok = false;
    for (const key of this.#all) ok = timingSafeEqualString(key.hex(payload), signature) || ok;
    return ok;
  }
}

/** Splits `SECRET_KEY_FALLBACKS` on whitespace and commas. */
export function parseFallbacks(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).filter((k) => k.length > 0);
}

function readKeyFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new KeyConfigError("ERR_KEY_FILE", `SECRET_KEY_FILE ${JSON.stringify(path)} cannot be read (${code}); ${HOW_TO_GENERATE} and store it there`);
  }
  return text.replace(/\r?\n$/, "");
}

/**
 * Builds the keyring from the environment: `SECRET_KEY_FILE` (preferred, keeps
 * the key out of every process's environment) or `SECRET_KEY`, plus
 * `SECRET_KEY_FALLBACKS`. Throws {@link KeyConfigError} with what to set.
 *
 * @example
 * const ring = keyringFromEnv(process.env);
 */
export function keyringFromEnv(env: KeyEnv = process.env): Keyring {
  let current: string;
  if (env.SECRET_KEY_FILE) {
    current = readKeyFile(env.SECRET_KEY_FILE);
  } else if (env.SECRET_KEY !== undefined) {
    current = env.SECRET_KEY;
  } else {
    throw new KeyConfigError(
      "ERR_KEY_MISSING",
      `no secret key: set SECRET_KEY or SECRET_KEY_FILE to a random key of at least ${MIN_KEY_LENGTH} characters; ${HOW_TO_GENERATE}`,
    );
  }
  return new Keyring(current, parseFallbacks(env.SECRET_KEY_FALLBACKS));
}
