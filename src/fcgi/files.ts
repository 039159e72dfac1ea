/**
 * The files a long-lived process consults per request (the key file,
 * HTPASSWD_FILE, HTGROUP_FILE, SESSION_REVOKED_FILE), read again only when
 * they change: each request costs one stat() per file, compared on device,
 * inode, size, modification and change time, instead of a read. A change made
 * by `htpasswd -D`, `dbbasic-sessions revoke`, an editor writing a new file
 * and renaming it, or a replaced key, is seen at the next request.
 *
 * File times are coarse (the kernel's clock tick, a few milliseconds), so two
 * writes in one tick can leave the same size and times: a file changed less
 * than {@link RACY_MS} before it was read is read again on every request until
 * it has been quiet that long (the way git treats "racily clean" files).
 */
import { statSync, type Stats } from "node:fs";
import { readSmallRegularFile, type SmallFile } from "../files.js";
import { keyringFromEnv, type KeyEnv, type Keyring } from "../keys.js";

/** A file changed less than this many milliseconds before it was read is not trusted from the cache. */
export const RACY_MS = 2000;
/** At most this many files are remembered (their paths come from the server's configuration). */
const MAX_ENTRIES = 64;

interface Signature {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

function signature(st: Stats): Signature {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

function same(a: Signature, b: Signature): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function statOrUndefined(path: string): Signature | undefined {
  try {
    return signature(statSync(path));
  } catch {
    return undefined; // the reader reports it, with its own message
  }
}

/** True when a file with this signature, read at `readAt`, may be served from the cache later. */
function settled(sig: Signature, readAt: number): boolean {
  return readAt - Math.max(sig.mtimeMs, sig.ctimeMs) >= RACY_MS;
}

/**
 * Remembers files and the keyring by what a stat says about them.
 * `read` is where files come from (default: the CGI programs' own reader,
 * with its checks and caps); `now` is the clock, in milliseconds.
 */
export class FileCache {
  readonly #files = new Map<string, { sig: Signature; file: SmallFile; trusted: boolean }>();
  #keys: { id: string; sig: Signature | undefined; ring: Keyring; trusted: boolean } | undefined;
  /** Reads from disk (not from the cache) so far: for tests and `make bench`. */
  reads = 0;

  constructor(
    private readonly readFile: (path: string, cap: number, what: string) => SmallFile = readSmallRegularFile,
    private readonly now: () => number = Date.now,
    private readonly buildKeyring: (env: KeyEnv) => Keyring = keyringFromEnv,
  ) {}

  /** A reader for src/cgi/live.ts and readHtpasswd: the cached text while the file is unchanged. */
  read = (path: string, cap: number, what: string): SmallFile => {
    const key = what + "\0" + cap + "\0" + path;
    const sig = statOrUndefined(path);
    const hit = this.#files.get(key);
    if (hit && sig && hit.trusted && same(hit.sig, sig)) return hit.file;
    this.#files.delete(key);
    this.reads++;
    const file = this.readFile(path, cap, what); // throws for a missing, unreadable or oversized file: never cached
    if (sig) {
      if (this.#files.size >= MAX_ENTRIES) this.#files.clear();
      this.#files.set(key, { sig, file, trusted: settled(sig, this.now()) });
    }
    return file;
  };

  /** The keyring from SECRET_KEY_FILE or SECRET_KEY (and SECRET_KEY_FALLBACKS), rebuilt only when one of them changed. */
  keyring = (env: KeyEnv): Keyring => {
    const path = env.SECRET_KEY_FILE;
    const id = (path ? "file\0" + path : "env\0" + (env.SECRET_KEY ?? "\0unset")) + "\0" + (env.SECRET_KEY_FALLBACKS ?? "");
    const sig = path ? statOrUndefined(path) : undefined;
    const hit = this.#keys;
    if (hit && hit.id === id && hit.trusted && (path ? sig !== undefined && hit.sig !== undefined && same(hit.sig, sig) : true)) return hit.ring;
    this.#keys = undefined;
    this.reads++;
    const ring = this.buildKeyring(env); // throws KeyConfigError: never cached
    this.#keys = { id, sig, ring, trusted: path ? sig !== undefined && settled(sig, this.now()) : true };
    return ring;
  };
}
