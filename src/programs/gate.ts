/**
 * gate.cgi — puts an existing CGI program, or a folder, behind the session
 * (docs/members-area.md, "Protect a whole folder"): the decision of
 * ../request/gate-decision.ts, carried out under CGI by ../cgi/gate-target.ts.
 * Valid session: runs the target directly (no shell) with stdin, stdout and
 * stderr passed through, or serves the file. Otherwise: 303 to the login page
 * for GET/HEAD, 401 for anything else.
 */
import { runAsChild, replaceWithTarget, serveTarget } from "../cgi/gate-target.js";
import { runCgi } from "../cgi/adapter.js";
import { gate, PROGRAM, type GateDecision } from "../request/gate-decision.js";
import type { CgiEnv } from "../request/reply.js";
import { withSettings } from "../request/settings.js";

async function main(env: CgiEnv): Promise<void> {
  let decision: GateDecision;
  try {
    env = withSettings(env); // README, "Shared hosting"
    decision = gate(env, process.argv.slice(2));
  } catch (err) {
    return runCgi(PROGRAM, () => {
      throw err;
    });
  }
  if ("reply" in decision) return runCgi(PROGRAM, () => decision.reply);
  if ("serve" in decision) return serveTarget(PROGRAM, decision.serve, env);
  if (replaceWithTarget(decision.run, decision.env)) return; // not reached: execve() does not return
  return runAsChild(PROGRAM, decision.run, decision.env);
}

void main(process.env);
