/**
 * logout.cgi — deletes the session cookie (README, "What you get"). POST: 303 to `next`;
 * GET: a page saying who is logged in, with one button that posts to itself.
 * Nothing is stored server-side.
 */
import { serializeDeleteCookie } from "../cookie.js";
import { loadConfig } from "./config.js";
import { logoutPage } from "./html.js";
import { checkOrigin, queryParam, readForm, runCgi, type CgiEnv, type Reply } from "./http.js";
import { htmlReply, methodNotAllowed, seeOther, sessionUser } from "./respond.js";

const PROGRAM = "logout.cgi";

export function logout(env: CgiEnv, now = Date.now() / 1000): Reply {
  const cfg = loadConfig(env);
  const method = env.REQUEST_METHOD ?? "GET";
  if (method === "GET" || method === "HEAD") {
    const page = { action: env.SCRIPT_NAME ?? "", next: queryParam(env, "next") ?? "/", user: sessionUser(cfg, env, PROGRAM, now) ?? "" };
    return htmlReply(200, logoutPage(page, env.LOGOUT_TEMPLATE));
  }
  if (method !== "POST") methodNotAllowed("GET, HEAD, POST", method);
  checkOrigin(env);
  // A body is optional (`curl -X POST`); when there is one it must be a form.
  const hasBody = env.CONTENT_LENGTH !== undefined && env.CONTENT_LENGTH !== "" && env.CONTENT_LENGTH !== "0";
  const next = (hasBody ? readForm(env).get("next") : null) ?? queryParam(env, "next");
  return seeOther(next, [["Set-Cookie", serializeDeleteCookie(cfg.cookieName, cfg.flags)]]);
}

void runCgi(PROGRAM, (env) => logout(env));
