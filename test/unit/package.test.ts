// The package as a user gets it: `npm pack`, unpacked into a fresh project's node_modules
// (its dependencies linked from this repository's, so nothing is downloaded), then used from
// a CommonJS and an ES-module program run by Node, and type-checked by TypeScript as a
// CommonJS and as an ES-module project (README, "Library").
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../src/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const NOW = 1_700_000_000;
const BASE_ENV = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, LANG: "C.UTF-8", HOME: tmpdir() };

const dir = mkdtempSync(join(tmpdir(), "package-test-"));
const project = join(dir, "project");
const pkg = join(project, "node_modules", "dbbasic-sessions-cgi");
let packed: string[] = [];

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...BASE_ENV, ...env }, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  for (const f of ["dist/index.js", "dist/index.cjs", "dist/index.d.cts", "bin/dbbasic-sessions"]) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`make build\` first`);
  }
  const pack = run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], ROOT, {
    npm_config_cache: join(dir, "npm-cache"),
    npm_config_update_notifier: "false",
  });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = info!.files.map((f) => f.path);
  mkdirSync(pkg, { recursive: true });
  const untar = run("tar", ["-xzf", join(dir, info!.filename), "-C", pkg, "--strip-components=1"], dir);
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  mkdirSync(join(project, "node_modules", "@noble"));
  symlinkSync(join(ROOT, "node_modules", "@noble", "hashes"), join(project, "node_modules", "@noble", "hashes"));
  symlinkSync(join(ROOT, "node_modules", "bcryptjs"), join(project, "node_modules", "bcryptjs"));
  writeFileSync(join(project, ".htpasswd"), `ann:${bcrypt.hashSync("s3cret", 4)}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The same program body for both module systems: a token at a fixed clock, its user, where the
// package resolved to, a bcrypt htpasswd check (a lazily loaded dependency), and the key error class.
const BODY = `
const keys = ${JSON.stringify(KEY)};
const now = () => ${NOW};
const token = lib.createSession("ann", 3600, { keys, now });
let keyError = "none";
try { lib.createSession("ann"); } catch (e) { keyError = (e instanceof lib.KeyConfigError) + " " + e.code; }
lib.verifyHtpasswd(readFileSync(".htpasswd", "utf8"), "ann", "s3cret").then((r) => {
  console.log(JSON.stringify({ resolved, token, user: lib.getSession(token, { keys, now }), htpasswd: r.ok, keyError }));
});
`;

describe("the packed package", () => {
  it("holds the ES-module and CommonJS builds with their types, the command line, and the licence", () => {
    for (const f of ["LICENSE", "bin/dbbasic-sessions", "bin/package.json", "dist/index.js", "dist/index.d.ts", "dist/index.cjs", "dist/index.d.cts", "dist/session.d.cts", "cgi-bin/whoami.cgi"]) {
      expect(packed).toContain(f);
    }
  });

  it("works from CommonJS: require() loads dist/index.cjs", () => {
    writeFileSync(
      join(project, "consumer.cjs"),
      `const lib = require("dbbasic-sessions-cgi");\nconst { readFileSync } = require("node:fs");\n` +
        `const resolved = require.resolve("dbbasic-sessions-cgi");\n${BODY}`,
    );
    const r = run(process.execPath, ["consumer.cjs"], project);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      resolved: join(pkg, "dist", "index.cjs"),
      token: createSession("ann", 3600, { keys: KEY, now: () => NOW }),
      user: "ann",
      htpasswd: true,
      keyError: "true ERR_KEY_MISSING",
    });
  });

  it("works from an ES module: import loads dist/index.js", () => {
    writeFileSync(
      join(project, "consumer.mjs"),
      `import * as lib from "dbbasic-sessions-cgi";\nimport { readFileSync } from "node:fs";\nimport { fileURLToPath } from "node:url";\n` +
        `const resolved = fileURLToPath(import.meta.resolve("dbbasic-sessions-cgi"));\n${BODY}`,
    );
    const r = run(process.execPath, ["consumer.mjs"], project);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      resolved: join(pkg, "dist", "index.js"),
      token: createSession("ann", 3600, { keys: KEY, now: () => NOW }),
      user: "ann",
      htpasswd: true,
      keyError: "true ERR_KEY_MISSING",
    });
  });

  it("runs its command line from inside the installed package", () => {
    const r = run(join(pkg, "bin", "dbbasic-sessions"), ["verify", createSession("ann", 3600, { keys: KEY })], project, { SECRET_KEY: KEY });
    expect(r).toEqual({ status: 0, stdout: "ann\n", stderr: "" });
  });
});

describe("TypeScript projects using the package", () => {
  // A TypeScript project in its own folder next to node_modules; `good` must type-check, and
  // `bad` (a token assigned to a number) must fail with TS2322, proving the types were found.
  function typecheck(name: string, type: "commonjs" | "module", module: string, source: string) {
    const folder = join(project, name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "package.json"), JSON.stringify({ type }));
    writeFileSync(
      join(folder, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module, moduleResolution: module, strict: true, noEmit: true, types: [], skipLibCheck: false }, files: ["main.ts"] }),
    );
    writeFileSync(join(folder, "main.ts"), source);
    return run(process.execPath, [TSC, "-p", folder, "--explainFiles"], folder);
  }

  const USE = `
const options: SessionOptions = { keys: "${KEY}" };
const token: string = createSession("ann", 60, options);
const user: string | null = getSession(token, options);
export const n: number = ${"`${user}`"}.length;
`;

  it.each(["nodenext", "node16"])("a CommonJS project (module %s) gets the .d.cts types", (module) => {
    const good = typecheck(`cjs-${module}`, "commonjs", module, `import { createSession, getSession, type SessionOptions } from "dbbasic-sessions-cgi";\n${USE}`);
    expect(good.stdout).toContain("node_modules/dbbasic-sessions-cgi/dist/index.d.cts");
    expect(good.stdout).not.toContain("dist/index.d.ts");
    expect(good.stdout).not.toMatch(/error TS/);
    expect(good.status).toBe(0);

    const eq = typecheck(`cjs-eq-${module}`, "commonjs", module, `import lib = require("dbbasic-sessions-cgi");\nexport const t: string = lib.createSession("ann");\n`);
    expect(eq.stdout).not.toMatch(/error TS/);
    expect(eq.status).toBe(0);

    const bad = typecheck(`cjs-bad-${module}`, "commonjs", module, `import { createSession } from "dbbasic-sessions-cgi";\nexport const t: number = createSession("ann");\n`);
    expect(bad.stdout).toMatch(/main\.ts\(2,14\): error TS2322: Type 'string' is not assignable to type 'number'\./);
    expect(bad.status).not.toBe(0);
  });

  it("an ES-module project (module nodenext) gets the .d.ts types", () => {
    const good = typecheck("esm", "module", "nodenext", `import { createSession, getSession, type SessionOptions } from "dbbasic-sessions-cgi";\n${USE}`);
    expect(good.stdout).toContain("node_modules/dbbasic-sessions-cgi/dist/index.d.ts");
    expect(good.stdout).not.toContain(".d.cts");
    expect(good.stdout).not.toMatch(/error TS/);
    expect(good.status).toBe(0);
  });
});
