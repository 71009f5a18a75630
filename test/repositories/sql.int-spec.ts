import { readFile } from 'node:fs/promises';
import { QueryFailedError } from 'typeorm';
import { OutboxMessageEntity } from '../../src/database/entities/outbox-message.entity.js';
import { ConcurrentModificationError } from '../../src/database/unit-of-work.js';
import { OrganizationsRepository } from '../../src/organizations/organizations.repository.js';
import { OutboxRepository } from '../../src/outbox/outbox.repository.js';
import { TEST_DB } from '../support/database.js';
import { uniqueId, useDataLayer } from '../support/repositories.js';

/** Real I/O inside a unit of work: the event loop runs other requests meanwhile. */
const someIo = async () => {
  await readFile(__filename);
  await new Promise((r) => setTimeout(r, 20));
};

const org = (id: string) => ({ id, name: id, isDefault: false, createdAt: new Date() });

describe(`Sql, Dialect and UnitOfWork on ${TEST_DB}`, () => {
  const t = useDataLayer();

  describe('a statement outside a unit of work, while one awaits I/O', () => {
    it('does not see the unit’s uncommitted rows, and is not rolled back with it', async () => {
      const orgs = new OrganizationsRepository(t.sql);
      const id = uniqueId('org');
      let inserted!: () => void;
      const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
      const unit = t.uow.run(async (em) => {
        await orgs.insert(em, org(id));
        inserted();
        await someIo();
        throw new Error('rolled back on purpose');
      });
      await insertedYet;
      // runs while the unit of work is open: on SQLite's one connection it used to join it
      const seenMeanwhile = await orgs.exists(id);
      await expect(unit).rejects.toThrow('rolled back on purpose');
      expect(seenMeanwhile).toBe(false);
      expect(await orgs.exists(id)).toBe(false);
    });

    it('a write of another unit of work survives the first one’s rollback (the worker’s markSent)', async () => {
      const outbox = new OutboxRepository(t.sql);
      const orgs = new OrganizationsRepository(t.sql);
      const mailId = uniqueId();
      const now = new Date();
      await t.uow.run((em) =>
        outbox.insert(em, {
          ...new OutboxMessageEntity(),
          id: mailId,
          userId: 'u1',
          kind: 'email.verify',
          recipient: 'a@example.com',
          payload: 'sealed',
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lockedUntil: null,
          lastError: null,
          createdAt: now,
          sentAt: null,
        }),
      );
      const [claimed] = await t.uow.run((em) => outbox.claimDue(em, now.getTime() + 1, now.getTime() + 60_000, 10));
      expect(claimed?.id).toBe(mailId);

      let started!: () => void;
      const startedYet = new Promise<void>((resolve) => (started = resolve));
      const failing = t.uow.run(async (em) => {
        await orgs.insert(em, org(uniqueId('org')));
        started();
        await someIo();
        throw new Error('rolled back on purpose');
      });
      await startedYet;
      const sent = t.uow.run((em) => outbox.markSent(em, mailId, new Date()));
      await expect(failing).rejects.toThrow('rolled back on purpose');
      await sent;
      const row = await outbox.findById(mailId);
      expect(row).toMatchObject({ status: 'sent', payload: null });
    });
  });

  if (TEST_DB === 'sqlite')
    it('a statement inside a unit of work without its EntityManager fails at once instead of waiting forever', async () => {
      const orgs = new OrganizationsRepository(t.sql);
      await expect(t.uow.run(() => orgs.exists('x'))).rejects.toThrow(/without its EntityManager/);
      // the connection is free again
      expect(await orgs.exists('x')).toBe(false);
    });

  it('retries a unit of work that lost an optimistic-concurrency race, and gives up on other errors', async () => {
    let attempts = 0;
    await expect(
      t.uow.run(async () => {
        if (++attempts < 3) throw new ConcurrentModificationError();
        return 'done';
      }),
    ).resolves.toBe('done');
    expect(attempts).toBe(3);
    attempts = 0;
    await expect(
      t.uow.run(async () => {
        attempts++;
        throw new Error('not a conflict');
      }),
    ).rejects.toThrow('not a conflict');
    expect(attempts).toBe(1);
  });

  describe('Dialect', () => {
    it('binds $n placeholders in any order and repeated', async () => {
      const row = await t.sql.one(null, 'SELECT $2 AS a, $1 AS b, $2 AS c', ['one', 'two']);
      expect(row).toEqual({ a: 'two', b: 'one', c: 'two' });
    });

    it('binds booleans (0/1 on SQLite, which has none)', async () => {
      const id = uniqueId('org');
      await t.uow.run((em) =>
        t.sql.run(em, 'INSERT INTO organizations (id, name, is_default, created_at) VALUES ($1, $1, $2, $3)', [id, true, 0]),
      );
      expect(await t.sql.one(null, 'SELECT id FROM organizations WHERE id = $1 AND is_default = $2', [id, true])).toEqual({ id });
      expect(await t.sql.one(null, 'SELECT id FROM organizations WHERE id = $1 AND is_default = $2', [id, false])).toBeNull();
    });

    it('writes one upsert for both databases', async () => {
      expect(t.dialect.upsert('t', ['a', 'b', 'c'], ['a'])).toBe(
        'INSERT INTO t (a, b, c) VALUES ($1, $2, $3) ON CONFLICT (a) DO UPDATE SET b = excluded.b, c = excluded.c',
      );
    });

    it('locks rows for update on PostgreSQL only (SQLite transactions run one at a time)', () => {
      expect(t.dialect.kind).toBe(TEST_DB);
      expect(t.dialect.forUpdateOf('u')).toBe(TEST_DB === 'postgres' ? ' FOR UPDATE OF u' : '');
      expect(t.dialect.forUpdateSkipLocked).toBe(TEST_DB === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '');
    });

    it('wraps driver errors in QueryFailedError and recognises a unique violation by table', async () => {
      const orgs = new OrganizationsRepository(t.sql);
      const id = uniqueId('org');
      await t.uow.run((em) => orgs.insert(em, org(id)));
      const e = await t.uow.run((em) => orgs.insert(em, org(id))).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(QueryFailedError);
      expect(t.dialect.isUniqueViolation(e, 'organizations')).toBe(true);
      expect(t.dialect.isUniqueViolation(e, 'users')).toBe(false);
      expect(t.dialect.isUniqueViolation(new Error('organizations'), 'organizations')).toBe(false);
    });

    // the driver handles Sql reads under TypeORM: if an upgrade of TypeORM moves them, this fails
    it('reaches the driver’s connection: inside a unit of work its transaction’s, outside another', async () => {
      const orgs = new OrganizationsRepository(t.sql);
      const id = uniqueId('org');
      const outside = async (): Promise<number> => {
        if (TEST_DB === 'sqlite') {
          return (
            t.dialect.sqliteConnection().prepare('SELECT COUNT(*) AS n FROM organizations WHERE id = ?').all(id) as { n: number }[]
          )[0]!.n;
        }
        const r = await (
          await t.dialect.pgClient(null)
        ).query({ text: 'SELECT COUNT(*)::int AS n FROM organizations WHERE id = $1', values: [id] });
        return (r.rows[0] as { n: number }).n;
      };
      const seen = await t.uow.run(async (em) => {
        await orgs.insert(em, org(id));
        const inside =
          TEST_DB === 'sqlite'
            ? (t.dialect.sqliteConnection().prepare('SELECT COUNT(*) AS n FROM organizations WHERE id = ?').all(id) as { n: number }[])[0]!
                .n
            : (
                (
                  await (
                    await t.dialect.pgClient(em)
                  ).query({ text: 'SELECT COUNT(*)::int AS n FROM organizations WHERE id = $1', values: [id] })
                ).rows[0] as { n: number }
              ).n;
        return { inside, other: TEST_DB === 'postgres' ? await outside() : null };
      });
      expect(seen.inside).toBe(1);
      // PostgreSQL: the pool's other connection does not see the open transaction's row
      if (TEST_DB === 'postgres') expect(seen.other).toBe(0);
      expect(await outside()).toBe(1);
    });
  });
});
