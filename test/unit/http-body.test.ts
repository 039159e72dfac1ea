// readBody on a non-blocking stdin (a FIFO opened O_NONBLOCK, written by a real
// child process): it waits for the body without spinning, and gives up with 408
// once the time limit (a parameter here) has passed. CPU use is a behavioural
// bound: a spinning read burns as much CPU as the wait lasts; a waiting one
// next to none.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { HttpError, reasonPhrase } from "../../src/request/reply.js";
import { bodyTimeoutMs, DEFAULT_BODY_TIMEOUT, readBody } from "../../src/cgi/adapter.js";

const dir = mkdtempSync(join(tmpdir(), "http-body-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fifos = 0;

/**
 * A FIFO whose read end is open non-blocking (returned), and whose write end
 * belongs to a child `sh -c SCRIPT` only: when the script ends, the reader sees
 * end of file.
 */
function trickle(script: string): { fd: number; done: Promise<void>; stop: () => void } {
  const fifo = join(dir, `body-${fifos++}`);
  execFileSync("mkfifo", [fifo]);
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const wfd = openSync(fifo, constants.O_WRONLY);
  const child = spawn("sh", ["-c", script], { stdio: ["ignore", wfd, "inherit"] });
  closeSync(wfd);
  const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { fd, done, stop: () => child.kill() };
}

/** CPU seconds (user + system) this process used while `fn` ran. */
function cpuOf<T>(fn: () => T): { value?: T; error?: unknown; cpu: number } {
  const before = process.cpuUsage();
  let value: T | undefined, error: unknown;
  try {
    value = fn();
  } catch (err) {
    error = err;
  }
  const used = process.cpuUsage(before);
  return { value, error, cpu: (used.user + used.system) / 1e6 };
}

describe("readBody on a non-blocking stdin", () => {
  it("waits for a body trickled over 1.5 s without spinning", async () => {
    const body = "username=ann&password=s3cret";
    // Three pieces, 0.5 s apart, then one more 0.5 s later.
    const { fd, done } = trickle(`printf 'username=ann'; sleep 0.5; printf '&password='; sleep 0.5; printf 's3c'; sleep 0.5; printf 'ret'`);
    const { value, error, cpu } = cpuOf(() => readBody({ CONTENT_LENGTH: String(body.length) }, fd, 5000));
    closeSync(fd);
    await done;
    expect(error).toBeUndefined();
    expect(value!.toString()).toBe(body);
    expect(cpu).toBeLessThan(0.3);
  });

  it("answers 408 for a body that stalls, after the time limit, without spinning", async () => {
    // Without the limit, a spinning read would run until the writer ends, 3 s later.
    const { fd, done, stop } = trickle(`printf 'user'; exec sleep 3`);
    const { error, cpu } = cpuOf(() => readBody({ CONTENT_LENGTH: "30" }, fd, 700));
    closeSync(fd);
    stop();
    await done;
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(408);
    expect((error as HttpError).log).toBe("request body stalled: 4 of 30 bytes after 0.7 s");
    expect(reasonPhrase(408)).toBe("Request Timeout");
    expect(cpu).toBeLessThan(0.3);
  });

  it("answers 400 for a body whose writer closes early, as a blocking stdin does", async () => {
    const { fd, done } = trickle(`printf 'user'; sleep 0.2`);
    const { error } = cpuOf(() => readBody({ CONTENT_LENGTH: "30" }, fd, 5000));
    closeSync(fd);
    await done;
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).log).toBe("request body truncated: 4 of 30 bytes");
  });
});

describe("CGI_BODY_TIMEOUT", () => {
  it("defaults to 10 seconds", () => {
    expect(DEFAULT_BODY_TIMEOUT).toBe(10);
    expect(bodyTimeoutMs({})).toBe(10_000);
    expect(bodyTimeoutMs({ CGI_BODY_TIMEOUT: "" })).toBe(10_000);
  });

  it.each([
    ["30", 30_000],
    ["0.5", 500],
    ["3600", 3_600_000],
  ])("reads %s seconds", (text, ms) => {
    expect(bodyTimeoutMs({ CGI_BODY_TIMEOUT: text })).toBe(ms);
  });

  it.each(["0", "0.0", "-1", "abc", "1e3", "3601", " 5", "5s", "Infinity", "1.2345"])("refuses %j", (text) => {
    expect(() => bodyTimeoutMs({ CGI_BODY_TIMEOUT: text })).toThrow(ConfigError);
    expect(() => bodyTimeoutMs({ CGI_BODY_TIMEOUT: text })).toThrow(
      "CGI_BODY_TIMEOUT must be a number of seconds greater than 0 and at most 3600",
    );
  });
});
