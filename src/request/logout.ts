/**
 * logout.cgi's answer — deletes the session cookie (README, "More"). POST: 303 to `next`;
 * GET: a page saying who is logged in, with one button that posts to itself.
 * Nothing is stored server-side.
 */
import { loadConfig } from "./config.js";
import { logoutPage } from "./html.js";
import { checkOrigin, queryParam, type CgiEnv, type FormReader, type Reply } from "./reply.js";
import { nextInSite, sitePrefix } from "../redirect.js";
import { deleteSessionCookie, htmlReply, methodNotAllowed, seeOther, sessionUser } from "./respond.js";

export const PROGRAM = "logout.cgi";

/** The answer to one request; `readForm` reads a POST's form, `now` is in unix seconds. */
export function logout(env: CgiEnv, readForm: FormReader, now = Date.now() / 1000): Reply {
  const cfg = loadConfig(env);
  const site = sitePrefix(env); // a site below a prefix (/~alice): next stays inside it, and so does the cookie's Path
  const method = env.REQUEST_METHOD ?? "GET";
  if (method === "GET" || method === "HEAD") {
    const next = queryParam(env, "next");
    const page = { action: env.SCRIPT_NAME ?? "", next: site ? nextInSite(next, site) : (next ?? "/"), user: sessionUser(cfg, env, PROGRAM, now) ?? "" };
    return htmlReply(200, logoutPage(page, env.LOGOUT_TEMPLATE));
  }
  if (method !== "POST") methodNotAllowed("GET, HEAD, POST", method);
  checkOrigin(env);
  // A body is optional (`curl -X POST`); when there is one it must be a form.
  const hasBody = env.CONTENT_LENGTH !== undefined && env.CONTENT_LENGTH !== "" && env.CONTENT_LENGTH !== "0";
  const next = (hasBody ? readForm(env).get("next") : null) ?? queryParam(env, "next");
  return seeOther(nextInSite(next, site), [["Set-Cookie", deleteSessionCookie(cfg, site)]]);
}
