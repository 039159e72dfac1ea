// Bundles one CGI program into one self-contained CommonJS file (README, "More") with
// esbuild, arranged for start-up time, which under CGI is the whole cost of a
// request (docs/performance.md; figures from `make bench`):
//
// - The entry only imports the program, in strict mode like the ES modules it
//   holds: the program's exports (there for its tests) build no CommonJS
//   exports object (≈ 40 µs).
// - Once the program's work is done (its answer written with writeSync, or the
//   gated program ended), the process exits with process.exit() instead of
//   letting Node tear down its heap: ≈ 0.3 ms less per request. The exit status
//   is process.exitCode, as it would have been.
// - A local module that the program loads with import() on a rare path, such
//   as login.cgi's htpasswd checking (MD5, SHA-1 and bcryptjs, ≈ 29 KB), is
//   bundled on its own and kept as a string until that import runs. V8
//   pre-parses every function of a script before running any of it, while a
//   string is scanned as one token: ≈ 0.8 ms less for login.cgi's REMOTE_USER
//   and form-page paths. The string is our own build output, compiled once with
//   `new Function` when the import runs.
// - Node's own modules are taken with process.getBuiltinModule (Node 20.16+),
//   falling back to require: require() of a built-in goes through the
//   CommonJS loader, ≈ 40 µs the first time and 10 µs each time after, where
//   getBuiltinModule takes ≈ 6 µs and then 1 µs; esbuild writes one require per
//   source file that imports the module.
//
// - The functions nearly every request runs (EAGER below: reading the
//   configuration, the key and the cookie, checking a session and its HMAC) are
//   written as parenthesized function expressions in the bundle. V8 pre-parses
//   every function of a file and parses it again, fully, when it first runs; a
//   function in parentheses it compiles with the file, once (the heuristic for
//   immediately invoked functions). Counted with callgrind under --predictable:
//   1.3 M fewer instructions for gate.cgi with a session (9 % of what it adds to
//   `node -e 0`), 1 M fewer for whoami.cgi. gate.cgi's target checks are on the
//   list too: 0.1 ms less with a session, 0.15 ms more on a redirect to the
//   login form (which has the margin); and with Node's compile cache (README,
//   "Performance") eager functions come from the cache, so with a session the
//   gate spends 0.35 ms less. Functions only some requests run (the login form,
//   static files, errors) stay lazy. Each name must be a top-level function
//   whose closing brace starts a line; the build fails if one is not found, so
//   the list cannot go stale unnoticed.
//
// Usage: node src/build/bundle.mjs src/programs/login.ts cgi-bin/login.cgi
import { build } from "esbuild";
import { chmodSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { relative } from "node:path";

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error("usage: node src/build/bundle.mjs src/programs/PROGRAM.ts cgi-bin/PROGRAM.cgi");
  process.exit(2);
}

// As ESFLAGS in the Makefile: Node 20, CommonJS (its loader starts faster than ESM's), minified.
const options = { bundle: true, platform: "node", target: "node20", format: "cjs", minify: true, legalComments: "none", charset: "ascii", logLevel: "warning" };

/** Source file → the functions compiled with the file (see above). */
const EAGER = {
  "src/hmac.ts": ["compress", "utf8", "pad", "toBytes", "keyed", "keyPads", "hmacHex", "timingSafeEqualString"],
  "src/keys.ts": ["checkKey", "parseFallbacks", "keyringFromEnv"],
  "src/token.ts": ["decodeToken", "payloadText"],
  "src/cookie.ts": ["trimSpTab", "unquote", "readCookie", "assertCookieName"],
  "src/access.ts": ["parseRequire"],
  "src/request/reply.ts": ["isHttps"],
  "src/request/admit.ts": ["admit"],
  "src/request/config.ts": ["loadConfig", "warnKeyFile"],
  "src/request/live.ts": ["folderSetting", "notLiveReason", "accessRules"],
  "src/request/gate-decision.ts": ["gate"],
  "src/programs/gate.ts": ["main"],
  "src/cgi/gate-target.ts": ["replaceWithTarget"],
  "src/request/gate.ts": ["gateRequest", "gateRoots", "within", "checkTarget", "startsLikeAProgram", "execReady", "isElf", "readHead", "stripCookie", "targetEnv"],
};

/** `function name(…) {…}` at the top level of `source` → `const name = (function name(…) {…});`. */
function eager(source, file, names) {
  let out = source;
  for (const name of names) {
    const start = new RegExp(`^(export )?(async )?function ${name}\\(`, "m").exec(out);
    const end = start ? out.indexOf("\n}\n", start.index) : -1;
    if (!start || end < 0) throw new Error(`src/build/bundle.mjs: no top-level function ${name} ending in a line "}" in ${file} (EAGER)`);
    out =
      out.slice(0, start.index) +
      `${start[1] ?? ""}const ${name} = (${start[2] ?? ""}function ${name}(` +
      out.slice(start.index + start[0].length, end) +
      "\n});\n" +
      out.slice(end + 3);
  }
  return out;
}

const eagerFunctions = {
  name: "eager-functions",
  setup(b) {
    b.onLoad({ filter: /\.ts$/, namespace: "file" }, async (args) => {
      const file = relative(process.cwd(), args.path);
      const names = EAGER[file];
      if (!names) return undefined;
      return { contents: eager(await readFile(args.path, "utf8"), file, names), loader: "ts" };
    });
  },
};

/** `require("node:fs")` → the same module through process.getBuiltinModule where Node has it. */
const builtins = (text) =>
  text.replace(/\brequire\("(node:[a-z_/]+)"\)/g, (_, name) => `(process.getBuiltinModule?.("${name}")??require("${name}"))`);

const lazyModules = {
  name: "lazy-modules",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.kind !== "dynamic-import") return undefined;
      const found = await b.resolve(args.path, { kind: "import-statement", resolveDir: args.resolveDir, importer: args.importer });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path, namespace: "lazy" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy" }, async (args) => {
      const chunk = await build({ ...options, entryPoints: [args.path], write: false, plugins: [eagerFunctions, lazyModules] });
      const text = builtins(chunk.outputFiles[0].text);
      const source = text.startsWith('"use strict";') ? text : '"use strict";' + text;
      return {
        loader: "js",
        contents:
          `// ${relative(process.cwd(), args.path)}, kept as a string until imported (src/build/bundle.mjs)\n` +
          `const m = { exports: {} };\n` +
          `new Function("module", "exports", "require", ${JSON.stringify(source)})(m, m.exports, require);\n` +
          `module.exports = m.exports;\n`,
      };
    });
  },
};

const result = await build({
  ...options,
  write: false,
  stdin: {
    contents: `"use strict"; import ${JSON.stringify("./" + entry)};\nprocess.once("beforeExit", () => process.exit());\n`,
    resolveDir: process.cwd(),
    sourcefile: `${outfile}.ts`,
    loader: "ts",
  },
  outfile,
  banner: { js: "#!/usr/bin/env node" },
  plugins: [eagerFunctions, lazyModules],
});
writeFileSync(outfile, builtins(result.outputFiles[0].text));
chmodSync(outfile, 0o755);
