// The package as a user gets it: `npm i git+file://…` of a git repository holding this commit
// with the working tree's package files (package.json, .gitignore and what "files" ships) on top,
// installed offline into a fresh project, then used from a CommonJS and an ES-module program run
// by Node, and type-checked by TypeScript as a CommonJS and as an ES-module project, with every
// ```ts snippet of docs/library.md (docs/library.md, "Install").
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../src/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const NOW = 1_700_000_000;
const BASE_ENV = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, LANG: "C.UTF-8", HOME: tmpdir() };
// npm's own cache (filled by `npm ci`), read offline: the test needs no network.
const NPM_CACHE = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).stdout.trim();

const dir = mkdtempSync(join(tmpdir(), "package-test-"));
const repo = join(dir, "repo.git");
const project = join(dir, "project");
const pkg = join(project, "node_modules", "dbbasic-sessions-cgi");
let installed: string[] = [];

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...BASE_ENV, ...env }, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function must(r: { status: number | null; stdout: string; stderr: string }, what: string) {
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(folder, join(e.parentPath, e.name)))
    .sort();
}

beforeAll(() => {
  for (const f of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts", "bin/dbbasic-sessions"]) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`make build\` first`);
  }
  const git = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" };
  must(run("git", ["clone", "--quiet", "--no-hardlinks", ROOT, repo], dir), "git clone");
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[]; dependencies: Record<string, string> };
  for (const f of ["package.json", ".gitignore", ...manifest.files]) {
    if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(repo, f), { recursive: true, filter: (src) => !src.includes("/dist/sea") });
  }
  must(run("git", ["add", "-A"], repo), "git add");
  must(run("git", ["commit", "--quiet", "--allow-empty", "-m", "working tree"], repo, git), "git commit");

  // The runtime dependencies are pinned to the registry tarballs of package-lock.json's versions,
  // which `npm ci` left in npm's cache, so `--offline` resolves them without fetching metadata.
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
  const dependencies = Object.fromEntries(
    Object.keys(manifest.dependencies).map((name) => {
      const version = lock.packages[`node_modules/${name}`]!.version;
      return [name, `https://registry.npmjs.org/${name}/-/${name.split("/").pop()}-${version}.tgz`];
    }),
  );
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies }));
  must(
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", `git+file://${repo}`], project, {
      npm_config_cache: NPM_CACHE,
      npm_config_update_notifier: "false",
    }),
    "npm install git+file://",
  );
  installed = filesUnder(pkg);
  // Node's types for the consumers that use node:http and node:fs (docs/library.md, "TypeScript").
  mkdirSync(join(project, "node_modules", "@types"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules", "@types", "node"), join(project, "node_modules", "@types", "node"));
  symlinkSync(join(ROOT, "node_modules", "undici-types"), join(project, "node_modules", "undici-types"));
  writeFileSync(join(project, ".htpasswd"), `ann:${bcrypt.hashSync("s3cret", 4)}\n`);
}, 180_000);
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

describe("the package installed from git", () => {
  it("holds the two builds, the public declarations in one file, the command line, the programs and the licence, and nothing else", () => {
    const programs = readdirSync(join(ROOT, "cgi-bin")).map((f) => `cgi-bin/${f}`);
    expect(installed).toEqual(
      ["LICENSE", "README.md", "SECURITY.md", "package.json", "bin/dbbasic-sessions", "bin/package.json", "dist/index.cjs", "dist/index.d.cts", "dist/index.d.ts", "dist/index.js", ...programs].sort(),
    );
    expect(installed.filter((f) => /\.d\.[cm]?ts$/.test(f))).toEqual(["dist/index.d.cts", "dist/index.d.ts"]);
  });

  it("declares the public API only, in a file that imports nothing", () => {
    const dts = readFileSync(join(pkg, "dist", "index.d.ts"), "utf8");
    expect(readFileSync(join(pkg, "dist", "index.d.cts"), "utf8")).toBe(dts);
    expect(dts).not.toMatch(/^\s*import\b|\bfrom "|import\(|\/\/\/ <reference/m);
    const exported = [...dts.matchAll(/^export (?:type )?\{ ([^}]*) \};$/gm)].flatMap((m) => m[1]!.split(", ")).sort();
    const source = readFileSync(join(ROOT, "src", "index.ts"), "utf8");
    const expected = [...source.matchAll(/^export (?:type )?\{ ([^}]*) \} from/gm)].flatMap((m) => m[1]!.split(", ")).sort();
    expect(exported).toEqual(expected);
    // Helpers that src/ exports to its own modules are not declared at all.
    for (const internal of ["keyFileWarning", "assertCookieName", "dummyHash", "apr1", "hashScheme", "MAX_BCRYPT_COST", "MAX_KEY_FILE"]) {
      expect(dts).not.toMatch(new RegExp(`(?:function|const|class|interface|type) ${internal}\\b`));
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

  it("runs its command line from the project's node_modules/.bin", () => {
    const r = run(join(project, "node_modules", ".bin", "dbbasic-sessions"), ["verify", createSession("ann", 3600, { keys: KEY })], project, { SECRET_KEY: KEY });
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

describe("docs/library.md", () => {
  const snippets = [...readFileSync(join(ROOT, "docs", "library.md"), "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const tsconfig = JSON.parse(readFileSync(join(ROOT, "docs", "library.md"), "utf8").match(/^```json\n([\s\S]*?)^```$/m)![1]!) as {
    compilerOptions: Record<string, unknown>;
  };

  // Each snippet a module of one ES-module project, under the tsconfig the page shows.
  function checkSnippets(name: string, compilerOptions: Record<string, unknown>) {
    const folder = join(project, name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "package.json"), JSON.stringify({ type: "module" }));
    const files = snippets.map((text, i) => {
      writeFileSync(join(folder, `snippet-${i + 1}.ts`), text);
      return `snippet-${i + 1}.ts`;
    });
    writeFileSync(join(folder, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true, skipLibCheck: false }, files }));
    return run(process.execPath, [TSC, "-p", folder], folder);
  }

  it("has a snippet for every export, and each names the package", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(7);
    const source = readFileSync(join(ROOT, "src", "index.ts"), "utf8");
    const exported = [...source.matchAll(/^export (?:type )?\{ ([^}]*) \} from/gm)].flatMap((m) => m[1]!.split(", "));
    const imported = snippets.flatMap((s) => [...s.matchAll(/import \{([^}]*)\} from "dbbasic-sessions-cgi"/g)].flatMap((m) => m[1]!.split(",").map((n) => n.trim().replace(/^type /, ""))));
    expect(exported.filter((name) => !imported.includes(name))).toEqual([]);
  });

  it("every ```ts snippet type-checks against the installed package with the page's tsconfig", () => {
    expect(tsconfig.compilerOptions.types).toEqual(["node"]);
    const r = checkSnippets("docs-snippets", tsconfig.compilerOptions);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("without \"types\": [\"node\"], TypeScript 7 finds no Node modules (the page's warning)", () => {
    const { types: _types, ...rest } = tsconfig.compilerOptions;
    const r = checkSnippets("docs-snippets-no-types", rest);
    expect(r.stdout).toMatch(/snippet-1\.ts\(1,\d+\): error TS2591: Cannot find name 'node:http'\. Do you need to install type definitions for node\?/);
    expect(r.status).not.toBe(0);
  });
});
