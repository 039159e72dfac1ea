// The FastCGI 1.0 codec of authorizer.fcgi: records, name-value pairs with
// 1- and 4-byte lengths, and what malformed input does (a FcgiProtocolError,
// never a crash or a wrong value).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeBeginRequestBody,
  decodeNameValuePairs,
  decodeParams,
  encodeBeginRequestBody,
  encodeEndRequest,
  encodeNameValuePairs,
  encodeRecords,
  encodeResponse,
  encodeUnknownType,
  FCGI_AUTHORIZER,
  FCGI_BEGIN_REQUEST,
  FCGI_END_REQUEST,
  FCGI_KEEP_CONN,
  FCGI_PARAMS,
  FCGI_STDOUT,
  FCGI_UNKNOWN_TYPE,
  FcgiProtocolError,
  RecordReader,
} from "../../src/fcgi/protocol.js";

describe("records", () => {
  it("encodes a header, the content and padding to a multiple of 8", () => {
    const r = encodeRecords(FCGI_STDOUT, 0x0102, Buffer.from("abc"));
    expect([...r]).toEqual([1, 6, 1, 2, 0, 3, 5, 0, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0]);
  });

  it("encodes empty content as one empty record (the end of a stream)", () => {
    expect([...encodeRecords(FCGI_PARAMS, 1)]).toEqual([1, 4, 0, 1, 0, 0, 0, 0]);
  });

  it("splits content over 65 535 bytes into several records", () => {
    const content = Buffer.alloc(70000, 0x41);
    const records = new RecordReader().push(encodeRecords(FCGI_STDOUT, 3, content));
    expect(records.map((r) => r.content.length)).toEqual([65535, 4465]);
    expect(Buffer.concat(records.map((r) => r.content)).equals(content)).toBe(true);
    expect(records.every((r) => r.type === FCGI_STDOUT && r.requestId === 3)).toBe(true);
  });

  it("encodes FCGI_END_REQUEST and FCGI_UNKNOWN_TYPE bodies", () => {
    expect([...encodeEndRequest(7, 258, 3)]).toEqual([1, FCGI_END_REQUEST, 0, 7, 0, 8, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0]);
    expect([...encodeUnknownType(42)]).toEqual([1, FCGI_UNKNOWN_TYPE, 0, 0, 0, 8, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("round-trips a BEGIN_REQUEST body", () => {
    expect(decodeBeginRequestBody(encodeBeginRequestBody(FCGI_AUTHORIZER, FCGI_KEEP_CONN))).toEqual({ role: 2, flags: 1 });
  });

  it("refuses a BEGIN_REQUEST body that is not 8 bytes", () => {
    expect(() => decodeBeginRequestBody(Buffer.alloc(5))).toThrow(new FcgiProtocolError("FCGI_BEGIN_REQUEST body of 5 bytes, not 8"));
  });

  it("reads records cut at every byte boundary", () => {
    const stream = Buffer.concat([
      encodeRecords(FCGI_BEGIN_REQUEST, 1, encodeBeginRequestBody(FCGI_AUTHORIZER, 0)),
      encodeRecords(FCGI_PARAMS, 1, encodeNameValuePairs([["A", "b"]])),
      encodeRecords(FCGI_PARAMS, 1),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new RecordReader();
      const records = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(records.map((r) => [r.type, r.requestId, r.content.length])).toEqual([
        [FCGI_BEGIN_REQUEST, 1, 8],
        [FCGI_PARAMS, 1, 4],
        [FCGI_PARAMS, 1, 0],
      ]);
      expect(reader.midRecord).toBe(false);
    }
  });

  it("holds a partial record until the rest arrives, one byte at a time", () => {
    const reader = new RecordReader();
    const bytes = encodeRecords(FCGI_STDOUT, 9, Buffer.from("hello"));
    const got = [];
    for (const b of bytes) got.push(...reader.push(Buffer.from([b])));
    expect(got).toHaveLength(1);
    expect(got[0]!.content.toString()).toBe("hello");
  });

  it("refuses a record of another version", () => {
    const bad = encodeRecords(FCGI_PARAMS, 1, Buffer.from("x"));
    bad[0] = 2;
    expect(() => new RecordReader().push(bad)).toThrow(new FcgiProtocolError("record of FastCGI version 2, not 1"));
  });

  it("refuses HTTP sent to the FastCGI socket", () => {
    expect(() => new RecordReader().push(Buffer.from("GET / HTTP/1.1\r\n\r\n"))).toThrow(FcgiProtocolError);
  });
});

describe("name-value pairs", () => {
  it("uses 1-byte lengths under 128 and 4-byte lengths (high bit set) from 128", () => {
    expect([...encodeNameValuePairs([["AB", "c"]])]).toEqual([2, 1, 0x41, 0x42, 0x63]);
    const long = "v".repeat(128);
    const enc = encodeNameValuePairs([["N", long]]);
    expect([...enc.subarray(0, 6)]).toEqual([1, 0x80, 0, 0, 128, 0x4e]);
    expect(decodeNameValuePairs(enc).get("N")).toBe(long);
  });

  it("decodes 127 with one byte and a 4-byte length of a small value", () => {
    const v127 = "x".repeat(127);
    expect(decodeNameValuePairs(Buffer.concat([Buffer.from([1, 127]), Buffer.from("K" + v127)])).get("K")).toBe(v127);
    // A 4-byte length may encode a small number too.
    expect(decodeNameValuePairs(Buffer.from([0x80, 0, 0, 1, 0x80, 0, 0, 2, 0x4b, 0x68, 0x69])).get("K")).toBe("hi");
  });

  it("decodes an empty value and UTF-8 text", () => {
    const m = decodeNameValuePairs(encodeNameValuePairs([["EMPTY", ""], ["REQUEST_URI", "/members/café"]]));
    expect(m.get("EMPTY")).toBe("");
    expect(m.get("REQUEST_URI")).toBe("/members/café");
  });

  it("round-trips any pairs (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 300 }), fc.string({ maxLength: 300 })), { selector: (p) => p[0] }), (pairs) => {
        const clean = pairs.filter(([k, v]) => !/[\ud800-\udfff]/.test(k + v));
        expect([...decodeNameValuePairs(encodeNameValuePairs(clean))]).toEqual(clean);
      }),
    );
  });

  it("refuses lengths that run past the end", () => {
    const e = (bytes: number[]) => () => decodeNameValuePairs(Buffer.from(bytes));
    expect(e([5, 1, 0x41])).toThrow(new FcgiProtocolError("name-value pair longer than its record"));
    expect(e([1, 5, 0x41, 0x42])).toThrow(new FcgiProtocolError("name-value pair longer than its record"));
    expect(e([0x80, 0, 0])).toThrow(new FcgiProtocolError("name-value pair with a 4-byte length cut short"));
    expect(e([1])).toThrow(new FcgiProtocolError("name-value pair without a value length"));
    expect(e([1, 0xff, 0xff, 0xff, 0xff, 0x41])).toThrow(new FcgiProtocolError("name-value pair longer than its record"));
  });

  it("never throws anything but FcgiProtocolError on random bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeNameValuePairs(Buffer.from(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(FcgiProtocolError);
        }
      }),
    );
  });
});

describe("the server's fast paths", () => {
  it("encodeResponse writes the same bytes as STDOUT records, the empty STDOUT and END_REQUEST (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ minLength: 65_000, maxLength: 140_000 })), fc.integer({ min: 1, max: 0xffff }), fc.boolean(), (text, id, asBuffer) => {
        const body = Buffer.from(text, "utf8");
        const expected = Buffer.concat([...(body.length > 0 ? [encodeRecords(FCGI_STDOUT, id, body), encodeRecords(FCGI_STDOUT, id)] : []), encodeEndRequest(id, 0, 0)]);
        expect(encodeResponse(id, asBuffer ? body : text).equals(expected)).toBe(true);
      }),
      { numRuns: 30 },
    );
    expect(encodeResponse(9, Buffer.alloc(0), 3).equals(encodeEndRequest(9, 0, 3))).toBe(true);
  });

  it("RecordReader.next gives the same records whatever the chunks, and decodes pairs within a range only", () => {
    const stream = Buffer.concat([
      encodeRecords(FCGI_BEGIN_REQUEST, 1, encodeBeginRequestBody(FCGI_AUTHORIZER, 0)),
      encodeRecords(FCGI_PARAMS, 1, encodeNameValuePairs([["A", "1"], ["B", "x".repeat(300)]])),
      encodeRecords(FCGI_PARAMS, 1),
    ]);
    for (const size of [1, 3, 8, 13, stream.length]) {
      const reader = new RecordReader();
      const got: Array<[number, number, string]> = [];
      for (let i = 0; i < stream.length; i += size) {
        reader.feed(stream.subarray(i, i + size));
        while (reader.next()) got.push([reader.type, reader.requestId, reader.content().toString("latin1")]);
      }
      expect(got.map(([t, , c]) => [t, c.length])).toEqual([[FCGI_BEGIN_REQUEST, 8], [FCGI_PARAMS, 310], [FCGI_PARAMS, 0]]);
      expect(reader.midRecord).toBe(false);
    }
    const pairs = encodeNameValuePairs([["A", "1"], ["B", "2"]]);
    const padded = Buffer.concat([Buffer.from([0xff, 0xff]), pairs, Buffer.from([5])]);
    expect([...decodeNameValuePairs(padded, new Map(), 2, 2 + pairs.length)]).toEqual([["A", "1"], ["B", "2"]]);
    expect(() => decodeNameValuePairs(padded, new Map(), 2, 2 + pairs.length - 1)).toThrow(FcgiProtocolError);
  });
});

describe("decodeParams", () => {
  it("decodes as decodeNameValuePairs does, into an object that inherits nothing (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 200 }), fc.string({ maxLength: 300 })), { selector: (p) => p[0] }), (pairs) => {
        const bytes = encodeNameValuePairs(pairs);
        const params = decodeParams(bytes);
        expect(Object.getPrototypeOf(Object.getPrototypeOf(params))).toBe(null);
        expect(Object.getOwnPropertyNames(Object.getPrototypeOf(params))).toEqual([]);
        // Integer-like names come first in an object's own order: compare regardless of order.
        const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
        expect(Object.entries(params).sort(byName)).toEqual([...decodeNameValuePairs(bytes)].sort(byName));
      }),
    );
    const special = decodeParams(encodeNameValuePairs([["__proto__", "x"], ["constructor", "y"]]));
    expect(Object.keys(special)).toEqual(["__proto__", "constructor"]);
    expect(special["__proto__"]).toBe("x");
    expect(Object.hasOwn(special, "__proto__")).toBe(true);
    expect("toString" in special || "hasOwnProperty" in special).toBe(false);
    expect(() => decodeParams(Buffer.from([5, 1, 0x41]))).toThrow(new FcgiProtocolError("name-value pair longer than its record"));
    expect(() => decodeParams(Buffer.from([0x80, 0, 0]))).toThrow(new FcgiProtocolError("name-value pair with a 4-byte length cut short"));
    expect(() => decodeParams(Buffer.from([1]))).toThrow(new FcgiProtocolError("name-value pair without a value length"));
  });
});

describe("decodeParams on bytes that are not ASCII", () => {
  /** Pairs of raw bytes, encoded as a server sends them (1- or 4-byte lengths). */
  const length = (n: number) => (n < 0x80 ? Buffer.from([n]) : Buffer.from([0x80 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]));
  const raw = (pairs: Array<[Uint8Array, Uint8Array]>) => Buffer.concat(pairs.flatMap(([n, v]) => [length(n.length), length(v.length), Buffer.from(n), Buffer.from(v)]));
  const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

  it("decodes any bytes (UTF-8, Latin-1, malformed UTF-8, lengths of 128 and more) as UTF-8, as decodeNameValuePairs does (property)", () => {
    const bytes = fc.uint8Array({ maxLength: 200 });
    fc.assert(
      fc.property(fc.array(fc.tuple(bytes.filter((b) => b.length > 0), bytes), { maxLength: 12 }), (pairs) => {
        const buf = raw(pairs);
        expect(Object.entries(decodeParams(buf)).sort(byName)).toEqual([...decodeNameValuePairs(buf)].sort(byName));
      }),
      { numRuns: 500 },
    );
  });

  it("decodes names and values with bytes that are not ASCII, beside ASCII pairs and long lengths", () => {
    const buf = encodeNameValuePairs([
      ["A", "x".repeat(130)],
      ["REQUEST_URI", "/members/café"],
      ["NAMÉ", "v"],
      ["B", "plain"],
    ]);
    const bad = Buffer.concat([buf, Buffer.from([1, 2, 0x43, 0xff, 0x41])]);
    const params = decodeParams(bad);
    expect({ ...params }).toEqual({ A: "x".repeat(130), REQUEST_URI: "/members/café", NAMÉ: "v", B: "plain", C: "\ufffdA" });
  });

  it("gives each request its own names, whatever the request before it sent at the same place", () => {
    const first = decodeParams(encodeNameValuePairs([["HTTP_COOKIE", "a"], ["REMOTE_ADDR", "1"]]));
    const second = decodeParams(encodeNameValuePairs([["HTTP_COOKIF", "b"], ["REMOTE_ADDR", "2"], ["HTTP_COOKIE", "c"]]));
    const third = decodeParams(encodeNameValuePairs([["HTTP_COOKIE", "d"], ["REMOTE_ADDRX", "3"]]));
    expect({ ...first }).toEqual({ HTTP_COOKIE: "a", REMOTE_ADDR: "1" });
    expect({ ...second }).toEqual({ HTTP_COOKIF: "b", REMOTE_ADDR: "2", HTTP_COOKIE: "c" });
    expect({ ...third }).toEqual({ HTTP_COOKIE: "d", REMOTE_ADDRX: "3" });
  });
});
