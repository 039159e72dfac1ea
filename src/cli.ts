/**
 * dbbasic-sessions — the command line (README, "Command line"), so shell, Perl or PHP pages
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
  if (command === "create") {
    let ttl = DEFAULT_TTL;
    const users: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === "--ttl") {
        const value = rest[++i];
        if (value === undefined || !/^-?\d{1,12}$/.test(value)) return usage("--ttl takes a whole number of seconds");
        ttl = Number(value);
      } else if (rest[i]!.startsWith("--")) {
        return usage(`unknown option ${rest[i]}`);
      } else {
        users.push(rest[i]!);
      }
    }
    if (users.length !== 1) return usage();
    console.log(createSession(users[0]!, ttl));
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
