import { DataSource } from 'typeorm';
import { startApp, TestApp } from './support/app.js';
import {
  anyError,
  Api,
  appError,
  eventTypesOf,
  expectError,
  getUserVia,
  Outcome,
  Transport,
  withIdempotencyKey,
} from './support/client.js';

/**
 * Idempotency-Key on the email POSTs (spec §5, beyond ZITADEL): a retried request with the same
 * key and body returns the first response and changes nothing — no second event, no second
 * mail — also across concurrent retries and a restart of the service. REST sends the key as the
 * `Idempotency-Key` header, GraphQL as the input field `idempotencyKey`.
 */

const CHANGED = 'user.human.email.changed';

function expectOk(o: Outcome): asserts o is Extract<Outcome, { ok: true }> {
  if (!o.ok) throw new Error(`expected success, got ${o.httpStatus}: ${JSON.stringify(o.raw)}`);
}

/** What a client compares between two answers: the body (REST) or the operation's data (GraphQL). */
const answer = (o: Outcome) => (o.ok ? (o.raw.data ?? o.raw) : o.raw);

const settle = () => new Promise((r) => setTimeout(r, 500));
const count = (events: string[], type: string) => events.filter((e) => e === type).length;

describe('Idempotency-Key', () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;
  let ds: DataSource;

  beforeAll(async () => {
    t = await startApp();
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('Idempotency Org');
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  describe.each<Transport>(['rest', 'graphql'])('over %s', (transport) => {
    /** A fresh user (code returned at creation, so no mail) with a unique address. */
    const freshUser = (tag: string) => api.addUniqueUser(orgId, `${tag}-${transport}`);
    const keyed = (o: 'setEmail' | 'resend' | 'send' | 'verify', userId: string, key: string, body: Record<string, any>, as: Api = api) => {
      const k = withIdempotencyKey(transport, key, body);
      return as.emailOp(transport, o, userId, k.body, k.headers);
    };

    it('the same key and body twice: the same answer, one change event, one mail', async () => {
      const u = await freshUser('twice');
      const address = `${u.username}-new@example.com`;
      const key = `twice-key-${u.username}`;
      const first = await keyed('setEmail', u.userId, key, { email: address, sendCode: {} });
      expectOk(first);
      await new Promise((r) => setTimeout(r, 20)); // a replay must not take a new changeDate
      const second = await keyed('setEmail', u.userId, key, { email: address, sendCode: {} });
      expectOk(second);
      expect(second.sequence).toBe(first.sequence);
      expect(second.changeDate).toBe(first.changeDate);
      expect(second.resourceOwner).toBe(first.resourceOwner);
      expect(answer(second)).toEqual(answer(first));

      expect(count(await eventTypesOf(ds, u.userId), CHANGED)).toBe(1);
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, email: address, sequence: first.sequence });
      await t.sink.waitForMailTo(address);
      await settle();
      expect(t.sink.to(address)).toHaveLength(1);
    });

    it('without a key the same request is not deduplicated (control)', async () => {
      const u = await freshUser('nokey');
      const first = await api.emailOp(transport, 'send', u.userId, { returnCode: {} });
      const second = await api.emailOp(transport, 'send', u.userId, { returnCode: {} });
      expectOk(first);
      expectOk(second);
      expect(second.sequence).toBeGreaterThan(first.sequence);
    });

    it('the same key with a different body is InvalidArgument with a clear message, and changes nothing', async () => {
      const u = await freshUser('diff');
      const key = `diff-key-${u.username}`;
      const first = await keyed('setEmail', u.userId, key, { email: `${u.username}-a@example.com`, returnCode: {} });
      expectOk(first);
      const other = await keyed('setEmail', u.userId, key, { email: `${u.username}-b@example.com`, returnCode: {} });
      expectError(other, transport, anyError(3, 400));
      if (!other.ok) expect(other.message).toMatch(/idempotency.?key/i);
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({
        ok: true,
        email: `${u.username}-a@example.com`,
        sequence: first.sequence,
      });
      expect(count(await eventTypesOf(ds, u.userId), CHANGED)).toBe(1);
    });

    it('the same key for another operation is InvalidArgument too', async () => {
      const u = await freshUser('otherop');
      const key = `otherop-key-${u.username}`;
      const first = await keyed('setEmail', u.userId, key, { email: `${u.username}-a@example.com`, returnCode: {} });
      expectOk(first);
      const send = await keyed('send', u.userId, key, { returnCode: {} });
      expectError(send, transport, anyError(3, 400));
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, sequence: first.sequence });
    });

    it('different callers use the same key independently', async () => {
      const managerId = await api.addUser(orgId, `manager-${transport}`);
      await api.addMember(orgId, managerId, ['ORG_USER_MANAGER']);
      const manager = api.as(await api.addPat(managerId));
      const u = await freshUser('callers');
      const key = `shared-${transport}`;
      const byAdmin = await keyed('setEmail', u.userId, key, { email: `${u.username}-admin@example.com`, returnCode: {} });
      expectOk(byAdmin);
      const byManager = await keyed('setEmail', u.userId, key, { email: `${u.username}-manager@example.com`, returnCode: {} }, manager);
      expectOk(byManager);
      expect(byManager.sequence).toBeGreaterThan(byAdmin.sequence);
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, email: `${u.username}-manager@example.com` });
      expect(count(await eventTypesOf(ds, u.userId), CHANGED)).toBe(2);
      // each caller's key still replays its own first answer
      const managerAgain = await keyed('setEmail', u.userId, key, { email: `${u.username}-manager@example.com`, returnCode: {} }, manager);
      expectOk(managerAgain);
      expect(answer(managerAgain)).toEqual(answer(byManager));
    });

    it('a retried VerifyEmail with the same key answers the first success, not COMMAND-eis9R', async () => {
      const u = await freshUser('verify');
      const set = await api.emailOp(transport, 'setEmail', u.userId, { email: `${u.username}-new@example.com`, returnCode: {} });
      expectOk(set);
      const key = `verify-key-${u.username}`;
      const first = await keyed('verify', u.userId, key, { verificationCode: set.verificationCode! });
      expectOk(first);
      const again = await keyed('verify', u.userId, key, { verificationCode: set.verificationCode! });
      expectOk(again);
      expect(answer(again)).toEqual(answer(first));
      expect(count(await eventTypesOf(ds, u.userId), 'user.human.email.verified')).toBe(1);
      expect(count(await eventTypesOf(ds, u.userId), 'user.human.email.verification.failed')).toBe(0);
      // without the key the used code is what it is
      expectError(
        await api.emailOp(transport, 'verify', u.userId, { verificationCode: set.verificationCode! }),
        transport,
        appError(3, 400, 'COMMAND-eis9R', 'Code is invalid'),
      );
    });

    // A race shows only sometimes, so three bursts, each on a fresh user and key.
    it.each([1, 2, 3])(
      'ten concurrent requests with the same key and body (burst %i): all 200 with one answer, one event, one mail',
      async () => {
        const u = await freshUser('burst');
        const address = `${u.username}-new@example.com`;
        const key = `burst-key-${u.username}`;
        const all = await Promise.all(Array.from({ length: 10 }, () => keyed('setEmail', u.userId, key, { email: address, sendCode: {} })));
        const failed = all.filter((o) => !o.ok);
        expect(failed.map((o) => o.raw)).toEqual([]);
        const ok = all as Extract<Outcome, { ok: true }>[];
        expect(new Set(ok.map((o) => o.sequence)).size).toBe(1);
        expect(new Set(ok.map((o) => o.changeDate)).size).toBe(1);
        expect(count(await eventTypesOf(ds, u.userId), CHANGED)).toBe(1);
        expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, email: address, sequence: ok[0]!.sequence });
        await t.sink.waitForMailTo(address);
        await settle();
        expect(t.sink.to(address)).toHaveLength(1);
      },
    );
  });
});

describe('Idempotency-Key across a restart', () => {
  let first: TestApp;
  let current: TestApp;
  let orgId: string;

  beforeAll(async () => {
    first = await startApp();
    current = first;
    orgId = await new Api(first.url, first.adminToken).addOrganization('Restart Org');
  });
  afterAll(async () => {
    await current.app.close();
    await first.sink.close();
    await first.db.drop();
  });

  it.each<Transport>(['rest', 'graphql'])('over %s: the key is remembered by the next instance on the same database', async (transport) => {
    const api = new Api(current.url, current.adminToken);
    const userId = await api.addUser(orgId, `restart-${transport}`);
    const address = `restart-${transport}-new@example.com`;
    const k = withIdempotencyKey(transport, `restart-${transport}`, { email: address, sendCode: {} });
    const before = await api.setEmail(transport, userId, k.body, k.headers);
    expectOk(before);
    await current.sink.waitForMailTo(address);
    const events = await eventTypesOf(current.app.get(DataSource), userId);

    await current.app.close();
    current = await startApp({}, { db: first.db, sink: first.sink });
    const again = new Api(current.url, current.adminToken);
    expect(again.token).toBe(api.token);

    const after = await again.setEmail(transport, userId, k.body, k.headers);
    expectOk(after);
    expect(answer(after)).toEqual(answer(before));
    expect(await eventTypesOf(current.app.get(DataSource), userId)).toEqual(events);
    await settle();
    expect(current.sink.to(address)).toHaveLength(1);
  });
});
