import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { startApp, TestApp } from './support/app.js';
import { launchBrowser, withPage } from './support/browser.js';
import {
  Api,
  appError,
  codeInMail,
  eventTypesOf,
  expectError,
  gql,
  graphqlFailure,
  rest,
  restFailure,
  Transport,
} from './support/client.js';
import { decodeEntities, freePort, onApp, postUndo, tokenOf, undoLinkIn } from './support/undo.js';
import { updateUserVia, userDetailsVia } from './support/update-user.js';

/** Cancels the pending address over REST (DELETE …/email/pending) or GraphQL (cancelPendingEmail). */
async function cancelPendingVia(api: Api, transport: Transport, userId: string) {
  if (transport === 'rest') {
    const r = await rest(api.base, 'DELETE', `/v2/users/${userId}/email/pending`, undefined, api.token);
    return r.status === 200 ? { ok: true as const, raw: r.body } : restFailure(r);
  }
  const r = await gql(
    api.base,
    'mutation($userId: ID!) { cancelPendingEmail(userId: $userId) { details { sequence changeDate resourceOwner } } }',
    { userId },
    api.token,
  );
  const data = r.body?.data?.cancelPendingEmail;
  return data ? { ok: true as const, raw: data } : graphqlFailure('cancelPendingEmail', r);
}

/**
 * spec §10's verify-first mode (EMAIL_CHANGE_MODE=verify-first): a new address waits as
 * pending until its code is verified; the current one stays in use; the notice to the old
 * address (with its undo link) goes out when the new one is promoted.
 */
describe.each<Transport>(['rest', 'graphql'])('verify-first over %s', (transport) => {
  let t: TestApp;
  let admin: Api;
  let orgId: string;
  let browser: Browser;
  let dataSource: DataSource;
  let n = 0;

  beforeAll(async () => {
    const port = await freePort();
    t = await startApp({
      PORT: String(port),
      EXTERNAL_URL: `http://127.0.0.1:${port}`,
      EMAIL_CHANGE_MODE: 'verify-first',
      EMAIL_NOTIFY_PREVIOUS: 'true',
    });
    admin = new Api(t.url, t.adminToken);
    orgId = await admin.addOrganization(`Verify first ${transport}`);
    dataSource = t.app.get(DataSource);
    if (transport === 'rest') browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function verifiedUser(tag: string): Promise<{ userId: string; email: string; username: string }> {
    const username = `${tag}-${transport}-${++n}`;
    const email = `${username}@example.com`;
    const r = await admin.addHumanUser({
      username,
      organization: { orgId },
      profile: { givenName: 'Vera', familyName: 'First' },
      email: { email, isVerified: true },
    });
    if (r.status !== 200) throw new Error(JSON.stringify(r.body));
    return { userId: r.body.userId, email, username };
  }

  it('the new address waits as pendingEmail; the mailed code promotes it; only then the old address is told, with an undo link', async () => {
    const u = await verifiedUser('vf-flow');
    const next = `${u.username}.next@example.com`;
    expect(await admin.setEmail(transport, u.userId, { email: next, sendCode: {} })).toMatchObject({ ok: true });
    expect((await userDetailsVia(admin, transport, u.userId)).email).toEqual({ email: u.email, isVerified: true, pendingEmail: next });
    const mail = await t.sink.waitForMailTo(next);
    // nothing to the current address yet
    await new Promise((r) => setTimeout(r, 300));
    expect(t.sink.to(u.email)).toHaveLength(0);

    if (transport === 'rest') {
      // follow the mailed link in Chromium and press the button
      const href = /<a\s+href=["']([^"']+)["'][^>]*>\s*Verify email\s*<\/a>/.exec(mail.html)?.[1];
      if (!href) throw new Error(`no Verify email button: ${mail.html}`);
      await withPage(
        browser,
        async (page) => {
          await page.goto(onApp(decodeEntities(href), t.url));
          expect((await userDetailsVia(admin, transport, u.userId)).email.pendingEmail).toBe(next);
          const [posted] = await Promise.all([
            page.waitForResponse((r) => r.request().method() === 'POST'),
            page.getByRole('button', { name: 'Verify email' }).click(),
          ]);
          expect(posted.status()).toBe(200);
        },
        { javaScriptEnabled: false },
      );
    } else {
      expect(await admin.emailOp(transport, 'verify', u.userId, { verificationCode: codeInMail(mail) })).toMatchObject({ ok: true });
    }
    expect((await userDetailsVia(admin, transport, u.userId)).email).toEqual({ email: next, isVerified: true });
    const notice = await t.sink.waitForMailTo(u.email);
    expect(notice.subject).toBe('Your email address was changed');
    const link = undoLinkIn(notice);
    expect(link).not.toBeNull();
    expect((await postUndo(t.url, tokenOf(link!))).status).toBe(200);
    expect((await userDetailsVia(admin, transport, u.userId)).email).toEqual({ email: u.email, isVerified: true });
  });

  it('"Email not changed" is judged against the pending address; UpdateUser holds it pending too', async () => {
    const u = await verifiedUser('vf-same');
    const next = `${u.username}.next@example.com`;
    const r = await updateUserVia(admin, transport, u.userId, { human: { email: { email: next, returnCode: {} } } });
    expect(r).toMatchObject({ ok: true });
    expect((await userDetailsVia(admin, transport, u.userId)).email).toEqual({ email: u.email, isVerified: true, pendingEmail: next });
    expectError(
      await admin.setEmail(transport, u.userId, { email: next, returnCode: {} }),
      transport,
      appError(9, 400, 'COMMAND-Uch5e', 'Email not changed'),
    );
    // another address replaces the pending one, and the first code is void
    const other = `${u.username}.other@example.com`;
    const second = await admin.setEmail(transport, u.userId, { email: other, returnCode: {} });
    expect((await userDetailsVia(admin, transport, u.userId)).email.pendingEmail).toBe(other);
    expect(await admin.emailOp(transport, 'verify', u.userId, { verificationCode: r.ok ? r.emailCode : '' })).toMatchObject({
      ok: false,
      id: 'COMMAND-eis9R',
    });
    expect(
      await admin.emailOp(transport, 'verify', u.userId, { verificationCode: second.ok ? second.verificationCode : '' }),
    ).toMatchObject({
      ok: true,
    });
    expect((await userDetailsVia(admin, transport, u.userId)).email).toEqual({ email: other, isVerified: true });
  });

  it('cancelling drops the pending address and its code (200 {details}); with nothing pending it is refused', async () => {
    const u = await verifiedUser('vf-cancel');
    const set = await admin.setEmail(transport, u.userId, { email: `${u.username}.typo@example.con`, returnCode: {} });
    const cancelled = await cancelPendingVia(admin, transport, u.userId);
    expect(cancelled).toMatchObject({ ok: true, raw: { details: { resourceOwner: orgId } } });
    expect((await userDetailsVia(admin, transport, u.userId)).email).toEqual({ email: u.email, isVerified: true });
    expect(await admin.emailOp(transport, 'verify', u.userId, { verificationCode: set.ok ? set.verificationCode : '' })).toMatchObject({
      ok: false,
      id: 'COMMAND-eis9R',
    });
    // the failed verification after the cancel finds no code: nothing is recorded for it
    expect((await eventTypesOf(dataSource, u.userId)).at(-1)).toBe('user.human.email.change.cancelled');
    expectError(
      await cancelPendingVia(admin, transport, u.userId),
      transport,
      appError(9, 400, 'EMAIL-n0pend', 'No email address is pending'),
    );
  });

  it("an admin's isVerified applies at once and tells the old address; resend goes to the pending address", async () => {
    const u = await verifiedUser('vf-admin');
    const pending = `${u.username}.pending@example.com`;
    await admin.setEmail(transport, u.userId, { email: pending, returnCode: {} });
    expect(await admin.emailOp(transport, 'resend', u.userId, { sendCode: {} })).toMatchObject({ ok: true });
    await t.sink.waitForMailTo(pending);
    const direct = `${u.username}.direct@example.com`;
    expect(await admin.setEmail(transport, u.userId, { email: direct, isVerified: true })).toMatchObject({ ok: true });
    expect((await userDetailsVia(admin, transport, u.userId)).email).toEqual({ email: direct, isVerified: true });
    expect(undoLinkIn(await t.sink.waitForMailTo(u.email))).not.toBeNull();
  });

  it('a user may cancel their own pending address; a viewer may not cancel another user’s', async () => {
    const u = await verifiedUser('vf-self');
    const viewer = await verifiedUser('vf-viewer');
    await admin.addMember(orgId, viewer.userId, ['ORG_USER_VIEWER']);
    await admin.setEmail(transport, u.userId, { email: `${u.username}.p@example.com`, returnCode: {} });
    expectError(
      await cancelPendingVia(admin.as(await admin.addPat(viewer.userId)), transport, u.userId),
      transport,
      appError(7, 403, 'AUTH-AWfge', 'No matching permissions found'),
    );
    expect(await cancelPendingVia(admin.as(await admin.addPat(u.userId)), transport, u.userId)).toMatchObject({ ok: true });
  });
});
