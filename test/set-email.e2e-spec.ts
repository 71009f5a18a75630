import { startApp, TestApp } from './support/app.js';
import { anyError, Api, appError, expectError, ExpectedError, NOT_FOUND, Outcome, Transport, validationError } from './support/client.js';

/**
 * SetEmail (spec §1-§3) as a client sees it: one table of scenarios, each run over REST and
 * over GraphQL against the real app, a real database and a real SMTP sink.
 */

/** An ID no user has: 18 digits like the service's own. */
const UNKNOWN_USER = '100000000000000042';

const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** 201 characters, a well-formed address otherwise (local part 64, labels ≤ 63): only the length rule fails. */
const EMAIL_201 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(8)}`;
/** The longest address the contract accepts: 200 characters. */
const email200 = (tag: string) => `${tag}${'a'.repeat(64 - tag.length)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(7)}`;

interface Ctx {
  transport: Transport;
  orgId: string;
  /** The target user (a fresh user of the org, or UNKNOWN_USER). */
  userId: string;
  username: string;
  oldEmail: string;
  /** A fresh address for this row. */
  newEmail: string;
}

type MailExpectation = 'none' | ((c: Ctx, code: string) => string);

interface Success {
  /** The address GetUserByID must show afterwards (default: newEmail). */
  stored?: (c: Ctx) => string;
  verified: boolean;
  /** Whether the response carries the code. */
  returnsCode: boolean;
  /** 'none', or the link the mail to the stored address must carry. */
  mail: MailExpectation;
}

interface SingleCall {
  name: string;
  only?: Transport;
  target?: 'user' | 'unknown';
  /** The caller: the instance admin (default) or an ORG_USER_VIEWER member of the org. */
  as?: 'admin' | 'viewer';
  body: (c: Ctx) => Record<string, unknown>;
  then: Success | { error: ExpectedError };
}

interface MultiStep {
  name: string;
  only?: Transport;
  run: (c: Ctx, h: Helpers) => Promise<void>;
}

type Row = SingleCall | MultiStep;

interface Helpers {
  api: Api;
  call: (body: Record<string, unknown>) => Promise<Outcome>;
}

const defaultLink = (c: Ctx, code: string) =>
  `http://verify.test/ui/v2/login/verify?code=${code}&organization=${c.orgId}&userId=${c.userId}`;
const CUSTOM_TEMPLATE = 'https://app.example.com/confirm?user={{.UserID}}&code={{.Code}}&org={{.OrgID}}&login={{.LoginName}}';
const customLink = (c: Ctx, code: string) =>
  `https://app.example.com/confirm?user=${c.userId}&code=${code}&org=${c.orgId}&login=${c.username}`;

const lengthError = validationError('invalid SetEmailRequest.Email: value length must be between 1 and 200 runes, inclusive');
const badAddress = validationError('invalid SetEmailRequest.Email: value must be a valid email address');
const templateParse = appError(3, 400, 'DOMAIN-oGh5e', 'URL Template is invalid');
const templateExec = appError(3, 400, 'DOMAIN-ieYa7', 'URL Template is invalid');

const ROWS: Row[] = [
  // --- the three verification modes
  {
    name: 'sendCode is the default: the mail goes to the new address with the code and the default link',
    body: (c) => ({ email: c.newEmail }),
    then: { verified: false, returnsCode: false, mail: defaultLink },
  },
  {
    name: 'sendCode: {} also mails the default link',
    body: (c) => ({ email: c.newEmail, sendCode: {} }),
    then: { verified: false, returnsCode: false, mail: defaultLink },
  },
  {
    name: 'sendCode with a urlTemplate mails the link as rendered',
    body: (c) => ({ email: c.newEmail, sendCode: { urlTemplate: CUSTOM_TEMPLATE } }),
    then: { verified: false, returnsCode: false, mail: customLink },
  },
  {
    name: 'returnCode answers the code and mails nothing',
    body: (c) => ({ email: c.newEmail, returnCode: {} }),
    then: { verified: false, returnsCode: true, mail: 'none' },
  },
  {
    name: 'isVerified: true stores the address as verified, with no code and no mail',
    body: (c) => ({ email: c.newEmail, isVerified: true }),
    then: { verified: true, returnsCode: false, mail: 'none' },
  },
  {
    name: 'isVerified: false is refused by request validation',
    body: (c) => ({ email: c.newEmail, isVerified: false }),
    then: { error: validationError('invalid SetEmailRequest.IsVerified: value must equal true') },
  },
  {
    name: 'sendCode together with returnCode is refused',
    body: (c) => ({ email: c.newEmail, sendCode: {}, returnCode: {} }),
    then: { error: anyError(3, 400) },
  },
  {
    name: 'returnCode together with isVerified is refused',
    body: (c) => ({ email: c.newEmail, returnCode: {}, isVerified: true }),
    then: { error: anyError(3, 400) },
  },
  {
    name: 'sendCode together with isVerified is refused',
    body: (c) => ({ email: c.newEmail, sendCode: { urlTemplate: CUSTOM_TEMPLATE }, isVerified: true }),
    then: { error: anyError(3, 400) },
  },

  // --- the address
  { name: 'a malformed address is refused by request validation', body: () => ({ email: 'bad' }), then: { error: badAddress } },
  { name: 'an empty address is refused by the length rule', body: () => ({ email: '' }), then: { error: lengthError } },
  {
    name: 'a 201-character address is refused by the length rule',
    body: () => ({ email: EMAIL_201, returnCode: {} }),
    then: { error: lengthError },
  },
  {
    name: 'a 200-character address is accepted',
    body: (c) => ({ email: email200(c.username.replace(/[^a-z0-9]/g, '')), returnCode: {} }),
    then: { stored: (c) => email200(c.username.replace(/[^a-z0-9]/g, '')), verified: false, returnsCode: true, mail: 'none' },
  },
  {
    name: 'the display-name form is refused by the domain check (EMAIL-599GV)',
    body: () => ({ email: 'Mini <mini@mouse.com>', returnCode: {} }),
    then: { error: anyError(3, 400, 'EMAIL-599GV') },
  },
  {
    name: 'the same address again is FailedPrecondition COMMAND-Uch5e',
    body: (c) => ({ email: c.oldEmail, returnCode: {} }),
    then: { error: appError(9, 400, 'COMMAND-Uch5e', 'Email not changed') },
  },
  {
    name: 'the address is stored exactly as given (not trimmed, not lower-cased)',
    body: (c) => ({ email: `Mixed.Case.${c.username}@Example.COM`, returnCode: {} }),
    then: { stored: (c) => `Mixed.Case.${c.username}@Example.COM`, verified: false, returnsCode: true, mail: 'none' },
  },
  {
    name: 'the same address in another letter case is a change (exact comparison)',
    body: (c) => ({ email: c.oldEmail.toUpperCase(), returnCode: {} }),
    then: { stored: (c) => c.oldEmail.toUpperCase(), verified: false, returnsCode: true, mail: 'none' },
  },

  // --- URL templates
  {
    name: 'a urlTemplate that does not parse is DOMAIN-oGh5e',
    body: (c) => ({ email: c.newEmail, sendCode: { urlTemplate: 'https://x.test/?c={{.Code' } }),
    then: { error: templateParse },
  },
  {
    name: 'a urlTemplate that cannot execute is DOMAIN-ieYa7',
    body: (c) => ({ email: c.newEmail, sendCode: { urlTemplate: 'https://x.test/?c={{.Unknown}}' } }),
    then: { error: templateExec },
  },

  // --- unknown users, and the processing order
  {
    name: 'an unknown user is NotFound COMMAND-ieJ2e',
    target: 'unknown',
    body: (c) => ({ email: c.newEmail }),
    then: { error: NOT_FOUND },
  },
  {
    name: 'an unknown user with a bad urlTemplate gets the template error (checked before the lookup)',
    target: 'unknown',
    body: (c) => ({ email: c.newEmail, sendCode: { urlTemplate: '{{.Code' } }),
    then: { error: templateParse },
  },
  {
    name: 'an unknown user with a template that cannot execute gets DOMAIN-ieYa7 (checked before the lookup)',
    target: 'unknown',
    body: (c) => ({ email: c.newEmail, sendCode: { urlTemplate: '{{.Unknown}}' } }),
    then: { error: templateExec },
  },
  {
    name: 'an unknown user with an invalid address gets the validation error (validation before the lookup)',
    target: 'unknown',
    body: () => ({ email: 'bad' }),
    then: { error: badAddress },
  },
  {
    name: 'an unknown user is NotFound even for a caller without user.write (lookup before permission)',
    target: 'unknown',
    as: 'viewer',
    body: (c) => ({ email: c.newEmail, returnCode: {} }),
    then: { error: NOT_FOUND },
  },

  // --- REST wire format (protojson)
  {
    name: 'unknown JSON fields are ignored',
    only: 'rest',
    body: (c) => ({ email: c.newEmail, returnCode: {}, someFutureField: 'x', nested: { deeper: [1, 2] } }),
    then: { verified: false, returnsCode: true, mail: 'none' },
  },
  {
    name: 'snake_case return_code works',
    only: 'rest',
    body: (c) => ({ email: c.newEmail, return_code: {} }),
    then: { verified: false, returnsCode: true, mail: 'none' },
  },
  {
    name: 'snake_case is_verified works',
    only: 'rest',
    body: (c) => ({ email: c.newEmail, is_verified: true }),
    then: { verified: true, returnsCode: false, mail: 'none' },
  },
  {
    name: 'snake_case send_code with url_template works',
    only: 'rest',
    body: (c) => ({ email: c.newEmail, send_code: { url_template: CUSTOM_TEMPLATE } }),
    then: { verified: false, returnsCode: false, mail: customLink },
  },

  // --- sequences over several changes
  {
    name: 'each change answers a strictly greater sequence; a refused change leaves it alone',
    run: async (c, h) => {
      const seen: number[] = [(await userState(h.api, c.userId)).sequence];
      const steps: Record<string, unknown>[] = [
        { email: `1-${c.newEmail}`, returnCode: {} },
        { email: `2-${c.newEmail}`, isVerified: true },
        { email: `3-${c.newEmail}`, sendCode: { urlTemplate: CUSTOM_TEMPLATE } },
        { email: `4-${c.newEmail}` },
      ];
      for (const [i, body] of steps.entries()) {
        const o = await h.call(body);
        if (!o.ok) throw new Error(`step ${i + 1} failed: ${JSON.stringify(o.raw)}`);
        expect(o.sequence).toBeGreaterThan(seen[seen.length - 1]!);
        seen.push(o.sequence);
        if (c.transport === 'rest') expect(o.raw.details.sequence).toBe(String(o.sequence));
        const after = await userState(h.api, c.userId);
        expect(after).toEqual({ sequence: o.sequence, email: body.email, isVerified: body.isVerified === true });

        // the same address again: refused, and nothing moves
        const again = await h.call({ email: body.email, returnCode: {} });
        expectError(again, c.transport, appError(9, 400, 'COMMAND-Uch5e', 'Email not changed'));
        expect(await userState(h.api, c.userId)).toEqual(after);
      }
    },
  },
];

/** GetUserByID (REST, admin) reduced to what SetEmail changes. */
async function userState(api: Api, userId: string): Promise<{ sequence: number; email: string; isVerified: boolean }> {
  const r = await api.getUser(userId);
  if (r.status !== 200) throw new Error(`GetUserByID ${userId}: ${r.status} ${JSON.stringify(r.body)}`);
  return {
    sequence: Number(r.body.details.sequence),
    email: r.body.user.human.email.email,
    isVerified: r.body.user.human.email.isVerified,
  };
}

function decodeEntities(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"');
}

describe('SetEmail', () => {
  let t: TestApp;
  let admin: Api;
  let viewer: Api;
  let orgId: string;
  let sentinels = 0;

  beforeAll(async () => {
    t = await startApp();
    admin = new Api(t.url, t.adminToken);
    orgId = await admin.addOrganization('SetEmail Org');
    const viewerId = await admin.addUser(orgId, 'viewer');
    await admin.addMember(orgId, viewerId, ['ORG_USER_VIEWER']);
    viewer = admin.as(await admin.addPat(viewerId));
  });
  afterAll(() => t.close());

  /**
   * Proves no mail reached `address`: a later request mails another user, and once that mail
   * has arrived (the outbox delivers in order) we wait a little longer and look.
   */
  async function expectNoMailTo(address: string): Promise<void> {
    const n = ++sentinels;
    const sentinelId = await admin.addUser(orgId, `sentinel-${n}`);
    const to = `sentinel-${n}-new@example.com`;
    const o = await admin.setEmail('rest', sentinelId, { email: to });
    if (!o.ok) throw new Error(`sentinel SetEmail failed: ${JSON.stringify(o.raw)}`);
    await t.sink.waitForMailTo(to);
    await new Promise((r) => setTimeout(r, 500));
    expect(t.sink.to(address)).toEqual([]);
  }

  describe.each<Transport>(['rest', 'graphql'])('over %s', (transport) => {
    const rows = ROWS.filter((r) => !r.only || r.only === transport);

    it.each(rows.map((row, i) => [row.name, row, i] as const))('%s', async (_name, row, i) => {
      const username = `se-${transport}-${i}`;
      const oldEmail = `${username}-old@example.com`;
      const known = !('target' in row) || row.target !== 'unknown';
      const realId = known ? await admin.addUser(orgId, username, oldEmail) : UNKNOWN_USER;
      const c: Ctx = { transport, orgId, userId: realId, username, oldEmail, newEmail: `${username}-new@example.com` };
      const caller = 'as' in row && row.as === 'viewer' ? viewer : admin;
      const call = (body: Record<string, unknown>) => caller.setEmail(transport, c.userId, body);

      if ('run' in row) {
        await row.run(c, { api: admin, call });
        return;
      }

      const before = known ? await admin.getUser(c.userId) : undefined;
      const body = row.body(c);
      const t0 = Date.now();
      const o = await call(body);
      const t1 = Date.now();

      if ('error' in row.then) {
        expectError(o, transport, row.then.error);
        // a refused change changes nothing
        if (before) expect((await admin.getUser(c.userId)).body).toEqual(before.body);
        return;
      }

      const want = row.then;
      if (!o.ok) throw new Error(`expected success, got ${o.httpStatus}: ${JSON.stringify(o.raw)}`);
      const stored = want.stored ? want.stored(c) : (body.email as string);
      const prior = Number(before!.body.details.sequence);

      // details: sequence (a decimal string on the wire), commit time, owning organisation
      const wireDetails = transport === 'rest' ? o.raw.details : o.raw.data.setContactEmail.details;
      expect(wireDetails.sequence).toMatch(/^[1-9][0-9]*$/);
      expect(o.sequence).toBeGreaterThan(prior);
      expect(o.changeDate).toMatch(RFC3339_MS_UTC);
      const at = Date.parse(o.changeDate);
      expect(at).toBeGreaterThanOrEqual(t0 - 1000);
      expect(at).toBeLessThanOrEqual(t1 + 1000);
      expect(o.resourceOwner).toBe(orgId);

      // the code: only with returnCode; otherwise omitted on REST (not null)
      if (want.returnsCode) {
        expect(o.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
      } else if (transport === 'rest') {
        expect(Object.keys(o.raw)).toEqual(['details']);
      } else {
        expect(o.raw.data.setContactEmail.verificationCode).toBeNull();
      }

      // what GetUserByID shows afterwards
      expect(await userState(admin, c.userId)).toEqual({ sequence: o.sequence, email: stored, isVerified: want.verified });

      // the mail, or its absence
      if (want.mail === 'none') {
        await expectNoMailTo(stored);
        return;
      }
      const mail = await t.sink.waitForMailTo(stored);
      expect(mail.to).toEqual([stored]);
      expect(mail.subject).toBe('Verify email');
      const code = /\(Code ([A-Z0-9]{6})\)/.exec(mail.text)?.[1];
      if (!code) throw new Error(`no code in mail text: ${mail.text}`);
      const link = want.mail(c, code);
      expect(mail.text).toContain(link);
      const button = /<a href="([^"]+)"[^>]*>\s*Verify email\s*<\/a>/.exec(mail.html)?.[1];
      expect(decodeEntities(button ?? '')).toBe(link);
      // the old address is not mailed
      expect(t.sink.to(c.oldEmail)).toEqual([]);
    });
  });
});
