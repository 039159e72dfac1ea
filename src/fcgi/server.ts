/**
 * A FastCGI 1.0 application server for one role at a time (the authorizer):
 * one request at a time per connection (FCGI_MPXS_CONNS is 0, as lighttpd and
 * Apache use it: a connection per request), FCGI_GET_VALUES answered, unknown
 * management records answered with FCGI_UNKNOWN_TYPE, FCGI_KEEP_CONN honoured.
 *
 * What one peer can take is bounded, so that any local process able to
 * connect cannot grow the process or starve other peers:
 * - output: a peer that does not read our answers is not read either (its
 *   socket is paused while more than {@link MAX_PENDING_OUTPUT} bytes wait);
 * - input: at most one chunk and one partial record are held, and at most
 *   {@link MAX_RECORDS_PER_SLICE} records are handled before other
 *   connections get their turn;
 * - time: a connection silent for `idleTimeoutMs`, or that has not completed
 *   its request within `requestTimeoutMs` however it trickles bytes, is dropped;
 * - connections: beyond `maxConnections` open at once, new ones are closed at once.
 * A connection that sends something that is not FastCGI is dropped; params
 * over the cap get `431` without being read. Log lines about such peers are
 * rate-limited, so thousands of them cannot flood the error log.
 */
import type { Server, Socket } from "node:net";
import { createServer } from "node:net";
import { LogLimiter } from "../log-limiter.js";
import {
  decodeNameValuePairs,
  decodeParams,
  encodeEndRequest,
  encodeNameValuePairs,
  encodeRecords,
  encodeResponse,
  encodeUnknownType,
  newParams,
  FCGI_ABORT_REQUEST,
  FCGI_BEGIN_REQUEST,
  FCGI_CANT_MPX_CONN,
  FCGI_GET_VALUES,
  FCGI_GET_VALUES_RESULT,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_REQUEST_COMPLETE,
  FCGI_UNKNOWN_ROLE,
  FcgiProtocolError,
  RecordReader,
  type Params,
} from "./protocol.js";

/** The parameters of one request (its CGI environment: an object of its own that inherits nothing, the handler may keep or change) and its role. */
export interface FcgiRequest {
  role: number;
  params: Params;
}

export interface FcgiServerOptions {
  /** The role served (FCGI_AUTHORIZER); other roles get FCGI_UNKNOWN_ROLE, but those of `alsoRoles`. */
  role: number;
  /** Roles also taken, the handler seeing which (the authorizer explains itself to a responder client such as cgi-fcgi). */
  alsoRoles?: readonly number[];
  /**
   * Answers one request with its whole CGI response (header block and body).
   * Must not throw; whatever it throws is answered `500` and logged.
   */
  handle: (request: FcgiRequest) => Buffer | string;
  /** One line in the error log. */
  log: (message: string) => void;
  /** The largest total size of one request's params (bytes). */
  maxParams?: number;
  /** Milliseconds a connection may stay silent before it is dropped. */
  idleTimeoutMs?: number;
  /** Milliseconds a connection has to complete a request (from its first byte), however it trickles bytes. */
  requestTimeoutMs?: number;
  /** Called when the server cannot listen (a bad socket, an address in use). */
  cannotListen: (err: NodeJS.ErrnoException) => void;
  /** Connections open at once, at most; also answered for FCGI_MAX_CONNS and FCGI_MAX_REQS. */
  maxConns?: number;
}

/** The params of one request, at most (128 KiB: lighttpd's and Apache's request-header limits are well under it). */
export const DEFAULT_MAX_PARAMS = 128 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Connections open at once, at most (a server has one open per request it is asking about). */
export const DEFAULT_MAX_CONNS = 512;
/** Bytes of answers waiting for a peer that does not read them, before that peer is no longer read. */
export const MAX_PENDING_OUTPUT = 16 * 1024;
/** Records handled from one connection before the others get their turn. */
export const MAX_RECORDS_PER_SLICE = 64;

const PARAMS_TOO_LARGE = Buffer.from(
  "Status: 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nRequest Header Fields Too Large\n",
);
const INTERNAL_ERROR = Buffer.from(
  "Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\nInternal Server Error\n",
);

/** The open connections of one server, swept for the idle and request deadlines. */
export class Connections {
  readonly open = new Set<Connection>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly options: FcgiServerOptions,
    readonly peers: LogLimiter,
    readonly now: () => number = Date.now,
  ) {}

  #lastId = 0;
  #lastResponse: Buffer | string | undefined;
  #lastBytes: Buffer | undefined;

  /**
   * encodeResponse, remembering the last answer: most answers are the same
   * string for the same request id (lighttpd and Apache number each
   * connection's request 1), sent again as the same bytes.
   */
  encode(id: number, response: Buffer | string, protocolStatus: number): Buffer {
    if (protocolStatus === FCGI_REQUEST_COMPLETE && id === this.#lastId && response === this.#lastResponse) return this.#lastBytes!;
    const bytes = encodeResponse(id, response, protocolStatus);
    if (protocolStatus === FCGI_REQUEST_COMPLETE && typeof response === "string") {
      this.#lastId = id;
      this.#lastResponse = response;
      this.#lastBytes = bytes;
    }
    return bytes;
  }

  /** Checks the deadlines every quarter of the shorter one: a peer is dropped at most 25 % after its deadline. */
  start(): void {
    if (this.#timer) return;
    const every = Math.max(10, Math.min(this.idleTimeoutMs, this.requestTimeoutMs) / 4);
    this.#timer = setInterval(() => this.sweep(), every);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get idleTimeoutMs(): number {
    return this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Drops the connections past a deadline. */
  sweep(): void {
    const t = this.now();
    const idle = this.idleTimeoutMs;
    const whole = this.requestTimeoutMs;
    for (const c of this.open) {
      if (c.since >= 0 && t - c.since > whole) {
        this.peers.line(`FastCGI peer did not complete a request within ${whole} ms: connection dropped`);
        c.drop();
      } else if (t - c.lastActivity > idle) {
        if (c.requestId !== 0 || c.reader.midRecord) this.peers.line("FastCGI peer silent mid-request: connection dropped");
        c.drop();
      }
    }
  }
}

/** One connection: its record reader, its request (one at a time), its deadlines. */
class Connection {
  readonly reader = new RecordReader();
  done = false;
  /** When the request being read began (its first byte, or the connection), -1 between kept requests. */
  since: number;
  lastActivity: number;
  /** The request being read (0: none). */
  requestId = 0;
  role = 0;
  keepConn = false;
  /** The params stream, while it is one record: bytes [paramsStart, paramsEnd) of paramsBuffer. */
  paramsBuffer: Buffer | undefined;
  paramsStart = 0;
  paramsEnd = 0;
  /** The params stream, once it is more than one record: copies of each record's content. */
  paramsChunks: Buffer[] | undefined;
  paramsSize = 0;
  tooLarge = false;
  /** Waiting for setImmediate (a full slice) or 'drain' (unread output) before reading on. */
  waiting = false;

  constructor(
    readonly socket: Socket,
    readonly conns: Connections,
  ) {
    this.since = this.lastActivity = conns.now();
  }

  drop(): void {
    this.done = true;
    this.socket.destroy();
  }

  send(data: Buffer): void {
    if (!this.done && this.socket.writable) this.socket.write(data);
  }

  finish(id: number, keepConn: boolean, response: Buffer | string, protocolStatus = FCGI_REQUEST_COMPLETE): void {
    this.send(this.conns.encode(id, response, protocolStatus));
    if (id === this.requestId) this.endRequest();
    if (!keepConn) {
      this.done = true;
      this.socket.end();
    } else if (this.requestId === 0 && !this.reader.midRecord) {
      this.since = -1;
    }
  }

  endRequest(): void {
    this.requestId = 0;
    this.paramsBuffer = undefined;
    this.paramsChunks = undefined;
    this.paramsSize = 0;
    this.tooLarge = false;
  }

  answer(): void {
    const id = this.requestId;
    const options = this.conns.options;
    let response: Buffer | string;
    if (this.tooLarge) {
      response = PARAMS_TOO_LARGE;
    } else {
      // The whole PARAMS stream is decoded at once: a pair may be split across records.
      let params: Params;
      if (this.paramsChunks) params = decodeParams(Buffer.concat(this.paramsChunks));
      else if (this.paramsBuffer) params = decodeParams(this.paramsBuffer, this.paramsStart, this.paramsEnd);
      else params = newParams();
      try {
        response = options.handle({ role: this.role, params });
      } catch (err) {
        options.log(`internal error: ${String((err as Error)?.message ?? err)}`);
        response = INTERNAL_ERROR;
      }
    }
    this.finish(id, this.keepConn, response);
  }

  /** Handles the reader's current record. */
  record(): void {
    const r = this.reader;
    const type = r.type;
    const id = r.requestId;
    const options = this.conns.options;
    if (id === 0) {
      // Management records (FastCGI 1.0, section 4).
      if (type === FCGI_GET_VALUES) {
        const asked = decodeNameValuePairs(r.buffer, new Map(), r.start, r.end);
        const max = String(options.maxConns ?? DEFAULT_MAX_CONNS);
        const known: Record<string, string> = { FCGI_MAX_CONNS: max, FCGI_MAX_REQS: max, FCGI_MPXS_CONNS: "0" };
        const pairs: Array<[string, string]> = [];
        for (const name of asked.keys()) if (known[name] !== undefined) pairs.push([name, known[name]]);
        this.send(encodeRecords(FCGI_GET_VALUES_RESULT, 0, encodeNameValuePairs(pairs)));
      } else {
        this.send(encodeUnknownType(type));
      }
      return;
    }
    if (type === FCGI_BEGIN_REQUEST) {
      if (r.end - r.start !== 8) throw new FcgiProtocolError(`FCGI_BEGIN_REQUEST body of ${r.end - r.start} bytes, not 8`);
      const role = (r.buffer[r.start]! << 8) | r.buffer[r.start + 1]!;
      const keepConn = (r.buffer[r.start + 2]! & FCGI_KEEP_CONN) !== 0;
      if (this.requestId !== 0) {
        // One request at a time: we said FCGI_MPXS_CONNS=0.
        this.send(encodeEndRequest(id, 0, FCGI_CANT_MPX_CONN));
        return;
      }
      if (role !== options.role && !options.alsoRoles?.includes(role)) {
        this.conns.peers.line(`FastCGI request for role ${role} refused: this program answers only role ${options.role} (check the server's "mode")`);
        this.finish(id, keepConn, EMPTY, FCGI_UNKNOWN_ROLE);
        return;
      }
      this.requestId = id;
      this.role = role;
      this.keepConn = keepConn;
      return;
    }
    // Records for a request that is not active are ignored (FastCGI 1.0, section 3.3),
    // e.g. the FCGI_STDIN lighttpd may send after our answer.
    if (id !== this.requestId) return;
    if (type === FCGI_ABORT_REQUEST) {
      this.finish(id, this.keepConn, EMPTY);
      return;
    }
    if (type !== FCGI_PARAMS) return; // FCGI_STDIN, FCGI_DATA: an authorizer has no use for them
    const length = r.end - r.start;
    if (length === 0) {
      this.answer();
      return;
    }
    if (this.tooLarge) return;
    this.paramsSize += length;
    const maxParams = options.maxParams ?? DEFAULT_MAX_PARAMS;
    if (this.paramsSize > maxParams) {
      this.conns.peers.line(`FastCGI params of request ${id} over the ${maxParams}-byte limit: answered 431`);
      this.tooLarge = true;
      this.paramsBuffer = undefined;
      this.paramsChunks = undefined;
      return;
    }
    if (this.paramsChunks) {
      this.paramsChunks.push(r.content());
    } else if (this.paramsBuffer) {
      // A second record: copies from now on, so no chunk is kept alive for a few bytes of it.
      this.paramsChunks = [Buffer.from(this.paramsBuffer.subarray(this.paramsStart, this.paramsEnd)), r.content()];
      this.paramsBuffer = undefined;
    } else {
      this.paramsBuffer = r.buffer;
      this.paramsStart = r.start;
      this.paramsEnd = r.end;
    }
  }

  /** Handles the records that have arrived, within the output and slice bounds. */
  pump(): void {
    const socket = this.socket;
    let handled = 0;
    try {
      while (!this.done) {
        if (socket.writableLength > MAX_PENDING_OUTPUT) {
          // The peer does not read what we send: read nothing more from it until it does.
          this.waiting = true;
          socket.pause();
          socket.once("drain", () => onDrain(this));
          return;
        }
        if (handled === MAX_RECORDS_PER_SLICE) {
          this.waiting = true;
          socket.pause();
          setImmediate(onSliceEnd, this);
          return;
        }
        if (!this.reader.next()) break;
        handled++;
        this.record();
      }
    } catch (err) {
      const why = err instanceof FcgiProtocolError ? err.message : `internal error: ${String((err as Error)?.message ?? err)}`;
      this.conns.peers.line(`malformed FastCGI input (${why}): connection dropped`);
      // A request that was being read gets no answer but a refusal, never a pass.
      if (this.requestId !== 0) this.send(encodeResponse(this.requestId, INTERNAL_ERROR));
      this.endRequest();
      this.done = true;
      socket.end();
      socket.destroySoon?.();
      return;
    }
    if (this.paramsBuffer !== undefined) {
      // The chunk this record came in is done with: keep only the record's bytes.
      this.paramsBuffer = Buffer.from(this.paramsBuffer.subarray(this.paramsStart, this.paramsEnd));
      this.paramsEnd -= this.paramsStart;
      this.paramsStart = 0;
    }
    if (this.waiting) {
      this.waiting = false;
      if (!this.done) socket.resume();
    }
  }
}

const EMPTY = Buffer.alloc(0);

function onData(c: Connection, chunk: Buffer): void {
  if (c.done) return;
  c.lastActivity = c.conns.now();
  if (c.since < 0) c.since = c.lastActivity;
  c.reader.feed(chunk);
  if (!c.waiting) c.pump();
}

function onDrain(c: Connection): void {
  c.lastActivity = c.conns.now();
  c.pump();
}

function onSliceEnd(c: Connection): void {
  c.pump();
}

function onError(): void {
  // ECONNRESET, EPIPE: the peer left; "close" follows.
}

function onClose(c: Connection): void {
  if (!c.done && (c.requestId !== 0 || c.reader.midRecord)) c.conns.peers.line("FastCGI peer closed the connection mid-request");
  c.done = true;
  c.conns.open.delete(c);
  c.paramsBuffer = undefined;
  c.paramsChunks = undefined;
}

/** Serves FastCGI on one accepted connection until it closes. */
export function serveConnection(socket: Socket, conns: Connections): void {
  // The connection is reached through closures, not a property added to the socket (which would
  // give every socket a second shape, and Node's own code on sockets slower paths).
  const c = new Connection(socket, conns);
  conns.open.add(c);
  socket.on("data", (chunk: Buffer) => onData(c, chunk));
  socket.on("error", onError);
  socket.on("close", () => onClose(c));
}

/** A server (not yet listening) that serves each connection with {@link serveConnection}. */
export function createFcgiServer(options: FcgiServerOptions): Server {
  const peers = new LogLimiter(options.log);
  const conns = new Connections(options, peers);
  const server = createServer({ allowHalfOpen: false, pauseOnConnect: false, noDelay: true }, (socket) => serveConnection(socket, conns));
  server.maxConnections = options.maxConns ?? DEFAULT_MAX_CONNS;
  server.on("drop", () => peers.line(`${server.maxConnections} FastCGI connections open, the most allowed: a new one was closed at once`));
  server.on("listening", () => conns.start());
  server.on("close", () => conns.stop());
  server.on("error", (err: NodeJS.ErrnoException) => {
    // accept() failing (EMFILE: out of file descriptors) must not end the process: libuv keeps listening.
    if (server.listening) peers.line(`cannot accept a FastCGI connection (${err.code ?? err.message})`);
    else options.cannotListen(err);
  });
  return server;
}
