import { UserEntity } from '../../src/database/entities/user.entity.js';
import { UserEventEntity } from '../../src/database/entities/user-event.entity.js';
import { ConcurrentModificationError } from '../../src/database/unit-of-work.js';
import { AuthRepository } from '../../src/auth/auth.repository.js';
import { isLiveHuman, UsersRepository } from '../../src/users/users.repository.js';
import { TEST_DB } from '../support/database.js';
import { uniqueId, useDataLayer } from '../support/repositories.js';

const newUser = (id: string, at: Date): UserEntity =>
  Object.assign(new UserEntity(), {
    id,
    orgId: 'org-1',
    type: 'human',
    state: 'active',
    username: `name-${id}`,
    givenName: 'Minnie',
    familyName: 'Mouse',
    displayName: 'Minnie Mouse',
    email: `${id}@example.com`,
    emailVerified: false,
    pendingEmail: null,
    nickName: '',
    gender: 0,
    preferredLanguage: '',
    sequence: 0,
    createdAt: at,
    changedAt: at,
  } satisfies Partial<UserEntity>);

describe(`UsersRepository on ${TEST_DB}`, () => {
  const t = useDataLayer();
  let users: UsersRepository;
  beforeAll(() => {
    users = new UsersRepository(t.sql, t.actions, t.uow);
  });
  const eventsOf = (userId: string) => t.ds.getRepository(UserEventEntity).find({ where: { userId }, order: { sequence: 'ASC' } });

  it('creates a user with its first events and reads it back as written', async () => {
    const at = new Date(1_760_000_000_123);
    const user = newUser(uniqueId(), at);
    const sequence = await t.uow.run((em) =>
      users.create(em, user, [{ type: 'user.human.added', payload: { username: 'x' } }, { type: 'b' }], 'creator-1'),
    );
    expect(sequence).toBe(2);
    const read = (await users.findWithRoles(null, user.id))?.user;
    expect(read).toBeInstanceOf(UserEntity);
    expect(read).toEqual({ ...user, sequence: 2 });
    expect(await eventsOf(user.id)).toEqual([
      {
        userId: user.id,
        sequence: 1,
        type: 'user.human.added',
        resourceOwner: 'org-1',
        creator: 'creator-1',
        payload: { username: 'x' },
        createdAt: at,
      },
      { userId: user.id, sequence: 2, type: 'b', resourceOwner: 'org-1', creator: 'creator-1', payload: null, createdAt: at },
    ]);
    expect(await users.findWithRoles(null, 'nobody')).toBeNull();
  });

  it('answers whether an ID or a username in an organisation is taken', async () => {
    const user = newUser(uniqueId(), new Date());
    await t.uow.run((em) => users.create(em, user, [], ''));
    await t.uow.run(async (em) => {
      expect(await users.idTaken(em, user.id)).toBe(true);
      expect(await users.idTaken(em, `${user.id}-other`)).toBe(false);
      expect(await users.usernameTaken(em, 'org-1', user.username)).toBe(true);
      expect(await users.usernameTaken(em, 'org-2', user.username)).toBe(false);
    });
  });

  it('commits changes and events at the expected sequence, and refuses a stale one', async () => {
    const user = newUser(uniqueId(), new Date(1_760_000_000_000));
    await t.uow.run((em) => users.create(em, user, [{ type: 'added' }], ''));
    const later = new Date(1_760_000_100_000);
    const to = await t.uow.run(async (em) => {
      const u = (await users.findWithRoles(em, user.id))!.user;
      u.changedAt = later;
      return users.commit(
        em,
        u,
        { email: 'new@example.com', emailVerified: true, state: 'inactive' },
        [{ type: 'changed' }, { type: 'verified' }],
        'me',
      );
    });
    expect(to).toBe(3);
    expect((await users.findWithRoles(null, user.id))?.user).toEqual({
      ...user,
      email: 'new@example.com',
      emailVerified: true,
      state: 'inactive',
      sequence: 3,
      changedAt: later,
    });
    expect((await eventsOf(user.id)).map((e) => [e.sequence, e.type, e.createdAt])).toEqual([
      [1, 'added', user.createdAt],
      [2, 'changed', later],
      [3, 'verified', later],
    ]);

    // a writer that read sequence 1 lost the race: nothing of its change is written
    const stale = { ...user, sequence: 1 } as UserEntity;
    await expect(t.uow.run(async (em) => users.commit(em, stale, { displayName: 'Stale' }, [{ type: 'x' }], 'me'))).rejects.toBeInstanceOf(
      ConcurrentModificationError,
    );
    expect((await users.findWithRoles(null, user.id))!.user.displayName).toBe('Minnie Mouse');
    expect(await eventsOf(user.id)).toHaveLength(3);
  });

  it('finds a user with its memberships in one statement, inside a unit of work too', async () => {
    const user = newUser(uniqueId(), new Date(1_760_000_000_000));
    const auth = new AuthRepository(t.sql);
    await t.uow.run(async (em) => {
      await users.create(em, user, [], '');
      await auth.upsertMembership(em, { userId: user.id, scope: 'org-1', roles: ['ORG_OWNER', 'ORG_USER_VIEWER'], createdAt: new Date() });
      await auth.upsertMembership(em, { userId: user.id, scope: 'IAM', roles: ['IAM_OWNER'], createdAt: new Date() });
    });
    const expected = {
      user,
      memberships: new Map([
        ['org-1', ['ORG_OWNER', 'ORG_USER_VIEWER']],
        ['IAM', ['IAM_OWNER']],
      ]),
    };
    expect(await users.findWithRoles(null, user.id)).toEqual(expected);
    expect(await t.uow.run((em) => users.findWithRoles(em, user.id))).toEqual(expected);
    const alone = newUser(uniqueId(), new Date());
    await t.uow.run((em) => users.create(em, alone, [], ''));
    expect(await users.findWithRoles(null, alone.id)).toEqual({ user: alone, memberships: new Map() });
    expect(await users.findWithRoles(null, 'nobody')).toBeNull();
  });

  it('isLiveHuman: an existing human user that is not deleted', () => {
    const u = newUser('x', new Date());
    expect(isLiveHuman(u)).toBe(true);
    expect(isLiveHuman({ ...u, state: 'inactive' } as UserEntity)).toBe(true);
    expect(isLiveHuman({ ...u, state: 'deleted' } as UserEntity)).toBe(false);
    expect(isLiveHuman({ ...u, type: 'machine' } as UserEntity)).toBe(false);
    expect(isLiveHuman(null)).toBe(false);
  });
});
