/**
 * Reading a configuration file that a program reads on every request (the
 * key file, the htpasswd file, and any such file a later feature adds), so
 * that a wrong path fails at once instead of hanging or eating memory:
 *
 * - the file is opened non-blocking, so a FIFO cannot hang the open;
 * - it must be a regular file (checked with fstat on what was opened, so a
 *   swap after a stat cannot slip a device in): a directory, a device such as
 *   /dev/zero, a FIFO or a socket is refused;
 * - it is read up to a cap, and a file over the cap is refused, never cut.
 *
 * The caller turns a {@link SmallFileError} into its own error type
 * (KeyConfigError, ConfigError), adding what to do about it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

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

const KINDS: Array<[number, string]> = [
  [constants.S_IFDIR, "a directory"],
  [constants.S_IFCHR, "a character device"],
  [constants.S_IFBLK, "a block device"],
  [constants.S_IFIFO, "a FIFO"],
  [constants.S_IFSOCK, "a socket"],
];

function kindOf(mode: number): string {
  const type = mode & constants.S_IFMT;
  for (const [bits, name] of KINDS) if (type === bits) return name;
  return "not a regular file";
}

/**
 * Reads `path` as UTF-8 text when it is a regular file of at most `cap` bytes;
 * throws {@link SmallFileError} otherwise, naming the file as `what "path"`.
 *
 * @example
 * readSmallRegularFile("/etc/dbbasic/key", 4096, "SECRET_KEY_FILE").text
 * // throws 'SECRET_KEY_FILE "/dev/zero" is not a regular file (a character device)'
 */
export function readSmallRegularFile(path: string, cap: number, what: string): SmallFile {
  const name = `${what} ${JSON.stringify(path)}`;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    // O_NOCTTY: a terminal device never becomes our controlling terminal.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new SmallFileError(`${name} cannot be read (${code})`, code);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SmallFileError(`${name} is not a regular file (${kindOf(st.mode)})`, "ENOTREG");
    const tooLarge = () => new SmallFileError(`${name} is over the ${cap}-byte limit`, "EFBIG");
    if (st.size > cap) throw tooLarge();
    // Room for one byte more than fstat saw, so a file that grew meanwhile is noticed;
    // the buffer grows up to one byte past the cap, so a file over it is refused, not cut.
    let buf = Buffer.allocUnsafe(st.size + 1);
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(cap + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buf, got, buf.length - got, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "error";
        throw new SmallFileError(`${name} cannot be read (${code})`, code);
      }
      if (n === 0) break;
      got += n;
      if (got > cap) throw tooLarge();
    }
    return { text: buf.toString("utf8", 0, got), mode: st.mode, uid: st.uid, gid: st.gid };
  } finally {
    closeSync(fd);
  }
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
