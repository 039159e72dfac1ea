// In-process create and verify operations per second (docs/performance.md): this library's
// createSession/getSession (the built dist/index.js, key from SECRET_KEY as a
// user would call them) beside the bare node:crypto floor on the same token,
// jose HS256, cookie-signature and iron-session (dev dependencies).
// Usage: node bench/inprocess.mjs SAMPLE_MS SAMPLES  → JSON on stdout:
// { "<implementation>": { "create": [ops/s per sample], "verify": [...] } }.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createSession, getSession } from "../dist/index.js";
import { SignJWT, jwtVerify } from "jose";
import cookieSignature from "cookie-signature";
import { sealData, unsealData } from "iron-session";

const [sampleMs, samples] = process.argv.slice(2).map(Number);
const KEY = process.env.SECRET_KEY;
if (!KEY || !(sampleMs > 0) || !(samples > 0)) {
  console.error("usage: SECRET_KEY=… node bench/inprocess.mjs SAMPLE_MS SAMPLES");
  process.exit(2);
}
const USER = "bench-user";
const TTL = 2592000;
const nowSeconds = () => Math.floor(Date.now() / 1000);

// The floor: what any implementation of this token must do, with node:crypto and nothing else.
const floor = {
  create() {
    const json = '{"user_id": "' + USER + '", "expires": ' + (nowSeconds() + TTL) + "}";
    const payload = Buffer.from(json).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
    return payload + "." + createHmac("sha256", KEY).update(payload).digest("hex");
  },
  verify(token) {
    const dot = token.indexOf(".");
    const payload = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), "hex");
    const expected = createHmac("sha256", KEY).update(payload).digest();
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
    const data = JSON.parse(Buffer.from(payload, "base64url").toString());
    return data.expires > Date.now() / 1000 ? data.user_id : null;
  },
};

const jwtKey = new TextEncoder().encode(KEY);
const ironOptions = { password: KEY, ttl: TTL };

/** Each implementation: make a token, check one; `check` asserts the round trip works. */
const IMPLEMENTATIONS = {
  "dbbasic-sessions": {
    create: () => createSession(USER),
    verify: (t) => getSession(t),
  },
  "node:crypto floor": { create: floor.create, verify: floor.verify },
  "jose HS256 JWT": {
    create: () => new SignJWT({ sub: USER }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("30d").sign(jwtKey),
    verify: async (t) => (await jwtVerify(t, jwtKey)).payload.sub,
  },
  "cookie-signature": {
    create: () => cookieSignature.sign(USER, KEY),
    verify: (t) => cookieSignature.unsign(t, KEY) || null,
  },
  "iron-session seal": {
    create: () => sealData({ user: USER }, ironOptions),
    verify: async (t) => (await unsealData(t, ironOptions)).user,
  },
};

async function rate(fn, isAsync) {
  const hr = process.hrtime.bigint;
  const budget = BigInt(sampleMs) * 1_000_000n;
  // Warm up for a fifth of a sample (the JIT settles), then measure.
  for (let t0 = hr(); hr() - t0 < budget / 5n; ) for (let i = 0; i < 50; i++) isAsync ? await fn() : fn();
  const out = [];
  for (let s = 0; s < samples; s++) {
    let n = 0;
    const t0 = hr();
    let t;
    do {
      if (isAsync) for (let i = 0; i < 50; i++) await fn();
      else for (let i = 0; i < 50; i++) fn();
      n += 50;
      t = hr();
    } while (t - t0 < budget);
    out.push(Math.round(n / (Number(t - t0) / 1e9)));
  }
  return out;
}

const results = {};
for (const [name, impl] of Object.entries(IMPLEMENTATIONS)) {
  const token = await impl.create();
  const user = await impl.verify(token);
  if (user !== USER) throw new Error(`${name}: round trip gave ${JSON.stringify(user)}`);
  const isAsync = typeof impl.create().then === "function";
  results[name] = {
    create: await rate(impl.create, isAsync),
    verify: await rate(() => impl.verify(token), isAsync),
  };
}
process.stdout.write(JSON.stringify(results));
