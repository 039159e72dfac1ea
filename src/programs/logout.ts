/**
 * logout.cgi — deletes the session cookie (README, "More"):
 * ../request/logout.ts under CGI, the form read from stdin.
 */
import { readForm, runCgi } from "../cgi/adapter.js";
import { logout, PROGRAM } from "../request/logout.js";

void runCgi(PROGRAM, (env) => logout(env, readForm));
