/**
 * whoami.cgi's answer — who the session cookie says you are (README, "More").
 * A live session (docs/members-area.md, "Who may pass"): 200 + `{"user_id","expires"}`
 * (and a renewed cookie when under half the TTL is left), else 401.
 */
import { serializeSessionCookie, readCookie } from "../cookie.js";
import { createSession } from "../session.js";
import { decodeToken, type SessionData } from "../token.js";
import { loadConfig } from "./config.js";
import { jsonReply, logLine, quoteForLog, type CgiEnv, type Reply } from "./reply.js";
import { notLiveReason } from "./live.js";

export const PROGRAM = "whoami.cgi";

export function whoami(env: CgiEnv, now = Date.now() / 1000): Reply {
  const cfg = loadConfig(env);
  const token = readCookie(env.HTTP_COOKIE, cfg.cookieName);
  let session: SessionData;
  try {
    session = decodeToken(cfg.keys, token, now);
  } catch {
    if (token !== undefined) logLine(PROGRAM, `invalid session cookie from ${env.REMOTE_ADDR ?? "-"}`);
    return jsonReply(401, { error: "no valid session" });
  }
  const why = notLiveReason(env, cfg.maxTtl, now, session, PROGRAM);
  if (why) {
    logLine(PROGRAM, `session of user ${quoteForLog(session.userId)} refused: ${why} (from ${env.REMOTE_ADDR ?? "-"})`);
    return jsonReply(401, { error: "no valid session" });
  }
  const headers: Array<[string, string]> = [];
  let expires = session.expires;
  if (expires - now < cfg.ttl / 2) {
    const renewed = createSession(session.userId, cfg.ttl, { keys: cfg.keys, now: () => now, cookieName: cfg.cookieName });
    headers.push(["Set-Cookie", serializeSessionCookie(cfg.cookieName, renewed, cfg.ttl, cfg.flags)]);
    expires = Math.floor(now) + cfg.ttl;
  }
  return jsonReply(200, { user_id: session.userId, expires }, headers);
}

/** What whoami.cgi answers to a failure: JSON, as its other answers. */
export function whoamiFailure(status: number): Reply {
  return jsonReply(status, { error: status === 500 ? "server error" : "bad request" });
}
