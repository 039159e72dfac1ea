/** The configuration every CGI program shares (SPEC §4), read from the environment. */
import { assertCookieName, type CookieFlags } from "../cookie.js";
import { ConfigError } from "../errors.js";
import { keyringFromEnv, type Keyring } from "../keys.js";
import { DEFAULT_TTL } from "../session.js";
import { isHttps, type CgiEnv } from "./http.js";

export interface CgiConfig {
  keys: Keyring;
  cookieName: string;
  ttl: number;
  flags: CookieFlags;
}

/** Throws KeyConfigError or ConfigError (logged, 500) for a missing key or a bad SESSION_COOKIE / SESSION_TTL. */
export function loadConfig(env: CgiEnv): CgiConfig {
  const keys = keyringFromEnv(env);
  const cookieName = env.SESSION_COOKIE || "session";
  try {
    assertCookieName(cookieName);
  } catch {
    throw new ConfigError("SESSION_COOKIE is not a valid cookie name: use letters, digits, '-' or '_'");
  }
  const ttlText = env.SESSION_TTL;
  const ttl = ttlText === undefined || ttlText === "" ? DEFAULT_TTL : Number(ttlText);
  if (!/^\d{1,10}$/.test(ttlText ?? "0") || !Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new ConfigError("SESSION_TTL must be a whole number of seconds greater than 0");
  }
  return { keys, cookieName, ttl, flags: { secure: isHttps(env) } };
}
