/**
 * login.cgi's answer — issues a session (README, "More"): for the user the server already
 * authenticated (REMOTE_USER), or for a username and password checked against
 * the htpasswd file named by HTPASSWD_FILE. A visitor who already has a valid
 * session is sent on to `next` instead of being shown the form.
 */
import { loadConfig, readHtpasswd } from "./config.js";
import { loginPage } from "./html.js";
import { checkOrigin, HttpError, logLine, queryParam, quoteForLog, type CgiEnv, type FormReader, type Reply } from "./reply.js";
import { nextInSite, sitePrefix } from "../redirect.js";
import { htmlReply, issueSession, methodNotAllowed, seeOther, sessionUser } from "./respond.js";

export const PROGRAM = "login.cgi";
/** The message after a failed login; LOGIN_ERROR_TEXT replaces it (a site in another language). */
const FAILED = "Invalid username or password.";
/** Longer passwords fail unhashed: apr1 would run 1 000 MD5 rounds over all of it, bcrypt reads 72 bytes. */
const MAX_PASSWORD = 1024;

/** The answer to one request; `readForm` reads a POST's form, `now` is in unix seconds. */
export async function login(env: CgiEnv, readForm: FormReader, now = Date.now() / 1000): Promise<Reply> {
  const cfg = loadConfig(env);
  const site = sitePrefix(env); // a site below a prefix (/~alice): next stays inside it, docs/members-area.md, "Protect a whole folder"
  const method = env.REQUEST_METHOD ?? "GET";
  const action = env.SCRIPT_NAME ?? "";
  if (method === "POST") checkOrigin(env);

  // The server authenticated this request (e.g. Basic auth on login.cgi): no form needed.
  const remoteUser = env.REMOTE_USER;
  if (remoteUser) {
    if (/[\x00-\x1f\x7f]/.test(remoteUser)) throw new HttpError(400, `REMOTE_USER ${quoteForLog(remoteUser)} holds control characters`);
    return issueSession(cfg, remoteUser, queryParam(env, "next"), site);
  }

  if (method === "GET" || method === "HEAD") {
    const next = queryParam(env, "next");
    // Already logged in: no form to fill in, straight on (no new cookie).
    if (sessionUser(cfg, env, PROGRAM, now) !== undefined) return seeOther(nextInSite(next, site));
    return htmlReply(200, loginPage({ action, next: site ? nextInSite(next, site) : (next ?? "/") }, env.LOGIN_TEMPLATE));
  }
  if (method !== "POST") methodNotAllowed("GET, HEAD, POST", method);

  const form = readForm(env);
  const user = form.get("username") ?? "";
  const password = form.get("password") ?? "";
  const next = form.get("next") ?? queryParam(env, "next") ?? (site ? site.prefix + "/" : "/");
  const text = readHtpasswd(env);
  // Loaded only here (start-up time, `make bench`): MD5, SHA-1 and bcrypt would cost REMOTE_USER and the form page ≈ 0.2 ms.
  const { verifyHtpasswd } = await import("../htpasswd.js");
  const result =
    password.length > MAX_PASSWORD
      ? { ok: false, reason: "bad-password" as const }
      : await verifyHtpasswd(text, user, password);
  if (!result.ok) {
    const why = result.reason === "unsupported-hash" ? " (unsupported hash type in HTPASSWD_FILE)" : "";
    logLine(PROGRAM, `login failed for user ${quoteForLog(user)} from ${env.REMOTE_ADDR ?? "-"}${why}`);
    return htmlReply(401, loginPage({ action, next: site ? nextInSite(next, site) : next, username: user, error: env.LOGIN_ERROR_TEXT || FAILED }, env.LOGIN_TEMPLATE));
  }
  return issueSession(cfg, user, next, site);
}
