// readSmallRegularFile: the one way a configuration file read per request is
// read (key file, htpasswd file). Whatever the path names, it answers at once:
// the text of a small regular file, or a SmallFileError saying why not.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { octalMode, readSmallRegularFile, SmallFileError, writableByOthers } from "../../src/files.js";

const dir = mkdtempSync(join(tmpdir(), "files-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(path: string, cap = 100): SmallFileError {
  try {
    readSmallRegularFile(path, cap, "SOME_FILE");
  } catch (err) {
    expect(err).toBeInstanceOf(SmallFileError);
    return err as SmallFileError;
  }
  throw new Error("no SmallFileError was thrown");
}

describe("readSmallRegularFile", () => {
  it("returns the text, mode and owner of a regular file", () => {
    const path = join(dir, "plain");
    writeFileSync(path, "clé: 🔑\nsecond line\n");
    chmodSync(path, 0o640);
    const file = readSmallRegularFile(path, 100, "SOME_FILE");
    expect(file.text).toBe("clé: 🔑\nsecond line\n");
    expect(file.mode & 0o777).toBe(0o640);
    expect(file.uid).toBe(process.geteuid!());
    expect(file.gid).toBe(process.getegid!());
  });

  it("reads an empty file as empty text", () => {
    const path = join(dir, "empty");
    writeFileSync(path, "");
    expect(readSmallRegularFile(path, 100, "SOME_FILE").text).toBe("");
  });

  it("follows a symbolic link to a regular file", () => {
    const target = join(dir, "link-target");
    writeFileSync(target, "through a link");
    symlinkSync(target, join(dir, "link"));
    expect(readSmallRegularFile(join(dir, "link"), 100, "SOME_FILE").text).toBe("through a link");
  });

  it("reads a file of exactly the cap and refuses one a byte over it, without cutting it", () => {
    const at = join(dir, "at-cap");
    writeFileSync(at, "x".repeat(100));
    expect(readSmallRegularFile(at, 100, "SOME_FILE").text).toHaveLength(100);
    const over = join(dir, "over-cap");
    writeFileSync(over, "x".repeat(101));
    const err = refusal(over);
    expect(err.code).toBe("EFBIG");
    expect(err.message).toBe(`SOME_FILE ${JSON.stringify(over)} is over the 100-byte limit`);
  });

  it("reads a regular file whose size stat does not know (/proc), still up to the cap", () => {
    expect(readSmallRegularFile("/proc/self/stat", 4096, "SOME_FILE").text).toMatch(/^\d+ \(/);
    expect(refusal("/proc/self/stat", 4).code).toBe("EFBIG");
  });

  it.each([
    ["/dev/zero", "a character device"],
    ["/dev/null", "a character device"],
    ["/", "a directory"],
  ])("refuses %s at once as %s", (path, kind) => {
    const err = refusal(path);
    expect(err.code).toBe("ENOTREG");
    expect(err.message).toBe(`SOME_FILE ${JSON.stringify(path)} is not a regular file (${kind})`);
  });

  it("refuses a FIFO at once, with no writer (a blocking open would wait forever)", () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const err = refusal(fifo);
    expect(err.code).toBe("ENOTREG");
    expect(err.message).toBe(`SOME_FILE ${JSON.stringify(fifo)} is not a regular file (a FIFO)`);
  });

  it("refuses a UNIX socket", async () => {
    const sock = join(dir, "sock");
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const err = refusal(sock);
      expect(err.code).toBe("ENOTREG");
      expect(err.message).toBe(`SOME_FILE ${JSON.stringify(sock)} is not a regular file (a socket)`);
    } finally {
      server.close();
    }
  });

  it.each([
    ["a missing file", () => join(dir, "missing"), "ENOENT"],
    ["a file under a file", () => join(dir, "plain", "x"), "ENOTDIR"],
  ])("refuses %s with its errno code", (_name, make, code) => {
    const path = make();
    const err = refusal(path);
    expect(err.code).toBe(code);
    expect(err.message).toBe(`SOME_FILE ${JSON.stringify(path)} cannot be read (${code})`);
  });

  it("names a path with quotes and control characters as JSON", () => {
    const sub = join(dir, 'a "b"\tc');
    mkdirSync(sub);
    expect(refusal(sub).message).toBe(`SOME_FILE ${JSON.stringify(sub)} is not a regular file (a directory)`);
    expect(refusal(sub).message).not.toMatch(/\t/);
  });
});

describe("writableByOthers and octalMode", () => {
  it.each([
    [0o100600, undefined],
    [0o100644, undefined],
    [0o100640, undefined],
    [0o100620, "its group"],
    [0o100660, "its group"],
    [0o100602, "every user"],
    [0o100622, "every user"],
    [0o100666, "every user"],
  ])("mode %o: %s", (mode, who) => {
    expect(writableByOthers(mode)).toBe(who);
  });

  it("prints the permission bits as chmod takes them", () => {
    expect(octalMode(0o100644)).toBe("0644");
    expect(octalMode(0o100007)).toBe("0007");
    expect(octalMode(0o104755)).toBe("0755");
  });
});
