/**
 * The demo site (`make demo`, examples/demo/run.sh) in a real headless
 * Chromium (docs/demo.md): a real lighttpd on a free port, the home page index.cgi (a
 * shell CGI asking `dbbasic-sessions verify`), login.cgi, gate.cgi in front of an unchanged
 * shell CGI script and of the members' area's files (a page, an image, a PDF, a staff folder
 * for the demo admin only), and logout.cgi.
 *
 * On failure a screenshot is kept under test/artifacts/ and its path printed.
 * `make screenshots` (UPDATE_SCREENSHOT=1) also rewrites the README's
 * examples/demo/screenshot.png and examples/demo/login.png.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
const ARTIFACTS = join(REPO, "test/artifacts");
const USER = "demo";
const PASSWORD = randomBytes(9).toString("base64url");
const ADMIN = "warden"; // run.sh's default demo admin, the only member of the group staff
const ADMIN_PASSWORD = randomBytes(9).toString("base64url");
const MEMBERS = join(REPO, "examples/demo/htdocs/members");

let demo: ChildProcess;
let demoOutput = "";
let base = "";
let state = "";
let profile = "";
let context: BrowserContext;
let page: Page;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Starts run.sh as `make demo` does, and waits until lighttpd answers. */
async function startDemo(port: number): Promise<void> {
  demo = spawn("bash", [join(REPO, "examples/demo/run.sh")], {
    cwd: REPO,
    env: {
      ...process.env,
      DEMO_PORT: String(port),
      DEMO_PASSWORD: PASSWORD,
      DEMO_ADMIN: ADMIN,
      DEMO_ADMIN_PASSWORD: ADMIN_PASSWORD,
      DEMO_STATE: state,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // a process group of its own, which stopDemo signals as Ctrl-C would
  });
  demo.stdout!.on("data", (d: Buffer) => (demoOutput += d.toString()));
  demo.stderr!.on("data", (d: Buffer) => (demoOutput += d.toString()));
  const exited = new Promise<never>((_, fail) =>
    demo.once("exit", (code) => fail(new Error(`run.sh exited (${code}) before serving:\n${demoOutput}`))),
  );
  // A wall-clock deadline, not a count of tries: on a loaded machine run.sh's start-up (several
  // Node starts, then lighttpd) takes many seconds, and so does each try.
  const limitMs = 60_000;
  const deadline = Date.now() + limitMs;
  const ready = (async () => {
    let last = "none";
    while (Date.now() < deadline) {
      try {
        const response = await fetch(base + "/", { signal: AbortSignal.timeout(5_000) });
        if (response.ok) return;
        last = `HTTP ${response.status}`;
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        last = `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ""}`;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const running = demo.exitCode === null && demo.signalCode === null;
    throw new Error(
      `the demo did not answer on ${base} within ${limitMs / 1000} s; last try: ${last}; ` +
        `run.sh (lighttpd once it printed its banner) ${running ? "is still running" : `exited (${demo.exitCode ?? demo.signalCode})`}\n` +
        `its output:\n${demoOutput}\n${serverLogs()}`,
    );
  })();
  await Promise.race([ready, exited]);
}

/** The last lines of lighttpd's logs in the demo's state folder, for a failure to explain itself. */
function serverLogs(): string {
  return ["error.log", "cgi-error.log", "access.log"]
    .map((file) => {
      let text;
      try {
        text = readFileSync(join(state, "log", file), "utf8").split("\n").slice(-30).join("\n");
      } catch (err) {
        text = `(${(err as NodeJS.ErrnoException).code ?? "unreadable"})`;
      }
      return `log/${file}:\n${text}`;
    })
    .join("\n");
}

/**
 * GET with the page's cookies. lighttpd closes a keep-alive connection after 5 idle seconds
 * (server.max-keep-alive-idle); a request sent on it just then meets a reset (ECONNRESET,
 * "socket hang up"), and a browser sends it again on a new connection (RFC 9112, section
 * 9.3.1). Playwright's request client keeps connections alive but retries only when told to.
 */
function getWithCookies(url: string, options: { headers?: Record<string, string>; maxRedirects?: number } = {}) {
  return page.request.get(url, { ...options, maxRetries: 1 });
}

async function stopDemo(): Promise<void> {
  if (!demo || demo.exitCode !== null || demo.signalCode !== null) return;
  const gone = new Promise((r) => demo.once("exit", r));
  // What Ctrl-C sends, to run.sh's whole process group (it runs detached): whatever it is running
  // stops, lighttpd once run.sh has become it, or a start-up step before; SIGKILL after 10 s.
  const group = -demo.pid!;
  process.kill(group, "SIGINT");
  const kill = setTimeout(() => {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // already gone
    }
  }, 10_000);
  await gone;
  clearTimeout(kill);
}

/** The access log's lines once a marker request has reached it (lighttpd writes it in batches). */
async function accessLog(): Promise<string[]> {
  const marker = `/?log-marker-${randomBytes(6).toString("hex")}`;
  await fetch(base + marker);
  for (let i = 0; i < 100; i++) {
    const lines = readFileSync(join(state, "log/access.log"), "utf8").split("\n");
    if (lines.some((l) => l.includes(`"GET ${marker} `))) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the marker request never reached the access log");
}

/** The header's links a visitor sees: the text of each visible link in its nav, in order. */
function headerLinks(): Promise<string[]> {
  return page.locator("header.site nav a:visible").allTextContents();
}

/** A page's HTML as the server sends it (no browser, no script), with the page's cookies. */
async function served(path: string): Promise<{ status: number; html: string; nav: string }> {
  const response = await getWithCookies(base + path, { maxRedirects: 0 });
  const html = await response.text();
  return { status: response.status(), html, nav: /<nav>.*<\/nav>/.exec(html)?.[0] ?? "(no nav)" };
}

const NAV_OUT = '<nav><a href="/">Home</a> <a href="/members/">Members</a> <a href="/cgi-bin/login.cgi?next=/">Log in</a></nav>';
const NAV_IN = '<nav><a href="/">Home</a> <a href="/members/">Members</a> <a href="/cgi-bin/logout.cgi?next=/">Log out</a></nav>';

async function sessionCookies() {
  return (await context.cookies(base)).filter((c) => c.name === "session");
}

/** Every console error but the expected 401 (whoami.cgi) and 403 (the staff page): a CSP refusal or a 404 would show here. */
function consoleErrors(): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[13] /.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
  });
  return errors;
}

async function logIn(password: string, user = USER) {
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Password").fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/cgi-bin/login.cgi") && r.request().method() === "POST"),
    page.getByRole("button", { name: "Log in" }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "dbs-demo-state-"));
  profile = mkdtempSync(join(tmpdir(), "dbs-chromium-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await startDemo(port);
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
    viewport: { width: 900, height: 620 },
  });
}, 180_000); // startDemo waits up to 60 s, and Chromium starts slowly on a loaded machine too

afterAll(async () => {
  await context?.close();
  await stopDemo();
  if (state) rmSync(state, { recursive: true, force: true });
  if (profile) rmSync(profile, { recursive: true, force: true });
});

beforeEach(async ({ task, onTestFailed }) => {
  await context.clearCookies();
  page = await context.newPage();
  onTestFailed(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, `demo-${task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 80)}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`screenshot of the failed test: ${file}\ndemo output:\n${demoOutput}\n${serverLogs()}`);
  });
  return async () => {
    await page.close();
  };
});

describe("the demo site in headless Chromium", () => {
  it("prints the demo user's password and serves whoami.cgi as 401 JSON when logged out", async () => {
    expect(demoOutput).toContain(`user:       ${USER}\n`);
    expect(demoOutput).toContain(`password:   ${PASSWORD}\n`);
    expect(demoOutput).toContain(`admin:      ${ADMIN}\n`);
    expect(demoOutput).toContain(`admin password: ${ADMIN_PASSWORD}\n`);
    const response = await page.goto(base + "/cgi-bin/whoami.cgi");
    expect(response!.status()).toBe(401);
    expect(response!.headers()["content-type"]).toBe("application/json");
    expect(await response!.text()).toBe('{"error":"no valid session"}');
  });

  it("walks from the protected page through login to the page and out again", async () => {
    await page.goto(base + "/members.pcgi");
    expect(page.url()).toBe(base + "/cgi-bin/login.cgi?next=%2Fmembers.pcgi");
    await expect(page.getByRole("heading", { name: "Log in" }).isVisible()).resolves.toBe(true);

    const login = await logIn(PASSWORD);
    expect(login.status()).toBe(303);
    expect(page.url()).toBe(base + "/members.pcgi");
    expect(await page.locator("#user").textContent()).toBe(USER);
    expect(await page.locator("#auth-type").textContent()).toBe("Cookie");
    // The shell script sees neither the session cookie nor the key's location.
    expect(await page.locator("#cookie").textContent()).toBe("(not set)");
    expect(await page.locator("#key-file").textContent()).toBe("(not set)");

    // HttpOnly: scripts cannot read the cookie; SameSite=Lax, Path=/, host-only.
    expect(await page.evaluate(() => document.cookie)).toBe("");
    const [cookie, ...more] = await sessionCookies();
    expect(more).toEqual([]);
    expect(cookie).toMatchObject({ name: "session", httpOnly: true, sameSite: "Lax", path: "/", domain: "127.0.0.1", secure: false });
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]+=*\.[0-9a-f]{64}$/);

    if (process.env.UPDATE_SCREENSHOT === "1") {
      await page.screenshot({ path: join(REPO, "examples/demo/screenshot.png") });
    }

    // The home page (index.cgi) asks `dbbasic-sessions verify` who the cookie says you are.
    await page.goto(base + "/");
    expect(await page.locator("#status").textContent()).toBe(`You are logged in as ${USER}.`);

    await page.goto(base + "/members.pcgi");
    await Promise.all([page.waitForURL(base + "/"), page.getByRole("button", { name: "Log out" }).click()]);
    expect(await sessionCookies()).toEqual([]);
    expect(await page.locator("#status").textContent()).toBe("You are not logged in.");

    await page.goto(base + "/members.pcgi");
    expect(page.url()).toBe(base + "/cgi-bin/login.cgi?next=%2Fmembers.pcgi");
  });

  it("serves every page with its header as written for who is logged in, no script needed", async () => {
    // As served, before any browser runs anything: the one right link, and no script at all.
    const out = await served("/");
    expect([out.status, out.nav]).toEqual([200, NAV_OUT]);
    expect(out.html).toContain('<p id="status">You are not logged in.</p>');
    const login = await served("/cgi-bin/login.cgi?next=%2Fmembers.pcgi");
    expect([login.status, login.nav]).toEqual([200, NAV_OUT]);
    for (const { html } of [out, login]) expect(html).not.toContain("<script");

    // The home page is complete at once: no request left open for a browser to wait on.
    await page.goto(base + "/", { waitUntil: "networkidle" });
    expect(await headerLinks()).toEqual(["Home", "Members", "Log in"]);
    await page.getByRole("link", { name: "Log in" }).click();
    expect(await headerLinks()).toEqual(["Home", "Members", "Log in"]);
    expect(await logIn(PASSWORD).then((r) => r.status())).toBe(303);
    expect(page.url()).toBe(base + "/");
    expect(await headerLinks()).toEqual(["Home", "Members", "Log out"]);
    expect(await page.locator("#status").textContent()).toBe(`You are logged in as ${USER}.`);

    // Logged in: every page's header offers "Log out" only, as served.
    const pages: [string, number][] = [
      ["/", 200], ["/members.pcgi", 200], ["/members/", 200], ["/members/staff/rota.html", 403], ["/cgi-bin/logout.cgi", 200],
    ];
    for (const [path, status] of pages) {
      const page_ = await served(path);
      expect([path, page_.status, page_.html.includes("<script")]).toEqual([path, status, false]);
      // The logout page is a template (no conditionals): its nav holds both links, and
      // <body data-user="demo"> makes demo.css show "Log out" only, from the first paint.
      if (path === "/cgi-bin/logout.cgi") expect(page_.html).toContain(`<body data-user="${USER}">`);
      else expect([path, page_.nav]).toEqual([path, NAV_IN]);
      await page.goto(base + path);
      expect([path, await headerLinks()]).toEqual([path, ["Home", "Members", "Log out"]]);
    }
  });

  it("says on the login page where the visitor was going, escaped", async () => {
    await page.goto(base + "/members/staff/rota.html");
    expect(page.url()).toBe(base + "/cgi-bin/login.cgi?next=%2Fmembers%2Fstaff%2Frota.html");
    expect(await page.locator("p.next").textContent()).toBe("Log in to go on to /members/staff/rota.html.");

    // A next holding markup is shown as text, never as markup.
    const hostile = '/x<b id="injected">y</b>&z';
    const { html } = await served("/cgi-bin/login.cgi?next=" + encodeURIComponent(hostile));
    expect(html).toContain('<p class="next">Log in to go on to <code>/x&lt;b id=&quot;injected&quot;&gt;y&lt;/b&gt;&amp;z</code>.</p>');
    await page.goto(base + "/cgi-bin/login.cgi?next=" + encodeURIComponent(hostile));
    expect(await page.locator("p.next").textContent()).toBe(`Log in to go on to ${hostile}.`);
    expect(await page.locator("#injected").count()).toBe(0);
  });

  it("shows the site's own look: templates, Log in or Log out by state, favicon, already logged in, who logs out", async () => {
    page.setDefaultTimeout(10_000);
    const errors = consoleErrors();
    const header = page.locator("header.site");
    const logInLink = header.getByRole("link", { name: "Log in" });
    const logOutLink = header.getByRole("link", { name: "Log out" });

    await page.goto(base + "/");
    expect(await page.locator("#status").textContent()).toBe("You are not logged in.");
    expect(await logInLink.isVisible()).toBe(true);
    expect(await logOutLink.isVisible()).toBe(false);

    // The login form is login.cgi filling in the demo's LOGIN_TEMPLATE: the site's header,
    // stylesheet and images, which the Content-Security-Policy lets the template use.
    await logInLink.click();
    expect(page.url()).toBe(base + "/cgi-bin/login.cgi?next=/");
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    expect(await page.title()).toBe("Log in · Riverside Allotments");
    expect(await header.getByRole("link", { name: "Riverside Allotments" }).isVisible()).toBe(true);
    expect(await header.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(47, 111, 62)");
    expect(await header.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.locator("p.next").textContent()).toBe("Log in to go on to /.");
    // {{error}} is empty before a failed login; demo.css hides the empty alert.
    expect(await page.locator('[role="alert"]').textContent()).toBe("");
    expect(await page.locator('[role="alert"]').isVisible()).toBe(false);
    expect(await page.locator('link[rel="icon"]').getAttribute("href")).toBe("/favicon.svg");
    if (process.env.UPDATE_SCREENSHOT === "1") {
      await page.screenshot({ path: join(REPO, "examples/demo/login.png") });
    }

    const login = await logIn(PASSWORD);
    expect(login.status()).toBe(303);
    expect(page.url()).toBe(base + "/");
    expect(await page.locator("#status").textContent()).toBe(`You are logged in as ${USER}.`);
    expect(await logOutLink.isVisible()).toBe(true);
    expect(await logInLink.isVisible()).toBe(false);

    // Logged in, the login page sends you straight on to next.
    const again = await page.goto(base + "/cgi-bin/login.cgi?next=%2Fmembers.pcgi");
    expect(page.url()).toBe(base + "/members.pcgi");
    expect((await again!.request().redirectedFrom()!.response())!.status()).toBe(303);
    expect(await page.locator("#user").textContent()).toBe(USER);
    expect(await page.locator('link[rel="icon"]').getAttribute("href")).toBe("/favicon.svg");

    // A folder whose rule the demo user does not pass (group staff): the 403 page in the site's look.
    const refused = await page.goto(base + "/members/staff/rota.html");
    expect(refused!.status()).toBe(403);
    expect(await page.title()).toBe("Not allowed · Riverside Allotments");
    await page.getByText(`You are logged in as ${USER}, and this page is not open to you.`).waitFor();
    expect(await header.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(47, 111, 62)");
    expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);

    // The logout page (LOGOUT_TEMPLATE) says who is logged in.
    await logOutLink.click();
    expect(page.url()).toBe(base + "/cgi-bin/logout.cgi?next=/");
    await page.getByText(`Logged in as ${USER}.`).waitFor();
    expect(await page.title()).toBe("Log out · Riverside Allotments");
    await Promise.all([page.waitForURL(base + "/"), page.getByRole("button", { name: "Log out" }).click()]);
    expect(await sessionCookies()).toEqual([]);
    expect(await page.locator("#status").textContent()).toBe("You are not logged in.");
    expect(await logInLink.isVisible()).toBe(true);

    // Without a session the logout page says so and offers what makes sense: "Log in", and
    // neither a "Log out" link nor a "Log out" button.
    await page.goto(base + "/cgi-bin/logout.cgi");
    expect(await page.locator("main .card").innerText()).toBe("You are not logged in. Log in");
    expect(await page.getByText("Logged in as").isVisible()).toBe(false);
    expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(false);
    expect(await headerLinks()).toEqual(["Home", "Members", "Log in"]);
    expect(await page.locator("main").getByRole("link", { name: "Log in" }).getAttribute("href")).toBe("/cgi-bin/login.cgi?next=/");

    // Both favicons are served (pages link the SVG; a browser asks for /favicon.ico on its own).
    for (const [path, type] of [["/favicon.svg", "image/svg+xml"], ["/favicon.ico", "image/vnd.microsoft.icon"]]) {
      const icon = await getWithCookies(base + path);
      expect([path, icon.status(), icon.headers()["content-type"]]).toEqual([path, 200, type]);
    }
    expect(errors).toEqual([]);
    expect((await accessLog()).filter((l) => /" 404 /.test(l))).toEqual([]);
  });

  it("serves the members' area's page, image and PDF (whole and by range) to the demo user, and the staff rota to the admin only", async () => {
    page.setDefaultTimeout(10_000);
    const errors = consoleErrors();
    const members = base + "/members/";
    const rota = base + "/members/staff/rota.html";

    // Logged out, the folder's index sends you to the login form and back.
    await page.goto(members);
    expect(page.url()).toBe(base + "/cgi-bin/login.cgi?next=%2Fmembers%2F");
    await page.getByRole("heading", { name: "Log in" }).waitFor();

    const image = page.waitForResponse((r) => r.url() === base + "/members/plot-map.png");
    const login = await logIn(PASSWORD);
    expect(login.status()).toBe(303);
    expect(page.url()).toBe(members);
    const index = (await login.request().redirectedTo()!.response())!;
    expect([index.status(), index.headers()["content-type"], index.headers()["cache-control"]])
      .toEqual([200, "text/html; charset=utf-8", "private, no-cache"]);
    expect(await index.body()).toEqual(readFileSync(join(MEMBERS, "index.html")));
    expect(await page.title()).toBe("Members' area · Riverside Allotments");
    await page.getByRole("heading", { name: "Members' area" }).waitFor();

    // The map: a PNG that gate.cgi served with its type, and the browser decoded.
    const png = await image;
    expect([png.status(), png.headers()["content-type"]]).toEqual([200, "image/png"]);
    expect(await png.body()).toEqual(readFileSync(join(MEMBERS, "plot-map.png")));
    expect(await page.locator("figure.map img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(480);

    // The handbook, fetched with the page's cookies: the file on disk byte for byte, then a slice of it.
    const href = await page.getByRole("link", { name: "The plot holder's handbook" }).getAttribute("href");
    expect(href).toBe("/members/handbook.pdf");
    const onDisk = readFileSync(join(MEMBERS, "handbook.pdf"));
    const pdf = await getWithCookies(base + href, { maxRedirects: 0 });
    expect([pdf.status(), pdf.headers()["content-type"], pdf.headers()["content-length"], pdf.headers()["accept-ranges"]])
      .toEqual([200, "application/pdf", String(onDisk.length), "bytes"]);
    const body = await pdf.body();
    expect(body.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(body.equals(onDisk)).toBe(true);
    const slice = await getWithCookies(base + href, { headers: { Range: "bytes=100-199" }, maxRedirects: 0 });
    expect([slice.status(), slice.headers()["content-range"], slice.headers()["content-length"]])
      .toEqual([206, `bytes 100-199/${onDisk.length}`, "100"]);
    expect((await slice.body()).equals(onDisk.subarray(100, 200))).toBe(true);

    // The staff folder is not for the demo user (its 403 page: the test above).
    expect((await getWithCookies(rota, { maxRedirects: 0 })).status()).toBe(403);

    // Log out from the members' page, then in as the demo admin, who may open the staff rota.
    await Promise.all([page.waitForURL(base + "/"), page.getByRole("button", { name: "Log out" }).click()]);
    expect(await sessionCookies()).toEqual([]);
    await page.goto(rota);
    expect(page.url()).toBe(base + "/cgi-bin/login.cgi?next=%2Fmembers%2Fstaff%2Frota.html");
    const admin = await logIn(ADMIN_PASSWORD, ADMIN);
    expect(admin.status()).toBe(303);
    expect(page.url()).toBe(rota);
    expect((await admin.request().redirectedTo()!.response())!.status()).toBe(200);
    await page.getByRole("heading", { name: "Staff rota" }).waitFor();
    // The admin is a member too.
    expect((await getWithCookies(base + href, { maxRedirects: 0 })).status()).toBe(200);

    expect(errors).toEqual([]);
    expect((await accessLog()).filter((l) => /" 404 /.test(l))).toEqual([]);
  });

  it("shows the error message for a wrong password and sets no cookie", async () => {
    await page.goto(base + "/members.pcgi");
    const login = await logIn(PASSWORD + "-wrong");
    expect(login.status()).toBe(401);
    expect(page.url()).toBe(base + "/cgi-bin/login.cgi");
    expect(await page.getByRole("alert").textContent()).toBe("Invalid username or password.");
    expect(await page.getByLabel("Username").inputValue()).toBe(USER);
    expect(await context.cookies(base)).toEqual([]);

    await page.goto(base + "/members.pcgi");
    expect(page.url()).toBe(base + "/cgi-bin/login.cgi?next=%2Fmembers.pcgi");
  });
});
