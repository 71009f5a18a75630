import { Clock } from '../src/common/clock.js';
import { startApp, TestApp } from './support/app.js';
import { anyError, Api, appError, codeInMail, expectError, getUserVia, Outcome, Transport } from './support/client.js';

/**
 * The abuse limits beyond ZITADEL (spec §5): the attempt cap on a code, the resend cooldown
 * and the daily cap of verification mails, each over REST and GraphQL, counted at a real SMTP sink.
 */

const CODE_INVALID = appError(3, 400, 'COMMAND-eis9R', 'Code is invalid');
const EXHAUSTED = anyError(8, 429);

function expectOk(o: Outcome): asserts o is Extract<Outcome, { ok: true }> {
  if (!o.ok) throw new Error(`expected success, got ${o.httpStatus}: ${JSON.stringify(o.raw)}`);
}

/** 429 ResourceExhausted with a Retry-After (REST header / GraphQL extensions.retryAfter) in 1..max seconds. */
function expectThrottled(o: Outcome, transport: Transport, maxSeconds: number): void {
  expectError(o, transport, EXHAUSTED);
  if (o.ok) return;
  expect(o.retryAfter).toEqual(expect.any(Number));
  expect(Number.isInteger(o.retryAfter)).toBe(true);
  expect(o.retryAfter).toBeGreaterThan(0);
  expect(o.retryAfter).toBeLessThanOrEqual(maxSeconds);
}

const wrongCodeFor = (code: string, i: number) => {
  const w = `WRONG${i}`;
  return w === code ? `WRONGX${i}` : w;
};

const settle = () => new Promise((r) => setTimeout(r, 500));

describe('attempt cap and daily mail cap (EMAIL_CODE_MAX_ATTEMPTS=3, EMAIL_MAX_MAILS_PER_DAY=3, no cooldown)', () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;

  beforeAll(async () => {
    t = await startApp({ EMAIL_CODE_MAX_ATTEMPTS: '3', EMAIL_MAX_MAILS_PER_DAY: '3', EMAIL_RESEND_COOLDOWN_SECONDS: '0' });
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('Caps Org');
  });
  afterAll(() => t.close());

  describe.each<Transport>(['rest', 'graphql'])('over %s', (transport) => {
    /** A fresh user (code returned at creation, so no mail) with a unique address. */
    const freshUser = (tag: string) => api.addUniqueUser(orgId, `${tag}-${transport}`);
    const op = (o: 'setEmail' | 'resend' | 'send' | 'verify', userId: string, body: Record<string, any>) =>
      api.emailOp(transport, o, userId, body);

    it('below the cap: two wrong codes, then the right one verifies', async () => {
      const u = await freshUser('below-cap');
      const set = await op('setEmail', u.userId, { email: `${u.username}-new@example.com`, returnCode: {} });
      expectOk(set);
      for (let i = 1; i <= 2; i++)
        expectError(await op('verify', u.userId, { verificationCode: wrongCodeFor(set.verificationCode!, i) }), transport, CODE_INVALID);
      expectOk(await op('verify', u.userId, { verificationCode: set.verificationCode! }));
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, isVerified: true });
    });

    it('at the cap: after three wrong codes the right code is dead, with the very same answer as a wrong one', async () => {
      const u = await freshUser('cap');
      const set = await op('setEmail', u.userId, { email: `${u.username}-new@example.com`, returnCode: {} });
      expectOk(set);
      const wrong: Outcome[] = [];
      for (let i = 1; i <= 3; i++) wrong.push(await op('verify', u.userId, { verificationCode: wrongCodeFor(set.verificationCode!, i) }));
      for (const w of wrong) expectError(w, transport, CODE_INVALID);

      const right = await op('verify', u.userId, { verificationCode: set.verificationCode! });
      expectError(right, transport, CODE_INVALID);
      // no oracle: the dead right code answers exactly like a wrong code
      expect(right.raw).toEqual(wrong[0]!.raw);
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, isVerified: false });

      // the cap kills the code, not the address: a new code works
      const again = await op('send', u.userId, { returnCode: {} });
      expectOk(again);
      expectOk(await op('verify', u.userId, { verificationCode: again.verificationCode! }));
    });

    it('daily cap: three mails go out, the fourth mailing operation is 429 with Retry-After, returnCode still works', async () => {
      const u = await freshUser('daily');
      const address = `${u.username}-new@example.com`;
      const other = `${u.username}-other@example.com`;
      expectOk(await op('setEmail', u.userId, { email: address, sendCode: {} }));
      expectOk(await op('resend', u.userId, { sendCode: {} }));
      expectOk(await op('send', u.userId, { sendCode: {} }));

      expectThrottled(await op('send', u.userId, { sendCode: {} }), transport, 24 * 3600);
      expectThrottled(await op('resend', u.userId, {}), transport, 24 * 3600);
      // whatever operation sends it: a new address does not reset the user's cap
      expectThrottled(await op('setEmail', u.userId, { email: other, sendCode: {} }), transport, 24 * 3600);
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, email: address });

      // returnCode mails nothing, so the cap does not apply
      const returned = await op('resend', u.userId, { returnCode: {} });
      expectOk(returned);
      expect(returned.verificationCode).toMatch(/^[A-Z0-9]{6}$/);

      await t.sink.waitForMailTo(address, 3);
      await settle();
      expect(t.sink.to(address)).toHaveLength(3);
      expect(t.sink.to(other)).toHaveLength(0);
      expectOk(await op('verify', u.userId, { verificationCode: returned.verificationCode! }));
    });
  });
});

describe('resend cooldown (EMAIL_RESEND_COOLDOWN_SECONDS=60)', () => {
  const COOLDOWN = 60;
  let t: TestApp;
  let api: Api;
  let orgId: string;

  beforeAll(async () => {
    t = await startApp({ EMAIL_RESEND_COOLDOWN_SECONDS: String(COOLDOWN) });
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('Cooldown Org');
  });
  afterAll(() => t.close());

  describe.each<Transport>(['rest', 'graphql'])('over %s', (transport) => {
    /** A fresh user (code returned at creation, so no mail) with a unique address. */
    const freshUser = (tag: string) => api.addUniqueUser(orgId, `${tag}-${transport}`);
    const op = (o: 'setEmail' | 'resend' | 'send' | 'verify', userId: string, body: Record<string, any>) =>
      api.emailOp(transport, o, userId, body);

    it('a resend or send right after a mailed code is 429 with Retry-After ≤ the cooldown; returnCode is not throttled', async () => {
      const u = await freshUser('cool');
      const address = `${u.username}-new@example.com`;
      const set = await op('setEmail', u.userId, { email: address, sendCode: {} });
      expectOk(set);
      await t.sink.waitForMailTo(address);

      expectThrottled(await op('resend', u.userId, { sendCode: {} }), transport, COOLDOWN);
      expectThrottled(await op('send', u.userId, { sendCode: {} }), transport, COOLDOWN);
      // the refused calls changed nothing
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, sequence: set.sequence });

      // returnCode mails nothing and is never throttled
      const resent = await op('resend', u.userId, { returnCode: {} });
      expectOk(resent);
      expect(resent.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
      const sent = await op('send', u.userId, { returnCode: {} });
      expectOk(sent);
      expect(sent.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
      expectOk(await op('verify', u.userId, { verificationCode: sent.verificationCode! }));

      await settle();
      expect(t.sink.to(address)).toHaveLength(1);
    });

    it('SetEmail to a new address right after a mailed code is not held back by the cooldown', async () => {
      const u = await freshUser('cool-new');
      const first = `${u.username}-a@example.com`;
      const second = `${u.username}-b@example.com`;
      expectOk(await op('setEmail', u.userId, { email: first, sendCode: {} }));
      const set = await op('setEmail', u.userId, { email: second, sendCode: {} });
      expectOk(set);
      const code = codeInMail(await t.sink.waitForMailTo(second));
      expectOk(await op('verify', u.userId, { verificationCode: code }));
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, email: second, isVerified: true });
    });

    it('once the cooldown has passed, a resend mails again', async () => {
      const u = await freshUser('cool-later');
      const address = `${u.username}-new@example.com`;
      expectOk(await op('setEmail', u.userId, { email: address, sendCode: {} }));
      expectThrottled(await op('resend', u.userId, { sendCode: {} }), transport, COOLDOWN);
      const clock = t.app.get(Clock);
      const realNow = clock.now;
      try {
        clock.now = () => new Date(Date.now() + (COOLDOWN + 1) * 1000);
        expectOk(await op('resend', u.userId, { sendCode: {} }));
      } finally {
        clock.now = realNow;
      }
    });
  });
});
