# dbbasic-sessions for CGI — the front door. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := all

ESBUILD  := node_modules/.bin/esbuild
TSC      := node_modules/.bin/tsc
VITEST   := node_modules/.bin/vitest
BATS     := node_modules/bats/bin/bats
PROGRAMS := whoami login logout gate
BUNDLES  := $(PROGRAMS:%=cgi-bin/%.cgi) cgi-bin/authorizer.fcgi
SOURCES  := $(shell find src -name '*.ts') package.json
# One self-contained CommonJS file per program: CJS starts faster than ESM on Node 20 (docs/performance.md).
ESFLAGS  := --bundle --platform=node --target=node20 --format=cjs --minify --legal-comments=none \
            --log-level=warning '--banner:js=\#!/usr/bin/env node'
APT_PACKAGES := lighttpd apache2 apache2-utils chromium fail2ban hyperfine curl wrk openssl iproute2 php-cgi php-fpm systemd apache2-suexec-pristine libfcgi-bin

.PHONY: all help deps system-deps typecheck build test test-unit test-cgi test-servers test-debian test-shared-hosting test-browser demo screenshots bench sea check-bundles clean

all: deps typecheck build ## install npm dependencies if missing, type-check, bundle cgi-bin/*.cgi, bin/ and dist/

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

deps: node_modules/.package-lock.json ## npm dependencies (npm ci)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

system-deps: ## lighttpd, Apache, htpasswd, Chromium, fail2ban, hyperfine (apt-get, when missing and root)
	@bash test/helpers/system-deps.sh $(APT_PACKAGES)

typecheck: deps ## strict TypeScript check
	$(TSC) -p . --noEmit

build: deps $(BUNDLES) bin/dbbasic-sessions dist/index.js ## bundle the CGI programs, the CLI and the library

# src/build/bundle.mjs: ESFLAGS' settings, arranged for start-up (docs/performance.md): an import-only
# entry, and modules loaded with import() on a rare path kept as strings until used.
cgi-bin/%.cgi: src/programs/%.ts $(SOURCES) src/build/bundle.mjs
	@node src/build/bundle.mjs $< $@ && echo "built $@"

# The FastCGI authorizer (docs/authorizer.md): one long-lived process, same bundling.
cgi-bin/%.fcgi: src/programs/%.ts $(SOURCES) src/build/bundle.mjs
	@node src/build/bundle.mjs $< $@ && echo "built $@"

# The command line, committed like cgi-bin/ so that `cp bin/dbbasic-sessions /usr/local/bin/` installs it;
# bin/package.json makes Node run it as CommonJS inside this "type": "module" package.
bin/dbbasic-sessions: src/programs/cli.ts $(SOURCES) src/build/bundle.mjs
	@node src/build/bundle.mjs $< $@ && echo "built $@"

# The library (docs/library.md), committed like cgi-bin/ so that `npm i git+https://…` needs no build:
# dist/index.js (ES module), dist/index.cjs (CommonJS, dependencies included, as @noble/hashes is
# ES-module only) and the public API's declarations in one file, dist/index.d.ts and dist/index.d.cts.
dist/index.js: $(SOURCES) tsconfig.json src/build/lib.mjs
	@node src/build/lib.mjs

test: all system-deps ## every test: unit, CGI processes, real lighttpd and Apache, browser
	@bash test/run-all.sh

test-unit: all ## vitest unit tests
	$(VITEST) run

test-cgi: all ## bats: each bundle run as a CGI process
	$(BATS) test/bats/cgi

test-servers: all system-deps ## bats: real lighttpd and Apache
	$(BATS) test/bats/servers

test-debian: all system-deps ## bats: README "Install on Debian and Ubuntu", verbatim, on the stock packages (as root)
	@bash test/run-all.sh debian

test-shared-hosting: all system-deps ## bats: README "Shared hosting", as the site's owner, on stock apache2 + userdir (+ suEXEC) (as root)
	@bash test/run-all.sh shared-hosting

demo: all ## a real lighttpd on http://127.0.0.1:8080/ with a demo user
	@bash examples/demo/run.sh

screenshots: all system-deps ## retake the README's demo screenshots (examples/demo/*.png) from the real demo in headless Chromium
	UPDATE_SCREENSHOT=1 $(VITEST) run test/browser/demo.test.ts

bench: all ## benchmarks (docs/performance.md), printed as a table
	@bash bench/run.sh

sea: deps ## optional: one single-executable binary for every program, dist/sea/ (≈ 100 MB; see src/build/sea.sh)
	@bash src/build/sea.sh

check-bundles: build ## fail when committed cgi-bin/, bin/ or dist/ differs from a fresh build
	@git diff --exit-code --stat -- cgi-bin bin dist && test -z "$$(git status --porcelain -- cgi-bin bin dist)" \
	  || { echo "cgi-bin/, bin/ or dist/ differs from a fresh build: run make and commit cgi-bin/, bin/ and dist/"; exit 1; }

clean: ## remove make sea's output (dist/index.*, like cgi-bin/ and bin/, is committed)
	rm -rf dist/sea
