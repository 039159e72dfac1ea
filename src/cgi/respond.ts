/** Replies that more than one program sends. */
import { readCookie, serializeSessionCookie } from "../cookie.js";
import { createSession } from "../session.js";
import { decodeToken, type SessionData } from "../token.js";
import { notLiveReason } from "./live.js";
import type { CgiConfig } from "./config.js";
import { HTML_HEADERS, seeOtherPage } from "./html.js";
import { HttpError, quoteForLog, textReply, type CgiEnv, type Reply } from "./http.js";
import { safeNext } from "../redirect.js";

export function htmlReply(status: number, body: string, headers: Array<[string, string]> = []): Reply {
  return { status, contentType: "text/html; charset=utf-8", body, headers: [...HTML_HEADERS, ...headers] };
}

/** 303 to a local path (sanitised here, whatever the caller passed), with extra headers such as Set-Cookie. */
export function seeOther(next: string | null | undefined, headers: Array<[string, string]> = []): Reply {
  const location = safeNext(next);
  return htmlReply(303, seeOtherPage(location), [["Location", location], ...headers]);
}

/** A new session for `userId`: 303 to `next` with the session cookie. */
export function issueSession(cfg: CgiConfig, userId: string, next: string | null | undefined): Reply {
  const token = createSession(userId, cfg.ttl, { keys: cfg.keys, cookieName: cfg.cookieName });
  return seeOther(next, [["Set-Cookie", serializeSessionCookie(cfg.cookieName, token, cfg.ttl, cfg.flags)]]);
}

/** The user whose live session cookie came with this request, or undefined (no cookie, not valid, not live). `now` in seconds. */
export function sessionUser(cfg: CgiConfig, env: CgiEnv, program: string, now: number = Date.now() / 1000): string | undefined {
  const token = readCookie(env.HTTP_COOKIE, cfg.cookieName);
  if (token === undefined) return undefined;
  let session: SessionData;
  try {
    session = decodeToken(cfg.keys, token, now);
  } catch {
    return undefined;
  }
  return notLiveReason(env, cfg.maxTtl, now, session, program) ? undefined : session.userId;
}

/** 405 with `Allow`, and the one log line every refused request gets. */
export function methodNotAllowed(allow: string, method: string): never {
  throw new HttpError(405, `method ${quoteForLog(method)} not allowed`, [["Allow", allow]]);
}

export { textReply };
