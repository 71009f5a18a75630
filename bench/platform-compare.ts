/**
 * Fastify vs Express for the real AppModule: SetEmail over REST and setContactEmail over GraphQL.
 *
 *   npm run build && node dist/bench/platform-compare.js
 *
 * The parent process is the load generator (autocannon); each run starts the server in a fresh
 * child process (same script with `--serve <platform>`) on a fresh SQLite file in a temp dir, so
 * client and server do not share an event loop and no run inherits another's heap or JIT state.
 * Order is interleaved: fastify, express, fastify, express. Loopback only, bounded durations.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

type Platform = 'fastify' | 'express';

const PLATFORMS: Platform[] = ['fastify', 'express', 'fastify', 'express'];
const USERS = 200;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 1);

// ---------------------------------------------------------------------------------------------
// server side (child process)
// ---------------------------------------------------------------------------------------------

async function serve(platform: Platform): Promise<void> {
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('../src/app.module.js');
  const { loadConfig } = await import('../src/config/config.js');
  const config = loadConfig(process.env);
  const module = AppModule.forRoot(config);
  let app;
  if (platform === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = await NestFactory.create(module, new FastifyAdapter({ bodyLimit: config.bodyLimitBytes }), { logger: false });
  } else {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    app = await NestFactory.create(module, new ExpressAdapter(), { logger: false });
  }
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address() as { port: number };
  process.on('message', async (m) => {
    if (m === 'stop') {
      await app.close().catch(() => undefined);
      process.exit(0);
    }
  });
  process.send!({ port: addr.port });
}

// ---------------------------------------------------------------------------------------------
// client side (parent process)
// ---------------------------------------------------------------------------------------------

interface Server {
  child: ChildProcess;
  port: number;
  dir: string;
}

/**
 * Other sessions rebuild this repository (`rm -rf dist`) while we run, so the servers start from
 * a private copy of dist/ taken once at the beginning, with node_modules linked next to it.
 */
function snapshotBuild(): { entry: string; root: string } {
  const self = fileURLToPath(import.meta.url);
  const distDir = dirname(dirname(self)); // dist/bench/platform-compare.js -> dist
  const repo = dirname(distDir);
  const root = mkdtempSync(join(tmpdir(), 'bench-build-'));
  cpSync(distDir, join(root, 'dist'), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  return { entry: join(root, 'dist', relative(distDir, self)), root };
}

let serverEntry = fileURLToPath(import.meta.url);

function startServer(platform: Platform): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${platform}-`));
  const env = {
    ...process.env,
    DATA_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'app.db')}`,
    MAIL_WORKER: 'off',
    EMAIL_RESEND_COOLDOWN_SECONDS: '0',
    // the per-user daily mail cap (default 10) would turn ~98% of the load into 429s
    EMAIL_MAX_MAILS_PER_DAY: '100000',
    // the write rate limiter (default 6000/min per token and per IP) would reject most of the
    // load; a huge limit keeps its bookkeeping on the hot path without ever tripping it
    RATE_LIMIT_WRITES_PER_TOKEN: '10000000',
    RATE_LIMIT_WRITES_PER_IP: '10000000',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  };
  const child = fork(serverEntry, ['--serve', platform], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`${platform} did not start within 60 s`));
    }, 60_000);
    child.once('message', (m: any) => {
      clearTimeout(timer);
      resolve({ child, port: m.port, dir });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`${platform} server exited early with code ${code}`));
    });
  });
}

async function stopServer(s: Server): Promise<void> {
  s.child.removeAllListeners('exit'); // the start-up "exited early" listener
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  s.child.send('stop');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
  rmSync(s.dir, { recursive: true, force: true });
}

async function call(base: string, token: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path} -> ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function setup(base: string, token: string, tag: string): Promise<string[]> {
  const org = await call(base, token, '/v2/organizations', { name: `bench-${tag}` });
  const orgId: string = org.organizationId;
  const ids: string[] = new Array(USERS);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < USERS; i = next++) {
        const r = await call(base, token, '/v2/users/human', {
          username: `bench-${tag}-${i}`,
          organization: { orgId },
          profile: { givenName: 'B', familyName: 'U' },
          email: { email: `u${i}-${tag}@bench.test`, returnCode: {} },
        });
        ids[i] = r.userId;
      }
    }),
  );
  return ids;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  gqlErrors: number;
  sample?: string;
}

async function load(base: string, token: string, ids: string[], kind: 'rest' | 'gql', tag: string, duration: number): Promise<Figures> {
  let n = 0;
  let gqlErrors = 0;
  let sample: string | undefined;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration,
    timeout: 10,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => {
          const i = n++;
          const userId = ids[i % ids.length]!;
          const email = `${kind}-${tag}-${i}@bench.test`;
          if (kind === 'rest') {
            req.path = `/v2/users/${userId}/email`;
            req.body = JSON.stringify({ email });
          } else {
            req.path = '/graphql';
            req.body = JSON.stringify({
              query: 'mutation($i: SetContactEmailInput!){ setContactEmail(input:$i){ details { sequence } } }',
              variables: { i: { userId, email } },
            });
          }
          return req;
        },
        onResponse: (status, body) => {
          if (status < 200 || status > 299 || (kind === 'gql' && body.includes('"errors"'))) {
            if (kind === 'gql' && body.includes('"errors"')) gqlErrors++;
            sample ??= `${status} ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  });
  return {
    rps: result.requests.mean,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    gqlErrors,
    sample,
  };
}

/** A few edge requests whose answers come from the HTTP platform rather than our handlers. */
async function probe(base: string, token: string, userId: string): Promise<Record<string, string>> {
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const mask = (s: string) => s.replace(/INTERNAL-[0-9a-f]+/g, 'INTERNAL-x').slice(0, 240);
  const cases: Record<string, RequestInit & { path: string }> = {
    'GET unknown route': { path: '/v2/nope', method: 'GET', headers: auth },
    'DELETE known path (405?)': { path: `/v2/users/${userId}/email`, method: 'DELETE', headers: auth },
    'malformed JSON': { path: `/v2/users/${userId}/email`, method: 'POST', headers: json, body: '{"email":' },
    'empty body w/ json type': { path: `/v2/users/${userId}/email`, method: 'POST', headers: json, body: '' },
    'text/plain body': {
      path: `/v2/users/${userId}/email`,
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: '{"email":"a@b.c"}',
    },
    'no content-type': { path: `/v2/users/${userId}/email`, method: 'POST', headers: auth, body: '{"email":"p1@bench.test"}' },
    'body 80 KB (> 64 KiB limit)': {
      path: `/v2/users/${userId}/email`,
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'p2@bench.test', pad: 'x'.repeat(80_000) }),
    },
    'body 200 KB': {
      path: `/v2/users/${userId}/email`,
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'p3@bench.test', pad: 'x'.repeat(200_000) }),
    },
    'JSON array body': { path: `/v2/users/${userId}/email`, method: 'POST', headers: json, body: '[]' },
    'no auth': {
      path: `/v2/users/${userId}/email`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":"p4@bench.test"}',
    },
    'invalid email': { path: `/v2/users/${userId}/email`, method: 'POST', headers: json, body: '{"email":"nope"}' },
    'GET /graphql (Sandbox)': { path: '/graphql', method: 'GET', headers: { accept: 'text/html' } },
    'GraphQL malformed JSON': { path: '/graphql', method: 'POST', headers: json, body: '{"query":' },
    'GraphQL bad email': {
      path: '/graphql',
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        query: 'mutation($i: SetContactEmailInput!){ setContactEmail(input:$i){ details { sequence } } }',
        variables: { i: { userId, email: 'nope' } },
      }),
    },
  };
  const out: Record<string, string> = {};
  for (const [name, { path, ...init }] of Object.entries(cases)) {
    try {
      const res = await fetch(base + path, init);
      const text = await res.text();
      const ct = (res.headers.get('content-type') ?? '').split(';')[0];
      out[name] = `${res.status} [${ct}] ${name.startsWith('GET /graphql') ? `${text.length} bytes` : mask(text)}`;
    } catch (e) {
      out[name] = `fetch failed: ${(e as Error).message}`;
    }
  }
  return out;
}

interface Row {
  run: number;
  platform: Platform;
  rest: Figures;
  gql: Figures;
  setupMs: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const snapshot = snapshotBuild();
  serverEntry = snapshot.entry;
  process.on('exit', () => rmSync(snapshot.root, { recursive: true, force: true }));
  console.log(`load before: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const rows: Row[] = [];
  const probes: Partial<Record<Platform, Record<string, string>>> = {};
  for (const [k, platform] of PLATFORMS.entries()) {
    const run = Math.floor(k / 2) + 1;
    const tag = `${platform[0]}${run}`;
    const server = await startServer(platform);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const token = readFileSync(join(server.dir, 'admin.pat'), 'utf8').trim();
      const t0 = Date.now();
      const ids = await setup(base, token, tag);
      const setupMs = Date.now() - t0;
      if (!probes[platform]) probes[platform] = await probe(base, token, ids[0]!);
      if (WARMUP_S > 0) {
        await load(base, token, ids, 'rest', `${tag}w`, WARMUP_S);
        await load(base, token, ids, 'gql', `${tag}w`, WARMUP_S);
      }
      const rest = await load(base, token, ids, 'rest', tag, DURATION_S);
      const gql = await load(base, token, ids, 'gql', tag, DURATION_S);
      rows.push({ run, platform, rest, gql, setupMs });
      console.log(
        `run ${run} ${platform.padEnd(7)} setup ${setupMs} ms | REST ${rest.rps.toFixed(0)} req/s | GraphQL ${gql.rps.toFixed(0)} req/s`,
      );
      for (const [what, f] of [
        ['REST', rest],
        ['GraphQL', gql],
      ] as const) {
        if (f.sample) console.log(`  ${what} first failure: ${f.sample}`);
      }
    } finally {
      await stopServer(server);
    }
  }

  const f1 = (x: number) => x.toFixed(1);
  console.log('\nendpoint  run platform   req/s    p50 ms  p99 ms   total   non2xx  errors  timeouts  gqlErrors');
  for (const kind of ['rest', 'gql'] as const) {
    for (const r of rows) {
      const f = r[kind];
      console.log(
        `${(kind === 'rest' ? 'REST' : 'GraphQL').padEnd(9)} ${String(r.run).padEnd(3)} ${r.platform.padEnd(8)} ${f1(f.rps).padStart(8)} ${String(f.p50).padStart(8)} ${String(f.p99).padStart(7)} ${String(f.total).padStart(7)} ${String(f.non2xx).padStart(8)} ${String(f.errors).padStart(7)} ${String(f.timeouts).padStart(9)} ${String(f.gqlErrors).padStart(10)}`,
      );
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log('\nratio express/fastify (mean of runs; per run in brackets)');
  for (const kind of ['rest', 'gql'] as const) {
    for (const metric of ['rps', 'p50', 'p99'] as const) {
      const of = (p: Platform) => rows.filter((r) => r.platform === p).map((r) => r[kind][metric]);
      const fa = of('fastify');
      const ex = of('express');
      const perRun = ex.map((e, i) => (e / fa[i]!).toFixed(3)).join(', ');
      console.log(
        `  ${(kind === 'rest' ? 'REST' : 'GraphQL').padEnd(8)} ${metric.padEnd(4)} ${(mean(ex) / mean(fa)).toFixed(3)}  [${perRun}]  (fastify ${f1(mean(fa))}, express ${f1(mean(ex))})`,
      );
    }
  }

  console.log('\nplatform-dependent answers (status [content-type] body):');
  for (const name of Object.keys(probes.fastify ?? {})) {
    const a = probes.fastify![name];
    const b = probes.express?.[name];
    console.log(`  ${a === b ? 'same' : 'DIFF'}  ${name}`);
    console.log(`        fastify: ${a}`);
    if (a !== b) console.log(`        express: ${b}`);
  }
  console.log(`\nload after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] as Platform).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
