// The entry of the optional single-executable build (make sea, src/build/sea.sh): one
// binary serves every program, chosen by the name it was started by. Make links
// whoami.cgi, login.cgi, logout.cgi and gate.cgi to it; a server runs the link,
// and Node puts that path in process.argv[1] (the arguments follow, as for a script).
const name = (process.argv[1] ?? "").replace(/^.*\//, "");
if (name === "whoami.cgi") require("../programs/whoami.ts");
else if (name === "login.cgi") require("../programs/login.ts");
else if (name === "logout.cgi") require("../programs/logout.ts");
else if (name === "gate.cgi") require("../programs/gate.ts");
else {
  require("node:fs").writeSync(2, `dbbasic-sessions-cgi: run me through a link named whoami.cgi, login.cgi, logout.cgi or gate.cgi, not ${JSON.stringify(name)}\n`);
  process.exitCode = 2;
}
// As in src/build/bundle.mjs: exit without tearing down the heap once the work is done.
process.once("beforeExit", () => process.exit());
