/**
 * `npm run bench`: SetEmail throughput of the production server against a plain node:http
 * baseline doing the same work (bench/baseline/server.ts), on SQLite and PostgreSQL.
 *
 *   npm run bench                       # build, then this script
 *   node dist/bench/run.js --profile    # SQLite only: a CPU profile of the service under REST load
 *   node dist/bench/run.js --compare-ops  # SetEmail vs UpdateUser's email path, alternating slices on one service
 *
 * Environment (all optional): BENCH_DBS=sqlite,postgres  BENCH_DURATION_S=15  BENCH_USERS=2000
 * BENCH_CONNECTIONS=50  BENCH_DRAIN_S=6  BENCH_OUTBOX_CONCURRENCY=16  BENCH_PROF_S=10 BENCH_PROF_DIR=/tmp/prof
 * BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test  BENCH_KEEP=1 (keep the databases)
 * BENCH_OP=updateUser (the service's runs use UpdateUser's human.email instead of SetEmail)
 *
 * Per database:
 *  1. Preparation: a fresh database (SQLite file in a temp dir; PostgreSQL `CREATE DATABASE`).
 *     The production server (`node dist/src/main.js`, a child process) migrates it, bootstraps
 *     the admin PAT, and gets an organisation and the users through the API. It is stopped and
 *     the database copied for the baseline (SQLite: checkpoint + file copy; PostgreSQL:
 *     `CREATE DATABASE ... TEMPLATE ...`), so both start from identical data, schema and PAT,
 *     and neither run writes into the other's database.
 *  2. Interleaved runs, each server alone on the machine and started fresh:
 *     baseline REST → service REST + GraphQL → baseline REST → service REST + GraphQL.
 *     autocannon (in this process) with 50 connections for 15 s per run; every request a new
 *     address for the next user round-robin, default sendCode (so each writes an outbox row).
 *     Figures are the MEAN of the two rounds. Errors are non-2xx answers, socket errors and
 *     timeouts, and GraphQL answers carrying `errors`.
 *  3. Outbox drain: the service's own worker (`node dist/src/worker.js`) delivers the outbox
 *     rows written by the service's runs over pooled SMTP to a local smtp-server sink in this
 *     process; mails/s from the first delivered mail to the last, over a window of at most
 *     BENCH_DRAIN_S (6) s or until all are delivered.
 *
 * The service runs with MAIL_WORKER=off (delivery does not compete with the requests),
 * EMAIL_RESEND_COOLDOWN_SECONDS=0 and EMAIL_MAX_MAILS_PER_DAY=0: the mail limits are off, or the
 * thousands of changes per user would be refused with 429 after the tenth — so the limit check
 * (one outbox query per request when on) is not part of what is measured, for either side.
 * The write rate limits are raised to 10,000,000/min (still counted, never refusing).
 * Peak RSS is the child's VmHWM (/proc/<pid>/status) over its whole life.
 */
import 'reflect-metadata';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUsers, drive, freePort, type Figures, type Proc, sleep, startProc, startSmtpSink, summariseCpuProfile } from './lib.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The servers run from a private snapshot of dist/ (with package.json for "type": "module" and
 * a node_modules link), so a rebuild of the working tree during the minutes of the run cannot
 * pull the files away from under it or mix two builds.
 */
function snapshotDist(): string {
  const snap = mkdtempSync(join(tmpdir(), 'bench-dist-'));
  for (const d of ['dist/src', 'dist/bench']) cpSync(join(ROOT, d), join(snap, d), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(snap, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(snap, 'node_modules'), 'dir');
  process.once('exit', () => rmSync(snap, { recursive: true, force: true }));
  return snap;
}
const SNAP = snapshotDist();

/**
 * The service runs as `npm run start:prod` runs it (read from package.json): with its Node flags
 * and the environment it sets before `node` (MALLOC_ARENA_MAX=2 ...), so that the benchmark
 * measures the production command. BENCH_NODE_FLAGS overrides the flags for experiments.
 */
function prodCommand(): { flags: string[]; env: Record<string, string> } {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['start:prod'] ?? '';
  const tokens = script.split(/\s+/).filter(Boolean);
  const node = tokens.indexOf('node');
  const env = Object.fromEntries(
    tokens
      .slice(0, Math.max(0, node))
      .map((t) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(t))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
  const flags =
    process.env.BENCH_NODE_FLAGS !== undefined
      ? process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean)
      : tokens.slice(node + 1).filter((t) => t.startsWith('--'));
  return { flags, env };
}
const PROD = prodCommand();
const SERVICE_NODE_FLAGS = PROD.flags;
const MAIN = join(SNAP, 'dist/src/main.js');
const WORKER = join(SNAP, 'dist/src/worker.js');
const BASELINE = join(SNAP, 'dist/bench/baseline/server.js');

const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const DURATION_S = num('BENCH_DURATION_S', 15);
const USERS = num('BENCH_USERS', 2000);
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const ROUNDS = 2;
const DRAIN_WINDOW_S = num('BENCH_DRAIN_S', 6);
const OUTBOX_CONCURRENCY = num('BENCH_OUTBOX_CONCURRENCY', 16);
const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
/** `updateUser`: the service's runs change the address through UpdateUser's human.email; the baseline stays SetEmail. */
const OP = process.env.BENCH_OP === 'updateUser' ? 'updateUser' : 'setEmail';
const DBS = (process.env.BENCH_DBS || 'sqlite,postgres').split(',').map((s) => s.trim()) as DbKind[];
const CODE_HMAC_KEY = 'bench-fixed-code-hmac-key-0123456789abcdef';

const TARGET = { rest: 0.6, graphql: 0.45, p99: 2, rssMb: 150, drain: 500 };

type DbKind = 'sqlite' | 'postgres';

interface Db {
  kind: DbKind;
  dir: string;
  serviceUrl: string;
  baselineUrl: string;
  cleanup(): Promise<void>;
}

// ------------------------------------------------------------------------------------------
// processes
// ------------------------------------------------------------------------------------------

function serviceEnv(db: Db, port: number, grpcPort: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    DATABASE_URL: db.serviceUrl,
    DATA_DIR: join(db.dir, 'svc'),
    MAIL_DIR: join(db.dir, 'svc', 'mail'),
    LOG_LEVEL: 'warn',
    MAIL_WORKER: 'off',
    EMAIL_RESEND_COOLDOWN_SECONDS: '0',
    EMAIL_MAX_MAILS_PER_DAY: '0',
    // the write rate limits stay on (their counting is part of the request's cost) but high
    // enough never to refuse: the defaults (6,000/min per token and per IP) would 429 the load
    RATE_LIMIT_WRITES_PER_TOKEN: '10000000',
    RATE_LIMIT_WRITES_PER_IP: '10000000',
    CODE_HMAC_KEY,
    ...PROD.env,
    ...extra,
  };
}

async function startService(db: Db, nodeArgs: string[] = SERVICE_NODE_FLAGS): Promise<Proc> {
  const port = await freePort();
  const grpcPort = await freePort();
  return startProc(`service(${db.kind})`, [...nodeArgs, MAIN], serviceEnv(db, port, grpcPort), port);
}

async function startBaseline(db: Db): Promise<Proc> {
  const port = await freePort();
  return startProc(
    `baseline(${db.kind})`,
    [BASELINE],
    { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: db.baselineUrl, CODE_HMAC_KEY },
    port,
  );
}

async function stopChecked(p: Proc, graceMs?: number): Promise<number> {
  const r = await p.stop(graceMs);
  if (r.code !== 0 && r.code !== null && graceMs === undefined)
    console.log(`  note: ${p.name} exited with code ${r.code}: ${p.output().slice(-800)}`);
  return r.peakRssMb;
}

// ------------------------------------------------------------------------------------------
// databases
// ------------------------------------------------------------------------------------------

async function pgAdmin<T>(fn: (q: (sql: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn((sql) => client.query(sql));
  } finally {
    await client.end();
  }
}

async function createDb(kind: DbKind): Promise<Db> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  mkdirSync(join(dir, 'svc'), { recursive: true });
  if (kind === 'sqlite') {
    return {
      kind,
      dir,
      serviceUrl: `sqlite:${join(dir, 'service.db')}`,
      baselineUrl: `sqlite:${join(dir, 'baseline.db')}`,
      cleanup: async () => {
        if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const stem = `bench_${process.pid}_${Date.now().toString(36)}`;
  const url = (name: string) => {
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    return u.toString();
  };
  await pgAdmin((q) => q(`CREATE DATABASE "${stem}_svc"`));
  return {
    kind,
    dir,
    serviceUrl: url(`${stem}_svc`),
    baselineUrl: url(`${stem}_base`),
    cleanup: async () => {
      if (process.env.BENCH_KEEP) return;
      rmSync(dir, { recursive: true, force: true });
      await pgAdmin(async (q) => {
        await q(`DROP DATABASE IF EXISTS "${stem}_base" WITH (FORCE)`);
        await q(`DROP DATABASE IF EXISTS "${stem}_svc" WITH (FORCE)`);
      });
    },
  };
}

/** The service's prepared database, duplicated for the baseline (the service is stopped). */
async function copyForBaseline(db: Db): Promise<void> {
  if (db.kind === 'sqlite') {
    const src = db.serviceUrl.slice('sqlite:'.length);
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(src);
    conn.pragma('wal_checkpoint(TRUNCATE)');
    conn.close();
    copyFileSync(src, db.baselineUrl.slice('sqlite:'.length));
    return;
  }
  const name = (u: string) => new URL(u).pathname.slice(1);
  await pgAdmin((q) => q(`CREATE DATABASE "${name(db.baselineUrl)}" TEMPLATE "${name(db.serviceUrl)}"`));
}

async function outboxStates(db: Db): Promise<Record<string, number>> {
  const sql = 'SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status';
  let rows: { status: string; n: number | string }[];
  if (db.kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(db.serviceUrl.slice('sqlite:'.length), { readonly: true });
    rows = conn.prepare(sql).all() as typeof rows;
    conn.close();
  } else {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: db.serviceUrl });
    await client.connect();
    rows = (await client.query(sql)).rows;
    await client.end();
  }
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

// ------------------------------------------------------------------------------------------
// one database
// ------------------------------------------------------------------------------------------

interface Round {
  baseline: Figures;
  baselineRss: number;
  rest: Figures;
  graphql: Figures;
  serviceRss: number;
}

interface Drain {
  rate: number;
  mails: number;
  seconds: number;
  queued: number;
  states: Record<string, number>;
  note?: string;
  /** From the worker's spawn to the first mail at the sink. */
  firstAfterS: number | null;
}

interface DbResult {
  kind: DbKind;
  setupS: number;
  rounds: Round[];
  drain?: Drain;
  failure?: string;
}

async function prepare(db: Db): Promise<{ token: string; userIds: string[] }> {
  const svc = await startService(db);
  try {
    const token = readFileSync(join(db.dir, 'svc', 'admin.pat'), 'utf8').trim();
    const { userIds } = await createUsers(`http://127.0.0.1:${svc.port}`, token, db.kind, USERS);
    return { token, userIds };
  } finally {
    await stopChecked(svc);
  }
}

async function drain(db: Db, expected: number): Promise<Drain> {
  const sink = await startSmtpSink();
  const env = serviceEnv(db, 0, 0, { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, OUTBOX_CONCURRENCY: String(OUTBOX_CONCURRENCY) });
  const worker = await startProc(`worker(${db.kind})`, [WORKER], env, null);
  let note: string | undefined;
  let output = '';
  const spawnedAt = Date.now();
  try {
    const startDeadline = Date.now() + 20_000;
    while (sink.count() === 0 && Date.now() < startDeadline && worker.child.exitCode === null) await sleep(50);
    if (sink.count() === 0) {
      note = `no mail arrived within 20 s; worker output: ${worker.output().slice(-1500)}`;
    } else {
      const end = sink.firstAt()! + DRAIN_WINDOW_S * 1000;
      while (Date.now() < end && sink.count() < expected && worker.child.exitCode === null) await sleep(50);
    }
    output = worker.output();
  } finally {
    // it may hold a large claimed batch it would try to finish: a short grace, then SIGKILL
    await stopChecked(worker, 3000);
  }
  const mails = sink.count();
  const first = sink.firstAt();
  const last = sink.lastAt();
  await sink.close();
  const seconds = first !== null && last !== null && last > first ? (last - first) / 1000 : 0;
  // mails after the first one, over the time from the first to the last
  const rate = seconds > 0 ? (mails - 1) / seconds : 0;
  const states = await outboxStates(db);
  // failures logged during the window (those after our SIGTERM are the shutdown's, not counted)
  const failures = output.split('\n').filter((l) => /failed|dead/.test(l));
  if (failures.length)
    note = `${note ? `${note}; ` : ''}worker logged ${failures.length} failure line(s) during the window, last: ${failures.at(-1)!.slice(0, 400)}`;
  return { rate, mails, seconds, queued: expected, states, note, firstAfterS: first === null ? null : (first - spawnedAt) / 1000 };
}

async function benchDb(kind: DbKind): Promise<DbResult> {
  const result: DbResult = { kind, setupS: 0, rounds: [] };
  let db: Db | undefined;
  try {
    console.log(`\n== ${kind}${OP === 'updateUser' ? ' (service runs: UpdateUser human.email)' : ''} ==`);
    const t0 = Date.now();
    db = await createDb(kind);
    const { token, userIds } = await prepare(db);
    await copyForBaseline(db);
    result.setupS = (Date.now() - t0) / 1000;
    console.log(
      `  prepared in ${result.setupS.toFixed(1)} s (migrations, bootstrap, organisation, ${USERS} users through the API; copied for the baseline)`,
    );
    const load = (base: string, k: 'rest' | 'graphql', tag: string, op: 'setEmail' | 'updateUser' = 'setEmail') =>
      drive({ base, token, userIds, kind: k, tag, connections: CONNECTIONS, duration: DURATION_S, op });
    for (let r = 1; r <= ROUNDS; r++) {
      const b = await startBaseline(db);
      const baseline = await load(`http://127.0.0.1:${b.port}`, 'rest', `b${r}`).catch(async (e: Error) => {
        await stopChecked(b);
        throw new Error(`${e.message}\nbaseline output: ${b.output().slice(-1500)}`);
      });
      const baselineRss = await stopChecked(b);
      console.log(`  round ${r} baseline REST    ${line(baseline)}  rss ${baselineRss.toFixed(0)} MB`);
      const s = await startService(db);
      const svcBase = `http://127.0.0.1:${s.port}`;
      let rest: Figures, graphql: Figures;
      try {
        rest = await load(svcBase, 'rest', `s${r}`, OP);
        console.log(`  round ${r} service  REST    ${line(rest)}`);
        graphql = await load(svcBase, 'graphql', `g${r}`, OP);
        console.log(`  round ${r} service  GraphQL ${line(graphql)}`);
      } catch (e) {
        await stopChecked(s);
        throw new Error(`${(e as Error).message}\nservice output: ${s.output().slice(-1500)}`);
      }
      const serviceRss = await stopChecked(s);
      console.log(`  round ${r} service  peak rss ${serviceRss.toFixed(0)} MB`);
      result.rounds.push({ baseline, baselineRss, rest, graphql, serviceRss });
    }
    const expected = result.rounds.reduce((a, r) => a + r.rest.ok + r.graphql.ok, 0);
    console.log(`  draining the outbox (${expected} mails queued by the service runs) ...`);
    result.drain = await drain(db, expected);
  } catch (e) {
    result.failure = (e as Error).stack ?? String(e);
    console.log(`  FAILED: ${result.failure}`);
  } finally {
    await db?.cleanup().catch((e) => console.log(`  cleanup failed: ${(e as Error).message}`));
  }
  return result;
}

const line = (f: Figures) =>
  `${f.rps.toFixed(0).padStart(6)} req/s  p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(4)} ms  errors ${f.errors}${f.sample ? `  first failure: ${f.sample}` : ''}`;

// ------------------------------------------------------------------------------------------
// report
// ------------------------------------------------------------------------------------------

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function report(results: DbResult[], totalS: number): void {
  const out: string[] = [];
  const p = (s = '') => out.push(s);
  p('');
  p('=================================================================================================');
  p(
    `SetEmail benchmark — ${USERS} users, ${CONNECTIONS} connections × ${DURATION_S} s per run, default sendCode (outbox row per request),`,
  );
  p(`interleaved baseline → service → baseline → service; figures are the MEAN of ${ROUNDS} rounds.`);
  p('Service settings: MAIL_WORKER=off, EMAIL_RESEND_COOLDOWN_SECONDS=0, EMAIL_MAX_MAILS_PER_DAY=0 (mail limits off so that');
  p('thousands of changes per user are allowed), LOG_LEVEL=warn, NODE_ENV=production.');
  const command = [...Object.entries(PROD.env).map(([k, v]) => `${k}=${v}`), 'node', ...SERVICE_NODE_FLAGS].join(' ');
  p(
    `Service command: ${command} dist/src/main.js (as npm run start:prod${process.env.BENCH_NODE_FLAGS !== undefined ? ', flags from BENCH_NODE_FLAGS' : ''}).`,
  );
  const ratios: string[] = [];
  const targets: string[] = [];
  for (const r of results) {
    p('');
    p(`--- ${r.kind} ---`);
    if (r.failure && r.rounds.length === 0) {
      p(`FAILED before any run: ${r.failure.split('\n').slice(0, 6).join('\n  ')}`);
      ratios.push(`ratio ${r.kind} FAILED`);
      targets.push(`targets ${r.kind}: not met (the run failed)`);
      continue;
    }
    p('run                          req/s   p50 ms   p99 ms   requests   errors   peak RSS MB');
    const row = (name: string, f: { rps: number; p50: number; p99: number; total: number; errors: number }, rss: number) =>
      p(
        `${name.padEnd(26)} ${f.rps.toFixed(1).padStart(8)} ${f.p50.toFixed(1).padStart(8)} ${f.p99.toFixed(1).padStart(8)} ${String(Math.round(f.total)).padStart(10)} ${String(f.errors).padStart(8)} ${rss.toFixed(0).padStart(13)}`,
      );
    r.rounds.forEach((x, i) => {
      row(`baseline REST    round ${i + 1}`, x.baseline, x.baselineRss);
      row(`service  REST    round ${i + 1}`, x.rest, x.serviceRss);
      row(`service  GraphQL round ${i + 1}`, x.graphql, x.serviceRss);
    });
    const agg = (pick: (x: Round) => Figures) => ({
      rps: mean(r.rounds.map((x) => pick(x).rps)),
      p50: mean(r.rounds.map((x) => pick(x).p50)),
      p99: mean(r.rounds.map((x) => pick(x).p99)),
      total: r.rounds.reduce((a, x) => a + pick(x).total, 0),
      errors: r.rounds.reduce((a, x) => a + pick(x).errors, 0),
    });
    const b = agg((x) => x.baseline);
    const s = agg((x) => x.rest);
    const g = agg((x) => x.graphql);
    const bRss = Math.max(...r.rounds.map((x) => x.baselineRss));
    const sRss = Math.max(...r.rounds.map((x) => x.serviceRss));
    row('baseline REST    mean', b, bRss);
    row('service  REST    mean', s, sRss);
    row('service  GraphQL mean', g, sRss);
    p('(requests and errors: sums over the rounds; peak RSS: the highest of the rounds)');
    const d = r.drain;
    if (d) {
      p(
        `outbox drain: ${d.rate.toFixed(0)} mails/s to the local SMTP sink (${d.mails} mails in ${d.seconds.toFixed(1)} s, pooled SMTP, ` +
          `OUTBOX_CONCURRENCY=${OUTBOX_CONCURRENCY}, window ≤ ${DRAIN_WINDOW_S} s from the first mail, which came ${d.firstAfterS?.toFixed(1) ?? '-'} s after the worker's spawn; ` +
          `${d.queued} queued; outbox after: ${JSON.stringify(d.states)})`,
      );
      if (d.note) p(`  drain note: ${d.note}`);
    } else p('outbox drain: not measured');
    if (r.failure) p(`FAILED after ${r.rounds.length} round(s): ${r.failure.split('\n').slice(0, 6).join('\n  ')}`);
    const rest = s.rps / b.rps;
    const gql = g.rps / b.rps;
    const p99 = s.p99 / b.p99;
    const errors = s.errors + g.errors;
    const drainRate = d?.rate ?? 0;
    ratios.push(
      `ratio ${r.kind} rest_rps=${rest.toFixed(2)} graphql_rps=${gql.toFixed(2)} p99=${p99.toFixed(2)} rss_mb=${sRss.toFixed(0)}`,
    );
    const mark = (ok: boolean) => (ok ? 'met' : 'NOT MET');
    targets.push(
      `targets ${r.kind}: rest_rps ≥ ${TARGET.rest} ${mark(rest >= TARGET.rest)} (${rest.toFixed(2)}); ` +
        `graphql_rps ≥ ${TARGET.graphql} ${mark(gql >= TARGET.graphql)} (${gql.toFixed(2)}); ` +
        `p99 ≤ ${TARGET.p99}× ${mark(p99 <= TARGET.p99)} (${p99.toFixed(2)}); ` +
        `rss ≤ ${TARGET.rssMb} MB ${mark(sRss <= TARGET.rssMb)} (${sRss.toFixed(0)}); ` +
        `zero errors ${mark(errors === 0 && !r.failure)} (${errors}); ` +
        `drain ≥ ${TARGET.drain}/s ${mark(drainRate >= TARGET.drain)} (${drainRate.toFixed(0)})`,
    );
  }
  p('');
  p(
    `ratios: service ÷ baseline (GraphQL rps is compared with the baseline's REST rps); p99 = service REST p99 ÷ baseline p99; rss_mb = service peak RSS.`,
  );
  p(`total ${totalS.toFixed(0)} s (this script; the build before it not included)`);
  for (const t of targets) p(t);
  for (const x of ratios) p(x);
  console.log(out.join('\n'));
}

// ------------------------------------------------------------------------------------------
// CPU profile of the service (node dist/bench/run.js --profile)
// ------------------------------------------------------------------------------------------

async function profile(): Promise<void> {
  const profDir = process.env.BENCH_PROF_DIR || '/tmp/prof';
  mkdirSync(profDir, { recursive: true });
  const db = await createDb('sqlite');
  try {
    const { token, userIds } = await prepare(db);
    // --cpu-prof writes the profile at a normal exit; Nest's shutdown hook re-raises the signal
    // after closing (no normal exit), so SIGUSR2 is made to exit normally first.
    const exitOnUsr2 = 'data:text/javascript,process.on("SIGUSR2",()=>process.exit(0))';
    const before = new Set(readdirSync(profDir));
    const spawnedAt = Date.now();
    const svc = await startService(db, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--import', exitOnUsr2]);
    const loadAt = Date.now();
    const f = await drive({
      base: `http://127.0.0.1:${svc.port}`,
      token,
      userIds,
      kind: process.env.BENCH_PROF_KIND === 'graphql' ? 'graphql' : 'rest',
      tag: 'prof',
      connections: CONNECTIONS,
      duration: num('BENCH_PROF_S', 10),
    });
    console.log(`  profiled ${process.env.BENCH_PROF_KIND ?? 'rest'} run ${line(f)}`);
    svc.child.kill('SIGUSR2');
    await svc.stop();
    const file = readdirSync(profDir)
      .filter((n) => n.endsWith('.cpuprofile') && !before.has(n))
      .sort()
      .pop();
    if (!file) throw new Error(`no .cpuprofile written in ${profDir}`);
    // start-up (module loading, Nest's wiring) is left out: samples from the first
    // (loadAt - spawnedAt) ms of the profile
    const skipMs = loadAt - spawnedAt;
    console.log(`\nprofile ${join(profDir, file)} — top self time under load (first ${skipMs} ms of start-up skipped):`);
    const sum = summariseCpuProfile(join(profDir, file), 15, skipMs);
    const show = (xs: { name: string; ms: number; pct: number }[]) =>
      xs.forEach((t, i) =>
        console.log(`${String(i + 1).padStart(3)}. ${t.ms.toFixed(0).padStart(6)} ms ${t.pct.toFixed(1).padStart(5)} %  ${t.name}`),
      );
    show(sum.functions);
    console.log(`\nself time by package (of ${sum.totalMs.toFixed(0)} ms):`);
    show(sum.packages);
  } finally {
    await db.cleanup();
  }
}

// ------------------------------------------------------------------------------------------
// SetEmail against UpdateUser's email path on one service (node dist/bench/run.js --compare-ops)
// ------------------------------------------------------------------------------------------

/**
 * The same address change through SetEmail and through UpdateUser's human.email, in short
 * alternating slices on one running service (REST, then GraphQL), so that the load of a shared
 * machine drifts over both alike. BENCH_SLICE_S (3) seconds per slice, BENCH_SLICES (4) pairs.
 */
async function compareOps(): Promise<void> {
  const sliceS = num('BENCH_SLICE_S', 3);
  const slices = num('BENCH_SLICES', 4);
  for (const kind of DBS) {
    const db = await createDb(kind);
    try {
      const { token, userIds } = await prepare(db);
      const svc = await startService(db);
      const base = `http://127.0.0.1:${svc.port}`;
      try {
        for (const k of ['rest', 'graphql'] as const) {
          const sums = { setEmail: 0, updateUser: 0 };
          const errors = { setEmail: 0, updateUser: 0 };
          for (let i = 0; i < slices; i++) {
            // alternate which goes first, so neither always meets a warmer or busier moment
            const order = i % 2 === 0 ? (['setEmail', 'updateUser'] as const) : (['updateUser', 'setEmail'] as const);
            for (const op of order) {
              const f = await drive({
                base,
                token,
                userIds,
                kind: k,
                tag: `${op}-${k}-${i}`,
                connections: CONNECTIONS,
                duration: sliceS,
                op,
              });
              sums[op] += f.rps;
              errors[op] += f.errors;
            }
          }
          const set = sums.setEmail / slices;
          const upd = sums.updateUser / slices;
          console.log(
            `${kind} ${k.padEnd(7)} SetEmail ${set.toFixed(0).padStart(5)} req/s  UpdateUser(human.email) ${upd.toFixed(0).padStart(5)} req/s  ` +
              `ratio ${(upd / set).toFixed(2)}  errors ${errors.setEmail}/${errors.updateUser}`,
          );
        }
      } finally {
        await stopChecked(svc);
      }
    } finally {
      await db.cleanup();
    }
  }
}

async function main(): Promise<void> {
  for (const f of [MAIN, WORKER, BASELINE]) if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
  if (process.argv.includes('--profile')) return profile();
  if (process.argv.includes('--compare-ops')) return compareOps();
  const started = Date.now();
  const results: DbResult[] = [];
  for (const kind of DBS) results.push(await benchDb(kind));
  report(results, (Date.now() - started) / 1000);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
