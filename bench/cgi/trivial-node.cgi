#!/usr/bin/env node
// The runtime's floor as a CGI program: start Node, write a fixed answer.
require("fs").writeSync(1, "Status: 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\r\nok\n");
