/**
 * The public session API (docs/library.md): createSession, getSession, destroySession.
 * Keys and the clock are parameters whose defaults read the environment and
 * the system clock, so tests never sleep and never touch process.env.
 */
import { SessionCreateError } from "./errors.js";
import { Keyring, keyringFromEnv, type KeyEnv } from "./keys.js";
import { decodeToken, encodeToken, MAX_TOKEN_LENGTH, type SessionData } from "./token.js";

/** 30 days, as in the Python library. */
export const DEFAULT_TTL = 2592000;

/** Where keys and time come from; every field is optional. */
export interface SessionOptions {
  /** A ready keyring, or the current key (string). Default: {@link keyringFromEnv}(`env`). */
  keys?: Keyring | string;
  /** Environment to read keys from when `keys` is not given. Default: `process.env`. */
  env?: KeyEnv;
  /** Current time in unix seconds. Default: `Date.now() / 1000`. */
  now?: () => number;
  /** Cookie name the token will travel in, for the 4096-byte limit. Default `"session"`. */
  cookieName?: string;
}

let cached: { env: KeyEnv; a?: string | undefined; b?: string | undefined; c?: string | undefined; ring: Keyring } | undefined;

/** The keyring for these options; the environment's keyring is cached while its variables are unchanged. */
export function resolveKeys(options: SessionOptions = {}): Keyring {
  const { keys } = options;
  if (keys instanceof Keyring) return keys;
  if (keys !== undefined) return new Keyring(keys);
  const env = options.env ?? process.env;
  const a = env.SECRET_KEY, b = env.SECRET_KEY_FILE, c = env.SECRET_KEY_FALLBACKS;
  if (cached && cached.env === env && cached.a === a && cached.b === b && cached.c === c) {
    return cached.ring;
  }
  const ring = keyringFromEnv(env);
  cached = { env, a, b, c, ring };
  return ring;
}

function nowSeconds(options: SessionOptions): number {
  return options.now ? options.now() : Date.now() / 1000;
}

/**
 * Creates a signed session token for `userId`, valid for `ttl` seconds.
 * Throws {@link SessionCreateError} for an empty user id, a bad TTL or a token
 * too large for a cookie, and {@link KeyConfigError} when no usable key is set.
 *
 * @example
 * const token = createSession(42);            // key from SECRET_KEY / SECRET_KEY_FILE
 * const token = createSession("ann", 3600, { keys: ring, now: () => 1_700_000_000 });
 */
export function createSession(userId: string | number, ttl: number = DEFAULT_TTL, options: SessionOptions = {}): string {
  const keys = resolveKeys(options);
  if (typeof userId === "number" && !Number.isFinite(userId)) {
    throw new SessionCreateError("ERR_USER_ID_INVALID", "user id must be a non-empty string or a finite number");
  }
  if (typeof userId !== "string" && typeof userId !== "number") {
    throw new SessionCreateError("ERR_USER_ID_INVALID", "user id must be a non-empty string or a finite number");
  }
  // Python's str(10**21) prints every digit; JavaScript would write "1e+21".
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
      `the session cookie would be ${name.length + 1 + token.length} bytes, over the ${MAX_TOKEN_LENGTH} that browsers keep: use a shorter user id`,
    );
  }
  return token;
}

/**
 * Verifies a token and returns `{ userId, expires }`, or throws
 * TokenInvalidError (code `ERR_TOKEN_INVALID`, a generic message).
 *
 * @example
 * const { userId, expires } = verifySession(token, { now: () => 1_700_000_000 });
 */
export function verifySession(token: unknown, options: SessionOptions = {}): SessionData {
  return decodeToken(resolveKeys(options), token, nowSeconds(options));
}

/**
 * The user id a token names, or `null` for anything that is not a valid,
 * unexpired token. Never throws for bad tokens; throws KeyConfigError when no
 * usable key is configured (a caller mistake, not bad input).
 *
 * @example
 * const user = getSession(cookies.session);   // "42" or null
 */
export function getSession(token: string | null | undefined, options: SessionOptions = {}): string | null {
  const keys = resolveKeys(options);
  try {
    return decodeToken(keys, token, nowSeconds(options)).userId;
  } catch {
    return null; // every failure is simply "no session"
  }
}

/**
 * Logout. A no-op on the server, as in the seed: the client deletes the cookie.
 * Stateless tokens stay valid until they expire; see SECURITY.md.
 */
export function destroySession(_token?: string): void {
  // Nothing is stored, so nothing is removed.
}
