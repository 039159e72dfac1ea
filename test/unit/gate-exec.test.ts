/**
 * execReady (src/request/gate.ts): whether gate.cgi may replace itself with the target
 * by execve(). Node's process.execve aborts the process when execve() fails, so
 * every case the kernel would refuse must answer false (gate.cgi then runs the
 * target as a child process, which turns a failure into a 500). Real files in
 * a temporary folder; the interpreters are the system's /bin/sh and /usr/bin/env.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execReady, type GateTarget } from "../../src/request/gate.js";

const dir = mkdtempSync(join(tmpdir(), "dbs-exec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function program(name: string, text: string | Buffer, mode = 0o755): GateTarget {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return { form: "argument", path, realPath: path, cwd: dir };
}

const ENV = { PATH: "/usr/bin:/bin", REMOTE_USER: "ann" };

describe("execReady", () => {
  it("accepts a #! script whose interpreter is an executable ELF file, with or without an argument", () => {
    expect(execReady(program("sh.cgi", "#!/bin/sh\necho hi\n"), ENV)).toBe(true);
    expect(execReady(program("env.cgi", "#! /usr/bin/env perl\n"), ENV)).toBe(true);
    expect(execReady(program("tab.cgi", "#!\t/bin/sh -e\n"), ENV)).toBe(true);
  });

  it("accepts an ELF program", () => {
    const target: GateTarget = { form: "argument", path: "/bin/true", realPath: "/bin/true", cwd: "/bin" };
    expect(execReady(target, ENV)).toBe(true);
  });

  it("resolves a relative interpreter against the target's folder, as execve() does after the chdir", () => {
    program("interp", "#!/bin/sh\n");
    writeFileSync(join(dir, "elf-interp"), Buffer.from("\x7fELF-not-really", "latin1"));
    chmodSync(join(dir, "elf-interp"), 0o755);
    expect(execReady(program("rel.cgi", "#!elf-interp\n"), ENV)).toBe(true);
    expect(execReady(program("rel-missing.cgi", "#!no-such-interp\n"), ENV)).toBe(false);
  });

  it("refuses what execve() would fail on or what it cannot tell", () => {
    expect(execReady(program("missing.cgi", "#!/nonexistent/interpreter\n"), ENV)).toBe(false);
    expect(execReady(program("crlf.cgi", "#!/bin/sh\r\necho\r\n"), ENV)).toBe(false);
    expect(execReady(program("empty.cgi", "#!\n"), ENV)).toBe(false);
    expect(execReady(program("blank.cgi", "#!   \n"), ENV)).toBe(false);
    expect(execReady(program("long.cgi", "#!/bin/sh " + "x".repeat(300) + "\n"), ENV)).toBe(false);
    expect(execReady(program("dir.cgi", "#!/tmp\n"), ENV)).toBe(false);
    program("noexec-interp", "\x7fELF", 0o644);
    expect(execReady(program("noexec.cgi", `#!${join(dir, "noexec-interp")}\n`), ENV)).toBe(false);
    // An interpreter that is itself a script: the kernel allows a few levels, but the child path handles it.
    expect(execReady(program("nested.cgi", `#!${join(dir, "interp")}\n`), ENV)).toBe(false);
    expect(execReady(program("text.cgi", "echo no shebang\n"), ENV)).toBe(false);
    const gone: GateTarget = { form: "argument", path: join(dir, "gone"), realPath: join(dir, "gone"), cwd: dir };
    expect(execReady(gone, ENV)).toBe(false);
  });

  it("refuses an environment the kernel would refuse: one string over 128 KiB, or over 1 MiB in all", () => {
    const target = program("ok.cgi", "#!/bin/sh\n");
    expect(execReady(target, { ...ENV, HTTP_COOKIE: "a".repeat(128 * 1024 - 20) })).toBe(true);
    expect(execReady(target, { ...ENV, HTTP_COOKIE: "a".repeat(128 * 1024) })).toBe(false);
    const many: Record<string, string> = { ...ENV };
    for (let i = 0; i < 12; i++) many[`HTTP_X_${i}`] = "b".repeat(100 * 1024);
    expect(execReady(target, many)).toBe(false);
  });
});
