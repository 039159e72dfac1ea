/**
 * gate.cgi's decision (docs/members-area.md, "Protect a whole folder"): who
 * may pass (./admit.ts), then what the request names — a program to run as
 * the session's user, a file to serve, or a reply of the gate's own. The
 * rules live in ./gate.ts; running and serving are the adapter's
 * (../cgi/gate-target.ts).
 */
import { checkTarget, gateRequest, GateTargetError, ruleFileFor, targetEnv, type GateRequest, type GateTarget } from "./gate.js";
import { admit } from "./admit.js";
import { HttpError, quoteForLog, type CgiEnv, type Reply } from "./reply.js";

export const PROGRAM = "gate.cgi";

/** What the gate decided: a reply of its own, or a program to run as `userId`. */
export type GateDecision = { reply: Reply } | { run: GateTarget; env: Record<string, string> } | { serve: GateTarget & { contentType: string } };

/**
 * Decides one request (`args`: gate.cgi's command-line arguments): a reply of
 * the gate's own, the program to run and its environment, or the file to
 * serve. `now` in unix seconds; `self` is gate.cgi's own file, which it never runs.
 */
export function gate(env: CgiEnv, args: readonly string[], now = Date.now() / 1000, self = process.argv[1]): GateDecision {
  let request: GateRequest | undefined;
  try {
    request = gateRequest(env, args);
  } catch (err) {
    if (!(err instanceof GateTargetError)) throw err; // reported after the session, as every target error
  }
  // Read before the session, so a .htsession that cannot be used is a 500 for everyone (docs/members-area.md, "Who may pass").
  const ruleFile = request && ruleFileFor(request, env);
  const admission = admit(env, PROGRAM, ruleFile ? { now, ruleFile } : { now });
  if ("reply" in admission) return { reply: admission.reply };
  const { user: userId, cfg } = admission;
  let target: GateTarget;
  try {
    target = checkTarget(request ?? gateRequest(env, args), env, self);
  } catch (err) {
    if (err instanceof GateTargetError) throw new HttpError(err.status, err.message);
    throw err;
  }
  if (target.contentType !== undefined) return serveDecision(env, { ...target, contentType: target.contentType });
  return { run: target, env: targetEnv(env, target, userId, cfg.cookieName) };
}

/** A file, not a program (docs/members-area.md, "Protect a whole folder"): GET and HEAD only. */
function serveDecision(env: CgiEnv, target: GateTarget & { contentType: string }): GateDecision {
  const method = env.REQUEST_METHOD ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    throw new HttpError(405, `method ${quoteForLog(method)} not allowed on the file ${JSON.stringify(target.realPath)}`, [["Allow", "GET, HEAD"]]);
  }
  return { serve: target };
}
