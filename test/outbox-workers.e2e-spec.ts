import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { OutboxMessageEntity, OutboxStatus } from '../src/database/entities/outbox-message.entity.js';
import { startApp, TestApp } from './support/app.js';
import { Api } from './support/client.js';
import { TEST_DB } from './support/database.js';
import { eventually, FaultSmtpSink } from './support/fault-smtp.js';
import { buildWorker, NodeProcess, startNode, WorkerBuild } from './support/processes.js';

/**
 * The standalone mail worker (src/worker.ts compiled as `npm run build` does, run with `node`) as
 * real processes on a real database: killed with SIGKILL in the middle of a batch and restarted,
 * and two of them draining one outbox side by side. Every mail must arrive; a duplicate is
 * allowed only for a mail that was in flight when the worker died (the sink said 250, the row
 * was not marked yet).
 */

/** Shared by the API that encrypts the payloads and the workers that decrypt them. */
const CODE_HMAC_KEY = 'outbox-workers-test-key-0123456789abcdef';
const MESSAGE_DOMAIN = 'localhost';

let build: WorkerBuild;
const processes: NodeProcess[] = [];
/** dist/'s build info before and after the private build (see the last test). */
const distBuildInfo = join(__dirname, '..', 'dist', 'tsconfig.build.tsbuildinfo');
const buildInfoOf = () => (existsSync(distBuildInfo) ? readFileSync(distBuildInfo, 'utf8') : null);
let buildInfoBefore: string | null = null;

beforeAll(async () => {
  buildInfoBefore = buildInfoOf();
  build = await buildWorker();
}, 200_000);

it('the private build leaves dist/ and its build info alone (else `npm run build` would take a stale dist/ for up to date)', () => {
  expect(buildInfoOf()).toBe(buildInfoBefore);
});

/** Kills whatever worker is still running (a failed wait leaves them), before their database goes. */
const stopWorkers = () => Promise.all(processes.map((p) => p.stop('SIGKILL')));

afterAll(async () => {
  await stopWorkers();
  build?.remove();
});

/** The API alone (MAIL_WORKER=off) on a fresh database: it only fills the outbox. */
async function startProducer(): Promise<TestApp> {
  return startApp({ MAIL_WORKER: 'off', CODE_HMAC_KEY, EMAIL_RESEND_COOLDOWN_SECONDS: '0', EMAIL_MAX_MAILS_PER_DAY: '0' });
}

/** N verification mails through SetEmail (sendCode) over REST, spread over users; returns the outbox IDs. */
async function enqueue(t: TestApp, n: number, tag: string): Promise<string[]> {
  const api = new Api(t.url, t.adminToken);
  const orgId = await api.addOrganization(`Workers ${tag}`);
  const perUser = 20;
  const users = Math.ceil(n / perUser);
  const lane = async (u: number) => {
    const userId = await api.addUser(orgId, `${tag}-u${u}`, `${tag}-u${u}-initial@workers.example.com`);
    for (let i = 0; i < perUser && u * perUser + i < n; i++) {
      const r = await api.setEmail('rest', userId, { email: `${tag}-u${u}-m${i}@workers.example.com`, sendCode: {} });
      if (!r.ok) throw new Error(`SetEmail #${u}/${i} failed: ${JSON.stringify(r.raw)}`);
    }
  };
  const parallel = 8;
  for (let first = 0; first < users; first += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, users - first) }, (_, k) => lane(first + k)));
  }
  const rows = await t.app
    .get(DataSource)
    .getRepository(OutboxMessageEntity)
    .find({ select: { id: true, status: true } });
  expect(rows).toHaveLength(n);
  expect(rows.every((r) => r.status === 'pending')).toBe(true);
  return rows.map((r) => r.id);
}

async function countByStatus(ds: DataSource): Promise<Partial<Record<OutboxStatus, number>>> {
  const rows = await ds.getRepository(OutboxMessageEntity).find({ select: { status: true } });
  const counts: Partial<Record<OutboxStatus, number>> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

function startWorker(name: string, t: TestApp, smtpUrl: string, env: Record<string, string> = {}): NodeProcess {
  const p = startNode(name, build.workerJs, {
    DATABASE_URL: t.db.url,
    DATA_DIR: join(t.db.dir, `data-${name}`),
    SMTP_URL: smtpUrl,
    CODE_HMAC_KEY,
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '200',
    ...env,
  });
  processes.push(p);
  return p;
}

/**
 * Waits for `done`, failing early (with the workers' output) if a worker exits on its own; on a
 * timeout the error tells where the outbox stood.
 */
async function until(what: string, ds: DataSource, workers: NodeProcess[], timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
  try {
    await eventually(
      async () => {
        const gone = workers.find((w) => !w.running);
        if (gone)
          throw new Error(`worker ${gone.name} exited while waiting for ${what}: ${JSON.stringify(await gone.exited)}\n${gone.output}`);
        return (await done()) ? true : undefined;
      },
      what,
      timeoutMs,
      100,
    );
  } catch (e) {
    const output = workers.map((w) => `--- ${w.name}:\n${w.output.slice(-4000)}`).join('\n');
    throw new Error(`${(e as Error).message}; outbox rows by status: ${JSON.stringify(await countByStatus(ds))}\n${output}`);
  }
}

const messageId = (id: string) => `<${id}@${MESSAGE_DOMAIN}>`;

describe(`standalone mail workers on ${TEST_DB}`, () => {
  it('a worker killed with SIGKILL in the middle of a batch and restarted loses no mail', async () => {
    const N = 200;
    const t = await startProducer();
    const sink = await new FaultSmtpSink({ dataDelayMs: 20 }).start();
    try {
      const ds = t.app.get(DataSource);
      const ids = await enqueue(t, N, 'kill');

      const first = startWorker('first', t, sink.url, { OUTBOX_LEASE_MS: '2000' });
      await until('30% of the mails to arrive', ds, [first], 60_000, async () => sink.accepted.length >= N * 0.3);
      const killed = await first.stop('SIGKILL');
      expect(killed.signal).toBe('SIGKILL');
      // the dead worker's sockets are closed now; let the sink settle its last answers
      await new Promise((r) => setTimeout(r, 100));
      const atKill = await ds.getRepository(OutboxMessageEntity).find({ select: { id: true }, where: { status: 'sending' } });
      const inFlight = new Set(atKill.map((r) => r.id));
      const deliveredAtKill = sink.accepted.length;
      const statusesAtKill = await countByStatus(ds);

      const started = Date.now();
      const second = startWorker('second', t, sink.url, { OUTBOX_LEASE_MS: '2000' });
      await until(`all ${N} rows to be sent`, ds, [second], 60_000, async () => (await countByStatus(ds)).sent === N);
      const drainMs = Date.now() - started;
      await second.stop('SIGTERM');

      const counts = sink.deliveriesById();
      const expected = new Set(ids.map(messageId));
      expect([...counts.keys()].filter((m) => !expected.has(m))).toEqual([]);
      expect(ids.filter((id) => !counts.has(messageId(id)))).toEqual([]);
      const duplicated = ids.filter((id) => (counts.get(messageId(id)) ?? 0) > 1);
      const duplicates = sink.accepted.length - counts.size;
      console.log(
        `SIGKILL on ${TEST_DB}: ${N} mails, killed after ${deliveredAtKill} delivered with ${inFlight.size} rows 'sending' ` +
          `(statuses ${JSON.stringify(statusesAtKill)}); restart drained the rest in ${drainMs} ms; ` +
          `${duplicates} duplicate(s)${duplicated.length ? `: ${duplicated.join(', ')}` : ''}`,
      );
      // a duplicate is a mail whose 250 came back just before the kill, before its row said so
      expect(duplicates).toBeLessThanOrEqual(inFlight.size);
      expect(duplicated.filter((id) => !inFlight.has(id))).toEqual([]);
      expect(duplicated.every((id) => counts.get(messageId(id)) === 2)).toBe(true);

      const rows = await ds.getRepository(OutboxMessageEntity).find();
      expect(rows.filter((r) => r.status !== 'sent' || r.payload !== null || r.sentAt === null).map((r) => r.id)).toEqual([]);
    } finally {
      await stopWorkers();
      await sink.stop();
      await t.close();
    }
  }, 200_000);

  /** Two workers started together on one outbox: every mail goes out exactly once, and both take part. */
  async function twoWorkers(N: number) {
    const t = await startProducer();
    const sink = await new FaultSmtpSink().start();
    try {
      const ds = t.app.get(DataSource);
      const ids = await enqueue(t, N, 'pair');
      const started = Date.now();
      // the EHLO name tells the sink which worker a mail came from
      const a = startWorker('a', t, `${sink.url}/?name=worker-a`);
      const b = startWorker('b', t, `${sink.url}/?name=worker-b`);
      await until(`all ${N} rows to be sent`, ds, [a, b], 90_000, async () => (await countByStatus(ds)).sent === N);
      const drainMs = Date.now() - started;
      await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);

      const counts = sink.deliveriesById();
      const firstAt = Math.min(...sink.accepted.map((m) => m.at));
      const lastAt = Math.max(...sink.accepted.map((m) => m.at));
      const byWorker = {
        a: sink.accepted.filter((m) => m.client === 'worker-a').length,
        b: sink.accepted.filter((m) => m.client === 'worker-b').length,
      };
      console.log(
        `two workers on ${TEST_DB}: ${N} mails in ${drainMs} ms (${Math.round((N * 1000) / drainMs)} mails/s, process start included; ` +
          `${Math.round((N * 1000) / Math.max(1, lastAt - firstAt))} mails/s from the first to the last 250); ` +
          `worker a sent ${byWorker.a}, worker b ${byWorker.b}; ${sink.accepted.length - counts.size} duplicate(s)`,
      );
      expect(ids.map((id) => counts.get(messageId(id)) ?? 0).filter((c) => c !== 1)).toEqual([]);
      expect(sink.accepted).toHaveLength(N);
      expect(byWorker.a + byWorker.b).toBe(N);
      // both drained: neither worker may take the whole outbox in one claim
      expect({ a: byWorker.a > 0, b: byWorker.b > 0 }).toEqual({ a: true, b: true });
      const rows = await ds.getRepository(OutboxMessageEntity).find();
      expect(
        rows.filter((r) => r.status !== 'sent' || r.attempts !== 1 || r.payload !== null).map((r) => `${r.id}:${r.status}:${r.attempts}`),
      ).toEqual([]);
    } finally {
      await stopWorkers();
      await sink.stop();
      await t.close();
    }
  }

  if (TEST_DB === 'postgres') {
    it('two workers drain 1,000 mails in parallel (FOR UPDATE SKIP LOCKED): each delivered exactly once', () => twoWorkers(1000), 200_000);
  } else {
    it('two workers drain 300 mails in parallel (one atomic claim UPDATE): each delivered exactly once', () => twoWorkers(300), 200_000);
  }
});
