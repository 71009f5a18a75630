import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { startApp, TestApp } from './support/app.js';
import { launchBrowser, withPage } from './support/browser.js';
import { Api, codeInMail, eventTypesOf, getUserVia, rest } from './support/client.js';
import { freePort, onApp, postUndo, tokenOf, undoLinkIn } from './support/undo.js';
import { updateUserVia, userDetailsVia } from './support/update-user.js';

/**
 * spec §10's undo link: the notice to a replaced verified address carries a single-use,
 * expiring link to a scanner-safe hosted page; using it restores the address, voids pending
 * codes, revokes the user's PATs, records the revert and tells the address that replaced it.
 */
describe('the undo link in the notice to a replaced address', () => {
  let t: TestApp;
  let admin: Api;
  let orgId: string;
  let browser: Browser;
  let dataSource: DataSource;
  let n = 0;

  beforeAll(async () => {
    const port = await freePort();
    t = await startApp({ PORT: String(port), EXTERNAL_URL: `http://127.0.0.1:${port}`, EMAIL_NOTIFY_PREVIOUS: 'true' });
    admin = new Api(t.url, t.adminToken);
    orgId = await admin.addOrganization('Undo Org');
    dataSource = t.app.get(DataSource);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A user whose address is verified, with a PAT of their own. */
  async function verifiedUser(tag: string): Promise<{ userId: string; email: string; token: string; username: string }> {
    const username = `${tag}-${++n}`;
    const email = `${username}@example.com`;
    const r = await admin.addHumanUser({
      username,
      organization: { orgId },
      profile: { givenName: 'Una', familyName: 'Do' },
      email: { email, isVerified: true },
    });
    if (r.status !== 200) throw new Error(JSON.stringify(r.body));
    return { userId: r.body.userId, email, username, token: await admin.addPat(r.body.userId) };
  }

  async function noticeLink(to: string, count = 1): Promise<string> {
    const mail = await t.sink.waitForMailTo(to, count);
    expect(mail.subject).toBe('Your email address was changed');
    const link = undoLinkIn(mail);
    if (!link) throw new Error(`no undo link in the notice: ${mail.html}`);
    expect(link.startsWith(`${t.config.externalUrl}/ui/v2/login/email/undo?token=`)).toBe(true);
    expect(mail.text).toContain(link);
    return onApp(link, t.url);
  }

  async function pressUndo(page: Page) {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/ui/v2/login/email/undo'),
      page.getByRole('button', { name: 'Undo the change' }).click(),
    ]);
    await page.waitForLoadState('load');
    return response;
  }

  it('in a browser: opening the link changes nothing; the button restores the address, voids the code, revokes PATs, tells the new address', async () => {
    const u = await verifiedUser('undo-browser');
    const hijacked = `${u.username}.attacker@example.com`;
    expect(await admin.setEmail('rest', u.userId, { email: hijacked, sendCode: {} })).toMatchObject({ ok: true });
    const code = codeInMail(await t.sink.waitForMailTo(hijacked));
    const link = await noticeLink(u.email);

    await withPage(
      browser,
      async (page) => {
        const opened = await page.goto(link);
        expect(opened?.status()).toBe(200);
        expect(await page.title()).toBe('Undo the email change');
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Undo the email change');
        await page.screenshot({ path: '/tmp/undo-page.png', fullPage: true });
        // a scanner fetching the link undoes nothing
        expect(await getUserVia(admin, 'rest', u.userId)).toMatchObject({ email: hijacked, isVerified: false });

        const posted = await pressUndo(page);
        expect(posted.status()).toBe(200);
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Email change undone');
        await page.screenshot({ path: '/tmp/undo-done.png', fullPage: true });

        // the same link again, through the page: one refusal
        await page.goto(link);
        const again = await pressUndo(page);
        expect(again.status()).toBe(400);
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Undo not possible');
      },
      { javaScriptEnabled: false },
    );

    expect(await getUserVia(admin, 'rest', u.userId)).toMatchObject({ email: u.email, isVerified: true });
    expect((await userDetailsVia(admin, 'rest', u.userId)).email.pendingEmail).toBeUndefined();
    // the code mailed to the attacker's address is void
    const verify = await admin.emailOp('rest', 'verify', u.userId, { verificationCode: code });
    expect(verify).toMatchObject({ ok: false, id: 'COMMAND-eis9R' });
    // the user's PATs are revoked
    expect((await rest(t.url, 'GET', `/v2/users/${u.userId}`, undefined, u.token)).status).toBe(401);
    expect(await eventTypesOf(dataSource, u.userId)).toContain('user.human.email.change.reverted');
    const told = await t.sink.waitForMailTo(hijacked, 2);
    expect(told.subject).toBe('The change of your email address was undone');
    expect(told.text).toContain('was undone');
  });

  it('one answer for a used, an expired and an unknown link (no oracle about which)', async () => {
    const used = await verifiedUser('undo-used');
    await admin.setEmail('rest', used.userId, { email: `${used.username}.new@example.com`, returnCode: {} });
    const usedToken = tokenOf(await noticeLink(used.email));
    expect((await postUndo(t.url, usedToken)).status).toBe(200);

    const expired = await verifiedUser('undo-expired');
    await admin.setEmail('rest', expired.userId, { email: `${expired.username}.new@example.com`, returnCode: {} });
    const expiredToken = tokenOf(await noticeLink(expired.email));
    await dataSource.query(`UPDATE email_undo_tokens SET expires_at = ${Date.now() - 1000} WHERE user_id = '${expired.userId}'`);

    const answers = await Promise.all([usedToken, expiredToken, 'A'.repeat(43)].map((tok) => postUndo(t.url, tok)));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers[0]!.body).toContain('This link is invalid, was already used or has expired.');
    expect(await getUserVia(admin, 'rest', expired.userId)).toMatchObject({ email: `${expired.username}.new@example.com` });
  });

  it.each([
    ['SetEmail over GraphQL', (api: Api, userId: string, email: string) => api.setEmail('graphql', userId, { email, returnCode: {} })],
    [
      'UpdateUser over REST',
      (api: Api, userId: string, email: string) => updateUserVia(api, 'rest', userId, { human: { email: { email, returnCode: {} } } }),
    ],
    [
      'UpdateUser over GraphQL',
      (api: Api, userId: string, email: string) => updateUserVia(api, 'graphql', userId, { human: { email: { email, isVerified: true } } }),
    ],
  ])('a change made with %s carries the link too, and the link undoes it', async (_name, change) => {
    const u = await verifiedUser('undo-via');
    expect(await change(admin, u.userId, `${u.username}.other@example.com`)).toMatchObject({ ok: true });
    expect((await postUndo(t.url, tokenOf(await noticeLink(u.email)))).status).toBe(200);
    expect(await getUserVia(admin, 'rest', u.userId)).toMatchObject({ email: u.email, isVerified: true });
  });

  it('a later change voids nothing, but an undo voids every open link of the user', async () => {
    const u = await verifiedUser('undo-chain');
    const b = `${u.username}.b@example.com`;
    await admin.setEmail('rest', u.userId, { email: b, isVerified: true });
    const first = tokenOf(await noticeLink(u.email));
    await admin.setEmail('rest', u.userId, { email: `${u.username}.c@example.com`, returnCode: {} });
    const second = tokenOf(await noticeLink(b));
    expect((await postUndo(t.url, first)).status).toBe(200);
    expect(await getUserVia(admin, 'rest', u.userId)).toMatchObject({ email: u.email, isVerified: true });
    expect((await postUndo(t.url, second)).status).toBe(400);
    expect(await getUserVia(admin, 'rest', u.userId)).toMatchObject({ email: u.email, isVerified: true });
  });

  it('a race between the undo POST and a new SetEmail leaves one consistent state', async () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const u = await verifiedUser('undo-race');
      await admin.setEmail('rest', u.userId, { email: `${u.username}.b@example.com`, returnCode: {} });
      const token = tokenOf(await noticeLink(u.email));
      const c = `${u.username}.c@example.com`;
      // alternate which request leaves first, so both orders get their chance
      const undo = () => postUndo(t.url, token);
      const setC = () => admin.setEmail('rest', u.userId, { email: c, returnCode: {} });
      const [undone, set] =
        i % 2 === 0 ? await Promise.all([undo(), setC()]) : await Promise.all([setC(), undo()]).then(([s, un]) => [un, s] as const);
      expect(undone.status).toBe(200);
      expect(set.ok).toBe(true);
      const user = await getUserVia(admin, 'rest', u.userId);
      const events = await eventTypesOf(dataSource, u.userId);
      const code = set.ok ? set.verificationCode! : '';
      if (user.ok && user.email === u.email) {
        // SetEmail, then the undo: the old address is back, verified, and C's code is void
        outcomes.add('set-then-undo');
        expect(user.isVerified).toBe(true);
        expect(events.at(-1)).toBe('user.human.email.change.reverted');
        expect(await admin.emailOp('rest', 'verify', u.userId, { verificationCode: code })).toMatchObject({
          ok: false,
          id: 'COMMAND-eis9R',
        });
      } else {
        // the undo, then SetEmail: C waits for its code, which works
        outcomes.add('undo-then-set');
        expect(user).toMatchObject({ ok: true, email: c, isVerified: false });
        expect(events.slice(-3)).toEqual(['user.human.email.change.reverted', 'user.human.email.changed', 'user.human.email.code.added']);
        expect(await admin.emailOp('rest', 'verify', u.userId, { verificationCode: code })).toMatchObject({ ok: true });
      }
      // the event log has no gap and no duplicate
      const seqs = (await dataSource.query(`SELECT sequence FROM user_events WHERE user_id = '${u.userId}' ORDER BY sequence`)) as {
        sequence: string | number;
      }[];
      expect(seqs.map((r) => Number(r.sequence))).toEqual(seqs.map((_, k) => k + 1));
    }
    expect(outcomes.size).toBeGreaterThan(0);
    if (process.env.DEBUG_RACE) console.log([...outcomes]);
  });
});

describe('undo settings', () => {
  it('EMAIL_UNDO_TTL_SECONDS=0: the notice has no link; EMAIL_UNDO_REVOKES_TOKENS=false: the undo leaves PATs alone', async () => {
    const noLink = await startApp({ EMAIL_NOTIFY_PREVIOUS: 'true', EMAIL_UNDO_TTL_SECONDS: '0' });
    try {
      const api = new Api(noLink.url, noLink.adminToken);
      const org = await api.addOrganization('No link');
      const r = await api.addHumanUser({
        username: 'nolink',
        organization: { orgId: org },
        profile: { givenName: 'No', familyName: 'Link' },
        email: { email: 'nolink@example.com', isVerified: true },
      });
      await api.setEmail('rest', r.body.userId, { email: 'nolink.new@example.com', returnCode: {} });
      const notice = await noLink.sink.waitForMailTo('nolink@example.com');
      expect(notice.subject).toBe('Your email address was changed');
      expect(undoLinkIn(notice)).toBeNull();
      expect(notice.text).toContain('contact your administrator');
    } finally {
      await noLink.close();
    }

    const keep = await startApp({ EMAIL_NOTIFY_PREVIOUS: 'true', EMAIL_UNDO_REVOKES_TOKENS: 'false' });
    try {
      const api = new Api(keep.url, keep.adminToken);
      const org = await api.addOrganization('Keep tokens');
      const r = await api.addHumanUser({
        username: 'keep',
        organization: { orgId: org },
        profile: { givenName: 'Keep', familyName: 'Tokens' },
        email: { email: 'keep@example.com', isVerified: true },
      });
      const pat = await api.addPat(r.body.userId);
      await api.setEmail('rest', r.body.userId, { email: 'keep.new@example.com', returnCode: {} });
      const link = undoLinkIn(await keep.sink.waitForMailTo('keep@example.com'));
      expect((await postUndo(keep.url, tokenOf(link!))).status).toBe(200);
      expect((await rest(keep.url, 'GET', `/v2/users/${r.body.userId}`, undefined, pat)).status).toBe(200);
      expect(await getUserVia(api, 'rest', r.body.userId)).toMatchObject({ email: 'keep@example.com', isVerified: true });
    } finally {
      await keep.close();
    }
  });
});
