/**
 * The FastCGI 1.0 wire format: records (an 8-byte header, content, padding)
 * and name-value pairs (lengths of 1 byte, or 4 bytes with the high bit set).
 * Pure functions and one incremental reader, so every malformed input can be
 * tested without a socket. Anything that does not parse throws
 * {@link FcgiProtocolError}; the caller drops that connection.
 */

export const FCGI_VERSION_1 = 1;
export const FCGI_HEADER_LEN = 8;
/** The largest content of one record (a 16-bit length). */
export const FCGI_MAX_CONTENT = 0xffff;

export const FCGI_BEGIN_REQUEST = 1;
export const FCGI_ABORT_REQUEST = 2;
export const FCGI_END_REQUEST = 3;
export const FCGI_PARAMS = 4;
export const FCGI_STDIN = 5;
export const FCGI_STDOUT = 6;
export const FCGI_STDERR = 7;
export const FCGI_DATA = 8;
export const FCGI_GET_VALUES = 9;
export const FCGI_GET_VALUES_RESULT = 10;
export const FCGI_UNKNOWN_TYPE = 11;

export const FCGI_RESPONDER = 1;
export const FCGI_AUTHORIZER = 2;
export const FCGI_FILTER = 3;

/** BEGIN_REQUEST flag: keep the connection open after this request. */
export const FCGI_KEEP_CONN = 1;

export const FCGI_REQUEST_COMPLETE = 0;
export const FCGI_CANT_MPX_CONN = 1;
export const FCGI_OVERLOADED = 2;
export const FCGI_UNKNOWN_ROLE = 3;

/** The peer sent something that is not FastCGI 1.0; `message` says what, on one line. */
export class FcgiProtocolError extends Error {}

export interface FcgiRecord {
  type: number;
  requestId: number;
  content: Buffer;
}

/**
 * One or more records of `type` carrying `content` (split at 65 535 bytes,
 * each padded to a multiple of 8). Empty content gives one empty record: how
 * a stream (PARAMS, STDIN, STDOUT) is ended.
 *
 * @example
 * encodeRecords(FCGI_STDOUT, 1, Buffer.from("Status: 200\r\n\r\n"))
 */
export function encodeRecords(type: number, requestId: number, content: Buffer = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  do {
    const length = Math.min(FCGI_MAX_CONTENT, content.length - offset);
    const padding = (8 - (length % 8)) % 8;
    const header = Buffer.alloc(FCGI_HEADER_LEN);
    header[0] = FCGI_VERSION_1;
    header[1] = type;
    header.writeUInt16BE(requestId, 2);
    header.writeUInt16BE(length, 4);
    header[6] = padding;
    parts.push(header, content.subarray(offset, offset + length));
    if (padding > 0) parts.push(Buffer.alloc(padding));
    offset += length;
  } while (offset < content.length);
  return Buffer.concat(parts);
}

/** The 8-byte body of an FCGI_BEGIN_REQUEST record. */
export function encodeBeginRequestBody(role: number, flags: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16BE(role, 0);
  body[2] = flags;
  return body;
}

/** An FCGI_END_REQUEST record. */
export function encodeEndRequest(requestId: number, appStatus: number, protocolStatus: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(appStatus >>> 0, 0);
  body[4] = protocolStatus;
  return encodeRecords(FCGI_END_REQUEST, requestId, body);
}

/** An FCGI_UNKNOWN_TYPE management record, the answer to a management record we do not know. */
export function encodeUnknownType(type: number): Buffer {
  const body = Buffer.alloc(8);
  body[0] = type;
  return encodeRecords(FCGI_UNKNOWN_TYPE, 0, body);
}

/** The role and flags of an FCGI_BEGIN_REQUEST body. */
export function decodeBeginRequestBody(content: Buffer): { role: number; flags: number } {
  if (content.length !== 8) throw new FcgiProtocolError(`FCGI_BEGIN_REQUEST body of ${content.length} bytes, not 8`);
  return { role: content.readUInt16BE(0), flags: content[2]! };
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((n | 0x80000000) >>> 0, 0);
  return b;
}

/**
 * Name-value pairs as FastCGI encodes them: each length in 1 byte when under
 * 128, else in 4 bytes with the high bit set; then the name, then the value.
 */
export function encodeNameValuePairs(pairs: Iterable<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of pairs) {
    const n = Buffer.from(name, "utf8");
    const v = Buffer.from(value, "utf8");
    parts.push(encodeLength(n.length), encodeLength(v.length), n, v);
  }
  return Buffer.concat(parts);
}

/**
 * Decodes name-value pairs (the content of a whole PARAMS stream, or of a
 * GET_VALUES record) into `into`. Names and values are decoded as UTF-8, as
 * Node decodes a CGI program's environment (bytes that are not UTF-8 become
 * U+FFFD), so a FastCGI request reads exactly as the same request under CGI.
 * A length that runs past the end, or a 4-byte length cut short, throws.
 * `start` and `end` bound the bytes read (default: all of `buf`).
 */
export function decodeNameValuePairs(buf: Buffer, into: Map<string, string> = new Map(), start = 0, end = buf.length): Map<string, string> {
  let i = start;
  const readLength = (): number => {
    const first = buf[i]!;
    if (first < 0x80) {
      i += 1;
      return first;
    }
    if (i + 4 > end) throw new FcgiProtocolError("name-value pair with a 4-byte length cut short");
    const n = buf.readUInt32BE(i) & 0x7fffffff;
    i += 4;
    return n;
  };
  while (i < end) {
    const nameLength = readLength();
    if (i >= end) throw new FcgiProtocolError("name-value pair without a value length");
    const valueLength = readLength();
    if (nameLength > end - i || valueLength > end - i - nameLength) {
      throw new FcgiProtocolError("name-value pair longer than its record");
    }
    const name = utf8(buf, i, i + nameLength);
    i += nameLength;
    const value = utf8(buf, i, i + valueLength);
    i += valueLength;
    into.set(name, value);
  }
  return into;
}

/** Bytes [start, end) as UTF-8, through Buffer's own decoder (what toString("utf8") calls after its argument checks). */
const utf8 = (buf: Buffer, start: number, end: number): string => (buf as Buffer & { utf8Slice(start: number, end: number): string }).utf8Slice(start, end);

/** Bytes [start, end) as Latin-1: one byte, one character (the same as UTF-8 for ASCII). */
const latin1 = (buf: Buffer, start: number, end: number): string => (buf as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);

/** A byte that is not ASCII, in a Latin-1 string. */
const NOT_ASCII = /[\x80-\xff]/g;

/** Name-value pairs as a plain object that inherits nothing: each request's CGI environment. */
export type Params = Record<string, string>;

/**
 * The objects {@link decodeParams} fills: nothing inherited (their prototype
 * is an empty object without a prototype, so no name, "__proto__" included,
 * is special), built the way V8 builds objects fastest (a constructor, not
 * Object.create(null), whose objects are hash tables from the start).
 */
const ParamsObject = function ParamsObject() {} as unknown as new () => Params;
ParamsObject.prototype = Object.create(null) as Params;

/** A new, empty object like those {@link decodeParams} returns. */
export const newParams = (): Params => new ParamsObject();

/**
 * The names of the last requests, by position: a server sends the same names
 * in the same order with every request, and a name found here is used as the
 * string already made (and internalized by V8) instead of a new one.
 */
const knownNames: Array<{ bytes: Buffer; name: string } | undefined> = [];
const MAX_KNOWN_NAMES = 64;

function knownName(k: number, buf: Buffer, at: number, length: number): string | undefined {
  const known = knownNames[k];
  if (known === undefined || known.bytes.length !== length) return undefined;
  const bytes = known.bytes;
  for (let j = 0; j < length; j++) if (buf[at + j] !== bytes[j]) return undefined;
  return known.name;
}

function rememberName(k: number, buf: Buffer, at: number, length: number, name: string): string {
  if (k >= MAX_KNOWN_NAMES || length > 64) return name;
  // A property key is internalized: the copy kept is the one V8 already looks names up by.
  const internalized = Object.keys({ [name]: 0 })[0]!;
  knownNames[k] = { bytes: Buffer.from(buf.subarray(at, at + length)), name: internalized };
  return internalized;
}

/**
 * Checks that [start, end) holds whole name-value pairs (else throws
 * FcgiProtocolError) and counts the bytes of their 4-byte lengths that are
 * not ASCII: when these are all the bytes of the range that are not ASCII,
 * every name and value is ASCII.
 */
function lengthBytesNotAscii(buf: Buffer, start: number, end: number): number {
  let count = 0;
  let i = start;
  while (i < end) {
    let nameLength = buf[i]!;
    if (nameLength < 0x80) i += 1;
    else if (i + 4 > end) throw new FcgiProtocolError("name-value pair with a 4-byte length cut short");
    else {
      nameLength = buf.readUInt32BE(i) & 0x7fffffff;
      count += 1 + (buf[i + 1]! >> 7) + (buf[i + 2]! >> 7) + (buf[i + 3]! >> 7);
      i += 4;
    }
    if (i >= end) throw new FcgiProtocolError("name-value pair without a value length");
    let valueLength = buf[i]!;
    if (valueLength < 0x80) i += 1;
    else if (i + 4 > end) throw new FcgiProtocolError("name-value pair with a 4-byte length cut short");
    else {
      valueLength = buf.readUInt32BE(i) & 0x7fffffff;
      count += 1 + (buf[i + 1]! >> 7) + (buf[i + 2]! >> 7) + (buf[i + 3]! >> 7);
      i += 4;
    }
    if (nameLength > end - i || valueLength > end - i - nameLength) throw new FcgiProtocolError("name-value pair longer than its record");
    i += nameLength + valueLength;
  }
  return count;
}

/**
 * Decodes name-value pairs as {@link decodeNameValuePairs} does, into an
 * object with nothing inherited ({@link newParams}).
 * The same strings, more cheaply: the bytes are read once as one Latin-1
 * string, and each name and value is a slice of it when its bytes are ASCII
 * (where Latin-1 and UTF-8 agree); a pair with any other byte is decoded from
 * the bytes as UTF-8. A name seen at the same place in the last request is
 * the string made then.
 */
export function decodeParams(buf: Buffer, start = 0, end = buf.length): Params {
  const text = latin1(buf, start, end);
  // Throws for pairs that do not parse, so the loop below needs no checks.
  const allAscii = Buffer.byteLength(text, "utf8") - text.length === lengthBytesNotAscii(buf, start, end);
  const into = new ParamsObject();
  // The next byte of `text` that is not ASCII, at or after the pair being read (text.length: none).
  let notAscii = allAscii ? text.length : -1;
  let i = start;
  for (let k = 0; i < end; k++) {
    let nameLength = buf[i]!;
    if (nameLength < 0x80) i += 1;
    else {
      nameLength = buf.readUInt32BE(i) & 0x7fffffff;
      i += 4;
    }
    let valueLength = buf[i]!;
    if (valueLength < 0x80) i += 1;
    else {
      valueLength = buf.readUInt32BE(i) & 0x7fffffff;
      i += 4;
    }
    const at = i - start;
    if (notAscii < at) {
      // The last byte found was before this pair (a length's, or an earlier pair's): look on from here.
      NOT_ASCII.lastIndex = at;
      notAscii = NOT_ASCII.exec(text)?.index ?? text.length;
    }
    const valueAt = at + nameLength;
    const valueEnd = valueAt + valueLength;
    let name = knownName(k, buf, i, nameLength);
    if (name === undefined) name = rememberName(k, buf, i, nameLength, notAscii >= valueAt ? text.slice(at, valueAt) : utf8(buf, i, i + nameLength));
    i += nameLength;
    into[name] = notAscii >= valueEnd ? text.slice(valueAt, valueEnd) : utf8(buf, i, i + valueLength);
    i += valueLength;
  }
  return into;
}

/**
 * Cuts a byte stream into records, one at a time. `feed` takes whatever
 * arrived; each `next()` that returns true makes the next complete record
 * current ({@link type}, {@link requestId}, and its content as bytes
 * [{@link start}, {@link end}) of {@link buffer}, valid until the next
 * `feed`), without copying it; a partial record waits for the next chunk.
 * What is held is the unread rest of the last chunk fed, plus at most one
 * partial record (8 + 65 535 + 255 bytes).
 */
export class RecordReader {
  #buf: Buffer | undefined;
  #off = 0;
  type = 0;
  requestId = 0;
  buffer: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;

  /** Adds bytes that arrived. */
  feed(chunk: Buffer): void {
    if (this.#buf === undefined || this.#off >= this.#buf.length) {
      this.#buf = chunk;
    } else {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#off), chunk]);
    }
    this.#off = 0;
  }

  /** Makes the next complete record current; false when none is complete yet. Throws FcgiProtocolError. */
  next(): boolean {
    const buf = this.#buf;
    if (buf === undefined) return false;
    const i = this.#off;
    if (buf.length - i < FCGI_HEADER_LEN) return false;
    const version = buf[i]!;
    if (version !== FCGI_VERSION_1) throw new FcgiProtocolError(`record of FastCGI version ${version}, not 1`);
    const length = (buf[i + 4]! << 8) | buf[i + 5]!;
    const end = i + FCGI_HEADER_LEN + length + buf[i + 6]!;
    if (end > buf.length) return false;
    this.type = buf[i + 1]!;
    this.requestId = (buf[i + 2]! << 8) | buf[i + 3]!;
    this.buffer = buf;
    this.start = i + FCGI_HEADER_LEN;
    this.end = this.start + length;
    this.#off = end;
    if (end === buf.length) this.#buf = undefined;
    return true;
  }

  /** A copy of the current record's content. */
  content(): Buffer {
    return Buffer.from(this.buffer.subarray(this.start, this.end));
  }

  /** Feeds `chunk` and returns every record now complete, each with a copy of its content. */
  push(chunk: Buffer): FcgiRecord[] {
    this.feed(chunk);
    const records: FcgiRecord[] = [];
    while (this.next()) records.push({ type: this.type, requestId: this.requestId, content: this.content() });
    return records;
  }

  /** True when bytes are waiting: part of a record, or records not yet taken with next(). */
  get midRecord(): boolean {
    return this.#buf !== undefined && this.#off < this.#buf.length;
  }
}

/**
 * A whole answer in one buffer: `response` as FCGI_STDOUT (when not empty),
 * the empty FCGI_STDOUT that ends the stream, and FCGI_END_REQUEST.
 */
export function encodeResponse(requestId: number, response: Buffer | string, protocolStatus = FCGI_REQUEST_COMPLETE): Buffer {
  const length = typeof response === "string" ? Buffer.byteLength(response, "utf8") : response.length;
  const out = Buffer.allocUnsafe(Math.ceil(length / FCGI_MAX_CONTENT) * (FCGI_HEADER_LEN + 7) + length + 2 * FCGI_HEADER_LEN + 8 + 8);
  let o = 0;
  const header = (type: number, contentLength: number, padding: number) => {
    out[o] = FCGI_VERSION_1;
    out[o + 1] = type;
    out[o + 2] = requestId >> 8;
    out[o + 3] = requestId & 0xff;
    out[o + 4] = contentLength >> 8;
    out[o + 5] = contentLength & 0xff;
    out[o + 6] = padding;
    out[o + 7] = 0;
    o += FCGI_HEADER_LEN;
  };
  if (length > 0) {
    const bytes = typeof response === "string" ? (length <= FCGI_MAX_CONTENT ? undefined : Buffer.from(response, "utf8")) : response;
    for (let done = 0; done < length; ) {
      const n = Math.min(FCGI_MAX_CONTENT, length - done);
      const padding = (8 - (n % 8)) % 8;
      header(FCGI_STDOUT, n, padding);
      if (bytes === undefined) out.write(response as string, o, "utf8");
      else bytes.copy(out, o, done, done + n);
      o += n;
      out.fill(0, o, o + padding);
      o += padding;
      done += n;
    }
    header(FCGI_STDOUT, 0, 0);
  }
  header(FCGI_END_REQUEST, 8, 0);
  out.fill(0, o, o + 8);
  out[o + 4] = protocolStatus;
  o += 8;
  return out.subarray(0, o);
}
