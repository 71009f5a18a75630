import { AuthRepository } from '../../src/auth/auth.repository.js';
import { UserEntity } from '../../src/database/entities/user.entity.js';
import { OrganizationsRepository } from '../../src/organizations/organizations.repository.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { TEST_DB } from '../support/database.js';
import { uniqueId, useDataLayer } from '../support/repositories.js';

describe(`AuthRepository and OrganizationsRepository on ${TEST_DB}`, () => {
  const t = useDataLayer();
  let auth: AuthRepository;
  let orgs: OrganizationsRepository;
  let users: UsersRepository;
  beforeAll(() => {
    auth = new AuthRepository(t.sql);
    orgs = new OrganizationsRepository(t.sql);
    users = new UsersRepository(t.sql, t.actions, t.uow);
  });

  const addUser = async (state: UserEntity['state'] = 'active') => {
    const at = new Date();
    const user = Object.assign(new UserEntity(), {
      id: uniqueId(),
      orgId: 'org-a',
      type: 'human' as const,
      state,
      username: uniqueId('u'),
      givenName: 'G',
      familyName: 'F',
      displayName: 'G F',
      email: 'g@example.com',
      emailVerified: false,
      sequence: 0,
      createdAt: at,
      changedAt: at,
    });
    await t.uow.run((em) => users.create(em, user, [], ''));
    return user;
  };
  const addToken = async (userId: string, expiresAt: Date | null = null) => {
    const token = {
      id: uniqueId(),
      userId,
      tokenHash: uniqueId('hash'),
      expiresAt,
      revokedAt: null,
      createdAt: new Date(1_760_000_000_000),
    };
    await t.uow.run((em) => auth.insertToken(em, token));
    return token;
  };

  it('finds an active user’s live token with every membership, in one statement', async () => {
    const user = await addUser();
    const expiresAt = new Date(1_900_000_000_000);
    const token = await addToken(user.id, expiresAt);
    expect(await auth.findActiveByHash(token.tokenHash)).toEqual({
      tokenId: token.id,
      userId: user.id,
      orgId: 'org-a',
      expiresAt: expiresAt.getTime(),
      memberships: new Map(),
    });
    await t.uow.run(async (em) => {
      await auth.upsertMembership(em, { userId: user.id, scope: 'IAM', roles: ['IAM_OWNER'], createdAt: new Date() });
      await auth.upsertMembership(em, { userId: user.id, scope: 'org-a', roles: ['ORG_OWNER', 'ORG_USER_VIEWER'], createdAt: new Date() });
    });
    expect((await auth.findActiveByHash(token.tokenHash))?.memberships).toEqual(
      new Map([
        ['IAM', ['IAM_OWNER']],
        ['org-a', ['ORG_OWNER', 'ORG_USER_VIEWER']],
      ]),
    );
    expect(await auth.membershipsOf(user.id)).toEqual((await auth.findActiveByHash(token.tokenHash))?.memberships);
    expect(await auth.findActiveByHash('no-such-hash')).toBeNull();
  });

  it('replaces a membership’s roles on a second grant', async () => {
    const user = await addUser();
    await t.uow.run((em) =>
      auth.upsertMembership(em, { userId: user.id, scope: 'org-a', roles: ['ORG_USER_VIEWER'], createdAt: new Date() }),
    );
    await t.uow.run((em) =>
      auth.upsertMembership(em, { userId: user.id, scope: 'org-a', roles: ['ORG_USER_MANAGER'], createdAt: new Date() }),
    );
    expect(await auth.membershipsOf(user.id)).toEqual(new Map([['org-a', ['ORG_USER_MANAGER']]]));
  });

  it('knows no token of an inactive user, nor a revoked one', async () => {
    const inactive = await addUser('inactive');
    expect(await auth.findActiveByHash((await addToken(inactive.id)).tokenHash)).toBeNull();
    expect(await auth.findActiveUserOrg(inactive.id)).toBeNull();

    const user = await addUser();
    expect(await auth.findActiveUserOrg(user.id)).toBe('org-a');
    const kept = await addToken(user.id);
    const revoked = await addToken(user.id);
    expect((await auth.listTokens(user.id)).map((x) => x.id)).toEqual([kept.id, revoked.id]);
    expect(await t.uow.run((em) => auth.revokeToken(em, user.id, revoked.id, new Date()))).toBe(true);
    // a second revocation, or another user's token, changes nothing
    expect(await t.uow.run((em) => auth.revokeToken(em, user.id, revoked.id, new Date()))).toBe(false);
    expect(await t.uow.run((em) => auth.revokeToken(em, inactive.id, kept.id, new Date()))).toBe(false);
    expect(await auth.findActiveByHash(revoked.tokenHash)).toBeNull();
    const listed = await auth.listTokens(user.id);
    expect(listed.map((x) => ({ ...x }))).toEqual([{ id: kept.id, userId: user.id, expiresAt: null, createdAt: kept.createdAt }]);
  });

  it("revokes every live token of one user at once, and no other user's", async () => {
    const user = await addUser();
    const other = await addUser();
    const [a, b, theirs] = [await addToken(user.id), await addToken(user.id), await addToken(other.id)];
    await t.uow.run((em) => auth.revokeToken(em, user.id, a.id, new Date()));
    expect(await t.uow.run((em) => auth.revokeAllTokens(em, user.id, new Date()))).toBe(1);
    expect(await auth.findActiveByHash(b.tokenHash)).toBeNull();
    expect(await auth.listTokens(user.id)).toEqual([]);
    expect(await t.uow.run((em) => auth.revokeAllTokens(em, user.id, new Date()))).toBe(0);
    expect((await auth.listTokens(other.id)).map((x) => x.id)).toEqual([theirs.id]);
  });

  it('organisations: insert, exists, name taken, any', async () => {
    expect(await orgs.any()).toBe(false);
    const id = uniqueId('org');
    await t.uow.run((em) => orgs.insert(em, { id, name: `Name ${id}`, isDefault: true, createdAt: new Date() }));
    expect(await orgs.any()).toBe(true);
    expect(await orgs.exists(id)).toBe(true);
    expect(await orgs.exists(`${id}x`)).toBe(false);
    await t.uow.run(async (em) => {
      expect(await orgs.exists(id, em)).toBe(true);
      expect(await orgs.nameTaken(em, `Name ${id}`)).toBe(true);
      expect(await orgs.nameTaken(em, 'Other')).toBe(false);
    });
  });
});
