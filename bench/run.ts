/**
 * `npm run bench`: SetEmail throughput of the server as users run it, against a plain node:http
 * baseline doing the same work (bench/baseline/server.ts), on SQLite and PostgreSQL.
 *
 *   npm run bench                       # build, then this script (about 11 minutes on 2 cores)
 *   node dist/bench/run.js --profile    # SQLite only: a CPU profile of the service under load
 *   node dist/bench/run.js --compare-ops  # SetEmail vs UpdateUser's email path, alternating slices on one service
 *   node dist/bench/run.js --compare-actions  # SetEmail with one action execution vs none, alternating slices on one service
 *
 * Environment (all optional): BENCH_DBS=sqlite,postgres  BENCH_DURATION_S=12 (per run)  BENCH_WARMUP_S=1
 * BENCH_ROUNDS=2  BENCH_MODES=returnCode,sendCode  BENCH_CONFIGS=default,tuned (also: warn)  BENCH_USERS=2000
 * BENCH_CONNECTIONS=50  BENCH_DRAIN_S=6  BENCH_OUTBOX_CONCURRENCY=16
 * BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test  BENCH_KEEP=1 (keep the databases)
 * BENCH_ACTIONS=1 (one action execution on the group user.human.email, so every SetEmail also
 * writes its action calls — changed, and code-added in sendCode mode — in its transaction)
 * Profile: BENCH_PROF_KIND=rest|graphql  BENCH_PROF_MODE=sendCode|returnCode  (on the first of BENCH_DBS)
 * BENCH_PROF_CONFIG=default|tuned|warn|baseline  BENCH_PROF_S=10  BENCH_PROF_DIR=/tmp/prof
 *
 * Two configurations of the service, both with the command and flags of `npm start`/`start:prod`:
 *  - default: what `npm start` runs with nothing set — LOG_LEVEL=info (an access line per
 *    request on stdout), no NODE_ENV. The headline.
 *  - tuned:   LOG_LEVEL=warn NODE_ENV=production.
 * Two modes of SetEmail: returnCode (the code in the answer, no outbox row: the framework's
 * share shows) and sendCode (the default: an outbox row per request, for the mail worker).
 *
 * Per database:
 *  1. Preparation: a fresh database (SQLite file in a temp dir; PostgreSQL `CREATE DATABASE`).
 *     The service migrates it, bootstraps the admin PAT, and gets an organisation and the users
 *     through the API.
 *  2. Rounds on that one database, every server alone on the machine and started fresh, its
 *     stdout and stderr to a file: baseline → service default → service tuned, the next round in
 *     the opposite order (so that tables growing during the run weigh on both sides alike). Each
 *     server is driven per mode (and the service per transport, REST then GraphQL) with
 *     autocannon (in this process), 50 connections × BENCH_DURATION_S, every request a new
 *     address for the next user round-robin, after a BENCH_WARMUP_S (1 s) load on every path of
 *     that server, not counted. Figures are the MEAN over the rounds; ratios are
 *     service ÷ baseline of the same mode (GraphQL too is compared with the baseline's REST).
 *     Errors are non-2xx answers, socket errors and timeouts, and GraphQL answers carrying `errors`.
 *     CPU per request is the server's user + system time over the run ÷ its requests.
 *  3. Outbox drain: the service's own worker (`node dist/src/worker.js`) delivers the outbox
 *     rows the sendCode runs wrote (the baseline's too) over pooled SMTP to a local smtp-server
 *     sink in this process; mails/s from the first delivered mail to the last, over a window of
 *     at most BENCH_DRAIN_S (6) s or until all are delivered.
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
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createUsers,
  drive,
  freePort,
  type Figures,
  type Mode,
  type Proc,
  sleep,
  startProc,
  startSmtpSink,
  summariseCpuProfile,
} from './lib.js';

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
const list = <T extends string>(name: string, def: T[], allowed: readonly T[]): T[] => {
  const xs = (process.env[name] || def.join(',')).split(',').map((s) => s.trim()) as T[];
  for (const x of xs) if (!allowed.includes(x)) throw new Error(`${name}: "${x}" is not one of ${allowed.join(', ')}`);
  return xs;
};
const DURATION_S = num('BENCH_DURATION_S', 12);
const WARMUP_S = num('BENCH_WARMUP_S', 1);
const USERS = num('BENCH_USERS', 2000);
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const ROUNDS = num('BENCH_ROUNDS', 2);
const DRAIN_WINDOW_S = num('BENCH_DRAIN_S', 6);
const OUTBOX_CONCURRENCY = num('BENCH_OUTBOX_CONCURRENCY', 16);
const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
type DbKind = 'sqlite' | 'postgres';
const ACTIONS = process.env.BENCH_ACTIONS === '1';
const DBS = list<DbKind>('BENCH_DBS', ['sqlite', 'postgres'], ['sqlite', 'postgres']);
const MODES = list<Mode>('BENCH_MODES', ['returnCode', 'sendCode'], ['returnCode', 'sendCode']);
const CODE_HMAC_KEY = 'bench-fixed-code-hmac-key-0123456789abcdef';

type ConfigName = 'default' | 'tuned' | 'warn';
/** The service's configurations: the environment each adds to the common one. */
const CONFIGS: Record<ConfigName, { label: string; env: Record<string, string> }> = {
  default: { label: 'defaults (LOG_LEVEL=info, no NODE_ENV)', env: {} },
  tuned: { label: 'LOG_LEVEL=warn NODE_ENV=production', env: { LOG_LEVEL: 'warn', NODE_ENV: 'production' } },
  // not in the default run: the defaults without the access lines, to price them
  warn: { label: 'LOG_LEVEL=warn, no NODE_ENV', env: { LOG_LEVEL: 'warn' } },
};
const CONFIG_NAMES = list<ConfigName>('BENCH_CONFIGS', ['default', 'tuned'], ['default', 'tuned', 'warn']);

/** Issue 14's targets, at the default configuration, per database and mode. */
const TARGET = { rest: 0.7, graphql: 0.55, p99: 1.8, rssMb: 150, drain: 800 };

interface Db {
  kind: DbKind;
  dir: string;
  /** The one database both servers use, one at a time. */
  url: string;
  cleanup(): Promise<void>;
}

// ------------------------------------------------------------------------------------------
// processes
// ------------------------------------------------------------------------------------------

let logSeq = 0;
const logFile = (db: Db, name: string) => join(db.dir, `${String(++logSeq).padStart(2, '0')}-${name}.log`);

/** The service's environment as `npm start` gets it with nothing set, plus the bench's own settings. */
function serviceEnv(db: Db, port: number, grpcPort: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    DATABASE_URL: db.url,
    DATA_DIR: join(db.dir, 'svc'),
    MAIL_DIR: join(db.dir, 'svc', 'mail'),
    MAIL_WORKER: 'off',
    EMAIL_RESEND_COOLDOWN_SECONDS: '0',
    EMAIL_MAX_MAILS_PER_DAY: '0',
    // the write rate limits stay on (their counting is part of the request's cost) but high
    // enough never to refuse: the defaults (6,000/min per token and per IP) would 429 the load
    RATE_LIMIT_WRITES_PER_TOKEN: '10000000',
    RATE_LIMIT_WRITES_PER_IP: '10000000',
    CODE_HMAC_KEY,
    ...(ACTIONS ? { ACTIONS_ALLOW_PRIVATE_NETWORKS: 'true' } : {}),
    ...PROD.env,
    ...extra,
  };
}

async function startService(
  db: Db,
  config: ConfigName,
  nodeArgs: string[] = SERVICE_NODE_FLAGS,
  env: Record<string, string> = {},
): Promise<Proc> {
  const port = await freePort();
  const grpcPort = await freePort();
  const name = `service-${config}(${db.kind})`;
  return startProc(name, [...nodeArgs, MAIN], serviceEnv(db, port, grpcPort, { ...CONFIGS[config].env, ...env }), port, logFile(db, name));
}

async function startBaseline(db: Db, nodeArgs: string[] = []): Promise<Proc> {
  const port = await freePort();
  const name = `baseline(${db.kind})`;
  return startProc(
    name,
    [...nodeArgs, BASELINE],
    { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: db.url, CODE_HMAC_KEY },
    port,
    logFile(db, name),
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
      url: `sqlite:${join(dir, 'bench.db')}`,
      cleanup: async () => {
        if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `bench_${process.pid}_${Date.now().toString(36)}`;
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  await pgAdmin((q) => q(`CREATE DATABASE "${name}"`));
  return {
    kind,
    dir,
    url: u.toString(),
    cleanup: async () => {
      if (process.env.BENCH_KEEP) return;
      rmSync(dir, { recursive: true, force: true });
      await pgAdmin((q) => q(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** One query on the bench's database, read-only. */
async function query<T>(db: Db, sql: string): Promise<T[]> {
  if (db.kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(db.url.slice('sqlite:'.length), { readonly: true });
    try {
      return conn.prepare(sql).all() as T[];
    } finally {
      conn.close();
    }
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function outboxStates(db: Db): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: number | string }>(db, 'SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** How big the tables that grow have grown (PostgreSQL: with dead rows and autovacuum runs). */
async function tableSizes(db: Db): Promise<string> {
  if (db.kind === 'sqlite') {
    const [e] = await query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM user_events');
    const [o] = await query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM mail_outbox');
    return `user_events ${e!.n} rows, mail_outbox ${o!.n} rows`;
  }
  const rows = await query<{ relname: string; live: string; dead: string; autovacuums: string; size: string }>(
    db,
    `SELECT relname, n_live_tup AS live, n_dead_tup AS dead, autovacuum_count + autoanalyze_count AS autovacuums,
            pg_size_pretty(pg_total_relation_size(relid)) AS size
       FROM pg_stat_user_tables WHERE relname IN ('user_events', 'mail_outbox', 'users', 'email_codes') ORDER BY relname`,
  );
  return rows.map((r) => `${r.relname} ${r.live} live/${r.dead} dead rows, ${r.size}, ${r.autovacuums} auto-vacuum/analyze`).join('; ');
}

// ------------------------------------------------------------------------------------------
// one database
// ------------------------------------------------------------------------------------------

type Who = 'baseline' | ConfigName;
type Transport = 'rest' | 'graphql';

interface Run {
  who: Who;
  mode: Mode;
  transport: Transport;
  round: number;
  f: Figures;
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
  runs: Run[];
  /** Peak RSS of each server process, by who and round. */
  rss: { who: Who; round: number; mb: number }[];
  sizes?: string;
  drain?: Drain;
  failure?: string;
}

async function prepare(db: Db): Promise<{ token: string; userIds: string[] }> {
  const svc = await startService(db, 'tuned');
  try {
    const token = readFileSync(join(db.dir, 'svc', 'admin.pat'), 'utf8').trim();
    const { userIds } = await createUsers(`http://127.0.0.1:${svc.port}`, token, db.kind, USERS);
    if (ACTIONS) await configureAction(`http://127.0.0.1:${svc.port}`, token);
    return { token, userIds };
  } finally {
    await stopChecked(svc);
  }
}

/**
 * BENCH_ACTIONS=1: the target, a receiver in this process that answers 204 (the drain's worker
 * delivers the calls to it beside the mails; the service runs with MAIL_WORKER=off, so during
 * the load the calls are only written, as part of each request).
 */
let actionReceiverPort = 0;
async function actionReceiver(): Promise<number> {
  if (actionReceiverPort) return actionReceiverPort;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  actionReceiverPort = (server.address() as AddressInfo).port;
  return actionReceiverPort;
}

/** A call of the ActionService's REST routes as the admin. */
async function actionsApi(base: string, token: string, method: string, path: string, body: unknown): Promise<{ id: string }> {
  const r = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string };
}

/** A restAsync target on this process's receiver. */
async function createActionTarget(base: string, token: string): Promise<string> {
  const target = await actionsApi(base, token, 'POST', '/v2beta/actions/targets', {
    name: 'bench',
    endpoint: `http://127.0.0.1:${await actionReceiver()}/hook`,
    timeout: '5s',
    restAsync: {},
  });
  return target.id;
}

/** The execution of the group user.human.email: these targets, or none. */
async function setEmailExecution(base: string, token: string, targets: string[]): Promise<void> {
  await actionsApi(base, token, 'PUT', '/v2beta/actions/executions', { condition: { event: { group: 'user.human.email' } }, targets });
}

/** BENCH_ACTIONS=1: a target and one execution for the group user.human.email. */
async function configureAction(base: string, token: string): Promise<void> {
  await setEmailExecution(base, token, [await createActionTarget(base, token)]);
}

async function drain(db: Db): Promise<Drain> {
  const expected = (await outboxStates(db)).pending ?? 0;
  const sink = await startSmtpSink();
  const env = serviceEnv(db, 0, 0, { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, OUTBOX_CONCURRENCY: String(OUTBOX_CONCURRENCY) });
  const worker = await startProc(`worker(${db.kind})`, [WORKER], env, null, logFile(db, 'worker'));
  let note: string | undefined;
  let output = '';
  const spawnedAt = Date.now();
  try {
    const startDeadline = Date.now() + 60_000;
    while (sink.count() === 0 && Date.now() < startDeadline && worker.child.exitCode === null) await sleep(50);
    if (sink.count() === 0) {
      note = `no mail arrived within 60 s (a start-up that slow means a saturated machine); worker output: ${worker.output().slice(-1500)}`;
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

const whoName = (w: Who) => (w === 'baseline' ? 'baseline' : `service ${w}`);

async function benchDb(kind: DbKind): Promise<DbResult> {
  const result: DbResult = { kind, setupS: 0, runs: [], rss: [] };
  let db: Db | undefined;
  try {
    console.log(`\n== ${kind} ==`);
    const t0 = Date.now();
    db = await createDb(kind);
    const { token, userIds } = await prepare(db);
    result.setupS = (Date.now() - t0) / 1000;
    console.log(`  prepared in ${result.setupS.toFixed(1)} s (migrations, bootstrap, organisation, ${USERS} users through the API)`);
    for (let round = 1; round <= ROUNDS; round++) {
      // baseline → default → tuned, then the other way round: growing tables weigh on both alike
      const order: Who[] = ['baseline', ...CONFIG_NAMES];
      if (round % 2 === 0) order.reverse();
      for (const who of order) {
        const proc = who === 'baseline' ? await startBaseline(db) : await startService(db, who);
        const base = `http://127.0.0.1:${proc.port}`;
        try {
          const transports = who === 'baseline' ? (['rest'] as const) : (['rest', 'graphql'] as const);
          // a fresh process compiles its hot paths during the first requests: each server gets
          // the same short load on every path before anything is measured
          for (const mode of MODES)
            for (const transport of transports)
              if (WARMUP_S > 0)
                await drive({
                  base,
                  token,
                  userIds,
                  kind: transport,
                  mode,
                  tag: `warm-${who}-${round}-${mode}-${transport}`,
                  connections: CONNECTIONS,
                  duration: WARMUP_S,
                });
          for (const mode of MODES) {
            for (const transport of transports) {
              const f = await drive({
                base,
                token,
                userIds,
                kind: transport,
                mode,
                tag: `${who}-${round}-${mode}-${transport}`,
                connections: CONNECTIONS,
                duration: DURATION_S,
                pid: proc.child.pid,
              });
              result.runs.push({ who, mode, transport, round, f });
              console.log(`  round ${round} ${whoName(who).padEnd(15)} ${mode.padEnd(10)} ${transport.padEnd(7)} ${line(f)}`);
            }
          }
        } catch (e) {
          await stopChecked(proc);
          throw new Error(`${(e as Error).message}\n${proc.name} output: ${proc.output().slice(-1500)}`);
        }
        const mb = await stopChecked(proc);
        result.rss.push({ who, round, mb });
        console.log(`  round ${round} ${whoName(who).padEnd(15)} peak rss ${mb.toFixed(0)} MB`);
      }
    }
    result.sizes = await tableSizes(db);
    console.log(`  tables after the runs: ${result.sizes}`);
    if (MODES.includes('sendCode')) {
      console.log(`  draining the outbox ...`);
      result.drain = await drain(db);
    }
  } catch (e) {
    result.failure = (e as Error).stack ?? String(e);
    console.log(`  FAILED: ${result.failure}`);
  } finally {
    await db?.cleanup().catch((e) => console.log(`  cleanup failed: ${(e as Error).message}`));
  }
  return result;
}

const line = (f: Figures) =>
  `${f.rps.toFixed(0).padStart(6)} req/s  p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(4)} ms  cpu ${f.cpuUsPerReq.toFixed(0).padStart(4)} µs/req  errors ${f.errors}${f.sample ? `  first failure: ${f.sample}` : ''}`;

// ------------------------------------------------------------------------------------------
// report
// ------------------------------------------------------------------------------------------

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

interface Agg {
  rps: number;
  p50: number;
  p99: number;
  cpu: number;
  total: number;
  errors: number;
  rounds: number;
}

function agg(runs: Run[]): Agg {
  return {
    rps: mean(runs.map((x) => x.f.rps)),
    p50: mean(runs.map((x) => x.f.p50)),
    p99: mean(runs.map((x) => x.f.p99)),
    cpu: mean(runs.map((x) => x.f.cpuUsPerReq)),
    total: runs.reduce((a, x) => a + x.f.total, 0),
    errors: runs.reduce((a, x) => a + x.f.errors, 0),
    rounds: runs.length,
  };
}

function report(results: DbResult[], totalS: number): void {
  const out: string[] = [];
  const p = (s = '') => out.push(s);
  const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  p('');
  p('=================================================================================================');
  p(
    `SetEmail benchmark — ${USERS} users, ${CONNECTIONS} connections × ${DURATION_S} s per run, ${ROUNDS} rounds per database on one database`,
  );
  p(
    `(baseline → service configurations, the next round in the opposite order; each server warmed up ${WARMUP_S} s per path first); figures are the MEAN over the rounds.`,
  );
  p(`Configurations: ${CONFIG_NAMES.map((c) => `${c} = ${CONFIGS[c].label}`).join('; ')}.`);
  p('Both: MAIL_WORKER=off, EMAIL_RESEND_COOLDOWN_SECONDS=0, EMAIL_MAX_MAILS_PER_DAY=0 (mail limits off), stdout to a file.');
  if (ACTIONS) p('BENCH_ACTIONS=1: one action execution (group user.human.email): each SetEmail also writes its action calls.');
  const command = [...Object.entries(PROD.env).map(([k, v]) => `${k}=${v}`), 'node', ...SERVICE_NODE_FLAGS].join(' ');
  p(
    `Service command: ${command} dist/src/main.js (as npm run start:prod${process.env.BENCH_NODE_FLAGS !== undefined ? ', flags from BENCH_NODE_FLAGS' : ''}).`,
  );
  const summary: string[] = [];
  const targets: string[] = [];
  for (const r of results) {
    p('');
    p(`--- ${r.kind} --- ${r.sizes ? `(tables after the runs: ${r.sizes})` : ''}`);
    if (r.failure && r.runs.length === 0) {
      p(`FAILED before any run: ${r.failure.split('\n').slice(0, 6).join('\n  ')}`);
      targets.push(`targets ${r.kind}: not met (the run failed)`);
      continue;
    }
    p(
      'mode        run                        req/s   p50 ms   p99 ms  CPU µs/req  requests  errors  peak RSS MB   rps ratio  p99 ratio  CPU ratio  rps ratio per round',
    );
    const rssOf = (who: Who) => Math.max(0, ...r.rss.filter((x) => x.who === who).map((x) => x.mb));
    for (const mode of MODES) {
      const base = agg(r.runs.filter((x) => x.who === 'baseline' && x.mode === mode));
      const baseByRound = new Map(r.runs.filter((x) => x.who === 'baseline' && x.mode === mode).map((x) => [x.round, x.f.rps]));
      const row = (name: string, a: Agg, rss: number, perRound: number[]) =>
        p(
          `${mode.padEnd(11)} ${name.padEnd(24)} ${a.rps.toFixed(1).padStart(8)} ${a.p50.toFixed(1).padStart(8)} ${a.p99.toFixed(1).padStart(8)} ${a.cpu
            .toFixed(0)
            .padStart(
              11,
            )} ${String(a.total).padStart(9)} ${String(a.errors).padStart(7)} ${rss.toFixed(0).padStart(12)} ${f2(a.rps / base.rps).padStart(11)} ${f2(
            a.p99 / base.p99,
          ).padStart(10)} ${f2(a.cpu / base.cpu).padStart(10)}  ${perRound.map(f2).join(' ')}`,
        );
      row('baseline REST', base, rssOf('baseline'), []);
      const ratios: Partial<Record<ConfigName, Partial<Record<Transport, Agg>>>> = {};
      for (const c of CONFIG_NAMES) {
        for (const t of ['rest', 'graphql'] as const) {
          const runs = r.runs.filter((x) => x.who === c && x.mode === mode && x.transport === t);
          if (!runs.length) continue;
          const a = agg(runs);
          (ratios[c] ??= {})[t] = a;
          row(
            `service ${c} ${t === 'rest' ? 'REST' : 'GraphQL'}`,
            a,
            rssOf(c),
            runs.map((x) => x.f.rps / (baseByRound.get(x.round) ?? NaN)),
          );
        }
        const rest = ratios[c]?.rest;
        const gql = ratios[c]?.graphql;
        if (!rest || !gql) continue;
        summary.push(
          `| ${CONFIGS[c].label} | ${r.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${mode} | ${f2(rest.rps / base.rps)} | ${f2(gql.rps / base.rps)} | ` +
            `${f2(rest.p99 / base.p99)} / ${f2(gql.p99 / base.p99)} | ${f2(rest.cpu / base.cpu)} / ${f2(gql.cpu / base.cpu)} | ${rssOf(c).toFixed(0)} | ${rest.errors + gql.errors} |`,
        );
        if (c === 'default') {
          const mark = (ok: boolean) => (ok ? 'met' : 'NOT MET');
          const restR = rest.rps / base.rps;
          const gqlR = gql.rps / base.rps;
          const p99R = rest.p99 / base.p99;
          targets.push(
            `targets ${r.kind} ${mode} (default configuration): rest_rps ≥ ${TARGET.rest} ${mark(restR >= TARGET.rest)} (${f2(restR)}); ` +
              `graphql_rps ≥ ${TARGET.graphql} ${mark(gqlR >= TARGET.graphql)} (${f2(gqlR)}); ` +
              `p99 ≤ ${TARGET.p99}× ${mark(p99R <= TARGET.p99)} (${f2(p99R)}; GraphQL ${f2(gql.p99 / base.p99)}); ` +
              `rss ≤ ${TARGET.rssMb} MB ${mark(rssOf(c) <= TARGET.rssMb)} (${rssOf(c).toFixed(0)}); ` +
              `zero errors ${mark(rest.errors + gql.errors === 0 && !r.failure)} (${rest.errors + gql.errors})`,
          );
        }
      }
    }
    p('(requests and errors: sums over the rounds; peak RSS: the highest of the rounds; ratios: to the baseline of the same mode)');
    const d = r.drain;
    if (d) {
      p(
        `outbox drain: ${d.rate.toFixed(0)} mails/s to the local SMTP sink (${d.mails} mails in ${d.seconds.toFixed(1)} s, pooled SMTP, ` +
          `OUTBOX_CONCURRENCY=${OUTBOX_CONCURRENCY}, window ≤ ${DRAIN_WINDOW_S} s from the first mail, which came ${d.firstAfterS?.toFixed(1) ?? '-'} s after the worker's spawn; ` +
          `${d.queued} queued; outbox after: ${JSON.stringify(d.states)})`,
      );
      if (d.note) p(`  drain note: ${d.note}`);
      targets.push(`targets ${r.kind} drain ≥ ${TARGET.drain}/s ${d.rate >= TARGET.drain ? 'met' : 'NOT MET'} (${d.rate.toFixed(0)})`);
    } else p('outbox drain: not measured');
    if (r.failure) p(`FAILED after ${r.runs.length} run(s): ${r.failure.split('\n').slice(0, 6).join('\n  ')}`);
  }
  p('');
  p('Summary (service ÷ baseline of the same mode, same run; GraphQL too is compared with the baseline REST):');
  p('');
  p(
    '| configuration | database | mode | REST req/s | GraphQL req/s | p99 REST / GraphQL | CPU per request REST / GraphQL | peak RSS MB | errors |',
  );
  p('|---|---|---|---|---|---|---|---|---|');
  for (const s of summary) p(s);
  p('');
  p(`total ${totalS.toFixed(0)} s (this script; the build before it not included)`);
  for (const t of targets) p(t);
  console.log(out.join('\n'));
}

// ------------------------------------------------------------------------------------------
// CPU profile of the service (node dist/bench/run.js --profile)
// ------------------------------------------------------------------------------------------

async function profile(): Promise<void> {
  const profDir = process.env.BENCH_PROF_DIR || '/tmp/prof';
  mkdirSync(profDir, { recursive: true });
  const kind = process.env.BENCH_PROF_KIND === 'graphql' ? 'graphql' : 'rest';
  const mode: Mode = process.env.BENCH_PROF_MODE === 'returnCode' ? 'returnCode' : 'sendCode';
  // `baseline`: the raw baseline's profile, to hold the service's beside
  const config = list<ConfigName | 'baseline'>('BENCH_PROF_CONFIG', ['default'], ['default', 'tuned', 'warn', 'baseline'])[0]!;
  const db = await createDb(DBS[0]!);
  try {
    const { token, userIds } = await prepare(db);
    // --cpu-prof writes the profile at a normal exit; Nest's shutdown hook re-raises the signal
    // after closing (no normal exit), so SIGUSR2 is made to exit normally first.
    const exitOnUsr2 = 'data:text/javascript,process.on("SIGUSR2",()=>process.exit(0))';
    const before = new Set(readdirSync(profDir));
    const spawnedAt = Date.now();
    const profFlags = ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--import', exitOnUsr2];
    const svc =
      config === 'baseline' ? await startBaseline(db, profFlags) : await startService(db, config, [...SERVICE_NODE_FLAGS, ...profFlags]);
    const loadAt = Date.now();
    const f = await drive({
      base: `http://127.0.0.1:${svc.port}`,
      token,
      userIds,
      kind,
      mode,
      tag: 'prof',
      connections: CONNECTIONS,
      duration: num('BENCH_PROF_S', 10),
      pid: svc.child.pid,
    });
    console.log(`  profiled ${kind} ${mode} (${config} configuration) run ${line(f)}`);
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
    const sum = summariseCpuProfile(join(profDir, file), num('BENCH_PROF_TOP', 25), skipMs);
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
 * The same address change through SetEmail and through UpdateUser's human.email (spec §10), in
 * short alternating slices on one running service (REST, then GraphQL), so that the load of a
 * shared machine drifts over both alike. BENCH_SLICE_S (3) seconds per slice, BENCH_SLICES (4) pairs.
 */
/**
 * Runs two variants in `slices` alternating pairs (which goes first alternates too, so neither
 * always meets a warmer or busier moment); their mean requests per second and their errors.
 */
async function alternate<V extends string>(
  variants: readonly [V, V],
  slices: number,
  run: (variant: V, slice: number) => Promise<{ rps: number; errors: number; cpuUsPerReq: number }>,
): Promise<{ rps: Record<V, number>; errors: Record<V, number>; cpu: Record<V, number> }> {
  const rps = { [variants[0]]: 0, [variants[1]]: 0 } as Record<V, number>;
  const errors = { [variants[0]]: 0, [variants[1]]: 0 } as Record<V, number>;
  // the server's CPU per request (when the run was given its pid): less swayed than req/s by
  // what else the machine runs meanwhile
  const cpu = { [variants[0]]: 0, [variants[1]]: 0 } as Record<V, number>;
  // first each variant once, not counted (slice -1: BENCH_WARMUP_S long), so that neither side's
  // first slice pays for compiling its code path or loading what it caches
  if (WARMUP_S > 0) for (const v of variants) await run(v, -1);
  for (let i = 0; i < slices; i++) {
    for (const v of i % 2 === 0 ? variants : ([variants[1], variants[0]] as const)) {
      const f = await run(v, i);
      rps[v] += f.rps / slices;
      errors[v] += f.errors;
      cpu[v] += f.cpuUsPerReq / slices;
    }
  }
  return { rps, errors, cpu };
}

async function compareOps(): Promise<void> {
  const sliceS = num('BENCH_SLICE_S', 3);
  const slices = num('BENCH_SLICES', 4);
  for (const kind of DBS) {
    const db = await createDb(kind);
    try {
      const { token, userIds } = await prepare(db);
      const svc = await startService(db, CONFIG_NAMES[0]!);
      const base = `http://127.0.0.1:${svc.port}`;
      try {
        for (const k of ['rest', 'graphql'] as const) {
          const r = await alternate(['setEmail', 'updateUser'] as const, slices, (op, i) =>
            drive({
              base,
              token,
              userIds,
              kind: k,
              mode: 'sendCode',
              tag: `${op}-${k}-${i}`,
              connections: CONNECTIONS,
              duration: i < 0 ? WARMUP_S : sliceS,
              op,
              pid: svc.child.pid,
            }),
          );
          const set = r.rps.setEmail;
          const upd = r.rps.updateUser;
          console.log(
            `${kind} ${k.padEnd(7)} SetEmail ${set.toFixed(0).padStart(5)} req/s  UpdateUser(human.email) ${upd.toFixed(0).padStart(5)} req/s  ` +
              `ratio ${(upd / set).toFixed(2)}  errors ${r.errors.setEmail}/${r.errors.updateUser}`,
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

// SetEmail with one action execution against none, on one service (node dist/bench/run.js --compare-actions)

/**
 * The cost of actions (spec §9) measured as the SetEmail figures with one execution configured
 * (group user.human.email, one restAsync target: two calls per change) against none, on ONE
 * service and database: slices alternate between the two (the execution set and removed through
 * the API between them, which drops the routing cache), in turns, so table growth and a shared
 * machine's drift weigh on both alike. BENCH_SLICE_S (3) seconds per slice, BENCH_SLICES (4)
 * pairs, BENCH_MODES for the modes.
 */
async function compareActions(): Promise<void> {
  const sliceS = num('BENCH_SLICE_S', 3);
  const slices = num('BENCH_SLICES', 4);
  for (const kind of DBS) {
    const db = await createDb(kind);
    try {
      const { token, userIds } = await prepare(db);
      const svc = await startService(db, CONFIG_NAMES[0]!, SERVICE_NODE_FLAGS, { ACTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
      const base = `http://127.0.0.1:${svc.port}`;
      try {
        const targetId = await createActionTarget(base, token);
        for (const mode of MODES) {
          for (const k of ['rest', 'graphql'] as const) {
            const r = await alternate(['with', 'without'] as const, slices, async (side, i) => {
              await setEmailExecution(base, token, side === 'with' ? [targetId] : []);
              return drive({
                base,
                token,
                userIds,
                kind: k,
                mode,
                tag: `actions-${side}-${k}-${i}`,
                connections: CONNECTIONS,
                duration: i < 0 ? WARMUP_S : sliceS,
                pid: svc.child.pid,
              });
            });
            const on = r.rps.with;
            const off = r.rps.without;
            console.log(
              `${kind} ${mode.padEnd(10)} ${k.padEnd(7)} without actions ${off.toFixed(0).padStart(5)} req/s  with one execution ${on.toFixed(0).padStart(5)} req/s  ` +
                `ratio ${(on / off).toFixed(2)}  CPU per request ${r.cpu.without.toFixed(0)} / ${r.cpu.with.toFixed(0)} µs (ratio ${(r.cpu.without / r.cpu.with).toFixed(2)})  ` +
                `errors ${r.errors.without}/${r.errors.with}`,
            );
          }
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
  if (process.argv.includes('--compare-actions')) return compareActions();
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
