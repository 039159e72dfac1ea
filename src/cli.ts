/**
 * dbbasic-sessions — the command line (SPEC §5), so shell, Perl or PHP pages
 * can make and check the same tokens.
 */
import { KeyConfigError, SessionCreateError } from "./errors.js";
import { createSession, getSession, DEFAULT_TTL } from "./session.js";

const USAGE = `usage:
  dbbasic-sessions keygen                 print a new 64-hex-character key
  dbbasic-sessions create USER [--ttl S]  print a token for USER (key from SECRET_KEY or SECRET_KEY_FILE)
  dbbasic-sessions verify TOKEN           print the user id and exit 0; exit 1 when not valid`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "keygen" && rest.length === 0) {
    const { randomBytes } = await import("node:crypto");
    console.log(randomBytes(32).toString("hex"));
    return 0;
  }
  if (command === "create" && (rest.length === 1 || (rest.length === 3 && rest[1] === "--ttl"))) {
    let ttl = DEFAULT_TTL;
    if (rest.length === 3) {
      if (!/^-?\d{1,12}$/.test(rest[2]!)) return usage("--ttl takes a whole number of seconds");
      ttl = Number(rest[2]);
    }
    console.log(createSession(rest[0]!, ttl));
    return 0;
  }
  if (command === "verify" && rest.length === 1) {
    const user = getSession(rest[0]);
    if (user === null) return 1;
    console.log(user);
    return 0;
  }
  return usage();
}

function usage(message?: string): number {
  if (message) console.error(`dbbasic-sessions: ${message}`);
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof KeyConfigError || err instanceof SessionCreateError) console.error(`dbbasic-sessions: ${err.message}`);
    else console.error(`dbbasic-sessions: ${String((err as Error).message ?? err)}`);
    process.exitCode = 2;
  },
);
