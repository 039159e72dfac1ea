/**
 * authorizer.fcgi — the FastCGI authorizer (docs/authorizer.md):
 * one long-lived process the web server asks, for every request of a
 * protected location, whether it may pass and as whom (../request/authorize.ts).
 *
 * How it listens:
 * - no arguments: on the listening socket systemd passed it (socket
 *   activation: LISTEN_FDS=1 and LISTEN_PID naming this process, the socket
 *   on fd 3, as examples/systemd/ and `systemd-socket-activate` start it), else
 *   on the listening socket it was given as fd 0, as lighttpd's
 *   `fastcgi.server` (`bin-path`) and a unit with `StandardInput=socket` start it;
 * - `--listen HOST:PORT` or `--listen /path/to/socket`: on that address, for
 *   starting it by hand or from a script (Apache's mod_authnz_fcgi connects
 *   to a TCP address).
 * Started by mistake as a plain CGI program (GATEWAY_INTERFACE set, or fd 0
 * not a socket), it answers 500 and logs one line saying how to configure it.
 */
import { fstatSync } from "node:fs";
import { authorizerHandler, defaultSettings, PROGRAM } from "../request/authorize.js";
import { FileCache } from "../request/file-cache.js";
import { FCGI_AUTHORIZER, FCGI_RESPONDER } from "../fcgi/protocol.js";
import { createFcgiServer, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNS, DEFAULT_REQUEST_TIMEOUT_MS } from "../fcgi/server.js";
import { withSettings } from "../request/settings.js";
import { formatReply, logLine, textReply } from "../request/reply.js";
import { writeOut } from "../cgi/adapter.js";

const HOW_TO =
  'it is a FastCGI authorizer, not a CGI program: lighttpd starts it from fastcgi.server with "mode" => "authorizer" and "bin-path"; ' +
  "for Apache run it as a service (authorizer.fcgi --listen 127.0.0.1:PORT, or the systemd units in examples/systemd/) " +
  'and name it in AuthnzFcgiDefineProvider (docs/authorizer.md)';

function fdIsSocket(fd: number): boolean {
  try {
    return fstatSync(fd).isSocket();
  } catch {
    return false;
  }
}

/** The first socket of systemd's socket activation (sd_listen_fds(3)). */
const SD_LISTEN_FDS_START = 3;

/**
 * The listening socket systemd passed to this process (-1 unless exactly
 * one); the LISTEN_* variables are then removed, so that nothing started
 * later mistakes them for its own.
 */
function systemdSocket(env: NodeJS.ProcessEnv): number | undefined {
  if (env.LISTEN_PID !== String(process.pid) || env.LISTEN_FDS === undefined) return undefined;
  const count = env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  return count === "1" ? SD_LISTEN_FDS_START : -1;
}

/** Where to listen, from the command line: a handle (systemd's or fd 0), a TCP address or a Unix socket path. */
function listenTarget(args: readonly string[]): { fd: number } | { host: string; port: number } | { path: string } | string {
  if (args.length === 0) {
    const fd = systemdSocket(process.env);
    if (fd === -1) return "systemd passed other than one socket (LISTEN_FDS): give the service exactly one ListenStream";
    return { fd: fd ?? 0 };
  }
  if (args.length !== 2 || args[0] !== "--listen") return "usage: authorizer.fcgi [--listen HOST:PORT | --listen /path/to/socket]";
  const address = args[1]!;
  if (address.startsWith("/")) return { path: address };
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) return `--listen ${JSON.stringify(address)}: give HOST:PORT (e.g. 127.0.0.1:9000) or an absolute socket path`;
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/**
 * The service's limits from its own environment (docs/authorizer.md):
 * AUTHORIZER_REQUEST_TIMEOUT and AUTHORIZER_IDLE_TIMEOUT in
 * seconds (decimals allowed), AUTHORIZER_MAX_CONNECTIONS; a malformed value is
 * the message to log.
 */
function limits(env: NodeJS.ProcessEnv): { requestTimeoutMs: number; idleTimeoutMs: number; maxConns: number } | string {
  const seconds = (name: string, fallbackMs: number): number | string => {
    const v = env[name];
    if (v === undefined || v === "") return fallbackMs;
    if (!/^\d{1,6}(\.\d{1,3})?$/.test(v) || Number(v) <= 0) return `${name} must be a number of seconds greater than 0 (e.g. ${fallbackMs / 1000})`;
    return Math.round(Number(v) * 1000);
  };
  const requestTimeoutMs = seconds("AUTHORIZER_REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT_MS);
  const idleTimeoutMs = seconds("AUTHORIZER_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT_MS);
  const conns = env.AUTHORIZER_MAX_CONNECTIONS;
  if (typeof requestTimeoutMs === "string") return requestTimeoutMs;
  if (typeof idleTimeoutMs === "string") return idleTimeoutMs;
  if (conns !== undefined && conns !== "" && !/^[1-9]\d{0,5}$/.test(conns)) return `AUTHORIZER_MAX_CONNECTIONS must be a whole number greater than 0 (e.g. ${DEFAULT_MAX_CONNS})`;
  return { requestTimeoutMs, idleTimeoutMs, maxConns: conns ? Number(conns) : DEFAULT_MAX_CONNS };
}

/** Where the service listens, for its start-up line. */
function shown(target: { fd: number } | { host: string; port: number } | { path: string }): string {
  if ("path" in target) return JSON.stringify(target.path);
  if ("host" in target) return `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`;
  return target.fd === 0 ? "the socket the server passed on fd 0" : `the socket systemd passed on fd ${target.fd}`;
}

/** The files the service reads with every request, from its own settings (the server may pass more per request). */
function filesRead(settings: Record<string, string | undefined>): string {
  const files = ["SECRET_KEY_FILE", "HTPASSWD_FILE", "SESSION_REVOKED_FILE", "HTGROUP_FILE", "FORBIDDEN_TEMPLATE"]
    .filter((name) => settings[name])
    .map((name) => `${name} ${JSON.stringify(settings[name])}`);
  if (settings.SECRET_KEY && !settings.SECRET_KEY_FILE) files.unshift("the key in SECRET_KEY");
  return files.length > 0 ? `reads ${files.join(", ")}` : "no settings of its own: each request's (the server's setenv) count";
}

/**
 * A responder request (a FastCGI client such as `cgi-fcgi`, or a server without
 * `"mode" => "authorizer"`): 500, with what the authorizer would have answered
 * in the body, so a check by hand shows the decision and a misconfigured server
 * serves nothing (docs/authorizer.md).
 */
function explainToResponder(answer: Buffer | string): string {
  const text = typeof answer === "string" ? answer : answer.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  const head = (end === -1 ? text : text.slice(0, end + 2)).replace(/\r\n/g, "\n");
  return (
    "Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\n" +
    "authorizer.fcgi answers the FastCGI authorizer role; this was a responder request. As an authorizer it would answer:\n" +
    head
  );
}

function main(): void {
  const target = listenTarget(process.argv.slice(2));
  if (typeof target === "string") {
    logLine(PROGRAM, target);
    process.exitCode = 2;
    return;
  }
  if ("fd" in target && target.fd === 0 && (process.env.GATEWAY_INTERFACE !== undefined || !fdIsSocket(0))) {
    logLine(PROGRAM, `started as a CGI program (${process.env.GATEWAY_INTERFACE !== undefined ? "GATEWAY_INTERFACE is set" : "fd 0 is not a socket"}): ${HOW_TO}`);
    try {
      writeOut(formatReply(textReply(500)));
    } catch {
      // No usable stdout: the log line is all there is.
    }
    process.exitCode = 1;
    return;
  }
  const limit = limits(process.env);
  if (typeof limit === "string") {
    logLine(PROGRAM, limit);
    process.exitCode = 2;
    return;
  }
  let own;
  try {
    // The settings file too (README, "Shared hosting"), when the environment gives no key.
    own = defaultSettings(withSettings(process.env));
  } catch (err) {
    logLine(PROGRAM, String((err as Error).message));
    process.exitCode = 2;
    return;
  }
  const files = new FileCache();
  const log = (message: string) => logLine(PROGRAM, message);
  const answer = authorizerHandler(own, files, log);
  let responderLogged = false;
  const server = createFcgiServer({
    role: FCGI_AUTHORIZER,
    alsoRoles: [FCGI_RESPONDER],
    handle: ({ role, params }) => {
      if (role === FCGI_AUTHORIZER) return answer(params);
      if (!responderLogged) {
        responderLogged = true;
        log('answered a FastCGI responder request with 500 and its decision (cgi-fcgi by hand; a server must say "mode" => "authorizer")');
      }
      return explainToResponder(answer(params));
    },
    log,
    ...limit,
    cannotListen: (err) => {
      log(`cannot listen on ${"fd" in target ? `fd ${target.fd}` : "path" in target ? JSON.stringify(target.path) : `${target.host}:${target.port}`} (${err.code ?? err.message})${"fd" in target ? `: ${HOW_TO}` : ""}`);
      process.exit(1);
    },
  });
  // Whatever escapes a handler is one log line, never the end of the process.
  process.on("uncaughtException", (err) => log(`internal error: ${String(err?.message ?? err)}`));
  // Stopped by the server or systemd: exit at once (answers are synchronous: none is half-written).
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));
  server.once("listening", () => log(`listening on ${shown(target)}; ${filesRead(own)}`));
  server.listen(target);
}

main();
