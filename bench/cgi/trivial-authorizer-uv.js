"use strict";
// make bench, figure 5: the floor of any FastCGI authorizer written in Node. The same do-nothing
// authorizer as trivial-authorizer-net.js, on the layer below node:net: libuv's pipe handles
// through process.binding (an internal interface, deprecated for programs; here only to measure
// what Node's socket layer itself costs per connection). A reference for the benchmark only.
const { Pipe, constants } = process.binding("pipe_wrap");
const { WriteWrap, kReadBytesOrError, kArrayBufferOffset, kLastWriteWasAsync, streamBaseState } = process.binding("stream_wrap");
const { answer, paramsEnd } = require("./trivial-authorizer-net.js");

const server = new Pipe(constants.SERVER);
if (server.open(0) !== 0) process.exit(1);
function written() {
  this.handle.close();
}
server.onconnection = (status, client) => {
  if (status < 0 || !client) return;
  let buf = Buffer.alloc(0);
  client.onread = (arrayBuffer) => {
    const n = streamBaseState[kReadBytesOrError];
    if (n < 0) return client.close();
    buf = Buffer.concat([buf, Buffer.from(arrayBuffer, streamBaseState[kArrayBufferOffset], n)]);
    const id = paramsEnd(buf);
    if (id < 0) return;
    client.readStop();
    const req = new WriteWrap();
    req.handle = client;
    req.oncomplete = written;
    req.async = false;
    if (client.writeBuffer(req, answer(id)) !== 0 || !streamBaseState[kLastWriteWasAsync]) client.close();
  };
  client.readStart();
};
if (server.listen(511) !== 0) process.exit(1);
