import { Code, ConnectError, type Transport as ConnectTransport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { createClientFor, NewAuthorizationBearerInterceptor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { ActionService } from '@zitadel/proto/zitadel/action/v2beta/action_service_pb.js';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { executionId } from '../src/actions/action-events.js';
import { ActionQueue } from '../src/actions/action-queue.js';
import { ActionsWorker } from '../src/actions/actions.worker.js';
import { GrpcServer } from '../src/connect/grpc-server.js';
import { OutboxWorker } from '../src/outbox/outbox.worker.js';
import { startApp, TestApp } from './support/app.js';
import { Api, gql, rest } from './support/client.js';
import { TEST_DB } from './support/database.js';
import { Receiver, until } from './support/receiver.js';
import { scrape } from './support/metrics.js';
import { validatePayload } from './support/zitadel-signature.js';

/**
 * Actions (spec §9): ZITADEL's ActionService over REST, GraphQL, Connect and gRPC, and the calls
 * of event executions delivered to a real receiver on 127.0.0.1, signed as ZITADEL signs them.
 */

let t: TestApp;
let api: Api;
let orgId: string;
let grpcPort: number;
const receiver = new Receiver();

const actionsClient = (transport: ConnectTransport) => createClientFor(ActionService)(transport);
const connect = (token: string) =>
  createConnectTransport({ baseUrl: t.url, httpVersion: '1.1', interceptors: [NewAuthorizationBearerInterceptor(token)] });

async function createTarget(body: Record<string, unknown>): Promise<{ id: string; signingKey: string }> {
  const r = await rest(t.url, 'POST', '/v2beta/actions/targets', body, t.adminToken);
  if (r.status !== 200) throw new Error(`CreateTarget: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function setExecution(condition: Record<string, unknown>, targets: string[]): Promise<void> {
  const r = await rest(t.url, 'PUT', '/v2beta/actions/executions', { condition, targets }, t.adminToken);
  if (r.status !== 200) throw new Error(`SetExecution: ${r.status} ${JSON.stringify(r.body)}`);
}

beforeAll(async () => {
  await receiver.start();
  t = await startApp({ ACTIONS_ALLOW_PRIVATE_NETWORKS: 'true', ACTIONS_RETRY_BASE_MS: '100', ACTIONS_RETRY_MAX_MS: '400', GRPC_PORT: '0' });
  grpcPort = await t.app.get(GrpcServer).listen(0, '127.0.0.1');
  api = new Api(t.url, t.adminToken);
  orgId = await api.addOrganization('Actions Org');
});
afterAll(async () => {
  await t?.close();
  await receiver.stop();
});

describe('targets: the signing key is shown once', () => {
  it('CreateTarget returns the key; GetTarget and ListTargets never show it', async () => {
    const created = await createTarget({
      name: 'once',
      endpoint: receiver.url('/once'),
      timeout: '5s',
      restWebhook: { interruptOnError: true },
    });
    expect(created.signingKey).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const got = await rest(t.url, 'GET', `/v2beta/actions/targets/${created.id}`, undefined, t.adminToken);
    expect(got.status).toBe(200);
    expect(got.body.target).toMatchObject({
      id: created.id,
      name: 'once',
      endpoint: receiver.url('/once'),
      timeout: '5s',
      restWebhook: { interruptOnError: true },
    });
    expect(JSON.stringify(got.body)).not.toContain(created.signingKey);
    expect(got.body.target.signingKey).toBeUndefined();
    const list = await rest(t.url, 'POST', '/v2beta/actions/targets/search', {}, t.adminToken);
    expect(list.status).toBe(200);
    expect(list.body.targets.map((x: { id: string }) => x.id)).toContain(created.id);
    expect(JSON.stringify(list.body)).not.toContain(created.signingKey);
    const gqlList = await gql(t.url, '{ actionTargets { id name targetType timeout } }', {}, t.adminToken);
    expect(gqlList.body.data.actionTargets).toContainEqual({ id: created.id, name: 'once', targetType: 'restWebhook', timeout: '5s' });
  });
});

describe('event executions deliver ZITADEL’s body and signature', () => {
  let target: { id: string; signingKey: string };
  const path = '/events';

  beforeAll(async () => {
    target = await createTarget({ name: 'events', endpoint: receiver.url(path), timeout: '5s', restWebhook: {} });
    await setExecution({ event: { group: 'user.human.email' } }, [target.id]);
    await setExecution({ event: { event: 'user.human.added' } }, [target.id]);
  });

  it('each configured event reaches the receiver once, in order, verifiable with ZITADEL’s check', async () => {
    const { userId } = await api.addUniqueUser(orgId, 'act');
    const set = await api.setEmail('rest', userId, { email: 'new-act@example.com', returnCode: {} });
    if (!set.ok) throw new Error(JSON.stringify(set.raw));
    const wrong = await api.emailOp('rest', 'verify', userId, { verificationCode: 'WRONG1' });
    expect(wrong.ok).toBe(false);
    const right = await api.emailOp('rest', 'verify', userId, { verificationCode: set.verificationCode });
    expect(right.ok).toBe(true);

    const expected = [
      'user.human.added',
      'user.human.email.code.added',
      'user.human.email.changed',
      'user.human.email.code.added',
      'user.human.email.verification.failed',
      'user.human.email.verified',
    ];
    const mine = () => receiver.callsTo(path).filter((c) => c.body?.aggregateID === userId);
    await until(() => (mine().length >= expected.length ? true : undefined), 'all six calls');
    const calls = mine();
    expect(calls.map((c) => c.body.event_type)).toEqual(expected);
    for (const c of calls) {
      expect(() => validatePayload(c.raw, c.headers['zitadel-signature'] as string, target.signingKey)).not.toThrow();
      // a different key, or a changed body, must not verify
      expect(() => validatePayload(c.raw, c.headers['zitadel-signature'] as string, 'not-the-key')).toThrow('no valid signature');
      expect(() =>
        validatePayload(Buffer.concat([c.raw, Buffer.from(' ')]), c.headers['zitadel-signature'] as string, target.signingKey),
      ).toThrow();
      expect(c.headers['content-type']).toBe('application/json');
      expect(c.headers['delivery-id']).toMatch(/^\d{18,20}$/);
    }
    // every call has its own delivery ID; sequences follow the user's events
    expect(new Set(calls.map((c) => c.headers['delivery-id'])).size).toBe(calls.length);
    expect(calls.map((c) => c.body.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    const changed = calls[2]!.body;
    expect(Object.keys(changed)).toEqual([
      'aggregateID',
      'aggregateType',
      'resourceOwner',
      'version',
      'sequence',
      'event_type',
      'created_at',
      'userID',
      'event_payload',
    ]);
    expect(changed).toMatchObject({
      aggregateID: userId,
      aggregateType: 'user',
      resourceOwner: orgId,
      version: 'v2',
      event_payload: { email: 'new-act@example.com' },
    });
    expect(changed.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    expect(calls[0]!.body.event_payload).toMatchObject({ userName: expect.any(String), firstName: expect.any(String), lastName: 'Test' });
    // the code is never sent
    expect(JSON.stringify(calls.map((c) => c.body))).not.toContain(set.verificationCode);
    // events without data carry no event_payload (Go's omitempty)
    expect(calls[5]!.body.event_payload).toBeUndefined();
  });

  it('an event nobody subscribed to calls nothing', async () => {
    await setExecution({ event: { group: 'user.human.email' } }, []);
    const before = receiver.callsTo(path).length;
    const { userId } = await api.addUniqueUser(orgId, 'quiet');
    await api.setEmail('rest', userId, { email: 'quiet-new@example.com', returnCode: {} });
    await until(() => (receiver.callsTo(path).some((c) => c.body?.aggregateID === userId) ? true : undefined), 'the user.human.added call');
    await new Promise((r) => setTimeout(r, 500));
    expect(
      receiver
        .callsTo(path)
        .slice(before)
        .map((c) => c.body.event_type),
    ).toEqual(['user.human.added']);
  });
});

describe('durable delivery', () => {
  it('a receiver that fails twice gets the call once it recovers, with the same delivery ID', async () => {
    const path = '/flaky';
    receiver.plan = (p, n) => (p === path && n <= 2 ? 503 : 200);
    const target = await createTarget({ name: 'flaky', endpoint: receiver.url(path), timeout: '5s', restCall: {} });
    await setExecution({ event: { event: 'user.human.email.changed' } }, [target.id]);
    const { userId } = await api.addUniqueUser(orgId, 'flaky');
    await api.setEmail('rest', userId, { email: 'flaky-new@example.com', returnCode: {} });
    const calls = await until(() => (receiver.callsTo(path).length >= 3 ? receiver.callsTo(path) : undefined), 'three attempts');
    expect(calls.map((c) => c.status)).toEqual([503, 503, 200]);
    expect(new Set(calls.map((c) => c.headers['delivery-id'])).size).toBe(1);
    for (const c of calls) validatePayload(c.raw, c.headers['zitadel-signature'] as string, target.signingKey);
    const id = calls[0]!.headers['delivery-id'] as string;
    const row = await until(async () => {
      const r = await rest(t.url, 'GET', `/v2/actions/deliveries?targetId=${target.id}`, undefined, t.adminToken);
      const d = r.body.deliveries?.find((x: { id: string }) => x.id === id);
      return d?.state === 'sent' ? d : undefined;
    }, 'the delivery to be sent');
    expect(row).toMatchObject({
      id,
      targetId: target.id,
      eventType: 'user.human.email.changed',
      aggregateId: userId,
      attempts: 3,
      lastError: null,
    });
    await setExecution({ event: { event: 'user.human.email.changed' } }, []);
    receiver.plan = () => 200;
  });

  it('a dead call is requeued by an admin (REST and GraphQL) and delivered with the same ID', async () => {
    const path = '/down';
    let up = false;
    receiver.plan = (p) => (p === path && !up ? 500 : 200);
    // a short timeout and a target that refuses: dead after ACTIONS_MAX_ATTEMPTS (12) fast retries
    const target = await createTarget({ name: 'down', endpoint: receiver.url(path), timeout: '2s', restAsync: {} });
    await setExecution({ event: { event: 'user.human.email.verified' } }, [target.id]);
    const { userId } = await api.addUniqueUser(orgId, 'down');
    await api.setEmail('rest', userId, { email: 'down-new@example.com', isVerified: true });
    const dead = await until(
      async () => {
        const r = await gql(
          t.url,
          `query($f: ActionDeliveriesFilter) { actionDeliveries(filter: $f) { id state attempts lastError } }`,
          { f: { targetId: target.id } },
          t.adminToken,
        );
        const d = r.body.data?.actionDeliveries?.[0];
        return d?.state === 'dead' ? d : undefined;
      },
      'the delivery to be dead',
      30_000,
    );
    expect(dead.attempts).toBe(12);
    expect(dead.lastError).toBe('HTTP 500');
    up = true;
    const r = await gql(
      t.url,
      `mutation($id: ID!) { requeueActionDelivery(id: $id) { id state attempts } }`,
      { id: dead.id },
      t.adminToken,
    );
    expect(r.body.data.requeueActionDelivery).toMatchObject({ id: dead.id, state: 'pending', attempts: 0 });
    await until(() => (receiver.callsTo(path).some((c) => c.status === 200) ? true : undefined), 'the requeued call');
    expect(new Set(receiver.callsTo(path).map((c) => c.headers['delivery-id']))).toEqual(new Set([dead.id]));
    const again = await rest(t.url, 'POST', `/v2/actions/deliveries/${dead.id}/requeue`, undefined, t.adminToken);
    expect(again.status).toBe(400);
    expect(again.body.details[0].id).toBe('ACTION-dlvNdd');
    await setExecution({ event: { event: 'user.human.email.verified' } }, []);
    receiver.plan = () => 200;
  });
});

describe('a change’s calls are queued with it', () => {
  it('without a worker running, the call is listed pending (REST and GraphQL) and counted; the worker later delivers it under that ID', async () => {
    const path = '/queued';
    const target = await createTarget({ name: 'queued', endpoint: receiver.url(path), timeout: '5s', restAsync: {} });
    await setExecution({ event: { event: 'user.human.email.verified' } }, [target.id]);
    const worker = t.app.get(ActionsWorker);
    const ds = t.app.get(DataSource);
    await worker.stop();
    try {
      const { userId } = await api.addUniqueUser(orgId, 'queued');
      const metricBefore = await pendingMetric();
      await api.setEmail('rest', userId, { email: 'queued-new@example.com', isVerified: true });
      // counted before anything turned the change's row into calls
      expect(await pendingMetric()).toBe(metricBefore + 1);
      const r = await rest(t.url, 'GET', `/v2/actions/deliveries?targetId=${target.id}`, undefined, t.adminToken);
      expect(r.status).toBe(200);
      expect(r.body.deliveries).toEqual([
        expect.objectContaining({
          targetId: target.id,
          eventType: 'user.human.email.verified',
          aggregateId: userId,
          state: 'pending',
          attempts: 0,
        }),
      ]);
      const id = r.body.deliveries[0].id as string;
      const g = await gql(t.url, `{ actionDeliveries(filter: { targetId: "${target.id}" }) { id state } }`, {}, t.adminToken);
      expect(g.body.data.actionDeliveries).toEqual([{ id, state: 'pending' }]);
      expect(await pendingMetric()).toBe(metricBefore + 1);
      expect(receiver.callsTo(path)).toEqual([]);
      // a row that cannot be fanned out (it never comes from a change) does not hold up the calls already queued
      await ds.query(`INSERT INTO action_fanout (aggregate_id, calls, call_count, created_at) VALUES ('poison', 'not json', 1, 0)`);
      worker.start();
      const calls = await until(() => (receiver.callsTo(path).length > 0 ? receiver.callsTo(path) : undefined), 'the queued call');
      expect(calls.map((c) => [c.headers['delivery-id'], c.body.event_type, c.body.aggregateID])).toEqual([
        [id, 'user.human.email.verified', userId],
      ]);
    } finally {
      await ds.query(`DELETE FROM action_fanout WHERE aggregate_id = 'poison'`);
      worker.start();
      await setExecution({ event: { event: 'user.human.email.verified' } }, []);
    }
  });
});

/** action_calls_queued{state="pending"}, as Prometheus scrapes it. */
const pendingMetric = async () => (await scrape(t.url)).value('action_calls_queued', { state: 'pending' });

describe('IAM_OWNER only, on every transport', () => {
  let ownerToken: string;
  beforeAll(async () => {
    const { userId } = await api.addUniqueUser(orgId, 'orgowner');
    await api.addMember(orgId, userId, ['ORG_OWNER']);
    ownerToken = await api.addPat(userId);
  });
  const body = { name: 'intruder', endpoint: 'http://127.0.0.1:1/x', timeout: '5s', restWebhook: {} };

  it('REST: 403 AUTH-AWfge for CreateTarget, ListTargets, SetExecution and the deliveries', async () => {
    for (const [method, path, b] of [
      ['POST', '/v2beta/actions/targets', body],
      ['POST', '/v2beta/actions/targets/search', {}],
      ['PUT', '/v2beta/actions/executions', { condition: { event: { all: true } }, targets: [] }],
      ['GET', '/v2/actions/deliveries', undefined],
    ] as const) {
      const r = await rest(t.url, method, path, b, ownerToken);
      expect({ path, status: r.status, id: r.body.details?.[0]?.id }).toEqual({ path, status: 403, id: 'AUTH-AWfge' });
    }
  });

  it('GraphQL: PERMISSION_DENIED AUTH-AWfge', async () => {
    const r = await gql(
      t.url,
      `mutation($i: CreateActionTargetInput!) { createActionTarget(input: $i) { id signingKey } }`,
      { i: { name: 'intruder', endpoint: 'http://127.0.0.1:1/x', timeout: '5s', targetType: 'restWebhook' } },
      ownerToken,
    );
    expect(r.body.data?.createActionTarget ?? null).toBeNull();
    expect(r.body.errors[0].extensions).toMatchObject({ grpcCode: 7, id: 'AUTH-AWfge' });
  });

  it('Connect and gRPC: PermissionDenied, nothing created', async () => {
    for (const transport of [connect(ownerToken), createServerTransport(ownerToken, { baseUrl: `http://127.0.0.1:${grpcPort}` })]) {
      const err = await actionsClient(transport)
        .createTarget({
          name: 'intruder',
          endpoint: 'http://127.0.0.1:1/x',
          timeout: { seconds: 5n },
          targetType: { case: 'restWebhook', value: {} },
        })
        .then(
          () => null,
          (e: unknown) => ConnectError.from(e),
        );
      expect(err?.code).toBe(Code.PermissionDenied);
      expect(err?.rawMessage).toBe('No matching permissions found (AUTH-AWfge)');
    }
    const list = await rest(t.url, 'POST', '/v2beta/actions/targets/search', {}, t.adminToken);
    expect(list.body.targets.map((x: { name: string }) => x.name)).not.toContain('intruder');
  });
});

describe('ZITADEL’s own client over Connect and gRPC', () => {
  it('creates a target and an execution, lists both; request conditions answer Unimplemented', async () => {
    const client = actionsClient(connect(t.adminToken));
    const created = await client.createTarget({
      name: 'from-zitadel-client',
      endpoint: receiver.url('/client'),
      timeout: { seconds: 10n },
      targetType: { case: 'restCall', value: { interruptOnError: true } },
    });
    expect(created.signingKey.length).toBeGreaterThan(20);
    const set = await client.setExecution({
      condition: { conditionType: { case: 'event', value: { condition: { case: 'event', value: 'user.human.email.verified' } } } },
      targets: [created.id],
    });
    expect(set.setDate).toBeDefined();
    const grpc = actionsClient(
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}`, interceptors: [NewAuthorizationBearerInterceptor(t.adminToken)] }),
    );
    const got = await grpc.getTarget({ id: created.id });
    expect(got.target).toMatchObject({ id: created.id, name: 'from-zitadel-client', endpoint: receiver.url('/client'), signingKey: '' });
    expect(got.target?.targetType).toEqual(expect.objectContaining({ case: 'restCall' }));
    const executions = await client.listExecutions({});
    const mine = executions.executions.find((e) => e.targets.includes(created.id));
    expect(mine?.condition?.conditionType).toEqual(
      expect.objectContaining({
        case: 'event',
        value: expect.objectContaining({ condition: { case: 'event', value: 'user.human.email.verified' } }),
      }),
    );
    const unsupported = await client
      .setExecution({
        condition: { conditionType: { case: 'request', value: { condition: { case: 'all', value: true } } } },
        targets: [created.id],
      })
      .then(
        () => null,
        (e: unknown) => ConnectError.from(e),
      );
    expect(unsupported?.code).toBe(Code.Unimplemented);
    expect(unsupported?.rawMessage).toMatch(/request conditions are not supported/);
    const other = await client.listExecutionFunctions({}).then(
      () => null,
      (e: unknown) => ConnectError.from(e),
    );
    expect(other?.code).toBe(Code.Unimplemented);
    await client.setExecution({
      condition: { conditionType: { case: 'event', value: { condition: { case: 'event', value: 'user.human.email.verified' } } } },
      targets: [],
    });
  });

  it('REST answers a function condition with 12 (501) and an unknown event with ZITADEL’s 404', async () => {
    const fn = await rest(
      t.url,
      'PUT',
      '/v2beta/actions/executions',
      { condition: { function: { name: 'preuserinfo' } }, targets: [] },
      t.adminToken,
    );
    expect({ status: fn.status, code: fn.body.code }).toEqual({ status: 501, code: 12 });
    const unknown = await rest(
      t.url,
      'PUT',
      '/v2beta/actions/executions',
      { condition: { event: { event: 'user.nothing' } }, targets: [] },
      t.adminToken,
    );
    expect({ status: unknown.status, id: unknown.body.details?.[0]?.id }).toEqual({ status: 404, id: 'COMMAND-74aaqj8fv9' });
  });
});

describe('a mail given up on is an event too', () => {
  let mailless: TestApp;
  beforeAll(async () => {
    // this instance's SMTP server refuses connections, and one attempt is all a mail gets
    mailless = await startApp(
      { SMTP_URL: 'smtp://127.0.0.1:1', OUTBOX_MAX_ATTEMPTS: '1', ACTIONS_ALLOW_PRIVATE_NETWORKS: 'true' },
      { db: t.db, sink: t.sink },
    );
    await t.app.get(OutboxWorker).stop();
  });
  afterAll(() => mailless?.close());

  it('user.human.email.delivery.dead reaches the executions of its group, set through another instance', async () => {
    const path = '/dead-mail';
    // this instance routes an event before the execution exists: its cached routing must not outlive the change
    const other = new Api(mailless.url, mailless.adminToken);
    await other.addUniqueUser(orgId, 'warm');
    const target = await createTarget({ name: 'dead-mail', endpoint: receiver.url(path), timeout: '5s', restWebhook: {} });
    await setExecution({ event: { group: 'user.human.email.delivery' } }, [target.id]);
    const { userId } = await api.addUniqueUser(orgId, 'deadmail');
    const r = await other.setEmail('rest', userId, {
      email: 'deadmail-new@example.com',
      sendCode: {},
    });
    expect(r.ok).toBe(true);
    const call = await until(() => receiver.callsTo(path).find((c) => c.body?.aggregateID === userId), 'the dead-mail call');
    validatePayload(call.raw, call.headers['zitadel-signature'] as string, target.signingKey);
    expect(call.body).toMatchObject({
      event_type: 'user.human.email.delivery.dead',
      event_payload: { kind: 'email.verify', deliveryId: expect.any(String) },
    });
    expect(call.body.userID).toBeUndefined();
  });
});

// PostgreSQL: each process caches the routing while a LISTEN connection announces every change
(TEST_DB === 'postgres' ? describe : describe.skip)('routing changes reach every instance (PostgreSQL: LISTEN/NOTIFY)', () => {
  let other: TestApp;
  beforeAll(async () => {
    other = await startApp({ ACTIONS_ALLOW_PRIVATE_NETWORKS: 'true' }, { db: t.db, sink: t.sink });
  });
  afterAll(() => other?.close());

  /** A fresh user's SetEmail through the other instance (the only one to append user.human.email.changed); waits for its call to `path`. */
  async function routedTo(path: string): Promise<void> {
    const { userId } = await api.addUniqueUser(orgId, 'route');
    const r = await new Api(other.url, other.adminToken).setEmail('rest', userId, { email: 'route-new@example.com', returnCode: {} });
    expect(r.ok).toBe(true);
    await until(
      () => receiver.callsTo(path).find((c) => c.body?.aggregateID === userId && c.body.event_type === 'user.human.email.changed'),
      `the call to ${path}`,
    );
  }

  it('a change on one instance routes the next event on another; with the listening connection cut, by the version row, until it listens again', async () => {
    const queue = other.app.get(ActionQueue);
    expect(queue.listeningForChanges).toBe(true);
    const first = await createTarget({ name: 'route-1', endpoint: receiver.url('/route-1'), timeout: '5s', restWebhook: {} });
    await setExecution({ event: { event: 'user.human.email.changed' } }, [first.id]);
    await routedTo('/route-1');

    // cut the listening connections of this database: the instances notice and read the version row meanwhile
    const admin = new Client({ connectionString: t.db.url });
    await admin.connect();
    try {
      const cut = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%(listen)'",
      );
      expect(cut.rowCount).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
    await until(() => (queue.listeningForChanges ? undefined : true), 'the lost connection noticed', 5000);
    const second = await createTarget({ name: 'route-2', endpoint: receiver.url('/route-2'), timeout: '5s', restWebhook: {} });
    await setExecution({ event: { event: 'user.human.email.changed' } }, [second.id]);
    await routedTo('/route-2');

    // listening again: the routing is cached once more, and a change is announced to drop it
    await until(() => (queue.listeningForChanges ? true : undefined), 'listening again', 10_000);
    await routedTo('/route-2');
    const third = await createTarget({ name: 'route-3', endpoint: receiver.url('/route-3'), timeout: '5s', restWebhook: {} });
    await setExecution({ event: { event: 'user.human.email.changed' } }, [third.id]);
    await routedTo('/route-3');
    await setExecution({ event: { event: 'user.human.email.changed' } }, []);
  });

  it('a change nobody announced (an older instance, a pooler that drops notifications) reaches the cache within seconds', async () => {
    const target = await createTarget({ name: 'route-silent', endpoint: receiver.url('/route-silent'), timeout: '5s', restWebhook: {} });
    const otherApi = new Api(other.url, other.adminToken);
    // the other instance routes once with the current executions (none for email.changed): cached
    const { userId: warm } = await api.addUniqueUser(orgId, 'warm');
    expect((await otherApi.setEmail('rest', warm, { email: 'warm-new@example.com', returnCode: {} })).ok).toBe(true);
    // the execution written as an older instance would: the version row moved, nothing NOTIFYed
    const db = new Client({ connectionString: t.db.url });
    await db.connect();
    try {
      const id = executionId({ event: 'user.human.email.changed' });
      await db.query('DELETE FROM action_executions WHERE id = $1', [id]);
      await db.query('INSERT INTO action_executions (id, targets, created_at, changed_at) VALUES ($1, $2, $3, $3)', [
        id,
        JSON.stringify([target.id]),
        Date.now(),
      ]);
      await db.query('UPDATE action_state SET version = version + 1 WHERE id = 1');
    } finally {
      await db.end();
    }
    const started = Date.now();
    const routed = new Set<string>();
    let arrived: number | null = null;
    while (arrived === null && Date.now() - started < 12_000) {
      const { userId } = await api.addUniqueUser(orgId, 'silent');
      routed.add(userId);
      await otherApi.setEmail('rest', userId, { email: 'silent-new@example.com', returnCode: {} });
      await new Promise((r) => setTimeout(r, 250));
      if (receiver.callsTo('/route-silent').some((c) => routed.has(c.body?.aggregateID))) arrived = Date.now() - started;
    }
    // the cache is checked against the version row at least every 5 s
    expect(arrived).not.toBeNull();
    expect(arrived!).toBeLessThan(7_000);
    await setExecution({ event: { event: 'user.human.email.changed' } }, []);
  });
});

describe('SSRF guard (private networks refused by default)', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startApp({}, { db: t.db, sink: t.sink });
  });
  afterAll(() => strict?.close());

  it.each([
    ['loopback', 'http://127.0.0.1:9/x'],
    ['a name for loopback', 'http://localhost:9/x'],
    ['private', 'http://10.1.2.3/x'],
    ['link-local metadata', 'http://169.254.169.254/latest/meta-data'],
    ['IPv6 loopback', 'http://[::1]:9/x'],
    ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]/x'],
  ])('CreateTarget refuses %s (REST, GraphQL, Connect)', async (_what, endpoint) => {
    const r = await rest(
      strict.url,
      'POST',
      '/v2beta/actions/targets',
      { name: `ssrf-${endpoint}`, endpoint, timeout: '5s', restWebhook: {} },
      strict.adminToken,
    );
    expect({ status: r.status, id: r.body.details?.[0]?.id }).toEqual({ status: 400, id: 'ACTION-ssrf01' });
    const g = await gql(
      strict.url,
      `mutation($i: CreateActionTargetInput!) { createActionTarget(input: $i) { id } }`,
      { i: { name: `ssrf-g-${endpoint}`, endpoint, timeout: '5s', targetType: 'restWebhook' } },
      strict.adminToken,
    );
    expect(g.body.errors[0].extensions).toMatchObject({ grpcCode: 3, id: 'ACTION-ssrf01' });
    const c = await actionsClient(
      createConnectTransport({
        baseUrl: strict.url,
        httpVersion: '1.1',
        interceptors: [NewAuthorizationBearerInterceptor(strict.adminToken)],
      }),
    )
      .createTarget({ name: `ssrf-c-${endpoint}`, endpoint, timeout: { seconds: 5n }, targetType: { case: 'restWebhook', value: {} } })
      .then(
        () => null,
        (e: unknown) => ConnectError.from(e),
      );
    expect(c?.code).toBe(Code.InvalidArgument);
  });

  it('refuses other schemes and credentials in the URL', async () => {
    for (const endpoint of ['ftp://example.com/x', 'file:///etc/passwd', 'http://user:pw@example.com/x']) {
      const r = await rest(
        strict.url,
        'POST',
        '/v2beta/actions/targets',
        { name: `s-${endpoint}`, endpoint, timeout: '5s', restAsync: {} },
        strict.adminToken,
      );
      expect({ endpoint, status: r.status, id: r.body.details?.[0]?.id }).toEqual({ endpoint, status: 400, id: 'ACTION-ssrf01' });
    }
  });

  it('a target that became private (created with the switch on) is refused at delivery: the call never reaches it', async () => {
    // the target made by the permissive instance above points at 127.0.0.1; this instance shares the database
    const path = '/strict';
    const target = await createTarget({ name: 'strict-delivery', endpoint: receiver.url(path), timeout: '2s', restAsync: {} });
    await setExecution({ event: { event: 'user.human.email.verified' } }, [target.id]);
    // only the strict instance delivers from here on
    await t.app.get(ActionsWorker).stop();
    const strictApi = new Api(strict.url, strict.adminToken);
    const { userId } = await strictApi.addUniqueUser(orgId, 'strict');
    await strictApi.setEmail('rest', userId, { email: 'strict-new@example.com', isVerified: true });
    const d = await until(async () => {
      const r = await rest(strict.url, 'GET', `/v2/actions/deliveries?targetId=${target.id}`, undefined, strict.adminToken);
      const row = r.body.deliveries?.[0];
      return row?.state === 'retrying' || row?.state === 'dead' ? row : undefined;
    }, 'a refused attempt');
    expect(d.lastError).toMatch(/loopback, private, link-local or reserved address/);
    expect(receiver.callsTo(path)).toEqual([]);
  });
});
