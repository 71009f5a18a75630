import { join } from 'node:path';
import { rest } from './support/client.js';
import { freshDatabase, TEST_DB, TestDatabase } from './support/database.js';
import { Receiver, until } from './support/receiver.js';
import { buildServer, ServerBuild, startServer, StartedServer } from './support/server-process.js';
import { SmtpSink } from './support/smtp-sink.js';

/**
 * The service process (the build, run with node) killed with SIGKILL in the middle of a burst of
 * events, then restarted on the same database: every event that was recorded reaches its targets
 * — an ordered one (restWebhook) and a parallel one (restAsync) — and a call arrives twice only if
 * it was in flight at the kill. No call is made for an event that was not recorded.
 */

let build: ServerBuild;
let db: TestDatabase;
let sink: SmtpSink;
const receiver = new Receiver();
const servers: StartedServer[] = [];

beforeAll(async () => {
  build = await buildServer();
  db = await freshDatabase();
  sink = await new SmtpSink().start();
  await receiver.start();
}, 200_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.process.proc.stop('SIGKILL')));
  await receiver.stop();
  await sink?.close();
  await db?.drop();
  build?.remove();
});

async function start(name: string): Promise<StartedServer> {
  const s = await startServer(build, name, {
    DATABASE_URL: db.url,
    DATA_DIR: join(db.dir, 'data'),
    SMTP_URL: sink.url,
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '100',
    OUTBOX_LEASE_MS: '2000',
    ACTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
    ACTIONS_RETRY_BASE_MS: '100',
    ACTIONS_RETRY_MAX_MS: '500',
    RATE_LIMIT_WRITES_PER_TOKEN: '0',
    RATE_LIMIT_WRITES_PER_IP: '0',
  });
  servers.push(s);
  return s;
}

async function ok(r: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const x = await r;
  if (x.status !== 200) throw new Error(`${what}: ${x.status} ${JSON.stringify(x.body)}`);
  return x.body;
}

describe(`SIGKILL during a burst of events on ${TEST_DB}`, () => {
  it('loses no call after the restart; duplicates only for calls in flight', async () => {
    const N = 120;
    const first = await start('first');
    const admin = first.adminToken;
    const org = (await ok(rest(first.url, 'POST', '/v2/organizations', { name: 'Crash Org' }, admin), 'org')).organizationId;
    const users: string[] = [];
    for (let i = 0; i < N; i++) {
      const body = {
        username: `crash-${i}`,
        organization: { orgId: org },
        profile: { givenName: 'C', familyName: `${i}` },
        email: { email: `crash-${i}@example.com`, returnCode: {} },
      };
      users.push((await ok(rest(first.url, 'POST', '/v2/users/human', body, admin), 'user')).userId);
    }
    const ordered = await ok(
      rest(
        first.url,
        'POST',
        '/v2beta/actions/targets',
        { name: 'ordered', endpoint: receiver.url('/ordered'), timeout: '5s', restWebhook: {} },
        admin,
      ),
      'target',
    );
    const parallel = await ok(
      rest(
        first.url,
        'POST',
        '/v2beta/actions/targets',
        { name: 'parallel', endpoint: receiver.url('/parallel'), timeout: '5s', restAsync: {} },
        admin,
      ),
      'target',
    );
    await ok(
      rest(
        first.url,
        'PUT',
        '/v2beta/actions/executions',
        { condition: { event: { event: 'user.human.email.changed' } }, targets: [ordered.id, parallel.id] },
        admin,
      ),
      'execution',
    );
    receiver.delayMs = 15;

    // the burst: SetEmail for every user, 8 at a time; the process dies in the middle of it
    const answered = new Set<string>();
    let next = 0;
    const lanes = Array.from({ length: 8 }, async () => {
      while (next < users.length) {
        const userId = users[next++]!;
        const r = await rest(
          first.url,
          'POST',
          `/v2/users/${userId}/email`,
          { email: `changed-${userId}@example.com`, returnCode: {} },
          admin,
        ).catch(() => null);
        if (r?.status === 200) answered.add(userId);
      }
    });
    await until(() => (receiver.calls.length >= 20 ? true : undefined), 'the first calls to arrive', 60_000);
    const killed = await first.process.proc.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    await Promise.all(lanes);
    await new Promise((r) => setTimeout(r, 100));
    const receivedAtKill = receiver.calls.length;

    const second = await start('second');
    const deliveries = async () =>
      (await ok(rest(second.url, 'GET', '/v2/actions/deliveries', undefined, second.adminToken), 'deliveries')).deliveries as {
        id: string;
        aggregateId: string;
        targetId: string;
        state: string;
        attempts: number;
      }[];
    await until(async () => ((await deliveries()).every((d) => d.state === 'sent') ? true : undefined), 'every call to be sent', 60_000);
    const rows = await deliveries();

    // every recorded change (at least every one that was answered 200) has one call per target
    const changed = new Set(rows.map((d) => d.aggregateId));
    expect([...answered].filter((u) => !changed.has(u))).toEqual([]);
    // and a change that committed without its answer (the kill) has its calls too: event and calls commit together
    const committed: string[] = [];
    for (const u of users) {
      const user = await ok(rest(second.url, 'GET', `/v2/users/${u}`, undefined, second.adminToken), 'user');
      if (user.user.human.email.email.startsWith('changed-')) committed.push(u);
    }
    expect(committed.filter((u) => !changed.has(u))).toEqual([]);
    expect([...changed].filter((u) => !committed.includes(u))).toEqual([]);
    for (const target of [ordered.id, parallel.id]) expect(rows.filter((d) => d.targetId === target).length).toBe(changed.size);
    // each call arrived; a call arrived more than once only if it was retried after the kill
    const byId = new Map<string, number>();
    for (const c of receiver.calls) byId.set(c.headers['delivery-id'] as string, (byId.get(c.headers['delivery-id'] as string) ?? 0) + 1);
    expect(rows.filter((d) => !byId.has(d.id))).toEqual([]);
    expect([...byId.keys()].filter((id) => !rows.some((d) => d.id === id))).toEqual([]);
    const repeated = rows.filter((d) => (byId.get(d.id) ?? 0) > 1);
    for (const d of repeated) expect(d.attempts).toBeGreaterThan(1);
    // the ordered target got its calls one at a time, before the kill and after the restart alike;
    // the parallel one several at once. (Their order across users is the order the changes
    // committed: a call's ID is taken before its transaction commits, so two users' changes
    // committing together may reach the target in either ID order; a user's own changes are
    // serialised on its row, so its calls are in the order its events were recorded.)
    expect(receiver.maxInFlight.get('/ordered')).toBe(1);
    expect(receiver.maxInFlight.get('/parallel')).toBeGreaterThan(1);
    console.log(
      `SIGKILL on ${TEST_DB}: ${changed.size} changes recorded (${answered.size} answered 200), ${receivedAtKill} calls received before the kill, ` +
        `${rows.length} calls delivered, ${receiver.calls.length - byId.size} duplicate(s) of ${repeated.length} call(s) in flight`,
    );
  });
});
