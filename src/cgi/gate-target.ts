/**
 * gate.cgi's process plumbing under CGI (docs/members-area.md, "Protect a whole folder"):
 * the target the gate let through runs with the gate's stdin,
 * stdout and stderr. On a Node with process.execve (22.15+, 23.11+) the gate
 * replaces itself with the target, so nothing of it stays alive; on older
 * Node it runs the target as a child process and returns its exit status.
 * A file of a protected folder that is not a program is written to stdout
 * (../request/static.ts, loaded only then).
 */
import { execReady, type GateTarget } from "../request/gate.js";
import { HttpError, logLine, type CgiEnv } from "../request/reply.js";
import { runCgi, writeOut } from "./adapter.js";

type Execve = (file: string, args: string[], env: Record<string, string>) => never;

/**
 * Becomes the target with execve(), on a Node that has process.execve and when
 * execve() will work (execReady: Node aborts the process when it fails). The
 * target keeps our process id, stdin, stdout and stderr, and its exit status
 * is ours; the gate's memory, its environment and its open files are gone.
 * Returns false, having changed nothing that matters, when it cannot be used.
 */
export function replaceWithTarget(target: GateTarget, env: Record<string, string>): boolean {
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

/** Sends a file of a protected folder; `program` names the log lines. */
export async function serveTarget(program: string, target: GateTarget & { contentType: string }, env: CgiEnv): Promise<void> {
  // Loaded only here (src/build/bundle.mjs keeps it as a string until then).
  const { serveFile } = await import("../request/static.js");
  const refused = serveFile(target.realPath, target.contentType, env, { write: writeOut, log: (m) => logLine(program, m) });
  if (refused) {
    return runCgi(program, () => {
      throw new HttpError(refused.status, refused.log);
    });
  }
}

/** The target as a child process, where execve() cannot be used; its exit status becomes ours. `program` names the log lines. */
export async function runAsChild(program: string, target: GateTarget, env: Record<string, string>): Promise<void> {
  try {
    process.exitCode = await runTarget(target, env);
  } catch (err) {
    // The target never started, so nothing has been written yet: a generic 500.
    return runCgi(program, () => {
      throw err;
    });
  }
}

