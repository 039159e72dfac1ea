"use strict";
// make bench, figure 5: the floor of a FastCGI authorizer written in Node with its public
// socket API (node:net), as authorizer.fcgi is. Like trivial-authorizer.c it lets every
// request pass at once: accept on the listening socket lighttpd gives it as fd 0, read records
// up to the empty FCGI_PARAMS, write one fixed answer, close. No checks: a reference for the
// benchmark only, never a program to protect anything with.
const { createServer } = require("node:net");

/** One FastCGI record (FastCGI 1.0, section 3.3). */
function record(type, id, content) {
  const pad = (8 - (content.length % 8)) % 8;
  const out = Buffer.alloc(8 + content.length + pad);
  out[0] = 1;
  out[1] = type;
  out.writeUInt16BE(id, 2);
  out.writeUInt16BE(content.length, 4);
  out[6] = pad;
  content.copy(out, 8);
  return out;
}

/** The records up to the end of FCGI_PARAMS are in `buf`: the id of the request, else -1. */
function paramsEnd(buf) {
  for (let off = 0; buf.length - off >= 8; ) {
    const len = buf.readUInt16BE(off + 4);
    if (buf.length - off < 8 + len + buf[off + 6]) return -1;
    if (buf[off + 1] === 4 && len === 0) return buf.readUInt16BE(off + 2);
    off += 8 + len + buf[off + 6];
  }
  return -1;
}

const ANSWER = Buffer.from("Status: 200\r\nVariable-REMOTE_USER: bench-user\r\nVariable-AUTH_TYPE: Cookie\r\n\r\n");
const answer = (id) => Buffer.concat([record(6, id, ANSWER), record(6, id, Buffer.alloc(0)), record(3, id, Buffer.alloc(8))]);

module.exports = { answer, paramsEnd };

if (require.main === module) {
  createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const id = paramsEnd(buf);
      if (id >= 0) socket.end(answer(id));
    });
    socket.on("error", () => {});
  }).listen({ fd: 0 });
}
