/**
 * The layers of src/, bottom to top, and the one direction imports run:
 *
 *   library   src/*.ts        sessions, keys, tokens, cookies, access rules
 *   request   src/request/    who is this, may they pass, what is the answer; pages, settings (no protocol)
 *   cgi       src/cgi/        the CGI adapter: environment and stdin in, stdout out
 *   fcgi      src/fcgi/       the FastCGI protocol and server
 *   programs  src/programs/   whoami.cgi, login.cgi, logout.cgi, gate.cgi, authorizer.fcgi, the CLI
 *
 * cgi and fcgi are siblings: neither imports the other. Every import of every
 * src/**\/*.ts file is read (static, type-only, re-exports and import()), and
 * checked against esbuild's own list of what each file imports, so that the
 * reading cannot miss one.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

type Layer = "library" | "request" | "cgi" | "fcgi" | "programs";

/** What each layer may import (itself included). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  library: ["library"],
  request: ["library", "request"],
  cgi: ["library", "request", "cgi"],
  fcgi: ["library", "fcgi"],
  programs: ["library", "request", "cgi", "fcgi", "programs"],
};

/** The layer of a file (a path relative to the repository), or undefined for a file outside every layer. */
function layerOf(file: string): Layer | undefined {
  const m = /^src\/(?:([a-z-]+)\/)?[A-Za-z0-9_.-]+\.ts$/.exec(file);
  if (!m) return undefined;
  if (m[1] === undefined) return "library";
  return (["request", "cgi", "fcgi", "programs"] as const).find((layer) => layer === m[1]);
}

/** Why `from` may not import `to` (both relative to the repository), or undefined when it may. */
function violation(from: string, to: string): string | undefined {
  const a = layerOf(from);
  const b = layerOf(to);
  if (a === undefined) return `${from} is in no layer`;
  if (b === undefined) return `${from} imports ${to}, which is in no layer`;
  return MAY_IMPORT[a].includes(b) ? undefined : `${from} (${a}) imports ${to} (${b})`;
}

/** Every TypeScript file under src/, relative to the repository (src/build/ holds the build's own scripts, not TypeScript). */
function sourceFiles(): string[] {
  return (readdirSync(join(ROOT, "src"), { recursive: true }) as string[])
    .filter((name) => name.endsWith(".ts"))
    .map((name) => `src/${name}`)
    .sort();
}

/** The module specifiers `source` imports: `import … from`, `import type`, `export … from`, `import "…"` and `import("…")`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  // Statements start a line (the house style); `[^;]*?` spans a multi-line list of names.
  for (const m of source.matchAll(/^(?:import|export)\b[^;"']*?\bfrom\s*["']([^"']+)["']/gm)) found.push(m[1]!);
  for (const m of source.matchAll(/^import\s*["']([^"']+)["']/gm)) found.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]!);
  return found;
}

/** `file`'s imports of other files of the repository, as paths relative to it (`./x.js` names `./x.ts`). */
function localImports(file: string): string[] {
  return specifiers(readFileSync(join(ROOT, file), "utf8"))
    .filter((s) => s.startsWith("."))
    .map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, ".ts"));
}

describe("the layers of src/", () => {
  const files = sourceFiles();
  const graph = new Map(files.map((file) => [file, localImports(file)]));

  it("every file is in a layer, and every import names a file that exists", () => {
    expect(files.filter((file) => layerOf(file) === undefined)).toEqual([]);
    const missing = [...graph].flatMap(([file, imports]) => imports.filter((to) => !files.includes(to)).map((to) => `${file} → ${to}`));
    expect(missing).toEqual([]);
    // Each layer has files, so a rule below cannot pass by having nothing to check.
    expect(new Set(files.map(layerOf))).toEqual(new Set(["library", "request", "cgi", "fcgi", "programs"]));
  });

  it("no import runs upward, and cgi and fcgi never import each other", () => {
    const wrong = [...graph].flatMap(([file, imports]) => imports.map((to) => violation(file, to)).filter((v) => v !== undefined));
    expect(wrong).toEqual([]);
  });

  it("the rules refuse an upward or sideways import", () => {
    expect(violation("src/token.ts", "src/request/reply.ts")).toBe("src/token.ts (library) imports src/request/reply.ts (request)");
    expect(violation("src/request/admit.ts", "src/cgi/adapter.ts")).toBe("src/request/admit.ts (request) imports src/cgi/adapter.ts (cgi)");
    expect(violation("src/request/authorize.ts", "src/fcgi/server.ts")).toBe("src/request/authorize.ts (request) imports src/fcgi/server.ts (fcgi)");
    expect(violation("src/fcgi/server.ts", "src/cgi/adapter.ts")).toBe("src/fcgi/server.ts (fcgi) imports src/cgi/adapter.ts (cgi)");
    expect(violation("src/fcgi/server.ts", "src/request/reply.ts")).toBe("src/fcgi/server.ts (fcgi) imports src/request/reply.ts (request)");
    expect(violation("src/cgi/adapter.ts", "src/fcgi/protocol.ts")).toBe("src/cgi/adapter.ts (cgi) imports src/fcgi/protocol.ts (fcgi)");
    expect(violation("src/cgi/adapter.ts", "src/programs/gate.ts")).toBe("src/cgi/adapter.ts (cgi) imports src/programs/gate.ts (programs)");
    expect(violation("src/misc/x.ts", "src/token.ts")).toBe("src/misc/x.ts is in no layer");
    expect(violation("src/programs/gate.ts", "src/cgi/gate-target.ts")).toBeUndefined();
    expect(violation("src/request/reply.ts", "src/pyjson.ts")).toBeUndefined();
  });

  it("reads every import esbuild finds", async () => {
    const result = await build({
      entryPoints: files.map((file) => join(ROOT, file)),
      bundle: true,
      packages: "external",
      platform: "node",
      format: "esm",
      write: false,
      outdir: join(ROOT, "layers-test-out"),
      metafile: true,
      logLevel: "silent",
    });
    let checked = 0;
    for (const [input, { imports }] of Object.entries(result.metafile.inputs)) {
      const file = relative(ROOT, resolve(ROOT, input));
      for (const { path } of imports) {
        if (!path.startsWith("src/") && !path.startsWith(ROOT)) continue; // node: and npm packages
        expect(graph.get(file), file).toContain(relative(ROOT, resolve(ROOT, path)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
