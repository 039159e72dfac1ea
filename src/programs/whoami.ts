/**
 * whoami.cgi — who the session cookie says you are (README, "More"):
 * ../request/whoami.ts under CGI.
 */
import { runCgi } from "../cgi/adapter.js";
import { PROGRAM, whoami, whoamiFailure } from "../request/whoami.js";

void runCgi(PROGRAM, (env) => whoami(env), whoamiFailure);
