import { DataSource } from 'typeorm';
import { startApp, TestApp } from './support/app.js';
import {
  Api,
  appError,
  codeInMail,
  eventTypesOf,
  expectError,
  getUserVia,
  NOT_FOUND,
  PERMISSION_DENIED,
  Transport,
  validationError,
} from './support/client.js';
import { updateUserVia, userDetailsVia } from './support/update-user.js';

/**
 * ZITADEL v4's UpdateUser (spec §10) over REST and GraphQL: `human.email` is SetEmail (same
 * checks, errors, events, idempotency and mail), username and profile change with ZITADEL's
 * validation, phone and password answer 12. Connect/gRPC: zitadel-clients.e2e-spec.ts.
 */
describe.each<Transport>(['rest', 'graphql'])('UpdateUser over %s', (transport) => {
  let t: TestApp;
  let admin: Api;
  let orgId: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await startApp();
    admin = new Api(t.url, t.adminToken);
    orgId = await admin.addOrganization(`Update ${transport}`);
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('human.email with returnCode answers {changeDate, emailCode} and records what SetEmail records', async () => {
    const u = await admin.addUniqueUser(orgId, 'upd-email');
    const before = await eventTypesOf(dataSource, u.userId);
    const r = await updateUserVia(admin, transport, u.userId, {
      human: { email: { email: `${u.username}.new@example.com`, returnCode: {} } },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.raw));
    expect(r.emailCode).toMatch(/^[A-Z0-9]{6}$/);
    expect(Math.abs(Date.parse(r.changeDate) - Date.now())).toBeLessThan(60_000);
    if (transport === 'rest') expect(Object.keys(r.raw).sort()).toEqual(['changeDate', 'emailCode']);
    const after = await eventTypesOf(dataSource, u.userId);
    expect(after.slice(before.length)).toEqual(['user.human.email.changed', 'user.human.email.code.added']);
    const user = await getUserVia(admin, transport, u.userId);
    expect(user).toMatchObject({ ok: true, email: `${u.username}.new@example.com`, isVerified: false });
    // the returned code verifies, as SetEmail's does
    const v = await admin.emailOp(transport, 'verify', u.userId, { verificationCode: r.emailCode });
    expect(v.ok).toBe(true);
  });

  it('human.email with sendCode mails the code through the outbox, as SetEmail does', async () => {
    const u = await admin.addUniqueUser(orgId, 'upd-send');
    const address = `${u.username}.mailed@example.com`;
    const r = await updateUserVia(admin, transport, u.userId, { human: { email: { email: address, sendCode: {} } } });
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.emailCode).toBeFalsy();
    const mail = await t.sink.waitForMailTo(address);
    const v = await admin.emailOp(transport, 'verify', u.userId, { verificationCode: codeInMail(mail) });
    expect(v.ok).toBe(true);
    expect(await getUserVia(admin, transport, u.userId)).toMatchObject({ email: address, isVerified: true });
  });

  it("SetEmail's errors: the same address (COMMAND-Uch5e), a bad address, two verification modes", async () => {
    const u = await admin.addUniqueUser(orgId, 'upd-errors');
    expectError(
      await updateUserVia(admin, transport, u.userId, { human: { email: { email: u.email, returnCode: {} } } }),
      transport,
      appError(9, 400, 'COMMAND-Uch5e', 'Email not changed'),
    );
    const bad = await updateUserVia(admin, transport, u.userId, { human: { email: { email: 'not-an-address', returnCode: {} } } });
    expect(bad).toMatchObject({ ok: false, httpStatus: 400, grpcCode: 3 });
    expect(!bad.ok && bad.message).toContain('invalid SetHumanEmail.Email: value must be a valid email address');
    const both = await updateUserVia(admin, transport, u.userId, {
      human: { email: { email: `${u.username}.x@example.com`, returnCode: {}, isVerified: true } },
    });
    expect(both).toMatchObject({ ok: false, httpStatus: 400, grpcCode: 3 });
    expectError(await updateUserVia(admin, transport, '100000000000000042', { username: 'ghost' }), transport, NOT_FOUND);
  });

  it('username and profile change, and only what differs is recorded; GetUserByID shows them', async () => {
    const u = await admin.addUniqueUser(orgId, 'upd-profile');
    const profile = {
      givenName: 'Minnie',
      familyName: 'Maus',
      nickName: 'Min',
      displayName: 'Minnie M.',
      preferredLanguage: 'de',
      gender: 'GENDER_FEMALE',
    };
    const r = await updateUserVia(admin, transport, u.userId, { username: `${u.username}-renamed`, human: { profile } });
    expect(r).toMatchObject({ ok: true });
    const seen = await userDetailsVia(admin, transport, u.userId);
    expect(seen.username).toBe(`${u.username}-renamed`);
    expect(seen.profile).toEqual(profile);
    const events = await eventTypesOf(dataSource, u.userId);
    expect(events.slice(-2)).toEqual(['user.username.changed', 'user.human.profile.changed']);

    // the same values again: nothing changes, the answer is the user's last change
    const again = await updateUserVia(admin, transport, u.userId, { username: `${u.username}-renamed`, human: { profile } });
    expect(again).toMatchObject({ ok: true, changeDate: r.ok ? r.changeDate : '' });
    expect(await eventTypesOf(dataSource, u.userId)).toEqual(events);
  });

  it("ZITADEL's validation and errors: empty or long fields, an undefined gender, a taken username", async () => {
    const u = await admin.addUniqueUser(orgId, 'upd-invalid');
    const other = await admin.addUniqueUser(orgId, 'upd-other');
    const nested = (field: string, reason: string) =>
      `invalid UpdateUserRequest.Human: embedded message failed validation | caused by: invalid UpdateUserRequest_Human.Profile: embedded message failed validation | caused by: invalid UpdateUserRequest_Human_Profile.${field}: ${reason}`;
    expectError(
      await updateUserVia(admin, transport, u.userId, { human: { profile: { givenName: '' } } }),
      transport,
      validationError(nested('GivenName', 'value length must be between 1 and 200 runes, inclusive')),
    );
    expectError(
      await updateUserVia(admin, transport, u.userId, { human: { profile: { preferredLanguage: 'x'.repeat(11) } } }),
      transport,
      validationError(nested('PreferredLanguage', 'value length must be between 1 and 10 runes, inclusive')),
    );
    expectError(
      await updateUserVia(admin, transport, u.userId, { human: { profile: { gender: 'GENDER_ROBOT' } } }),
      transport,
      validationError(nested('Gender', 'value must be one of the defined enum values')),
    );
    expectError(
      await updateUserVia(admin, transport, u.userId, { username: '' }),
      transport,
      validationError('invalid UpdateUserRequest.Username: value length must be between 1 and 200 runes, inclusive'),
    );
    expectError(
      await updateUserVia(admin, transport, u.userId, { username: other.username }),
      transport,
      appError(6, 409, 'COMMAND-CxmY3', 'Username already taken'),
    );
  });

  it('one request commits everything or nothing: a refused email leaves the profile as it was', async () => {
    const u = await admin.addUniqueUser(orgId, 'upd-atomic');
    const r = await updateUserVia(admin, transport, u.userId, {
      username: `${u.username}-not`,
      human: { profile: { givenName: 'Changed' }, email: { email: u.email, returnCode: {} } },
    });
    expectError(r, transport, appError(9, 400, 'COMMAND-Uch5e', 'Email not changed'));
    const seen = await userDetailsVia(admin, transport, u.userId);
    expect(seen.username).toBe(u.username);
    expect(seen.profile.givenName).toBe(u.username);
  });

  it('an Idempotency-Key replays the first answer and changes nothing more', async () => {
    const u = await admin.addUniqueUser(orgId, 'upd-idem');
    const body = { human: { profile: { nickName: 'once' }, email: { email: `${u.username}.idem@example.com`, returnCode: {} } } };
    const key = `upd-${transport}-${u.userId}`;
    const first = await updateUserVia(admin, transport, u.userId, body, { 'Idempotency-Key': key });
    const events = await eventTypesOf(dataSource, u.userId);
    const second = await updateUserVia(admin, transport, u.userId, body, { 'Idempotency-Key': key });
    expect(first).toMatchObject({ ok: true });
    expect(second.ok && first.ok && { changeDate: second.changeDate, emailCode: second.emailCode }).toEqual(
      first.ok && { changeDate: first.changeDate, emailCode: first.emailCode },
    );
    expect(await eventTypesOf(dataSource, u.userId)).toEqual(events);
  });

  if (transport === 'rest') {
    it('human.phone, human.password and machine answer 12 with a clear message, before anything is looked up or stored', async () => {
      const u = await admin.addUniqueUser(orgId, 'upd-phone');
      for (const [body, id, what] of [
        [{ human: { phone: { phone: '+41791234567' } } }, 'USER-n0tkph', 'human.phone'],
        [{ human: { password: { password: { password: 'Secr3t!pass' } } } }, 'USER-n0tkpw', 'human.password'],
        [{ machine: { name: 'robot' } }, 'USER-n0tkmc', 'machine'],
      ] as const) {
        expectError(
          await updateUserVia(admin, transport, u.userId, { ...body, username: 'ignored' }),
          transport,
          appError(12, 501, id, `${what} is not kept by this service; it manages the contact email, username and profile only`),
        );
      }
      expect((await userDetailsVia(admin, transport, u.userId)).username).toBe(u.username);
    });
  }

  it('access: a viewer gets 403, an outsider 404; a user may change their own profile and mail a code to a new address, not return it', async () => {
    const target = await admin.addUniqueUser(orgId, 'upd-target');
    const viewer = await admin.addUniqueUser(orgId, 'upd-viewer');
    await admin.addMember(orgId, viewer.userId, ['ORG_USER_VIEWER']);
    const asViewer = admin.as(await admin.addPat(viewer.userId));
    expectError(
      await updateUserVia(asViewer, transport, target.userId, { human: { profile: { nickName: 'x' } } }),
      transport,
      PERMISSION_DENIED,
    );
    const otherOrg = await admin.addOrganization(`Elsewhere ${transport}`);
    const outsider = await admin.addUniqueUser(otherOrg, 'upd-outsider');
    const asOutsider = admin.as(await admin.addPat(outsider.userId));
    expectError(await updateUserVia(asOutsider, transport, target.userId, { username: 'taken-over' }), transport, NOT_FOUND);

    const self = admin.as(await admin.addPat(target.userId));
    expect(await updateUserVia(self, transport, target.userId, { human: { profile: { nickName: 'me' } } })).toMatchObject({ ok: true });
    expectError(
      await updateUserVia(self, transport, target.userId, {
        human: { email: { email: `${target.username}.r@example.com`, returnCode: {} } },
      }),
      transport,
      PERMISSION_DENIED,
    );
    expect(
      await updateUserVia(self, transport, target.userId, {
        human: { email: { email: `${target.username}.s@example.com`, sendCode: {} } },
      }),
    ).toMatchObject({ ok: true });
    const seen = await userDetailsVia(admin, transport, target.userId);
    expect(seen.profile.nickName).toBe('me');
    expect(seen.username).toBe(target.username);
  });
});
