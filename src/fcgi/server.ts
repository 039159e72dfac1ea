/**
 * A FastCGI 1.0 application server for one role at a time (the authorizer):
 * one request at a time per connection (FCGI_MPXS_CONNS is 0, as lighttpd and
 * Apache use it: a connection per request), FCGI_GET_VALUES answered, unknown
 * management records answered with FCGI_UNKNOWN_TYPE, FCGI_KEEP_CONN honoured.
 *
 * Bad input never ends the process: a connection that sends something that is
 * not FastCGI is dropped with one log line; a request whose params are over
 * the cap gets `431` without them; a peer that leaves mid-request or stays
 * silent is dropped (log lines about such peers are rate-limited, so
 * thousands of dropped connections cannot flood the error log).
 */
import type { Server, Socket } from "node:net";
import { createServer } from "node:net";
import {
  decodeBeginRequestBody,
  decodeNameValuePairs,
  encodeEndRequest,
  encodeNameValuePairs,
  encodeRecords,
  encodeUnknownType,
  FCGI_ABORT_REQUEST,
  FCGI_BEGIN_REQUEST,
  FCGI_CANT_MPX_CONN,
  FCGI_GET_VALUES,
  FCGI_GET_VALUES_RESULT,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_REQUEST_COMPLETE,
  FCGI_STDOUT,
  FCGI_UNKNOWN_ROLE,
  FcgiProtocolError,
  RecordReader,
} from "./protocol.js";

/** The parameters of one request (its CGI environment) and its role. */
export interface FcgiRequest {
  role: number;
  params: Map<string, string>;
}

export interface FcgiServerOptions {
  /** The role served (FCGI_AUTHORIZER); other roles get FCGI_UNKNOWN_ROLE. */
  role: number;
  /**
   * Answers one request with its whole CGI response (header block and body).
   * Must not throw; whatever it throws is answered `500` and logged.
   */
  handle: (request: FcgiRequest) => Buffer;
  /** One line in the error log. */
  log: (message: string) => void;
  /** The largest total size of one request's params (bytes). */
  maxParams?: number;
  /** Milliseconds a connection may stay silent before it is dropped. */
  idleTimeoutMs?: number;
  /** Called when the server cannot listen (a bad socket, an address in use). */
  cannotListen: (err: NodeJS.ErrnoException) => void;
  /** Answered for FCGI_MAX_CONNS in FCGI_GET_VALUES. */
  maxConns?: number;
}

/** The params of one request, at most (128 KiB: lighttpd's and Apache's request-header limits are well under it). */
export const DEFAULT_MAX_PARAMS = 128 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

const PARAMS_TOO_LARGE = Buffer.from(
  "Status: 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nRequest Header Fields Too Large\n",
);
const INTERNAL_ERROR = Buffer.from(
  "Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nInternal Server Error\n",
);

/**
 * Log lines about misbehaving peers, at most `burst` per `windowMs`; the rest
 * are counted and reported in one line when the next window opens.
 */
export class LogLimiter {
  #windowStart = 0;
  #inWindow = 0;
  #suppressed = 0;

  constructor(
    private readonly log: (message: string) => void,
    private readonly burst = 5,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  line(message: string): void {
    const t = this.now();
    if (t - this.#windowStart >= this.windowMs) {
      if (this.#suppressed > 0) this.log(`${this.#suppressed} more such line${this.#suppressed === 1 ? "" : "s"} not logged in the last ${Math.round(this.windowMs / 1000)} s`);
      this.#windowStart = t;
      this.#inWindow = 0;
      this.#suppressed = 0;
    }
    if (this.#inWindow < this.burst) {
      this.#inWindow++;
      this.log(message);
    } else {
      this.#suppressed++;
    }
  }
}

interface Current {
  id: number;
  keepConn: boolean;
  chunks: Buffer[];
  size: number;
  tooLarge: boolean;
}

/** Serves FastCGI on one accepted connection until it closes. */
export function serveConnection(socket: Socket, options: FcgiServerOptions, peers: LogLimiter): void {
  const maxParams = options.maxParams ?? DEFAULT_MAX_PARAMS;
  const reader = new RecordReader();
  let current: Current | undefined;
  let done = false;

  const send = (data: Buffer) => {
    if (!done && socket.writable) socket.write(data);
  };
  const finish = (cur: Current, response: Buffer, protocolStatus = FCGI_REQUEST_COMPLETE) => {
    const parts = response.length > 0 ? [encodeRecords(FCGI_STDOUT, cur.id, response), encodeRecords(FCGI_STDOUT, cur.id)] : [];
    send(Buffer.concat([...parts, encodeEndRequest(cur.id, 0, protocolStatus)]));
    current = undefined;
    if (!cur.keepConn) {
      done = true;
      socket.end();
    }
  };
  const answer = (cur: Current) => {
    let response: Buffer;
    if (cur.tooLarge) {
      response = PARAMS_TOO_LARGE;
    } else {
      try {
        const params = new Map<string, string>();
        for (const chunk of cur.chunks) decodeNameValuePairs(chunk, params);
        cur.chunks = [];
        response = options.handle({ role: options.role, params });
      } catch (err) {
        if (err instanceof FcgiProtocolError) throw err;
        options.log(`internal error: ${String((err as Error)?.message ?? err)}`);
        response = INTERNAL_ERROR;
      }
    }
    finish(cur, response);
  };

  const onRecord = (type: number, id: number, content: Buffer) => {
    if (id === 0) {
      // Management records (FastCGI 1.0, section 4).
      if (type === FCGI_GET_VALUES) {
        const asked = decodeNameValuePairs(content);
        const known: Record<string, string> = { FCGI_MAX_CONNS: String(options.maxConns ?? 1000), FCGI_MAX_REQS: String(options.maxConns ?? 1000), FCGI_MPXS_CONNS: "0" };
        const pairs: Array<[string, string]> = [];
        for (const name of asked.keys()) if (known[name] !== undefined) pairs.push([name, known[name]]);
        send(encodeRecords(FCGI_GET_VALUES_RESULT, 0, encodeNameValuePairs(pairs)));
      } else {
        send(encodeUnknownType(type));
      }
      return;
    }
    if (type === FCGI_BEGIN_REQUEST) {
      const { role, flags } = decodeBeginRequestBody(content);
      const cur: Current = { id, keepConn: (flags & FCGI_KEEP_CONN) !== 0, chunks: [], size: 0, tooLarge: false };
      if (current) {
        // One request at a time: we said FCGI_MPXS_CONNS=0.
        send(encodeEndRequest(id, 0, FCGI_CANT_MPX_CONN));
        return;
      }
      if (role !== options.role) {
        peers.line(`FastCGI request for role ${role} refused: this program answers only role ${options.role} (check the server's "mode")`);
        finish(cur, Buffer.alloc(0), FCGI_UNKNOWN_ROLE);
        return;
      }
      current = cur;
      return;
    }
    // Records for a request that is not active are ignored (FastCGI 1.0, section 3.3),
    // e.g. the FCGI_STDIN lighttpd may send after our answer.
    if (!current || id !== current.id) return;
    if (type === FCGI_ABORT_REQUEST) {
      finish(current, Buffer.alloc(0));
      return;
    }
    if (type !== FCGI_PARAMS) return; // FCGI_STDIN, FCGI_DATA: an authorizer has no use for them
    if (content.length === 0) {
      answer(current);
      return;
    }
    current.size += content.length;
    if (current.size > maxParams) {
      if (!current.tooLarge) peers.line(`FastCGI params of request ${id} over the ${maxParams}-byte limit: answered 431`);
      current.tooLarge = true;
      current.chunks = [];
      return;
    }
    if (!current.tooLarge) current.chunks.push(content);
  };

  socket.setNoDelay(true);
  socket.setTimeout(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  socket.on("timeout", () => {
    if (current) peers.line("FastCGI peer silent mid-request: connection dropped");
    done = true;
    socket.destroy();
  });
  socket.on("data", (chunk: Buffer) => {
    if (done) return;
    try {
      for (const record of reader.push(chunk)) {
        onRecord(record.type, record.requestId, record.content);
        if (done) break;
      }
    } catch (err) {
      const why = err instanceof FcgiProtocolError ? err.message : `internal error: ${String((err as Error)?.message ?? err)}`;
      peers.line(`malformed FastCGI input (${why}): connection dropped`);
      // A request that was being read gets no answer but a refusal, never a pass.
      if (current && socket.writable) send(Buffer.concat([encodeRecords(FCGI_STDOUT, current.id, INTERNAL_ERROR), encodeRecords(FCGI_STDOUT, current.id), encodeEndRequest(current.id, 0, FCGI_REQUEST_COMPLETE)]));
      current = undefined;
      done = true;
      socket.end();
      socket.destroySoon?.();
    }
  });
  socket.on("error", () => {
    // ECONNRESET, EPIPE: the peer left; "close" follows.
  });
  socket.on("close", () => {
    if (current || reader.midRecord) peers.line("FastCGI peer closed the connection mid-request");
    current = undefined;
    done = true;
  });
}

/** A server (not yet listening) that serves each connection with {@link serveConnection}. */
export function createFcgiServer(options: FcgiServerOptions): Server {
  const peers = new LogLimiter(options.log);
  const server = createServer({ allowHalfOpen: false, pauseOnConnect: false }, (socket) => serveConnection(socket, options, peers));
  server.on("error", (err: NodeJS.ErrnoException) => {
    // accept() failing (EMFILE: out of file descriptors) must not end the process: libuv keeps listening.
    if (server.listening) peers.line(`cannot accept a FastCGI connection (${err.code ?? err.message})`);
    else options.cannotListen(err);
  });
  return server;
}
