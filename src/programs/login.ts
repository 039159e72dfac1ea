/**
 * login.cgi — issues a session (README, "More"): ../request/login.ts
 * under CGI, the form read from stdin.
 */
import { readForm, runCgi } from "../cgi/adapter.js";
import { login, PROGRAM } from "../request/login.js";

void runCgi(PROGRAM, (env) => login(env, readForm));
