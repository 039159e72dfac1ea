/** The configuration every CGI program shares (README, "Configuration"), read from the environment. */
import { assertCookieName, type CookieFlags } from "../cookie.js";
import { ConfigError } from "../errors.js";
import { keyFileWarning, keyringFromEnv, type Keyring } from "../keys.js";
import { DEFAULT_TTL } from "../session.js";
import { isHttps, logLine, type CgiEnv } from "./http.js";

export interface CgiConfig {
  keys: Keyring;
  cookieName: string;
  ttl: number;
  flags: CookieFlags;
}

/** Throws KeyConfigError or ConfigError (logged, 500) for a missing key or a bad SESSION_COOKIE / SESSION_TTL. */
export function loadConfig(env: CgiEnv): CgiConfig {
  const keys = keyringFromEnv(env);
  warnKeyFile(env);
  const cookieName = env.SESSION_COOKIE || "session";
  try {
    assertCookieName(cookieName);
  } catch {
    throw new ConfigError("SESSION_COOKIE is not a valid cookie name: use letters, digits, '-' or '_'");
  }
  const ttlText = env.SESSION_TTL;
  const ttl = ttlText === undefined || ttlText === "" ? DEFAULT_TTL : Number(ttlText);
  if ((ttlText !== undefined && !/^\d{1,10}$/.test(ttlText)) || !Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new ConfigError("SESSION_TTL must be a whole number of seconds greater than 0");
  }
  return { keys, cookieName, ttl, flags: { secure: isHttps(env) } };
}

let keyFileWarned = false;

/** Warns once per process on stderr (the error log) when SECRET_KEY_FILE is readable by other users (issue 4). */
function warnKeyFile(env: CgiEnv): void {
  if (keyFileWarned) return;
  const warning = keyFileWarning(env);
  if (!warning) return;
  keyFileWarned = true;
  logLine((process.argv[1] ?? "dbbasic-sessions").replace(/^.*\//, ""), warning);
}
