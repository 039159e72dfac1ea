/**
 * Reading a configuration file that a program reads on every request (the
 * key file, the htpasswd file, and any such file a later feature adds), so
 * that a wrong path fails at once instead of hanging or eating memory:
 *
 * - it must be a regular file: a directory, a device such as /dev/zero, a
 *   FIFO or a socket is refused after a stat, before anything is opened;
 * - it is then opened non-blocking, so a FIFO swapped in after the stat makes
 *   the read fail (EAGAIN) instead of waiting for a writer;
 * - it is read only when no larger than a cap, and refused, never cut, when
 *   over it (also when it grew after the stat).
 *
 * stat, then readFileSync: on Node 20 the first open/fstat/read of a process
 * costs ≈ 0.5 ms more than these two calls (the CGI programs' start-up is
 * their cost, docs/performance.md). Swapping a device in between the stat and
 * the open needs write access to the file's folder, which already allows
 * replacing the file itself.
 *
 * The caller turns a {@link SmallFileError} into its own error type
 * (KeyConfigError, ConfigError), adding what to do about it.
 */
import { constants, readFileSync, statSync, type Stats } from "node:fs";

/** The file cannot be used; `message` names it (`what` and the quoted path) and says why, on one line. */
export class SmallFileError extends Error {
  constructor(
    message: string,
    /** errno code (`ENOENT`, `EACCES`…), `ENOTREG` for a file that is not regular, `EFBIG` for one over the cap. */
    readonly code: string,
  ) {
    super(message);
  }
}

/** The text of the file and the owner and mode of what was read (for permission warnings). */
export interface SmallFile {
  text: string;
  mode: number;
  uid: number;
  gid: number;
}

function kindOf(mode: number): string {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFDIR:
      return "a directory";
    case constants.S_IFCHR:
      return "a character device";
    case constants.S_IFBLK:
      return "a block device";
    case constants.S_IFIFO:
      return "a FIFO";
    case constants.S_IFSOCK:
      return "a socket";
    default:
      return "not a regular file";
  }
}

// O_NONBLOCK: a FIFO swapped in after the stat fails (EAGAIN) instead of waiting for a writer.
// O_NOCTTY: a terminal swapped in never becomes our controlling terminal. A number is a valid
// flag (fs.open's rules; @types/node lists only the strings).
const READ_OPTIONS = {
  encoding: "utf8",
  flag: (constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY) as unknown as string,
} as const;

/**
 * Reads `path` as UTF-8 text when it is a regular file of at most `cap` bytes;
 * throws {@link SmallFileError} otherwise, naming the file as `what "path"`.
 * (Kept small: it runs on every request; the messages are built only on failure.)
 *
 * @example
 * readSmallRegularFile("/etc/dbbasic/key", 4096, "SECRET_KEY_FILE").text
 * // throws 'SECRET_KEY_FILE "/dev/zero" is not a regular file (a character device)'
 */
export function readSmallRegularFile(path: string, cap: number, what: string): SmallFile {
  let st: Stats;
  let text = "";
  try {
    st = statSync(path);
    // Mode bits, not st.isFile(): its first call costs ≈ 15 µs of start-up.
    if ((st.mode & constants.S_IFMT) === constants.S_IFREG && st.size <= cap) text = readFileSync(path, READ_OPTIONS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new SmallFileError(`${what} ${JSON.stringify(path)} cannot be read (${code})`, code);
  }
  if ((st.mode & constants.S_IFMT) !== constants.S_IFREG) {
    throw new SmallFileError(`${what} ${JSON.stringify(path)} is not a regular file (${kindOf(st.mode)})`, "ENOTREG");
  }
  // Over the cap, grown since the stat, or a /proc file (whose stat says 0 bytes) that is
  // larger: a UTF-16 unit is at most 3 UTF-8 bytes, so a short text needs no counting.
  if (st.size > cap || (text.length > cap / 3 && Buffer.byteLength(text) > cap)) {
    throw new SmallFileError(`${what} ${JSON.stringify(path)} is over the ${cap}-byte limit`, "EFBIG");
  }
  return { text, mode: st.mode, uid: st.uid, gid: st.gid };
}

/**
 * Who besides the owner may write a file of this mode: `"every user"` (the
 * "other" write bit), `"its group"` (the group write bit), or `undefined`.
 *
 * @example
 * writableByOthers(0o100620) // "its group"
 */
export function writableByOthers(mode: number): string | undefined {
  if ((mode & 0o002) !== 0) return "every user";
  if ((mode & 0o020) !== 0) return "its group";
  return undefined;
}

/** `0644`: the permission bits, as `ls -l` users write them for chmod. */
export function octalMode(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}
