/**
 * The files a long-lived process consults per request (the key file,
 * HTPASSWD_FILE, HTGROUP_FILE, SESSION_REVOKED_FILE), read again only when
 * they change, without a system call per request:
 *
 * - each file and its folder are watched (fs.watch, inotify on Linux): a
 *   write, `htpasswd -D`, `dbbasic-sessions revoke`, an editor writing a new
 *   file and renaming it into place, or a replaced key, drops the cached copy
 *   as soon as the event arrives;
 * - as a safety net (a file system without notification, a watch that could
 *   not be set, more watches than the system allows), a file is checked with
 *   one stat() at most every {@link CHECK_MS}, compared on device, inode,
 *   size, modification and change time.
 * So a change counts for every request that starts {@link CHECK_MS} or more
 * after it was made, and usually at once.
 *
 * File times are coarse (the kernel's clock tick, a few milliseconds), so two
 * writes in one tick can leave the same size and times: a file changed less
 * than {@link RACY_MS} before it was read is read again at each check until it
 * has been quiet that long (the way git treats "racily clean" files).
 *
 * What is cached is bounded: at most {@link MAX_ENTRIES} files and
 * {@link MAX_CACHED_BYTES} bytes in all, of which at most
 * {@link MAX_GROUP_FILES} group files (a request's params may name the group
 * file), each read only up to {@link MAX_SERVICE_GROUP_FILE}.
 */
import { statSync, watch, type FSWatcher, type Stats } from "node:fs";
import { basename, dirname } from "node:path";
import { readSmallRegularFile, type SmallFile } from "../files.js";
import { keyringFromEnv, type KeyEnv, type Keyring } from "../keys.js";

/** A file changed less than this many milliseconds before it was read is not trusted from the cache. */
export const RACY_MS = 2000;
/** A cached file is checked with a stat at most this often (and at once when a watch reports a change). */
export const CHECK_MS = 500;
/** At most this many files are remembered. */
export const MAX_ENTRIES = 16;
/** At most this many bytes of files are remembered (the files read by the oldest entries are dropped first). */
export const MAX_CACHED_BYTES = 16 * 1024 * 1024;
/** At most this many distinct group files are remembered (a request's params choose it). */
export const MAX_GROUP_FILES = 4;
/** The largest HTGROUP_FILE the service reads (the CGI programs allow 4 MiB). */
export const MAX_SERVICE_GROUP_FILE = 1024 * 1024;

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

/** What is known of one file (or of the key file behind a keyring). */
interface Checked {
  path: string;
  sig: Signature | undefined;
  /** When the cached copy was last known to match the file (the cache's clock). */
  checkedAt: number;
  trusted: boolean;
  /** Set by a watch event: check at the next request. */
  changed: boolean;
  unwatch: () => void;
}

interface Entry extends Checked {
  file: SmallFile;
  what: string;
  cap: number;
  bytes: number;
}

/**
 * Watches `path` and its folder; `onChange` at the first event about the
 * file (a write, a rename into place, a removal). Returns how to stop.
 */
function watchFile(path: string, onChange: () => void): () => void {
  const watchers: FSWatcher[] = [];
  const stop = () => {
    for (const w of watchers.splice(0)) w.close();
  };
  const fire = () => {
    stop();
    onChange();
  };
  const name = basename(path);
  const add = (target: string, listener: (event: string, file: string | null) => void) => {
    try {
      const w = watch(target, { persistent: false }, listener);
      w.on("error", fire);
      watchers.push(w);
    } catch {
      // ENOENT, ENOSPC (too many watches), a file system without notification: the periodic check remains.
    }
  };
  add(path, fire);
  add(dirname(path), (_event, file) => {
    if (file === null || file === name) fire();
  });
  return stop;
}

const noWatch = () => () => {};

/**
 * Remembers files and the keyring, checking them as the file header says.
 * `read` is where files come from (default: the CGI programs' own reader,
 * with its checks and caps); `now` is the clock, in milliseconds; `watch`
 * false leaves only the periodic check (for tests of it).
 */
export class FileCache {
  readonly #files = new Map<string, Entry>();
  #bytes = 0;
  #keys: (Checked & { secret: string | undefined; fallbacks: string | undefined; ring: Keyring }) | undefined;
  readonly #watch: (path: string, onChange: () => void) => () => void;
  /** Reads from disk (not from the cache) so far: for tests and `make bench`. */
  reads = 0;
  /** stat() calls so far: for tests and `make bench`. */
  stats = 0;
  /**
   * Counts every change to what the cache holds (a file read afresh or
   * forgotten, a watch event, a keyring rebuilt): a result computed from the
   * cache holds while this is unchanged and the clock is before {@link due}.
   */
  generation = 0;
  /**
   * The earliest time (the cache's clock) at which a file or keyring handed
   * out since this was last set to Infinity is due its next check: a result
   * computed from them must not be used from then on, so that it never
   * outlives the check interval of what it was computed from.
   */
  due = Infinity;

  constructor(
    private readonly readFile: (path: string, cap: number, what: string) => SmallFile = readSmallRegularFile,
    private readonly now: () => number = Date.now,
    private readonly buildKeyring: (env: KeyEnv) => Keyring = keyringFromEnv,
    options: { watch?: boolean; checkMs?: number } = {},
  ) {
    this.#watch = options.watch === false ? noWatch : watchFile;
    this.checkMs = options.checkMs ?? CHECK_MS;
  }

  readonly checkMs: number;

  /** Files remembered now, and their bytes: for tests. */
  get size(): { files: number; bytes: number } {
    return { files: this.#files.size, bytes: this.#bytes };
  }

  /** Stops every watch (the cache keeps working, with the periodic check only until files are read again). */
  close(): void {
    for (const e of this.#files.values()) e.unwatch();
    this.#keys?.unwatch();
  }

  /** True when `c` may be used at time `t`: unchanged by a watch event, and checked recently or checked now. */
  #fresh(c: Checked, t: number): boolean {
    if (!c.changed && t - c.checkedAt < this.checkMs) return this.#handOut(c);
    if (c.changed || !c.trusted || c.sig === undefined) return false;
    this.stats++;
    const sig = statOrUndefined(c.path);
    if (sig === undefined || !same(c.sig, sig)) return false;
    c.checkedAt = t;
    return this.#handOut(c);
  }

  /** Notes that `c` is handed out (see {@link due}); true. */
  #handOut(c: Checked): true {
    const next = c.checkedAt + this.checkMs;
    if (next < this.due) this.due = next;
    return true;
  }

  /**
   * A reader for src/request/live.ts and readHtpasswd: the cached text while the file is unchanged.
   * Remembered by path (no key to build per request); a path read as another kind of file, or
   * under another cap, is read afresh.
   */
  read = (path: string, cap: number, what: string): SmallFile => {
    if (what === "HTGROUP_FILE" && cap > MAX_SERVICE_GROUP_FILE) cap = MAX_SERVICE_GROUP_FILE;
    const key = path;
    const t = this.now();
    const hit = this.#files.get(key);
    if (hit) {
      if (hit.what === what && hit.cap === cap && this.#fresh(hit, t)) return hit.file;
      this.#forget(key, hit);
    }
    this.reads++;
    this.stats++;
    const sig = statOrUndefined(path);
    const file = this.readFile(path, cap, what); // throws for a missing, unreadable or oversized file: never cached
    if (sig) {
      const entry: Entry = { path, sig, file, what, cap, bytes: sig.size, checkedAt: t, trusted: settled(sig, t), changed: false, unwatch: () => {} };
      this.#makeRoom(entry);
      entry.unwatch = this.#watch(path, () => {
        entry.changed = true;
        this.generation++;
      });
      this.#files.set(key, entry);
      this.#bytes += entry.bytes;
      this.#handOut(entry);
    } else {
      this.due = -Infinity; // not remembered, so read again next time: nothing computed from it may be kept
    }
    this.generation++;
    return file;
  };

  #forget(key: string, e: Entry): void {
    this.generation++;
    e.unwatch();
    this.#files.delete(key);
    this.#bytes -= e.bytes;
  }

  /** Drops the oldest entries until `e` fits the bounds. */
  #makeRoom(e: Entry): void {
    let groups = 0;
    if (e.what === "HTGROUP_FILE") for (const other of this.#files.values()) if (other.what === "HTGROUP_FILE") groups++;
    for (const [key, old] of this.#files) {
      const tooMany = this.#files.size >= MAX_ENTRIES || this.#bytes + e.bytes > MAX_CACHED_BYTES;
      const tooManyGroups = groups >= MAX_GROUP_FILES;
      if (!tooMany && !tooManyGroups) break;
      if (tooMany || old.what === "HTGROUP_FILE") {
        if (old.what === "HTGROUP_FILE") groups--;
        this.#forget(key, old);
      }
    }
  }

  /** The keyring from SECRET_KEY_FILE or SECRET_KEY (and SECRET_KEY_FALLBACKS), rebuilt only when one of them changed. */
  keyring = (env: KeyEnv): Keyring => {
    const path = env.SECRET_KEY_FILE;
    const secret = path ? undefined : env.SECRET_KEY;
    const fallbacks = env.SECRET_KEY_FALLBACKS;
    const hit = this.#keys;
    const t = this.now();
    if (hit && hit.path === (path ?? "") && hit.secret === secret && hit.fallbacks === fallbacks && (!path || this.#fresh(hit, t))) return hit.ring;
    hit?.unwatch();
    this.#keys = undefined;
    this.generation++;
    this.reads++;
    if (path) this.stats++;
    const sig = path ? statOrUndefined(path) : undefined;
    const ring = this.buildKeyring(env); // throws KeyConfigError: never cached
    const keys = { path: path ?? "", secret, fallbacks, sig, ring, checkedAt: t, trusted: path ? sig !== undefined && settled(sig, t) : true, changed: false, unwatch: () => {} };
    if (path) {
      keys.unwatch = this.#watch(path, () => {
        keys.changed = true;
        this.generation++;
      });
      this.#handOut(keys);
    }
    this.#keys = keys;
    return ring;
  };
}
