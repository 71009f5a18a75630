import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RateLimitStore } from '../src/common/rate-limit/rate-limit.store.js';
import { startApp, TestApp } from './support/app.js';
import {
  anyError,
  Api,
  appError,
  eventTypesOf,
  expectError,
  getUserVia,
  Outcome,
  rest,
  Transport,
  withIdempotencyKey,
} from './support/client.js';
import { TEST_DB } from './support/database.js';

/**
 * The abuse limits of spec §5 hold for the service, not per process: two API instances on ONE
 * database (and one SMTP sink) share the resend cooldown, the daily mail cap, the attempt cap
 * and Idempotency-Keys, because each is counted in the database inside the change's
 * transaction. The per-minute rate limits are shared through Redis (REDIS_URL); without it each
 * instance counts alone. Runs on SQLite (two connections to one WAL file) and PostgreSQL.
 */

// codes are stored as HMACs: both instances must hash with the same key
const CODE_HMAC_KEY = 'multi-instance-shared-code-hmac-key-0123456789';
const REDIS_URL = 'redis://127.0.0.1:6379';

const CODE_INVALID = appError(3, 400, 'COMMAND-eis9R', 'Code is invalid');
const COOLDOWN_ID = 'EMAIL-c00ld';
const DAILY_ID = 'EMAIL-d4ily';

interface Pair {
  /** Owns the database and the sink; A and B run beside it. */
  a: TestApp;
  b: TestApp;
  apiA: Api;
  apiB: Api;
  close(): Promise<void>;
}

/** Two instances with the same settings on one database and sink. */
async function startPair(env: Record<string, string>): Promise<Pair> {
  const a = await startApp({ CODE_HMAC_KEY, ...env });
  const b = await startApp({ CODE_HMAC_KEY, ...env }, { db: a.db, sink: a.sink });
  return {
    a,
    b,
    apiA: new Api(a.url, a.adminToken),
    apiB: new Api(b.url, b.adminToken),
    close: async () => {
      await b.close();
      await a.close();
    },
  };
}

function expectOk(o: Outcome): asserts o is Extract<Outcome, { ok: true }> {
  if (!o.ok) throw new Error(`expected success, got ${o.httpStatus}: ${JSON.stringify(o.raw)}`);
}

/** 429 ResourceExhausted with the given ID and a Retry-After (header / extensions.retryAfter) of 1..max seconds. */
function expectThrottled(o: Outcome, transport: Transport, id: string, maxSeconds: number): void {
  expectError(o, transport, anyError(8, 429, id));
  if (o.ok) return;
  expect(Number.isInteger(o.retryAfter)).toBe(true);
  expect(o.retryAfter).toBeGreaterThan(0);
  expect(o.retryAfter).toBeLessThanOrEqual(maxSeconds);
}

const settle = () => new Promise((r) => setTimeout(r, 700));
const count = (events: string[], type: string) => events.filter((e) => e === type).length;
const wrongCodeFor = (code: string, i: number) => (`WRONG${i}` === code ? `WRONGX${i}` : `WRONG${i}`);

describe(`two instances on one ${TEST_DB} database`, () => {
  describe('resend cooldown (EMAIL_RESEND_COOLDOWN_SECONDS=60)', () => {
    const COOLDOWN = 60;
    let p: Pair;
    let orgId: string;
    let n = 0;
    beforeAll(async () => {
      p = await startPair({ EMAIL_RESEND_COOLDOWN_SECONDS: String(COOLDOWN), EMAIL_MAX_MAILS_PER_DAY: '0' });
      orgId = await p.apiA.addOrganization('Cooldown Org');
    });
    afterAll(() => p?.close());

    it.each<Transport>(['rest', 'graphql'])(
      'over %s: SetEmail via A, then resend or send via B within the cooldown → 429 with Retry-After',
      async (transport) => {
        const username = `cool-${transport}-${++n}`;
        const userId = await p.apiA.addUser(orgId, username);
        const address = `${username}-new@example.com`;
        const set = await p.apiA.emailOp(transport, 'setEmail', userId, { email: address, sendCode: {} });
        expectOk(set);

        expectThrottled(await p.apiB.emailOp(transport, 'resend', userId, { sendCode: {} }), transport, COOLDOWN_ID, COOLDOWN);
        expectThrottled(await p.apiB.emailOp(transport, 'send', userId, {}), transport, COOLDOWN_ID, COOLDOWN);
        // and back on A, the same
        expectThrottled(await p.apiA.emailOp(transport, 'resend', userId, {}), transport, COOLDOWN_ID, COOLDOWN);
        // the refused calls changed nothing, seen from either instance
        expect(await getUserVia(p.apiB, transport, userId)).toMatchObject({ ok: true, email: address, sequence: set.sequence });

        // returnCode mails nothing and is not throttled on either instance
        expectOk(await p.apiB.emailOp(transport, 'resend', userId, { returnCode: {} }));
        await p.a.sink.waitForMailTo(address);
        await settle();
        expect(p.a.sink.to(address)).toHaveLength(1);
      },
    );

    it('the REST 429 carries a Retry-After header', async () => {
      const username = `cool-header-${++n}`;
      const userId = await p.apiA.addUser(orgId, username);
      expectOk(await p.apiA.setEmail('rest', userId, { email: `${username}-new@example.com` }));
      const r = await rest(p.b.url, 'POST', `/v2/users/${userId}/email/resend`, {}, p.b.adminToken);
      expect(r.status).toBe(429);
      const retryAfter = Number(r.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(COOLDOWN);
      expect(r.body).toMatchObject({ code: 8, details: [{ id: COOLDOWN_ID }] });
    });
  });

  describe('daily cap (EMAIL_MAX_MAILS_PER_DAY=3, no cooldown)', () => {
    const CAP = 3;
    let p: Pair;
    let orgId: string;
    let n = 0;
    beforeAll(async () => {
      p = await startPair({ EMAIL_MAX_MAILS_PER_DAY: String(CAP), EMAIL_RESEND_COOLDOWN_SECONDS: '0' });
      orgId = await p.apiA.addOrganization('Daily Cap Org');
    });
    afterAll(() => p?.close());

    it.each<Transport>(['rest', 'graphql'])(
      'over %s: mailing operations alternating A/B — the 4th is refused whichever instance gets it',
      async (transport) => {
        const username = `daily-${transport}-${++n}`;
        const userId = await p.apiA.addUser(orgId, username);
        const address = `${username}-new@example.com`;
        expectOk(await p.apiA.emailOp(transport, 'setEmail', userId, { email: address, sendCode: {} }));
        expectOk(await p.apiB.emailOp(transport, 'resend', userId, { sendCode: {} }));
        expectOk(await p.apiA.emailOp(transport, 'send', userId, { sendCode: {} }));

        expectThrottled(await p.apiB.emailOp(transport, 'send', userId, {}), transport, DAILY_ID, 24 * 3600);
        expectThrottled(await p.apiA.emailOp(transport, 'resend', userId, {}), transport, DAILY_ID, 24 * 3600);
        expectThrottled(
          await p.apiB.emailOp(transport, 'setEmail', userId, { email: `${username}-other@example.com`, sendCode: {} }),
          transport,
          DAILY_ID,
          24 * 3600,
        );

        await p.a.sink.waitForMailTo(address, CAP);
        await settle();
        expect(p.a.sink.to(address)).toHaveLength(CAP);
        expect(p.a.sink.to(`${username}-other@example.com`)).toHaveLength(0);
      },
    );

    it('6 concurrent resends split across A and B: at most 3 accepted, and exactly those arrive (once each)', async () => {
      const username = `daily-race-${++n}`;
      const userId = await p.apiA.addUser(orgId, username);
      const address = `${username}-new@example.com`;
      // a pending code without a mail, so that all three mails of the day are left
      expectOk(await p.apiA.setEmail('rest', userId, { email: address, returnCode: {} }));

      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? p.apiB : p.apiA).emailOp('rest', 'resend', userId, { sendCode: {} })),
      );
      const accepted = outcomes.filter((o) => o.ok).length;
      const refused = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
      // a refusal is the cap (429) or, after losing every optimistic retry, Aborted (409): never a 5xx
      for (const o of refused)
        expect({ status: o.httpStatus, grpc: o.grpcCode, id: o.id }).toEqual(
          o.httpStatus === 429 ? { status: 429, grpc: 8, id: DAILY_ID } : { status: 409, grpc: 10, id: expect.any(String) },
        );
      expect(accepted).toBeGreaterThanOrEqual(1);
      expect(accepted).toBeLessThanOrEqual(CAP);
      // the cap refuses only once it is really spent
      if (refused.some((o) => o.httpStatus === 429)) expect(accepted).toBe(CAP);

      if (accepted > 0) await p.a.sink.waitForMailTo(address, accepted);
      await settle();
      // both instances deliver from the one outbox: each accepted mail arrives once, no more
      expect(p.a.sink.to(address)).toHaveLength(accepted);
      // and the cap is spent for good: one more from either instance is refused unless fewer went out
      const again = await p.apiB.emailOp('rest', 'send', userId, {});
      if (accepted === CAP) expectThrottled(again, 'rest', DAILY_ID, 24 * 3600);
    });
  });

  describe('attempt cap (EMAIL_CODE_MAX_ATTEMPTS=3)', () => {
    let p: Pair;
    let orgId: string;
    let ds: DataSource;
    let n = 0;
    beforeAll(async () => {
      p = await startPair({ EMAIL_CODE_MAX_ATTEMPTS: '3' });
      orgId = await p.apiA.addOrganization('Attempt Cap Org');
      ds = p.a.app.get(DataSource);
    });
    afterAll(() => p?.close());

    it.each<Transport>(['rest', 'graphql'])('over %s: below the cap, a code set on A verifies on B (one HMAC key)', async (transport) => {
      const username = `attempts-ok-${transport}-${++n}`;
      const userId = await p.apiA.addUser(orgId, username);
      const set = await p.apiA.emailOp(transport, 'setEmail', userId, { email: `${username}-new@example.com`, returnCode: {} });
      expectOk(set);
      expectError(
        await p.apiA.emailOp(transport, 'verify', userId, { verificationCode: wrongCodeFor(set.verificationCode!, 1) }),
        transport,
        CODE_INVALID,
      );
      expectError(
        await p.apiB.emailOp(transport, 'verify', userId, { verificationCode: wrongCodeFor(set.verificationCode!, 2) }),
        transport,
        CODE_INVALID,
      );
      expectOk(await p.apiB.emailOp(transport, 'verify', userId, { verificationCode: set.verificationCode! }));
      expect(await getUserVia(p.apiA, transport, userId)).toMatchObject({ ok: true, isVerified: true });
    });

    it.each<Transport>(['rest', 'graphql'])(
      'over %s: three wrong codes alternating A/B, then the right code on either → COMMAND-eis9R',
      async (transport) => {
        const username = `attempts-${transport}-${++n}`;
        const userId = await p.apiA.addUser(orgId, username);
        const set = await p.apiA.emailOp(transport, 'setEmail', userId, { email: `${username}-new@example.com`, returnCode: {} });
        expectOk(set);
        const wrong: Outcome[] = [];
        for (let i = 1; i <= 3; i++)
          wrong.push(
            await (i % 2 ? p.apiA : p.apiB).emailOp(transport, 'verify', userId, {
              verificationCode: wrongCodeFor(set.verificationCode!, i),
            }),
          );
        for (const w of wrong) expectError(w, transport, CODE_INVALID);

        for (const api of [p.apiB, p.apiA]) {
          const right = await api.emailOp(transport, 'verify', userId, { verificationCode: set.verificationCode! });
          expectError(right, transport, CODE_INVALID);
          expect(right.raw).toEqual(wrong[0]!.raw);
        }
        expect(await getUserVia(p.apiB, transport, userId)).toMatchObject({ ok: true, isVerified: false });
      },
    );

    it('6 concurrent wrong codes split across A and B cannot buy more guesses: the right code is dead afterwards', async () => {
      const username = `attempts-race-${++n}`;
      const userId = await p.apiA.addUser(orgId, username);
      const set = await p.apiA.setEmail('rest', userId, { email: `${username}-new@example.com`, returnCode: {} });
      expectOk(set);
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? p.apiB : p.apiA).emailOp('rest', 'verify', userId, { verificationCode: wrongCodeFor(set.verificationCode!, i) }),
        ),
      );
      for (const o of outcomes) {
        if (o.ok) throw new Error(`a wrong code verified: ${JSON.stringify(o.raw)}`);
        expect([o.id, o.httpStatus]).toEqual(o.httpStatus === 409 ? [expect.any(String), 409] : ['COMMAND-eis9R', 400]);
      }
      const invalid = outcomes.filter((o) => !o.ok && o.id === 'COMMAND-eis9R').length;
      // every counted failure was recorded, none lost to the race; the attempts of a source past its
      // cap are refused without being counted or recorded (§7.4), so one source leaves at most 3 events
      expect(count(await eventTypesOf(ds, userId), 'user.human.email.verification.failed')).toBe(Math.min(invalid, 3));
      if (invalid >= 3) {
        expectError(await p.apiB.emailOp('rest', 'verify', userId, { verificationCode: set.verificationCode! }), 'rest', CODE_INVALID);
        expect(await getUserVia(p.apiA, 'rest', userId)).toMatchObject({ ok: true, isVerified: false });
      }
    });
  });

  describe('Idempotency-Key across instances', () => {
    const CHANGED = 'user.human.email.changed';
    let p: Pair;
    let orgId: string;
    let ds: DataSource;
    let n = 0;
    beforeAll(async () => {
      p = await startPair({});
      orgId = await p.apiA.addOrganization('Idempotency Org');
      ds = p.a.app.get(DataSource);
    });
    afterAll(() => p?.close());

    const answer = (o: Outcome) => (o.ok ? (o.raw.data ?? o.raw) : o.raw);

    it.each<Transport>(['rest', 'graphql'])(
      'over %s: the same key and body on A, then on B → the same answer, one change',
      async (transport) => {
        const username = `idem-${transport}-${++n}`;
        const userId = await p.apiA.addUser(orgId, username);
        const address = `${username}-new@example.com`;
        const key = `idem-${transport}-${randomBytes(6).toString('hex')}`;
        const k = withIdempotencyKey(transport, key, { email: address, sendCode: {} });
        const first = await p.apiA.emailOp(transport, 'setEmail', userId, k.body, k.headers);
        expectOk(first);
        const second = await p.apiB.emailOp(transport, 'setEmail', userId, k.body, k.headers);
        expectOk(second);
        expect(answer(second)).toEqual(answer(first));
        expect(count(await eventTypesOf(ds, userId), CHANGED)).toBe(1);
        await p.a.sink.waitForMailTo(address);
        await settle();
        expect(p.a.sink.to(address)).toHaveLength(1);
      },
    );

    it('10 concurrent requests with one key, split across A and B → one change, one mail, one answer', async () => {
      const username = `idem-race-${++n}`;
      const userId = await p.apiA.addUser(orgId, username);
      const address = `${username}-new@example.com`;
      const key = `idem-race-${randomBytes(6).toString('hex')}`;
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? p.apiB : p.apiA).setEmail('rest', userId, { email: address, sendCode: {} }, { 'Idempotency-Key': key }),
        ),
      );
      const ok = outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
      const failed = outcomes.filter((o) => !o.ok).map((o) => answer(o));
      // every retry answers as the first request did
      expect({ failed }).toEqual({ failed: [] });
      for (const o of ok) expect(answer(o)).toEqual(answer(ok[0]!));
      expect(count(await eventTypesOf(ds, userId), CHANGED)).toBe(1);
      await p.a.sink.waitForMailTo(address);
      await settle();
      expect(p.a.sink.to(address)).toHaveLength(1);
    });
  });

  describe('per-minute rate limits', () => {
    /** A caller of its own: a user with user.write on its organisation and a PAT, from the setup instance. */
    async function freshCaller(setup: Api, orgId: string, tag: string): Promise<{ userId: string; token: string }> {
      const username = `${tag}-${randomBytes(4).toString('hex')}`;
      const userId = await setup.addUser(orgId, username);
      await setup.addMember(orgId, userId, ['ORG_USER_MANAGER']);
      return { userId, token: await setup.addPat(userId) };
    }

    /**
     * A client address of its own (X-Forwarded-For, TRUST_PROXY on), so that this run's per-IP
     * counters in the shared Redis never meet another run's or another test's.
     */
    const freshIp = () => `2001:db8:${randomBytes(2).toString('hex')}::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

    /** A write of the caller on itself: a returned code, no mail. */
    const write = (t: TestApp, who: { userId: string; token: string }, ip: string) =>
      rest(t.url, 'POST', `/v2/users/${who.userId}/email/send`, { returnCode: {} }, who.token, { 'X-Forwarded-For': ip });
    const verify = (t: TestApp, who: { userId: string; token: string }, ip: string, i: number) =>
      rest(t.url, 'POST', `/v2/users/${who.userId}/email/verify`, { verificationCode: `WRONG${i}` }, who.token, { 'X-Forwarded-For': ip });

    /** The setup instance owns database and sink and has no small limits, so that setup writes are never refused. */
    let setup: TestApp;
    let setupApi: Api;
    let orgId: string;
    beforeAll(async () => {
      setup = await startApp({ CODE_HMAC_KEY });
      setupApi = new Api(setup.url, setup.adminToken);
      orgId = await setupApi.addOrganization('Rate Limit Org');
    });
    afterAll(() => setup?.close());

    const LIMITS = {
      RATE_LIMIT_WRITES_PER_TOKEN: '5',
      RATE_LIMIT_VERIFY_PER_IP: '3',
      RATE_LIMIT_WRITES_PER_IP: '1000000',
      TRUST_PROXY: '1',
      CODE_HMAC_KEY,
    };

    /** Until the store's Redis connection is up it counts in memory (by design, when Redis is down). */
    async function redisReady(t: TestApp): Promise<void> {
      const store = t.app.get(RateLimitStore) as unknown as { redis: { status: string } | null };
      for (let i = 0; i < 50 && store.redis?.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(store.redis?.status).toBe('ready');
    }

    describe('with REDIS_URL: both instances share the counters', () => {
      let a: TestApp;
      let b: TestApp;
      beforeAll(async () => {
        a = await startApp({ ...LIMITS, REDIS_URL }, { db: setup.db, sink: setup.sink });
        b = await startApp({ ...LIMITS, REDIS_URL }, { db: setup.db, sink: setup.sink });
        await redisReady(a);
        await redisReady(b);
      });
      afterAll(async () => {
        await b?.close();
        await a?.close();
      });

      it('RATE_LIMIT_WRITES_PER_TOKEN=5: 4 writes to A and 4 to B → the 6th and later are 429 with Retry-After', async () => {
        const who = await freshCaller(setupApi, orgId, 'rl-token');
        const ip = freshIp();
        const statuses: number[] = [];
        const retryAfter: (string | null)[] = [];
        for (const t of [a, a, a, a, b, b, b, b]) {
          const r = await write(t, who, ip);
          statuses.push(r.status);
          if (r.status === 429) {
            retryAfter.push(r.headers.get('retry-after'));
            expect(r.body).toMatchObject({ code: 8, details: [{ id: 'RATE-l1m1t' }] });
          }
        }
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
        for (const h of retryAfter) {
          expect(Number(h)).toBeGreaterThan(0);
          expect(Number(h)).toBeLessThanOrEqual(60);
        }
        // another caller is not held back by this one's counter
        const other = await freshCaller(setupApi, orgId, 'rl-other');
        expect((await write(b, other, freshIp())).status).toBe(200);
      });

      it('RATE_LIMIT_VERIFY_PER_IP=3: verifications from one address, alternating A/B → the 4th is 429', async () => {
        const who = await freshCaller(setupApi, orgId, 'rl-verify');
        const ip = freshIp();
        const statuses: number[] = [];
        for (const [i, t] of [a, b, a, b, a].entries()) statuses.push((await verify(t, who, ip, i)).status);
        // wrong codes answer 400 while the address has verifications left
        expect(statuses).toEqual([400, 400, 400, 429, 429]);
        // another address is not held back
        expect((await verify(b, who, freshIp(), 9)).status).toBe(400);
      });
    });

    describe('without REDIS_URL: each instance counts alone (N instances allow N × the limit)', () => {
      let a: TestApp;
      let b: TestApp;
      beforeAll(async () => {
        a = await startApp(LIMITS, { db: setup.db, sink: setup.sink });
        b = await startApp(LIMITS, { db: setup.db, sink: setup.sink });
      });
      afterAll(async () => {
        await b?.close();
        await a?.close();
      });

      it('RATE_LIMIT_WRITES_PER_TOKEN=5: 4 writes to A and 4 to B all pass; the 6th on A is 429', async () => {
        const who = await freshCaller(setupApi, orgId, 'rl-memory');
        const ip = freshIp();
        const statuses: number[] = [];
        for (const t of [a, a, a, a, b, b, b, b, a, a]) statuses.push((await write(t, who, ip)).status);
        expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 429]);
      });

      it('RATE_LIMIT_VERIFY_PER_IP=3: 3 verifications on A and 3 on B all answer; the 4th on A is 429', async () => {
        const who = await freshCaller(setupApi, orgId, 'rl-memory-verify');
        const ip = freshIp();
        const statuses: number[] = [];
        for (const [i, t] of [a, a, a, b, b, b, a].entries()) statuses.push((await verify(t, who, ip, i)).status);
        expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 429]);
      });
    });
  });
});
