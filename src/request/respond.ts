/** Replies that more than one program sends. */
import { readCookie, serializeDeleteCookie, serializeSessionCookie } from "../cookie.js";
import { createSession } from "../session.js";
import { decodeToken, type SessionData } from "../token.js";
import { notLiveReason } from "./live.js";
import type { CgiConfig } from "./config.js";
import { HTML_HEADERS, seeOtherPage } from "./html.js";
import { HttpError, quoteForLog, textReply, type CgiEnv, type Reply } from "./reply.js";
import { nextInSite, safeNext, type SitePrefix } from "../redirect.js";

export function htmlReply(status: number, body: string, headers: Array<[string, string]> = []): Reply {
  return { status, contentType: "text/html; charset=utf-8", body, headers: [...HTML_HEADERS, ...headers] };
}

/** 303 to a local path (sanitised here, whatever the caller passed), with extra headers such as Set-Cookie. */
export function seeOther(next: string | null | undefined, headers: Array<[string, string]> = []): Reply {
  const location = safeNext(next);
  return htmlReply(303, seeOtherPage(location), [["Location", location], ...headers]);
}

/**
 * A new session for `userId`: 303 to `next` with the session cookie. For a
 * site below a prefix (sitePrefix), `next` stays inside it and the cookie's
 * Path is PREFIX/, so other sites on the host (/~bob/) never receive it.
 */
export function issueSession(cfg: CgiConfig, userId: string, next: string | null | undefined, site?: SitePrefix): Reply {
  const token = createSession(userId, cfg.ttl, { keys: cfg.keys, cookieName: cfg.cookieName });
  return seeOther(nextInSite(next, site), [["Set-Cookie", cookiePath(serializeSessionCookie(cfg.cookieName, token, cfg.ttl, cfg.flags), site)]]);
}

/** The Set-Cookie that deletes the session cookie, with the Path it was set with. */
export function deleteSessionCookie(cfg: CgiConfig, site?: SitePrefix): string {
  return cookiePath(serializeDeleteCookie(cfg.cookieName, cfg.flags), site);
}

/** A Set-Cookie value with `Path=PREFIX/` in place of `Path=/` for a site below a prefix (its characters checked by sitePrefix). */
function cookiePath(setCookie: string, site: SitePrefix | undefined): string {
  return site ? setCookie.replace("; Path=/;", `; Path=${site.prefix}/;`) : setCookie;
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
