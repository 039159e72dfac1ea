/**
 * Typed errors with stable codes (for logs and tests). Messages for token
 * failures are deliberately generic: they never say which check failed.
 */
export type SessionErrorCode =
  | "ERR_KEY_MISSING"
  | "ERR_KEY_WEAK"
  | "ERR_KEY_FILE"
  | "ERR_CONFIG"
  | "ERR_USER_ID_INVALID"
  | "ERR_TTL_INVALID"
  | "ERR_TOKEN_TOO_LARGE"
  | "ERR_TOKEN_INVALID";

export class SessionError extends Error {
  readonly code: SessionErrorCode;
  constructor(code: SessionErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The key configuration is missing or unsafe: nothing can be signed or verified. */
export class KeyConfigError extends SessionError {}

/** Another setting (SESSION_COOKIE, SESSION_TTL, HTPASSWD_FILE…) is unusable. */
export class ConfigError extends SessionError {
  constructor(message: string) {
    super("ERR_CONFIG", message);
  }
}

/** A caller passed something that cannot become a session (empty user id, bad TTL, too large). */
export class SessionCreateError extends SessionError {}

/** A token failed verification. The message never says why. */
export class TokenInvalidError extends SessionError {
  constructor() {
    super("ERR_TOKEN_INVALID", "invalid session token");
  }
}
