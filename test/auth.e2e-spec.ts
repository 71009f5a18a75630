import { startApp, TestApp } from './support/app.js';
import { Api, anyError, expectError, getUserVia, gql, NOT_FOUND, PERMISSION_DENIED, rest, Transport } from './support/client.js';

/**
 * Authentication and authorisation of SetEmail and GetUserByID (spec §3), over both
 * transports, with real personal access tokens and memberships.
 */
describe('authentication and authorisation', () => {
  let t: TestApp;
  let admin: Api;
  let orgId: string;
  let otherOrgId: string;
  let viewer: Api;
  let manager: Api;
  let outsider: Api;
  let selfId: string;
  let self: Api;
  let n = 0;

  beforeAll(async () => {
    t = await startApp();
    admin = new Api(t.url, t.adminToken);
    orgId = await admin.addOrganization('Our Org');
    otherOrgId = await admin.addOrganization('Other Org');

    const viewerId = await admin.addUser(orgId, 'viewer');
    await admin.addMember(orgId, viewerId, ['ORG_USER_VIEWER']);
    viewer = admin.as(await admin.addPat(viewerId));

    const managerId = await admin.addUser(orgId, 'manager');
    await admin.addMember(orgId, managerId, ['ORG_USER_MANAGER']);
    manager = admin.as(await admin.addPat(managerId));

    // a user of another organisation, member of nothing
    const outsiderId = await admin.addUser(otherOrgId, 'outsider');
    outsider = admin.as(await admin.addPat(outsiderId));

    // a user of our organisation without any membership: may only serve themselves
    selfId = await admin.addUser(orgId, 'selfie');
    self = admin.as(await admin.addPat(selfId));
  });
  afterAll(() => t.close());

  /** A fresh user of `org` and a fresh address for it. */
  async function target(org = orgId): Promise<{ userId: string; email: string }> {
    const name = `target-${++n}`;
    return { userId: await admin.addUser(org, name), email: `${name}-new@example.com` };
  }

  async function userSequence(userId: string): Promise<number> {
    const r = await admin.getUser(userId);
    return Number(r.body.details.sequence);
  }

  it.each(['/healthz', '/readyz'])('%s is public', async (path) => {
    const r = await rest(t.url, 'GET', path);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ status: 'ok' }));
  });

  describe.each<Transport>(['rest', 'graphql'])('over %s', (transport) => {
    describe('authentication', () => {
      it('a request without a token is 401 (code 16) and changes nothing', async () => {
        const u = await target();
        const before = await userSequence(u.userId);
        const o = await admin.as('').setEmail(transport, u.userId, { email: u.email, returnCode: {} });
        expectError(o, transport, anyError(16, 401));
        expect(await userSequence(u.userId)).toBe(before);
      });

      it('an unknown token is 401 (code 16)', async () => {
        const u = await target();
        const forged = 'A'.repeat(43); // the shape of a real PAT, but never issued
        expectError(await admin.as(forged).setEmail(transport, u.userId, { email: u.email, returnCode: {} }), transport, anyError(16, 401));
        expectError(await admin.as('not-a-token').setEmail(transport, u.userId, { email: u.email }), transport, anyError(16, 401));
      });

      it('an unknown token is 401 for GetUserByID too, also for a user that does not exist', async () => {
        const u = await target();
        expectError(await getUserVia(admin.as('A'.repeat(43)), transport, u.userId), transport, anyError(16, 401));
        expectError(await getUserVia(admin.as(''), transport, '100000000000000042'), transport, anyError(16, 401));
      });
    });

    describe('SetEmail', () => {
      it('a caller with no membership in the target organisation gets the same 404 as for a missing user', async () => {
        const u = await target();
        const before = await userSequence(u.userId);
        const denied = await outsider.setEmail(transport, u.userId, { email: u.email });
        expectError(denied, transport, NOT_FOUND);
        const missing = await admin.setEmail(transport, '100000000000000042', { email: u.email });
        expectError(missing, transport, NOT_FOUND);
        // indistinguishable: nobody can probe which user IDs exist elsewhere
        if (transport === 'rest') expect(denied.raw).toEqual(missing.raw);
        else
          expect({ message: denied.raw.errors[0].message, extensions: denied.raw.errors[0].extensions }).toEqual({
            message: missing.raw.errors[0].message,
            extensions: missing.raw.errors[0].extensions,
          });
        expect(await userSequence(u.userId)).toBe(before);
      });

      it('an outsider gets the 404 in every verification mode', async () => {
        const u = await target();
        for (const mode of [{}, { sendCode: {} }, { returnCode: {} }, { isVerified: true }]) {
          expectError(await outsider.setEmail(transport, u.userId, { email: u.email, ...mode }), transport, NOT_FOUND);
        }
      });

      it('an ORG_USER_VIEWER member is 403 AUTH-AWfge in every verification mode', async () => {
        const u = await target();
        const before = await userSequence(u.userId);
        for (const mode of [{}, { sendCode: {} }, { returnCode: {} }, { isVerified: true }]) {
          expectError(await viewer.setEmail(transport, u.userId, { email: u.email, ...mode }), transport, PERMISSION_DENIED);
        }
        expect(await userSequence(u.userId)).toBe(before);
      });

      it('an ORG_USER_MANAGER member may set the email in every mode', async () => {
        const u = await target();
        const modes = [{}, { sendCode: {} }, { returnCode: {} }, { isVerified: true }];
        for (const [i, mode] of modes.entries()) {
          const o = await manager.setEmail(transport, u.userId, { email: `${i}-${u.email}`, ...mode });
          if (!o.ok) throw new Error(`mode ${JSON.stringify(mode)}: ${JSON.stringify(o.raw)}`);
          expect(o.resourceOwner).toBe(orgId);
        }
        const r = await getUserVia(admin, transport, u.userId);
        expect(r.ok && { email: r.email, isVerified: r.isVerified }).toEqual({ email: `3-${u.email}`, isVerified: true });
      });

      it('an ORG_USER_MANAGER of our organisation is an outsider to another one (404)', async () => {
        const u = await target(otherOrgId);
        expectError(await manager.setEmail(transport, u.userId, { email: u.email, returnCode: {} }), transport, NOT_FOUND);
      });

      it('a user without membership may set their own email with sendCode', async () => {
        const email = `selfie-${transport}-1@example.com`;
        const o = await self.setEmail(transport, selfId, { email });
        if (!o.ok) throw new Error(JSON.stringify(o.raw));
        expect(o.verificationCode).toBeUndefined();
        expect(o.resourceOwner).toBe(orgId);
        const explicit = await self.setEmail(transport, selfId, {
          email: `selfie-${transport}-2@example.com`,
          sendCode: { urlTemplate: 'https://app.example.com/v?c={{.Code}}' },
        });
        expect(explicit.ok).toBe(true);
        const r = await getUserVia(admin, transport, selfId);
        expect(r.ok && { email: r.email, isVerified: r.isVerified }).toEqual({
          email: `selfie-${transport}-2@example.com`,
          isVerified: false,
        });
        await t.sink.waitForMailTo(email);
      });

      it('self-service may not use returnCode or isVerified (403 AUTH-AWfge)', async () => {
        const before = await getUserVia(admin, 'rest', selfId);
        expectError(
          await self.setEmail(transport, selfId, { email: `selfie-${transport}-rc@example.com`, returnCode: {} }),
          transport,
          PERMISSION_DENIED,
        );
        expectError(
          await self.setEmail(transport, selfId, { email: `selfie-${transport}-iv@example.com`, isVerified: true }),
          transport,
          PERMISSION_DENIED,
        );
        expect((await getUserVia(admin, 'rest', selfId)).raw).toEqual(before.raw);
      });

      it('a user without membership may not set the email of another user of their organisation (404)', async () => {
        const u = await target();
        expectError(await self.setEmail(transport, u.userId, { email: u.email }), transport, NOT_FOUND);
      });

      it('the IAM_OWNER admin may do everything, in any organisation', async () => {
        for (const org of [orgId, otherOrgId]) {
          const u = await target(org);
          const modes = [
            {},
            { sendCode: { urlTemplate: 'https://app.example.com/v?c={{.Code}}' } },
            { returnCode: {} },
            { isVerified: true },
          ];
          for (const [i, mode] of modes.entries()) {
            const o = await admin.setEmail(transport, u.userId, { email: `${i}-${u.email}`, ...mode });
            if (!o.ok) throw new Error(`mode ${JSON.stringify(mode)}: ${JSON.stringify(o.raw)}`);
            expect(o.resourceOwner).toBe(org);
            if ('returnCode' in mode) expect(o.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
          }
        }
      });
    });

    describe('GetUserByID', () => {
      it('a user may read themselves', async () => {
        const r = await getUserVia(self, transport, selfId);
        expect(r.ok && { userId: r.userId, resourceOwner: r.resourceOwner }).toEqual({ userId: selfId, resourceOwner: orgId });
      });

      it('an ORG_USER_VIEWER member may read a user of the organisation', async () => {
        const u = await target();
        const r = await getUserVia(viewer, transport, u.userId);
        expect(r.ok && r.userId).toBe(u.userId);
      });

      it('an ORG_USER_MANAGER member may read a user of the organisation', async () => {
        const u = await target();
        const r = await getUserVia(manager, transport, u.userId);
        expect(r.ok && r.userId).toBe(u.userId);
      });

      it('an outsider gets the same 404 as for a missing user', async () => {
        const u = await target();
        const denied = await getUserVia(outsider, transport, u.userId);
        expectError(denied, transport, NOT_FOUND);
        const missing = await getUserVia(admin, transport, '100000000000000042');
        expectError(missing, transport, NOT_FOUND);
        if (transport === 'rest') expect(denied.raw).toEqual(missing.raw);
      });

      it('a user without membership may not read another user of their organisation (404)', async () => {
        const u = await target();
        expectError(await getUserVia(self, transport, u.userId), transport, NOT_FOUND);
      });
    });
  });

  it('GraphQL without a token: the error carries code 16 in extensions', async () => {
    const r = await gql(t.url, 'query { user(id: "1") { userId } }');
    expect(r.body.errors?.[0]?.extensions).toEqual(expect.objectContaining({ code: 'UNAUTHENTICATED', grpcCode: 16, httpStatus: 401 }));
    expect(r.body.data?.user ?? null).toBeNull();
  });

  it('a Basic authorization header is 401, not a crash', async () => {
    const r = await rest(t.url, 'GET', `/v2/users/${selfId}`, undefined, undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ code: 16, message: expect.any(String), details: expect.any(Array) });
  });
});
