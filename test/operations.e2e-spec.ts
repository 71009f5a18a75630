import { MailerService } from '@nestjs-modules/mailer';
import { ModulesContainer } from '@nestjs/core';
import { OutboxWorker } from '../src/outbox/outbox.worker.js';
import { startApp, TestApp } from './support/app.js';
import { Api, appError, codeInMail, gql, PERMISSION_DENIED, rest, Transport, validationError } from './support/client.js';
import { freshDatabase, TEST_DB, TestDatabase } from './support/database.js';
import { Delivery, expectFailure, listDeliveries, ok, requeueDelivery } from './support/deliveries.js';
import { eventually } from './support/fault-smtp.js';
import { Scrape, scrape } from './support/metrics.js';
import { SmtpSink } from './support/smtp-sink.js';

/** Whether any module of the app provides this class (app.get would end the process if none does). */
const hasProvider = (t: TestApp, token: Function): boolean => [...t.app.get(ModulesContainer).values()].some((m) => m.providers.has(token));

/**
 * The operator's side of the service, in-process on a real database and a real SMTP sink:
 * the delivery status API for administrators (REST and GraphQL), the health checks and the
 * Prometheus metrics, including the outbox gauge while a backlog drains.
 */

const transports: Transport[] = ['rest', 'graphql'];
const NOT_DEAD = appError(9, 400, 'OUTBOX-n0tDd', 'Only a dead mail can be requeued');
const DELIVERY_NOT_FOUND = appError(5, 404, 'OUTBOX-n0tFd', 'Mail delivery not found');
const BAD_STATE = validationError('invalid ListMailDeliveriesRequest.State: value must be one of pending, sending, retrying, sent, dead');
const AUTH_HEADER_MISSING = appError(16, 401, 'AUTH-7fs1e', 'auth header missing');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe(`operations on ${TEST_DB}`, () => {
  let t: TestApp;
  let admin: Api;
  let orgId: string;
  /** A member of `orgId` with ORG_OWNER: everything in the organisation, no instance permissions. */
  let owner: Api;
  let seq = 0;
  const unique = (tag: string) => `${tag}-${++seq}`;

  beforeAll(async () => {
    t = await startApp();
    admin = new Api(t.url, t.adminToken);
    orgId = await admin.addOrganization('Operations Org');
    const ownerId = await admin.addUser(orgId, 'org-owner');
    await admin.addMember(orgId, ownerId, ['ORG_OWNER']);
    owner = admin.as(await admin.addPat(ownerId));
  });
  afterAll(() => t?.close());

  /** A user whose verification mail goes to `address` through SetEmail with sendCode. */
  async function userWithMail(tag: string): Promise<{ userId: string; address: string }> {
    const name = unique(tag);
    const userId = await admin.addUser(orgId, name, `${name}-initial@ops.example.com`);
    const address = `${name}@ops.example.com`;
    const r = await admin.setEmail('rest', userId, { email: address, sendCode: {} });
    if (!r.ok) throw new Error(`SetEmail: ${JSON.stringify(r.raw)}`);
    return { userId, address };
  }

  /** The user's deliveries in `state`, polled until there are `count` (the worker is asynchronous). */
  function deliveriesOf(userId: string, state: string, count = 1): Promise<Delivery[]> {
    return eventually(
      async () => {
        const list = ok(await listDeliveries(admin, 'rest', { state, userId }), 'list deliveries');
        return list.length >= count ? list : undefined;
      },
      `${count} ${state} deliveries of user ${userId}`,
      15_000,
      100,
    );
  }

  describe.each(transports)('delivery status over %s', (transport) => {
    it('a mail refused with 550 is dead with the reason; the admin lists it, requeues it, and it is delivered', async () => {
      t.sink.setBehaviour({ failDataWith: () => 550 });
      try {
        const { userId, address } = await userWithMail(`dead-${transport}`);
        const [dead] = await deliveriesOf(userId, 'dead');

        const listed = ok(await listDeliveries(admin, transport, { state: 'dead', userId }), 'list dead');
        expect(listed).toEqual([
          {
            id: dead!.id,
            userId,
            kind: 'email.verify',
            recipient: address,
            state: 'dead',
            attempts: 1,
            lastError: expect.stringContaining('550'),
            createdAt: expect.stringMatching(ISO),
            nextAttemptAt: null,
            sentAt: null,
          },
        ]);
        // the unfiltered list of dead mails holds it too; the sent ones of this user are none yet
        expect(ok(await listDeliveries(admin, transport, { state: 'dead' }), 'list all dead').map((d) => d.id)).toContain(dead!.id);
        expect(ok(await listDeliveries(admin, transport, { state: 'sent', userId }), 'list sent')).toEqual([]);
        expect(t.sink.to(address)).toHaveLength(0);

        // the relay takes mail again; the admin puts the mail back in the queue
        t.sink.setBehaviour({});
        const requeued = ok(await requeueDelivery(admin, transport, dead!.id), 'requeue');
        // the row as requeued: due now with a fresh attempt budget (the worker may already hold it)
        expect(requeued).toEqual(
          expect.objectContaining({
            id: dead!.id,
            userId,
            recipient: address,
            kind: 'email.verify',
            createdAt: dead!.createdAt,
            sentAt: null,
          }),
        );
        expect(['pending', 'sending']).toContain(requeued.state);
        if (requeued.state === 'pending')
          expect(requeued).toEqual(expect.objectContaining({ attempts: 0, nextAttemptAt: expect.stringMatching(ISO) }));

        const mail = await t.sink.waitForMailTo(address);
        expect(codeInMail(mail)).toMatch(/^[A-Z0-9]{6}$/);
        const [sent] = await deliveriesOf(userId, 'sent');
        const shown = ok(await listDeliveries(admin, transport, { userId }), 'list of the user');
        expect(shown).toEqual([
          {
            ...sent,
            id: dead!.id,
            state: 'sent',
            attempts: 1,
            lastError: null,
            nextAttemptAt: null,
            sentAt: expect.stringMatching(ISO),
          },
        ]);
        expect(t.sink.to(address)).toHaveLength(1);
      } finally {
        t.sink.setBehaviour({});
      }
    });

    it('requeueing a mail that is not dead is FailedPrecondition (400, code 9) and changes nothing', async () => {
      const { userId, address } = await userWithMail(`sent-${transport}`);
      await t.sink.waitForMailTo(address);
      const [sent] = await deliveriesOf(userId, 'sent');
      expectFailure(await requeueDelivery(admin, transport, sent!.id), transport, NOT_DEAD);
      await new Promise((r) => setTimeout(r, 300));
      expect(t.sink.to(address)).toHaveLength(1);
      expect(ok(await listDeliveries(admin, transport, { userId }), 'list').map((d) => d.state)).toEqual(['sent']);
    });

    it('requeueing an unknown delivery is NotFound (404)', async () => {
      expectFailure(await requeueDelivery(admin, transport, '999999999999999999'), transport, DELIVERY_NOT_FOUND);
    });

    it('an unknown state filter is InvalidArgument (400, code 3)', async () => {
      expectFailure(await listDeliveries(admin, transport, { state: 'lost' }), transport, BAD_STATE);
      expectFailure(await listDeliveries(admin, transport, { state: 'DEAD', userId: '1' }), transport, BAD_STATE);
    });

    it('an ORG_OWNER may neither list nor requeue deliveries (403 AUTH-AWfge)', async () => {
      const { userId } = await userWithMail(`perm-${transport}`);
      const [d] = await deliveriesOf(userId, 'sent');
      expectFailure(await listDeliveries(owner, transport, { state: 'dead' }), transport, PERMISSION_DENIED);
      expectFailure(await listDeliveries(owner, transport, { userId }), transport, PERMISSION_DENIED);
      expectFailure(await requeueDelivery(owner, transport, d!.id), transport, PERMISSION_DENIED);
    });

    it('without a token both are Unauthenticated (401, code 16)', async () => {
      const anonymous = admin.as('');
      expectFailure(await listDeliveries(anonymous, transport, { state: 'dead' }), transport, AUTH_HEADER_MISSING);
      expectFailure(await requeueDelivery(anonymous, transport, '999999999999999999'), transport, AUTH_HEADER_MISSING);
    });
  });

  describe('health', () => {
    it('/healthz and /readyz answer 200 without a token; /readyz reports the database up', async () => {
      const live = await rest(t.url, 'GET', '/healthz');
      expect(live.status).toBe(200);
      expect(live.headers.get('content-type')).toMatch(/^application\/json/);
      expect(live.body).toEqual(expect.objectContaining({ status: 'ok' }));

      const ready = await rest(t.url, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.headers.get('content-type')).toMatch(/^application\/json/);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.info.database).toEqual(expect.objectContaining({ status: 'up' }));
      expect(ready.body.error).toEqual({});
    });
  });

  describe('metrics', () => {
    const SET_EMAIL = { method: 'POST', route: '/v2/users/:userId/email' };
    const VERIFY = { method: 'POST', route: '/v2/users/:userId/email/verify' };

    it('GET /metrics is public Prometheus text: requests by route template, GraphQL operations, deliveries, verifications', async () => {
      const before = await scrape(t.url);
      const name = unique('metrics');
      const userId = await admin.addUser(orgId, name, `${name}-initial@ops.example.com`);

      const set = await admin.setEmail('rest', userId, { email: `${name}@ops.example.com`, returnCode: {} });
      if (!set.ok) throw new Error(`SetEmail: ${JSON.stringify(set.raw)}`);
      const wrong = set.verificationCode === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
      expect((await admin.emailOp('rest', 'verify', userId, { verificationCode: wrong })).ok).toBe(false);
      expect((await admin.emailOp('rest', 'verify', userId, { verificationCode: set.verificationCode })).ok).toBe(true);
      // a path that matches no route still carries an ID: it must not become a label value
      expect((await rest(t.url, 'GET', `/v2/users/${userId}/no-such-thing`, undefined, t.adminToken)).status).toBe(404);

      const named = await gql(t.url, 'query OpsMetricsProbe { mailDeliveries(state: "sent") { id } }', {}, t.adminToken);
      expect(named.body.errors).toBeUndefined();
      const refused = await gql(t.url, 'query OpsMetricsRefused { mailDeliveries { id } }', {}, owner.token);
      expect(refused.body.errors?.[0]?.extensions?.grpcCode).toBe(7);

      const { address } = await userWithMail('metrics-mail');
      await t.sink.waitForMailTo(address);

      // the worker counts a delivery once its row says sent, just after the relay's 250
      const after = await eventually(
        async () => {
          const s = await scrape(t.url);
          return s.value('mail_deliveries_total', { outcome: 'sent' }) > before.value('mail_deliveries_total', { outcome: 'sent' })
            ? s
            : undefined;
        },
        'mail_deliveries_total{outcome="sent"} to grow',
        10_000,
        100,
      );

      const r = await rest(t.url, 'GET', '/metrics');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);

      const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
      // two SetEmail over REST: the returnCode one here and the sendCode one of userWithMail
      expect(delta('http_requests_total', { ...SET_EMAIL, status: '200' })).toBe(2);
      expect(delta('http_requests_total', { ...VERIFY, status: '200' })).toBe(1);
      expect(delta('http_requests_total', { ...VERIFY, status: '400' })).toBe(1);
      expect(delta('http_request_duration_seconds_bucket', { ...SET_EMAIL, le: '+Inf' })).toBe(2);
      expect(after.find('http_request_duration_seconds_bucket', SET_EMAIL).length).toBeGreaterThan(1);
      expect(delta('http_request_duration_seconds_count', SET_EMAIL)).toBe(2);

      // no ID, whatever the path held, becomes a label value
      expect(after.text).not.toContain(userId);
      const routes = new Set(after.find('http_requests_total').map((s) => s.labels.route!));
      expect([...routes].filter((route) => /\d{6,}/.test(route))).toEqual([]);

      expect(delta('graphql_operations_total', { operation: 'OpsMetricsProbe', outcome: 'ok' })).toBe(1);
      expect(delta('graphql_operations_total', { operation: 'OpsMetricsRefused', outcome: 'error' })).toBe(1);

      expect(delta('email_code_verifications_total', { outcome: 'verified' })).toBe(1);
      expect(delta('email_code_verifications_total', { outcome: 'invalid' })).toBe(1);
      expect(delta('mail_deliveries_total', { outcome: 'sent' })).toBeGreaterThanOrEqual(1);

      for (const state of ['pending', 'sending', 'retrying', 'sent', 'dead'])
        expect(after.has('mail_outbox_messages', { state })).toBe(true);
      expect(after.value('mail_outbox_messages', { state: 'sent' })).toBeGreaterThanOrEqual(1);
    });
  });
});

describe(`the outbox gauge while a backlog drains, on ${TEST_DB}`, () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    sink = await new SmtpSink().start();
  });
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
    await sink?.close();
    await db?.drop();
  });

  it('with MAIL_WORKER=off N mails stay pending; an instance with the worker drains them to sent', async () => {
    const N = 5;
    const producer = await startApp({ MAIL_WORKER: 'off' }, { db, sink });
    apps.push(producer);
    const api = new Api(producer.url, producer.adminToken);
    const orgId = await api.addOrganization('Backlog Org');
    const addresses: string[] = [];
    for (let i = 0; i < N; i++) {
      const userId = await api.addUser(orgId, `backlog-${i}`, `backlog-${i}-initial@ops.example.com`);
      const address = `backlog-${i}@ops.example.com`;
      const r = await api.setEmail('rest', userId, { email: address, sendCode: {} });
      if (!r.ok) throw new Error(`SetEmail: ${JSON.stringify(r.raw)}`);
      addresses.push(address);
    }
    await new Promise((r) => setTimeout(r, 500));
    const backlog = await scrape(producer.url);
    const states = (s: Scrape) =>
      Object.fromEntries(
        ['pending', 'sending', 'retrying', 'sent', 'dead'].map((state) => [state, s.value('mail_outbox_messages', { state })]),
      );
    expect(states(backlog)).toEqual({ pending: N, sending: 0, retrying: 0, sent: 0, dead: 0 });
    expect(backlog.value('mail_deliveries_total', { outcome: 'sent' })).toBe(0);
    expect(sink.mails).toHaveLength(0);
    // without the worker the instance carries no delivery stack: no worker, no mailer
    expect(hasProvider(producer, OutboxWorker)).toBe(false);
    expect(hasProvider(producer, MailerService)).toBe(false);
    await producer.close();

    const consumer = await startApp({}, { db, sink });
    apps.push(consumer);
    expect(hasProvider(consumer, OutboxWorker)).toBe(true);
    expect(hasProvider(consumer, MailerService)).toBe(true);
    const drained = await eventually(
      async () => {
        const s = await scrape(consumer.url);
        // the row is committed before the worker counts the delivery: wait for both
        return s.value('mail_outbox_messages', { state: 'sent' }) === N && s.value('mail_deliveries_total', { outcome: 'sent' }) === N
          ? s
          : undefined;
      },
      `mail_outbox_messages{state="sent"} and mail_deliveries_total{outcome="sent"} to reach ${N}`,
      20_000,
      100,
    );
    expect(states(drained)).toEqual({ pending: 0, sending: 0, retrying: 0, sent: N, dead: 0 });
    expect(drained.value('mail_deliveries_total', { outcome: 'sent' })).toBe(N);
    expect(sink.mails.flatMap((m) => m.to).sort()).toEqual([...addresses].sort());
  });
});
