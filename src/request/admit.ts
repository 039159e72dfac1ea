/**
 * Who may pass (docs/members-area.md, "Who may pass"), decided once for
 * gate.cgi and authorizer.fcgi: the user of a live session that the folder's
 * rules let in, or the reply for everyone else — 303 to the login form for
 * GET and HEAD and 401 otherwise when there is no live session, 403 with the
 * forbidden page when the rules refuse it. Configuration errors throw (500).
 */
import { readCookie } from "../cookie.js";
import { loginLocation, logoutUrl, type RuleFile } from "./gate.js";
import type { Keyring } from "../keys.js";
import { decodeToken, type SessionData } from "../token.js";
import { loadConfig, type CgiConfig } from "./config.js";
import { forbiddenPage } from "./html.js";
import { logLine, quoteForLog, textReply, type CgiEnv, type Reply } from "./reply.js";
import { accessRules, folderSetting, notLiveReason, userAllowed, type FileReader } from "./live.js";
import { htmlReply, seeOther } from "./respond.js";

/** Who passes (and until when their session lasts, in unix seconds), or the reply for everyone else. */
export type Admission = { user: string; cfg: CgiConfig; expires: number } | { reply: Reply };

export interface AdmitOptions {
  /** The time in unix seconds. */
  now: number;
  /** How a token is verified (the authorizer remembers tokens it verified). Default: decodeToken. */
  verify?: (keys: Keyring, token: string | undefined, now: number) => SessionData;
  /** How the htpasswd, revocation and group files are read. Default: read each time. */
  read?: FileReader;
  /** How the keyring is built from the environment. Default: keyringFromEnv. */
  keyring?: (env: CgiEnv) => Keyring;
  /** The target folder's `.htsession` (gate.cgi): its rules must pass too. */
  ruleFile?: RuleFile;
  /** Where the line about a cookie that is not a valid session goes (the authorizer rate-limits it: any client can send one). Default: the error log. */
  logInvalidCookie?: (message: string) => void;
}

export function admit(env: CgiEnv, program: string, options: AdmitOptions): Admission {
  const cfg = options.keyring ? loadConfig(env, options.keyring) : loadConfig(env);
  // Checked before the session, so a malformed rule is a 500 for everyone, never "anyone may pass".
  const rules = accessRules(env);
  const token = readCookie(env.HTTP_COOKIE, cfg.cookieName);
  const addr = env.REMOTE_ADDR ?? "-";
  let session: SessionData | undefined;
  try {
    session = (options.verify ?? decodeToken)(cfg.keys, token, options.now);
  } catch {
    if (token !== undefined) {
      const message = `invalid session cookie from ${addr}`;
      if (options.logInvalidCookie) options.logInvalidCookie(message);
      else logLine(program, message);
    }
  }
  const why = session && notLiveReason(env, cfg.maxTtl, options.now, session, program, options.read);
  if (session && why) logLine(program, `session of user ${quoteForLog(session.userId)} refused: ${why} (from ${addr})`);
  if (!session || why) {
    const method = env.REQUEST_METHOD ?? "GET";
    return { reply: method === "GET" || method === "HEAD" ? seeOther(loginLocation(env)) : textReply(401) };
  }
  const user = session.userId;
  if (!userAllowed(env, rules, user, program, options.read)) return { reply: forbidden(env, program, user, addr) };
  if (options.ruleFile && !userAllowed(env, options.ruleFile.rules, user, program, options.read, `.htsession ${JSON.stringify(options.ruleFile.path)}`)) {
    return { reply: forbidden(env, program, user, addr) };
  }
  return { user, cfg, expires: session.expires };
}

/** The 403 page for a live session the rules refuse, and its log line. */
function forbidden(env: CgiEnv, program: string, user: string, addr: string): Reply {
  logLine(program, `user ${quoteForLog(user)} may not access ${(env.REQUEST_URI ?? "").slice(0, 200)} from ${addr}`);
  const logoutAction = logoutUrl(env);
  const page = forbiddenPage({ user, logoutAction, next: loginLocation(env) }, folderSetting(env, "FORBIDDEN_TEMPLATE"));
  return htmlReply(403, page);
}
