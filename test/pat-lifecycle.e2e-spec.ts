import { Clock } from '../src/common/clock.js';
import { startApp, TestApp } from './support/app.js';
import { Api, gql, rest } from './support/client.js';

describe('personal access tokens: expiry, list, revoke', () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;

  beforeAll(async () => {
    t = await startApp();
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('PAT Org');
  });
  afterAll(() => t.close());

  it('lists live tokens without the secret, and a revoked token is refused on the next request', async () => {
    const userId = await api.addUser(orgId, 'patuser');
    const created = await rest(t.url, 'POST', `/v2/users/${userId}/pats`, {}, t.adminToken);
    expect(created.status).toBe(200);
    const { token, tokenId } = created.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await rest(t.url, 'GET', `/v2/users/${userId}`, undefined, token)).status).toBe(200);

    const list = await rest(t.url, 'GET', `/v2/users/${userId}/pats`, undefined, token);
    expect(list.status).toBe(200);
    expect(list.body.result).toEqual([{ id: tokenId, userId, creationDate: expect.any(String), expirationDate: null }]);
    expect(JSON.stringify(list.body)).not.toContain(token);

    const removed = await rest(t.url, 'DELETE', `/v2/users/${userId}/pats/${tokenId}`, undefined, t.adminToken);
    expect(removed.status).toBe(200);
    expect(Number(removed.body.details.sequence)).toBeGreaterThan(0);
    const after = await rest(t.url, 'GET', `/v2/users/${userId}`, undefined, token);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe(16);
    // revoking twice: the token is gone
    expect((await rest(t.url, 'DELETE', `/v2/users/${userId}/pats/${tokenId}`, undefined, t.adminToken)).status).toBe(404);
  });

  it('a token stops working at its expiration date', async () => {
    const userId = await api.addUser(orgId, 'expiring');
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    const created = await rest(t.url, 'POST', `/v2/users/${userId}/pats`, { expirationDate: expiration }, t.adminToken);
    expect(created.status).toBe(200);
    expect((await rest(t.url, 'GET', `/v2/users/${userId}`, undefined, created.body.token)).status).toBe(200);
    const clock = t.app.get(Clock);
    const realNow = clock.now.bind(clock);
    clock.now = () => new Date(realNow().getTime() + 2 * 3600_000);
    try {
      expect((await rest(t.url, 'GET', `/v2/users/${userId}`, undefined, created.body.token)).status).toBe(401);
    } finally {
      clock.now = realNow;
    }
  });

  it('refuses an expiration date in the past and a malformed one', async () => {
    const userId = await api.addUser(orgId, 'pastexp');
    const past = await rest(t.url, 'POST', `/v2/users/${userId}/pats`, { expirationDate: '2001-01-01T00:00:00Z' }, t.adminToken);
    expect(past.status).toBe(400);
    expect(past.body.details[0].id).toBe('COMMAND-Bs2l9');
    const bad = await rest(t.url, 'POST', `/v2/users/${userId}/pats`, { expirationDate: 'tomorrow' }, t.adminToken);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(3);
  });

  it('over GraphQL: list and remove', async () => {
    const userId = await api.addUser(orgId, 'gqlpat');
    const token = await api.addPat(userId);
    const list = await gql(t.url, 'query($u: ID!){ personalAccessTokens(userId: $u) { id userId } }', { u: userId }, t.adminToken);
    const [pat] = list.body.data.personalAccessTokens;
    expect(pat.userId).toBe(userId);
    const removed = await gql(
      t.url,
      'mutation($i: RemovePersonalAccessTokenInput!){ removePersonalAccessToken(input: $i) { details { sequence } } }',
      { i: { userId, tokenId: pat.id } },
      token, // a user may revoke their own token
    );
    expect(removed.body.errors).toBeUndefined();
    expect((await rest(t.url, 'GET', `/v2/users/${userId}`, undefined, token)).status).toBe(401);
  });

  it("another organisation's member cannot list or revoke a user's tokens", async () => {
    const userId = await api.addUser(orgId, 'victim');
    const otherOrg = await api.addOrganization('Other PAT Org');
    const outsider = await api.addUser(otherOrg, 'outsider');
    await api.addMember(otherOrg, outsider, ['ORG_OWNER']);
    const outsiderToken = await api.addPat(outsider);
    const r = await rest(t.url, 'GET', `/v2/users/${userId}/pats`, undefined, outsiderToken);
    expect(r.status).toBe(404);
    expect(r.body.details[0].id).toBe('COMMAND-ieJ2e');
  });
});
