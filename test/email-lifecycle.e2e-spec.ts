import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock.js';
import { startApp, TestApp } from './support/app.js';
import {
  addHumanUserVia,
  anyError,
  Api,
  appError,
  codeInMail,
  eventTypesOf,
  expectError,
  getUserVia,
  NOT_FOUND,
  Outcome,
  Transport,
} from './support/client.js';

/**
 * The verification lifecycle of a contact email (spec §1, §4): a code is issued (mailed or
 * returned), resent or replaced, and verified once; wrong, used, replaced and expired codes
 * answer COMMAND-eis9R. Every scenario runs over REST and over GraphQL against the real app,
 * a real database and a real SMTP sink.
 */

/** An ID no user has: 18 digits like the service's own. */
const UNKNOWN_USER = '100000000000000042';
/** Codes live 60 s in this suite, so the expiry can be crossed by moving the app's clock. */
const CODE_TTL_SECONDS = 60;

const CODE_INVALID = appError(3, 400, 'COMMAND-eis9R', 'Code is invalid');
const CODE_EMPTY = appError(9, 400, 'EMAIL-5w5ilin4yt', 'Code is empty');
const TEMPLATE_PARSE = appError(3, 400, 'DOMAIN-oGh5e', 'URL Template is invalid');
const TEMPLATE_EXEC = appError(3, 400, 'DOMAIN-ieYa7', 'URL Template is invalid');

function expectOk(o: Outcome): asserts o is Extract<Outcome, { ok: true }> {
  if (!o.ok) throw new Error(`expected success, got ${o.httpStatus}: ${JSON.stringify(o.raw)}`);
}

/** A code the service could have issued but did not: same shape, different from `code`. */
const wrongCodeFor = (code: string) => (code === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ');

describe('email verification lifecycle', () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;
  let ds: DataSource;

  beforeAll(async () => {
    t = await startApp({ EMAIL_CODE_TTL_SECONDS: String(CODE_TTL_SECONDS) });
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('Lifecycle Org');
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  describe.each<Transport>(['rest', 'graphql'])('over %s', (transport) => {
    /** A fresh user (code returned at creation, so no mail) with a unique address. */
    const freshUser = (tag: string) => api.addUniqueUser(orgId, `${tag}-${transport}`);
    const op = (o: 'setEmail' | 'resend' | 'send' | 'verify', userId: string, body: Record<string, any>, as: Api = api) =>
      as.emailOp(transport, o, userId, body);

    it('add user → set email → mailed code verifies → the user is verified → resend finds no code', async () => {
      const username = `flow-${transport}`;
      const first = `${username}-first@example.com`;
      const second = `${username}-second@example.com`;
      // AddHumanUser with no verification option: sendCode is the default
      const added = await api.addHumanUser({
        username,
        organization: { orgId },
        profile: { givenName: 'Flow', familyName: 'User' },
        email: { email: first },
      });
      expect(added.status).toBe(200);
      expect(added.body.emailCode).toBeUndefined();
      const userId: string = added.body.userId;
      const firstCode = codeInMail(await t.sink.waitForMailTo(first));

      const set = await op('setEmail', userId, { email: second, sendCode: {} });
      expectOk(set);
      expect(set.verificationCode).toBeUndefined();
      const mail = await t.sink.waitForMailTo(second);
      expect(mail.subject).toBe('Verify email');
      const code = codeInMail(mail);
      expect(code).toMatch(/^[A-Z0-9]{6}$/);

      // the code mailed to the replaced address died with the change
      if (firstCode !== code) expectError(await op('verify', userId, { verificationCode: firstCode }), transport, CODE_INVALID);

      const verified = await op('verify', userId, { verificationCode: code });
      expectOk(verified);
      expect(verified.sequence).toBeGreaterThan(set.sequence);
      expect(verified.resourceOwner).toBe(orgId);
      expect(verified.verificationCode).toBeUndefined();

      const user = await getUserVia(api, transport, userId);
      expect(user).toMatchObject({ ok: true, email: second, isVerified: true, sequence: verified.sequence });
      expect((await eventTypesOf(ds, userId)).slice(-1)).toEqual(['user.human.email.verified']);

      expectError(await op('resend', userId, { sendCode: {} }), transport, CODE_EMPTY);
    });

    it('resend with a pending code mails a new code: the old one no longer verifies, the new one does', async () => {
      const u = await freshUser('resend');
      const address = `${u.username}-new@example.com`;
      expectOk(await op('setEmail', u.userId, { email: address, sendCode: {} }));
      const oldCode = codeInMail(await t.sink.waitForMailTo(address, 1));

      const resent = await op('resend', u.userId, { sendCode: {} });
      expectOk(resent);
      expect(resent.verificationCode).toBeUndefined();
      const newCode = codeInMail(await t.sink.waitForMailTo(address, 2));
      expect(newCode).not.toBe(oldCode);

      expectError(await op('verify', u.userId, { verificationCode: oldCode }), transport, CODE_INVALID);
      expectOk(await op('verify', u.userId, { verificationCode: newCode }));
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, email: address, isVerified: true });
    });

    it('send issues a fresh code even when the address is already verified', async () => {
      const u = await freshUser('send-verified');
      const address = `${u.username}-new@example.com`;
      expectOk(await op('setEmail', u.userId, { email: address, isVerified: true }));
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, isVerified: true });
      // resend has nothing to resend, send does not care
      expectError(await op('resend', u.userId, { sendCode: {} }), transport, CODE_EMPTY);

      const sent = await op('send', u.userId, { sendCode: {} });
      expectOk(sent);
      expect(sent.verificationCode).toBeUndefined();
      const code = codeInMail(await t.sink.waitForMailTo(address));
      expectOk(await op('verify', u.userId, { verificationCode: code }));
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, email: address, isVerified: true });
    });

    it('after send on a verified address there is a pending code again, so resend replaces it (ZITADEL checks only for a pending code)', async () => {
      const u = await freshUser('resend-after-send');
      expectOk(await op('setEmail', u.userId, { email: `${u.username}-new@example.com`, isVerified: true }));
      const sent = await op('send', u.userId, { returnCode: {} });
      expectOk(sent);
      const resent = await op('resend', u.userId, { returnCode: {} });
      expectOk(resent);
      expect(resent.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
      if (resent.verificationCode !== sent.verificationCode) {
        expectError(await op('verify', u.userId, { verificationCode: sent.verificationCode! }), transport, CODE_INVALID);
      }
      expectOk(await op('verify', u.userId, { verificationCode: resent.verificationCode! }));
    });

    it('send replaces a pending code: the earlier code no longer verifies, the fresh one does', async () => {
      const u = await freshUser('send-pending');
      const set = await op('setEmail', u.userId, { email: `${u.username}-new@example.com`, returnCode: {} });
      expectOk(set);
      const sent = await op('send', u.userId, { returnCode: {} });
      expectOk(sent);
      expect(sent.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
      expect(sent.sequence).toBeGreaterThan(set.sequence);
      if (sent.verificationCode !== set.verificationCode) {
        expectError(await op('verify', u.userId, { verificationCode: set.verificationCode! }), transport, CODE_INVALID);
      }
      expectOk(await op('verify', u.userId, { verificationCode: sent.verificationCode! }));
    });

    it('returnCode on resend and send answers a working code and mails nothing', async () => {
      const u = await freshUser('return');
      const address = `${u.username}-new@example.com`;
      expectOk(await op('setEmail', u.userId, { email: address, returnCode: {} }));

      const resent = await op('resend', u.userId, { returnCode: {} });
      expectOk(resent);
      expect(resent.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
      const sent = await op('send', u.userId, { returnCode: {} });
      expectOk(sent);
      expect(sent.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
      if (sent.verificationCode !== resent.verificationCode) {
        expectError(await op('verify', u.userId, { verificationCode: resent.verificationCode! }), transport, CODE_INVALID);
      }
      expectOk(await op('verify', u.userId, { verificationCode: sent.verificationCode! }));

      // a mailed code afterwards is the first and only mail this address gets
      expectOk(await op('send', u.userId, { sendCode: {} }));
      const mail = await t.sink.waitForMailTo(address);
      await new Promise((r) => setTimeout(r, 300));
      expect(t.sink.to(address)).toHaveLength(1);
      expect([resent.verificationCode, sent.verificationCode]).not.toContain(codeInMail(mail));
    });

    it('a wrong code is COMMAND-eis9R, records verification.failed, and leaves the right code usable', async () => {
      const u = await freshUser('wrong');
      const set = await op('setEmail', u.userId, { email: `${u.username}-new@example.com`, returnCode: {} });
      expectOk(set);
      const code = set.verificationCode!;

      expectError(await op('verify', u.userId, { verificationCode: wrongCodeFor(code) }), transport, CODE_INVALID);
      const events = await eventTypesOf(ds, u.userId);
      expect(events.filter((e) => e === 'user.human.email.verification.failed')).toHaveLength(1);
      expect(events.slice(-1)).toEqual(['user.human.email.verification.failed']);
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, isVerified: false });

      const ok = await op('verify', u.userId, { verificationCode: code });
      expectOk(ok);
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, isVerified: true });
    });

    it('a verified code is single use', async () => {
      const u = await freshUser('once');
      const set = await op('setEmail', u.userId, { email: `${u.username}-new@example.com`, returnCode: {} });
      expectOk(set);
      expectOk(await op('verify', u.userId, { verificationCode: set.verificationCode! }));
      expectError(await op('verify', u.userId, { verificationCode: set.verificationCode! }), transport, CODE_INVALID);
    });

    it('a code verifies within its lifetime and is COMMAND-eis9R once it has expired', async () => {
      const clock = t.app.get(Clock);
      const realNow = clock.now;
      const shifted = (seconds: number) => () => new Date(Date.now() + seconds * 1000);
      try {
        const fresh = await freshUser('ttl-ok');
        const a = await op('setEmail', fresh.userId, { email: `${fresh.username}-new@example.com`, returnCode: {} });
        expectOk(a);
        clock.now = shifted(CODE_TTL_SECONDS - 15);
        expectOk(await op('verify', fresh.userId, { verificationCode: a.verificationCode! }));
        clock.now = realNow;

        const stale = await freshUser('ttl-expired');
        const b = await op('setEmail', stale.userId, { email: `${stale.username}-new@example.com`, returnCode: {} });
        expectOk(b);
        clock.now = shifted(CODE_TTL_SECONDS + 5);
        expectError(await op('verify', stale.userId, { verificationCode: b.verificationCode! }), transport, CODE_INVALID);
        expect((await eventTypesOf(ds, stale.userId)).slice(-1)).toEqual(['user.human.email.verification.failed']);
        expect(await getUserVia(api, transport, stale.userId)).toMatchObject({ ok: true, isVerified: false });
      } finally {
        clock.now = realNow;
      }
    });

    it('verify on an unknown user is NotFound COMMAND-ieJ2e', async () => {
      expectError(await op('verify', UNKNOWN_USER, { verificationCode: 'ABC123' }), transport, NOT_FOUND);
    });

    it('verify needs a token: 401 without one, and the code is not consumed', async () => {
      const u = await freshUser('anon');
      const set = await op('setEmail', u.userId, { email: `${u.username}-new@example.com`, returnCode: {} });
      expectOk(set);
      expectError(await op('verify', u.userId, { verificationCode: set.verificationCode! }, api.as('')), transport, anyError(16, 401));
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, isVerified: false });
      expectOk(await op('verify', u.userId, { verificationCode: set.verificationCode! }));
    });

    it('verify needs no permission: a user of another organisation without membership verifies with the right code', async () => {
      const otherOrg = await api.addOrganization(`Outsiders ${transport}`);
      const outsiderId = await api.addUser(otherOrg, `outsider-${transport}`);
      const outsider = api.as(await api.addPat(outsiderId));
      const u = await freshUser('foreign');
      const address = `${u.username}-new@example.com`;
      const set = await op('setEmail', u.userId, { email: address, returnCode: {} });
      expectOk(set);

      // the outsider really has no access to that user...
      expectError(await getUserVia(outsider, transport, u.userId), transport, NOT_FOUND);
      // ...yet the code is the credential
      expectError(
        await op('verify', u.userId, { verificationCode: wrongCodeFor(set.verificationCode!) }, outsider),
        transport,
        CODE_INVALID,
      );
      const ok = await op('verify', u.userId, { verificationCode: set.verificationCode! }, outsider);
      expectOk(ok);
      expect(ok.resourceOwner).toBe(orgId);
      expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, email: address, isVerified: true });
    });

    it.each(['resend', 'send'] as const)('%s on an unknown user is NotFound COMMAND-ieJ2e', async (o) => {
      expectError(await op(o, UNKNOWN_USER, { sendCode: {} }), transport, NOT_FOUND);
      expectError(await op(o, UNKNOWN_USER, { returnCode: {} }), transport, NOT_FOUND);
    });

    it.each(['resend', 'send'] as const)(
      '%s with a bad urlTemplate is DOMAIN-oGh5e (parse) or DOMAIN-ieYa7 (execution), before the user lookup',
      async (o) => {
        const u = await freshUser(`tmpl-${o}`);
        expectOk(await op('setEmail', u.userId, { email: `${u.username}-new@example.com`, returnCode: {} }));
        const before = await getUserVia(api, transport, u.userId);
        expectError(await op(o, u.userId, { sendCode: { urlTemplate: 'https://example.com/v?code={{.Code' } }), transport, TEMPLATE_PARSE);
        expectError(
          await op(o, u.userId, { sendCode: { urlTemplate: 'https://example.com/v?code={{.Unknown}}' } }),
          transport,
          TEMPLATE_EXEC,
        );
        // nothing changed
        expect(await getUserVia(api, transport, u.userId)).toMatchObject({ ok: true, sequence: before.ok ? before.sequence : -1 });
        // the template is checked before the user is looked up
        expectError(await op(o, UNKNOWN_USER, { sendCode: { urlTemplate: '{{.UserID' } }), transport, TEMPLATE_PARSE);
        expectError(await op(o, UNKNOWN_USER, { sendCode: { urlTemplate: '{{.Nope}}' } }), transport, TEMPLATE_EXEC);
      },
    );

    it('AddHumanUser with email.returnCode answers emailCode, which verifies', async () => {
      const username = `add-return-${transport}`;
      const added = await addHumanUserVia(api, transport, {
        username,
        organization: { orgId },
        profile: { givenName: 'Add', familyName: 'Return' },
        email: { email: `${username}@example.com`, returnCode: {} },
      });
      if (!added.ok) throw new Error(`addHumanUser failed: ${JSON.stringify(added.raw)}`);
      expect(added.emailCode).toMatch(/^[A-Z0-9]{6}$/);
      expect(await getUserVia(api, transport, added.userId)).toMatchObject({
        ok: true,
        email: `${username}@example.com`,
        isVerified: false,
      });
      expectOk(await op('verify', added.userId, { verificationCode: added.emailCode! }));
      expect(await getUserVia(api, transport, added.userId)).toMatchObject({ ok: true, isVerified: true });
    });

    it('AddHumanUser with email.isVerified true creates a verified user with no code', async () => {
      const username = `add-verified-${transport}`;
      const added = await addHumanUserVia(api, transport, {
        username,
        organization: { orgId },
        profile: { givenName: 'Add', familyName: 'Verified' },
        email: { email: `${username}@example.com`, isVerified: true },
      });
      if (!added.ok) throw new Error(`addHumanUser failed: ${JSON.stringify(added.raw)}`);
      expect(added.emailCode).toBeUndefined();
      expect(await getUserVia(api, transport, added.userId)).toMatchObject({
        ok: true,
        email: `${username}@example.com`,
        isVerified: true,
      });
      expectError(await op('resend', added.userId, { sendCode: {} }), transport, CODE_EMPTY);
    });
  });
});
