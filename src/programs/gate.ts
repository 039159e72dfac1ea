/**
 * gate.cgi — puts an existing CGI program behind the session.
 * Valid session: runs the target directly (no shell) with stdin, stdout and
 * stderr passed through. On a Node with process.execve (22.15+, 23.11+) the
 * gate replaces itself with the target, so nothing of it stays alive; on older
 * Node it runs the target as a child process and returns its exit status.
 * A file of a protected folder that is not a program is served instead
 * (../request/static.ts, loaded only then).
 * Otherwise: 303 to the login page for GET/HEAD, 401 for anything else. The
 * rules live in ../request/gate.ts.
 */
import { checkTarget, execReady, gateRequest, GateTargetError, ruleFileFor, targetEnv, type GateRequest, type GateTarget } from "../request/gate.js";
import { admit } from "../request/admit.js";
import { HttpError, logLine, quoteForLog, runCgi, writeOut, type CgiEnv, type Reply } from "../cgi/http.js";
import { withSettings } from "../request/settings.js";

const PROGRAM = "gate.cgi";

/** What the gate decided: a reply of its own, or a program to run as `userId`. */
export type GateDecision = { reply: Reply } | { run: GateTarget; env: Record<string, string> } | { serve: GateTarget & { contentType: string } };

export function gate(env: CgiEnv, args: readonly string[], now = Date.now() / 1000, self = process.argv[1]): GateDecision {
  let request: GateRequest | undefined;
  try {
    request = gateRequest(env, args);
  } catch (err) {
    if (!(err instanceof GateTargetError)) throw err; // reported after the session, as every target error
  }
  // Read before the session, so a .htsession that cannot be used is a 500 for everyone (README, "Members area: who may pass").
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

/** A file, not a program (README, "Members area: protect a whole folder"): GET and HEAD only. */
function serveDecision(env: CgiEnv, target: GateTarget & { contentType: string }): GateDecision {
  const method = env.REQUEST_METHOD ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    throw new HttpError(405, `method ${quoteForLog(method)} not allowed on the file ${JSON.stringify(target.realPath)}`, [["Allow", "GET, HEAD"]]);
  }
  return { serve: target };
}

type Execve = (file: string, args: string[], env: Record<string, string>) => never;

/**
 * Becomes the target with execve(), on a Node that has process.execve and when
 * execve() will work (execReady: Node aborts the process when it fails). The
 * target keeps our process id, stdin, stdout and stderr, and its exit status
 * is ours; the gate's memory, its environment and its open files are gone.
 * Returns false, having changed nothing that matters, when it cannot be used.
 */
function replaceWithTarget(target: GateTarget, env: Record<string, string>): boolean {
  const execve: Execve | undefined = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== "function" || !execReady(target, env)) return false;
  try {
    process.chdir(target.cwd);
  } catch {
    return false; // the child path reports it
  }
  // Node ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across execve(); a
  // handled one is reset to its default. So the target starts as a child process would.
  const keep = () => {};
  process.on("SIGPIPE", keep);
  process.on("SIGXFSZ", keep);
  // process.execve first builds an ExperimentalWarning (an Error and its stack, ≈ 0.1 ms) that
  // would be printed on the next tick, which never comes: it is not built.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return execve(target.realPath, [target.realPath], env);
  } finally {
    process.emitWarning = emitWarning; // reached only if execve threw before the system call
  }
}

/**
 * Runs the target with our stdin/stdout/stderr (bytes pass straight through)
 * and resolves to the exit status a shell would report. A signal sent to the
 * gate (the server timing out or the client leaving) is passed on to it.
 */
async function runTarget(target: GateTarget, env: Record<string, string>): Promise<number> {
  // Loaded only here: a request without a session never pays for child_process.
  // getBuiltinModule (Node >= 20.16) skips the ESM loader that import() would start.
  const { spawn } = process.getBuiltinModule?.("node:child_process") ?? (await import("node:child_process"));
  const { constants } = process.getBuiltinModule?.("node:os") ?? (await import("node:os"));
  const cannotRun = (err: unknown) =>
    new HttpError(500, `cannot run target ${JSON.stringify(target.realPath)} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(target.realPath, [], { cwd: target.cwd, env, stdio: "inherit" });
    } catch (err) {
      return reject(cannotRun(err)); // e.g. ENOEXEC: an executable bit on a file with no #! line
    }
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(s, forward);
    child.once("error", (err) => reject(cannotRun(err)));
    child.once("exit", (code, signal) => {
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

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
  if ("serve" in decision) return serve(decision.serve, env);
  if (replaceWithTarget(decision.run, decision.env)) return; // not reached: execve() does not return
  return runAsChild(decision.run, decision.env);
}

/** Sends a file of a protected folder. */
async function serve(target: GateTarget & { contentType: string }, env: CgiEnv): Promise<void> {
  // Loaded only here (src/build/bundle.mjs keeps it as a string until then).
  const { serveFile } = await import("../request/static.js");
  const refused = serveFile(target.realPath, target.contentType, env, { write: writeOut, log: (m) => logLine(PROGRAM, m) });
  if (refused) {
    return runCgi(PROGRAM, () => {
      throw new HttpError(refused.status, refused.log);
    });
  }
}

/** The target as a child process, where execve() cannot be used; its exit status becomes ours. */
async function runAsChild(target: GateTarget, env: Record<string, string>): Promise<void> {
  try {
    process.exitCode = await runTarget(target, env);
  } catch (err) {
    // The target never started, so nothing has been written yet: a generic 500.
    return runCgi(PROGRAM, () => {
      throw err;
    });
  }
}

void main(process.env);
