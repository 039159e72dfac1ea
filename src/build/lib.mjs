// Builds the library (docs/library.md) into the four files the package ships, committed
// like cgi-bin/ and bin/ so that `npm i git+https://…` installs it without a build (docs/library.md):
//
//   dist/index.js    ES module, esbuild bundle of src/index.ts; dependencies stay imports
//   dist/index.cjs   CommonJS, the same with dependencies included (@noble/hashes is ES-module only)
//   dist/index.d.ts  the public declarations only, in one file (see bundleDeclarations)
//   dist/index.d.cts the same text, for CommonJS projects (module node16/nodenext)
//
// Usage: node src/build/lib.mjs
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DIST = join(ROOT, "dist");
const ENTRY = join(ROOT, "src", "index.ts");

/** Stops the build with one line on stderr. */
function fail(message) {
  console.error(`src/build/lib.mjs: ${message}`);
  process.exit(1);
}

/**
 * The top-level statements of a declaration file as tsc writes it: each starts at column 0 and is
 * either one line ending in ";" or a block ending with a column-0 line that starts with "}".
 * A JSDoc comment just above a statement stays with it. Anything else stops the build, so a new
 * shape of declaration cannot slip through half-read.
 */
function statements(text, file) {
  const out = [];
  const lines = text.split("\n");
  let comment = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === "") continue;
    if (line.startsWith("/**") || line.startsWith("/*")) {
      comment = [];
      for (; i < lines.length; i++) {
        comment.push(lines[i]);
        if (lines[i].trimEnd().endsWith("*/")) break;
      }
      continue;
    }
    if (/^\s/.test(line)) fail(`${file}:${i + 1}: unexpected indented line ${JSON.stringify(line)}`);
    const body = [line];
    if (line.endsWith("{")) {
      for (i++; i < lines.length && !lines[i].startsWith("}"); i++) body.push(lines[i]);
      if (i === lines.length) fail(`${file}: unterminated block at ${JSON.stringify(line)}`);
      body.push(lines[i]);
    } else if (!line.endsWith(";")) {
      fail(`${file}:${i + 1}: a statement that does not end with ";": ${JSON.stringify(line)}`);
    }
    out.push({ comment, body });
    comment = [];
  }
  return out;
}

const DECLARATION = /^(?:export )?(?:declare )?(?:abstract )?(?:const|function|class|interface|type|enum|let|var) ([A-Za-z_$][\w$]*)/;

/**
 * One declaration file holding exactly the public API: the declarations tsc emitted for the
 * modules src/index.ts re-exports, each name once, without `export` (a .d.ts module exports only
 * what its `export { … }` names), dropping every declaration the public ones never mention, and
 * ending with index.d.ts's own export list. Relative imports are resolved to the declarations
 * they name; an import from a package, a default export or a name declared in two modules stops
 * the build.
 */
function bundleDeclarations(typesDir) {
  const index = readFileSync(join(typesDir, "index.d.ts"), "utf8");
  const exported = [];
  const typeOnly = new Set();
  const decls = new Map(); // name → { text, module }
  const loaded = new Set();
  const load = (module) => {
    if (loaded.has(module)) return;
    loaded.add(module);
    const file = join(typesDir, `${module}.d.ts`);
    if (!existsSync(file)) fail(`no declarations for ./${module}.js`);
    for (const { comment, body } of statements(readFileSync(file, "utf8"), `${module}.d.ts`)) {
      const first = body[0];
      const imp = /^import (?:type )?\{[^}]*\} from "\.\/([\w-]+)\.js";$/.exec(first);
      if (imp) {
        load(imp[1]);
        continue;
      }
      if (first.startsWith("import ") || first.startsWith("export {") || first.startsWith("export *") || first.startsWith("export default")) {
        fail(`${module}.d.ts: cannot bundle ${JSON.stringify(first)}`);
      }
      const m = DECLARATION.exec(first);
      if (!m) fail(`${module}.d.ts: not a declaration: ${JSON.stringify(first)}`);
      const name = m[1];
      if (decls.has(name)) fail(`${name} is declared in both ${decls.get(name).module}.d.ts and ${module}.d.ts`);
      const text = [...comment, first.replace(/^export (?!declare)/, "declare ").replace(/^export declare /, "declare ").replace(/^declare (interface|type) /, "$1 "), ...body.slice(1)].join("\n");
      decls.set(name, { text, module });
    }
  };
  for (const { body } of statements(index, "index.d.ts")) {
    const m = /^export (type )?\{ ([^}]*) \} from "\.\/([\w-]+)\.js";$/.exec(body.join(" "));
    if (!m) fail(`index.d.ts: expected only \`export { … } from "./x.js"\` lines, got ${JSON.stringify(body[0])}`);
    load(m[3]);
    for (const name of m[2].split(", ")) {
      exported.push(name);
      if (m[1]) typeOnly.add(name);
    }
  }
  // Keep the exported names and, transitively, every declaration their text mentions outside comments and strings.
  const keep = new Set();
  const visit = (name) => {
    if (keep.has(name)) return;
    const decl = decls.get(name);
    if (!decl) fail(`${name} is exported by index.d.ts but declared nowhere`);
    keep.add(name);
    for (const word of decl.text.replace(/^\s*\/?\*.*$/gm, "").replace(/"[^"]*"/g, "").match(/[A-Za-z_$][\w$]*/g) ?? []) {
      if (word !== name && decls.has(word)) visit(word);
    }
  };
  exported.forEach(visit);
  const values = exported.filter((n) => !typeOnly.has(n));
  const types = exported.filter((n) => typeOnly.has(n));
  return [
    "// dbbasic-sessions-cgi: the public API's declarations (built by src/build/lib.mjs).",
    ...[...decls].filter(([name]) => keep.has(name)).map(([, d]) => d.text),
    `export { ${values.join(", ")} };`,
    `export type { ${types.join(", ")} };`,
    "",
  ].join("\n");
}

const typesDir = mkdtempSync(join(tmpdir(), "dbbasic-sessions-types-"));
try {
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", ROOT, "--noEmit", "false", "--emitDeclarationOnly", "--declaration", "--outDir", typesDir],
    { stdio: "inherit" },
  );
  if (tsc.status !== 0) fail("tsc failed");
  const dts = bundleDeclarations(typesDir);
  mkdirSync(DIST, { recursive: true });
  // Earlier builds wrote one file per module; only the four below belong in dist/ now.
  for (const f of readdirSync(DIST)) {
    if (!["index.js", "index.cjs", "index.d.ts", "index.d.cts", "sea"].includes(f)) rmSync(join(DIST, f), { recursive: true, force: true });
  }
  const common = { entryPoints: [ENTRY], bundle: true, platform: "node", target: "node20", logLevel: "warning" };
  await build({ ...common, format: "esm", packages: "external", outfile: join(DIST, "index.js") });
  await build({ ...common, format: "cjs", outfile: join(DIST, "index.cjs") });
  writeFileSync(join(DIST, "index.d.ts"), dts);
  writeFileSync(join(DIST, "index.d.cts"), dts);
  for (const f of ["index.js", "index.cjs", "index.d.ts", "index.d.cts"]) console.log(`built ${relative(ROOT, join(DIST, f))}`);
} finally {
  rmSync(typesDir, { recursive: true, force: true });
}
