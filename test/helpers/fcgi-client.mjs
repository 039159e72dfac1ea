#!/usr/bin/env node
// A small FastCGI client for the tests and `make bench`: it speaks to a real
// authorizer.fcgi process over a real socket (TCP or Unix), as lighttpd and
// Apache do: one connection per request, FCGI_BEGIN_REQUEST (role
// AUTHORIZER), the params, an empty FCGI_PARAMS, then it reads FCGI_STDOUT
// until FCGI_END_REQUEST.
//
//   node fcgi-client.mjs request ADDRESS [NAME=VALUE …]
//       prints the response's FCGI_STDOUT bytes, then one line
//       "END app=N protocol=N" (or "CLOSED" when the connection ended first)
//   node fcgi-client.mjs raw ADDRESS HEX
//       sends the bytes, then prints each record that comes back as one line
//       "type=T id=I content=JSON" and finally "CLOSED" (or "OPEN" after 3 s)
//   node fcgi-client.mjs load ADDRESS REQUESTS CONCURRENCY EXPECT_STATUS [NAME=VALUE …]
//       REQUESTS requests, CONCURRENCY at a time; every answer must have
//       Status EXPECT_STATUS; prints "sent=N ok=N errors=N seconds=S"
//   node fcgi-client.mjs drop ADDRESS COUNT
//       opens COUNT connections, sends half a request on each, and drops them
//   node fcgi-client.mjs hold ADDRESS COUNT SECONDS
//       opens COUNT connections and keeps them, silent, for SECONDS, then closes them
//   node fcgi-client.mjs flood ADDRESS MEGABYTES SECONDS
//       one connection sending FCGI_GET_VALUES records as fast as the socket takes them,
//       never reading the answers, until MEGABYTES are sent, SECONDS have passed or the
//       server closes it; prints "started" once connected, then "flooded=BYTES closed=yes|no"
//   node fcgi-client.mjs trickle ADDRESS INTERVAL_MS SECONDS
//       one connection sending a request one byte every INTERVAL_MS (its end never comes);
//       prints "CLOSED" when the server closes it, or "OPEN" after SECONDS
//
// ADDRESS is HOST:PORT or an absolute socket path.
import net from "node:net";

const [mode, address, ...rest] = process.argv.slice(2);

function connectOptions(addr) {
  if (addr.startsWith("/")) return { path: addr };
  const i = addr.lastIndexOf(":");
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}

function record(type, id, content = Buffer.alloc(0)) {
  const header = Buffer.alloc(8);
  header[0] = 1;
  header[1] = type;
  header.writeUInt16BE(id, 2);
  header.writeUInt16BE(content.length, 4);
  const padding = (8 - (content.length % 8)) % 8;
  header[6] = padding;
  return Buffer.concat([header, content, Buffer.alloc(padding)]);
}

function length(n) {
  if (n < 128) return Buffer.from([n]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((n | 0x80000000) >>> 0);
  return b;
}

function pairs(list) {
  return Buffer.concat(
    list.flatMap(([k, v]) => {
      const kb = Buffer.from(k);
      const vb = Buffer.from(v);
      return [length(kb.length), length(vb.length), kb, vb];
    }),
  );
}

/** The bytes of one authorizer request: BEGIN_REQUEST, PARAMS (in records of at most 65 535 bytes), empty PARAMS. */
export function requestBytes(params, id = 1, role = 2, flags = 0) {
  const body = Buffer.alloc(8);
  body.writeUInt16BE(role, 0);
  body[2] = flags;
  const all = pairs(params);
  const parts = [record(1, id, body)];
  for (let i = 0; i < all.length; i += 65535) parts.push(record(4, id, all.subarray(i, i + 65535)));
  parts.push(record(4, id));
  return Buffer.concat(parts);
}

/** Parses records out of `buf`; returns them and the bytes left over. */
function parseRecords(buf) {
  const out = [];
  let i = 0;
  while (buf.length - i >= 8) {
    const len = buf.readUInt16BE(i + 4);
    const end = i + 8 + len + buf[i + 6];
    if (end > buf.length) break;
    out.push({ type: buf[i + 1], id: buf.readUInt16BE(i + 2), content: buf.subarray(i + 8, i + 8 + len) });
    i = end;
  }
  return { records: out, rest: buf.subarray(i) };
}

/** One request on a fresh connection: resolves to { stdout: Buffer, end: {app, protocol} | null }. */
function ask(addr, params) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(connectOptions(addr));
    let buf = Buffer.alloc(0);
    const stdout = [];
    let end = null;
    sock.setTimeout(20_000, () => sock.destroy(new Error("timed out")));
    sock.on("connect", () => sock.write(requestBytes(params)));
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const { records, rest } = parseRecords(buf);
      buf = rest;
      for (const r of records) {
        if (r.type === 6) stdout.push(r.content);
        if (r.type === 3) end = { app: r.content.readUInt32BE(0), protocol: r.content[4] };
      }
    });
    // A connection the server closes at once may end in a reset: "close" follows, with no END.
    sock.on("error", (err) => err.code !== "ECONNRESET" && reject(err));
    sock.on("close", () => resolve({ stdout: Buffer.concat(stdout), end }));
  });
}

function paramList(args) {
  return args.map((a) => {
    const i = a.indexOf("=");
    return [a.slice(0, i), a.slice(i + 1)];
  });
}

if (mode === "request") {
  const { stdout, end } = await ask(address, paramList(rest));
  process.stdout.write(stdout);
  process.stdout.write(end ? `END app=${end.app} protocol=${end.protocol}\n` : "CLOSED\n");
} else if (mode === "raw") {
  const sock = net.connect(connectOptions(address));
  let buf = Buffer.alloc(0);
  const timer = setTimeout(() => {
    console.log("OPEN");
    sock.destroy();
  }, 3000);
  sock.on("connect", () => sock.write(Buffer.from(rest[0] ?? "", "hex")));
  sock.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    const { records, rest: left } = parseRecords(buf);
    buf = left;
    for (const r of records) console.log(`type=${r.type} id=${r.id} content=${JSON.stringify(r.content.toString("latin1"))}`);
  });
  sock.on("error", () => {});
  sock.on("close", () => {
    if (timer._destroyed) return;
    clearTimeout(timer);
    console.log("CLOSED");
  });
} else if (mode === "load") {
  const [nArg, cArg, expect, ...params] = rest;
  const total = Number(nArg);
  const concurrency = Number(cArg);
  const list = paramList(params);
  let sent = 0;
  let ok = 0;
  let errors = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (sent < total) {
      sent++;
      try {
        const { stdout, end } = await ask(address, list);
        if (end && end.protocol === 0 && stdout.toString("latin1").startsWith(`Status: ${expect}`)) ok++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`sent=${sent} ok=${ok} errors=${errors} seconds=${seconds.toFixed(3)}`);
  process.exitCode = errors === 0 ? 0 : 1;
} else if (mode === "drop") {
  const count = Number(rest[0]);
  const half = requestBytes([["REQUEST_METHOD", "GET"], ["REQUEST_URI", "/x"]]).subarray(0, 13);
  let closed = 0;
  await new Promise((resolve) => {
    for (let i = 0; i < count; i++) {
      const sock = net.connect(connectOptions(address));
      sock.on("connect", () => {
        sock.write(half);
        setImmediate(() => sock.destroy());
      });
      sock.on("error", () => {});
      sock.on("close", () => {
        if (++closed === count) resolve();
      });
    }
  });
  console.log(`dropped=${closed}`);
} else if (mode === "hold") {
  const count = Number(rest[0]);
  const socks = [];
  let connected = 0;
  await new Promise((resolve) => {
    for (let i = 0; i < count; i++) {
      const sock = net.connect(connectOptions(address));
      socks.push(sock);
      sock.on("error", () => {});
      sock.on("connect", () => ++connected === count && resolve());
    }
    setTimeout(resolve, 5000);
  });
  await new Promise((r) => setTimeout(r, Number(rest[1]) * 1000));
  for (const s of socks) s.destroy();
  console.log(`held=${connected}`);
} else if (mode === "flood") {
  const limit = Number(rest[0]) * 1024 * 1024;
  const getValues = record(9, 0, pairs([["FCGI_MAX_CONNS", ""], ["FCGI_MAX_REQS", ""], ["FCGI_MPXS_CONNS", ""]]));
  const batch = Buffer.concat(Array.from({ length: Math.floor(65536 / getValues.length) }, () => getValues));
  const sock = net.connect(connectOptions(address));
  sock.pause(); // never read the answers
  let sent = 0;
  let closed = false;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, Number(rest[1]) * 1000);
    const pump = () => {
      while (!closed && sent < limit) {
        sent += batch.length;
        if (!sock.write(batch)) return; // wait for 'drain'
      }
      if (sent >= limit) {
        clearTimeout(timer);
        resolve();
      }
    };
    sock.on("connect", () => {
      console.log("started");
      pump();
    });
    sock.on("drain", pump);
    sock.on("error", () => {});
    sock.on("close", () => {
      closed = true;
      clearTimeout(timer);
      resolve();
    });
  });
  console.log(`flooded=${sent - sock.writableLength} closed=${closed ? "yes" : "no"}`);
  sock.destroy();
} else if (mode === "trickle") {
  const bytes = requestBytes([["REQUEST_METHOD", "GET"], ["REQUEST_URI", "/x"]]).subarray(0, -8); // no end of params
  const sock = net.connect(connectOptions(address));
  let i = 0;
  let timer;
  const outcome = await new Promise((resolve) => {
    const giveUp = setTimeout(() => resolve("OPEN"), Number(rest[1]) * 1000);
    sock.on("connect", () => {
      timer = setInterval(() => {
        if (i < bytes.length) sock.write(bytes.subarray(i, ++i));
      }, Number(rest[0]));
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      clearTimeout(giveUp);
      resolve("CLOSED");
    });
  });
  clearInterval(timer);
  sock.destroy();
  console.log(outcome);
} else {
  console.error("usage: fcgi-client.mjs request|raw|load|drop|hold|flood|trickle ADDRESS …");
  process.exitCode = 2;
}
