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
      const sent = t.uow.run((em) => outbox.markSent(em, [mailId], new Date()));
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

  if (TEST_DB === 'sqlite')
    describe('group commit (SQLite): units of work queued back to back share one transaction', () => {
      /** A second connection to the file: it sees only what is committed. */
      const committedCount = async (table: string, ids: string[]): Promise<number> => {
        const { default: Database } = await import('better-sqlite3');
        const other = new Database((t.dialect.sqliteConnection() as unknown as { name: string }).name, { readonly: true });
        try {
          const q = other.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE id IN (${ids.map(() => '?').join(', ')})`);
          return (q.get(...ids) as { n: number }).n;
        } finally {
          other.close();
        }
      };

      it('commits them together, and answers each only once the COMMIT is done', async () => {
        const orgs = new OrganizationsRepository(t.sql);
        const ids = [1, 2, 3, 4].map(() => uniqueId('grp'));
        let seenByTheLast = -1;
        const answered: string[] = [];
        const units = ids.map((id, i) =>
          t.uow
            .run(async (em) => {
              await orgs.insert(em, org(id));
              // the units before it are done but not committed: another connection sees none
              if (i === ids.length - 1) seenByTheLast = await committedCount('organizations', ids);
            })
            .then(async () => {
              // durable when answered: another connection sees this unit's row
              answered.push(id);
              expect(await committedCount('organizations', [id])).toBe(1);
            }),
        );
        await Promise.all(units);
        expect(seenByTheLast).toBe(0);
        expect(answered.sort()).toEqual([...ids].sort());
        expect(await committedCount('organizations', ids)).toBe(4);
      });

      it('retries a unit whose BEGIN found the database busy (another process held the write lock past busy_timeout)', async () => {
        const { default: Database } = await import('better-sqlite3');
        const db = t.dialect.sqliteConnection() as unknown as { pragma(s: string): unknown };
        const other = new Database((db as unknown as { name: string }).name);
        db.pragma('busy_timeout = 30');
        try {
          other.exec('BEGIN IMMEDIATE');
          // the other "process" lets go of the lock a while later: after the first attempts failed
          setTimeout(() => other.exec('COMMIT'), 120);
          const orgs = new OrganizationsRepository(t.sql);
          const id = uniqueId('grp');
          await t.uow.run((em) => orgs.insert(em, org(id)));
          expect(await orgs.exists(id)).toBe(true);
        } finally {
          db.pragma('busy_timeout = 5000');
          if (other.inTransaction) other.exec('ROLLBACK');
          other.close();
        }
      });

      it('a unit that fails rolls back its own work only', async () => {
        const orgs = new OrganizationsRepository(t.sql);
        const ids = [1, 2, 3].map(() => uniqueId('grp'));
        const results = await Promise.allSettled(
          ids.map((id, i) =>
            t.uow.run(async (em) => {
              await orgs.insert(em, org(id));
              if (i === 1) throw new Error('this one fails');
            }),
          ),
        );
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect(await orgs.exists(ids[0]!)).toBe(true);
        expect(await orgs.exists(ids[1]!)).toBe(false);
        expect(await orgs.exists(ids[2]!)).toBe(true);
      });

      it('a COMMIT that fails fails every unit of the group: nothing is kept, each undoes its in-memory changes', async () => {
        const db = t.dialect.sqliteConnection() as unknown as { exec(sql: string): void };
        // a deferred foreign key is checked at COMMIT: one unit's violation makes the COMMIT fail
        db.exec(`CREATE TABLE IF NOT EXISTS grp_child (id TEXT PRIMARY KEY,
                   org_id TEXT REFERENCES organizations (id) DEFERRABLE INITIALLY DEFERRED)`);
        const orgs = new OrganizationsRepository(t.sql);
        const good = uniqueId('grp');
        const bad = uniqueId('grp');
        const undone: string[] = [];
        const results = await Promise.allSettled([
          t.uow.run(async (em) => {
            t.uow.onRollback(em, () => undone.push('first'));
            await orgs.insert(em, org(good));
          }),
          t.uow.run(async (em) => {
            t.uow.onRollback(em, () => undone.push('second'));
            await t.sql.write(em, 'INSERT INTO grp_child (id, org_id) VALUES ($1, $2)', [bad, 'no such organisation']);
          }),
        ]);
        expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
        expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
        expect(undone.sort()).toEqual(['first', 'second']);
        expect(await orgs.exists(good)).toBe(false);
        expect(await committedCount('grp_child', [bad])).toBe(0);
        // the connection is usable again
        await t.uow.run((em) => orgs.insert(em, org(uniqueId('grp'))));
      });
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

  describe('Sql.write: the writes of a unit of work', () => {
    /** The statements sent to PostgreSQL while `fn` runs (SQLite: none are counted). */
    async function countingStatements<T>(fn: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
      const sent: string[] = [];
      if (TEST_DB !== 'postgres') return { result: await fn(), sent };
      const { Client } = await import('pg');
      const original = Client.prototype.query;
      Client.prototype.query = function (this: unknown, config: unknown, ...rest: unknown[]) {
        sent.push(typeof config === 'string' ? config : String((config as { text?: string }).text));
        return (original as (...a: unknown[]) => unknown).call(this, config, ...rest);
      } as typeof original;
      try {
        return { result: await fn(), sent };
      } finally {
        Client.prototype.query = original;
      }
    }
    const orgs = () => new OrganizationsRepository(t.sql);
    const insertOrg = (em: Parameters<Parameters<typeof t.uow.run>[0]>[0], id: string) =>
      t.sql.write(em, 'INSERT INTO organizations (id, name, is_default, created_at) VALUES ($1, $2, $3, $4)', [id, id, false, Date.now()]);

    it('are read back by the same unit of work, and committed with it', async () => {
      const a = uniqueId('org');
      const seen = await t.uow.run(async (em) => {
        await insertOrg(em, a);
        return t.sql.one(em, 'SELECT name FROM organizations WHERE id = $1', [a]);
      });
      expect(seen).toEqual({ name: a });
      expect(await orgs().exists(a)).toBe(true);
    });

    it('PostgreSQL: go to the server as one statement before COMMIT, one per table at a time', async () => {
      const [a, b, c] = [uniqueId('org'), uniqueId('org'), uniqueId('org')];
      const { sent } = await countingStatements(() =>
        t.uow.run(async (em) => {
          await insertOrg(em, a);
          await t.sql.write(em, 'UPDATE organizations SET name = $1 WHERE id = $2', ['renamed', a]);
          await t.sql.write(
            em,
            'INSERT INTO idempotency_keys (caller_id, key, operation, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
            ['c', b, 'op', 'h', '{}', Date.now()],
          );
          await insertOrg(em, c);
        }),
      );
      expect((await orgs().exists(a)) && (await orgs().exists(c))).toBe(true);
      if (TEST_DB !== 'postgres') return;
      const writes = sent.filter((q) => !/^(START TRANSACTION|COMMIT|ROLLBACK|BEGIN)/.test(q));
      // the update writes the insert's table again, so the insert goes first, alone; then the
      // update and the idempotency row in one WITH statement (the second insert writes the
      // update's table); the second insert last, before COMMIT
      expect(writes).toHaveLength(3);
      expect(writes[0]).toMatch(/^INSERT INTO organizations/);
      expect(writes[1]).toMatch(
        /^WITH w0 AS \(UPDATE organizations .* RETURNING 1\), w1 AS \(INSERT INTO idempotency_keys .* RETURNING 1\) SELECT/,
      );
      expect(writes[2]).toMatch(/^INSERT INTO organizations/);
      expect(sent.at(-1)).toBe('COMMIT');
    });

    it('a failed check rolls back every write of the unit, held or sent', async () => {
      const [a, b] = [uniqueId('org'), uniqueId('org')];
      await expect(
        t.uow.run(async (em) => {
          await insertOrg(em, a);
          await t.sql.write(em, 'UPDATE organizations SET name = $1 WHERE id = $2', ['x', 'no-such-org'], (n) => {
            if (n !== 1) throw new Error(`updated ${n} rows`);
          });
          await insertOrg(em, b);
        }),
      ).rejects.toThrow('updated 0 rows');
      expect(await orgs().exists(a)).toBe(false);
      expect(await orgs().exists(b)).toBe(false);
    });

    it('refuses a statement that returns rows', async () => {
      await expect(t.uow.run((em) => t.sql.write(em, 'DELETE FROM organizations WHERE id = $1 RETURNING id', ['x']))).rejects.toThrow(
        'without RETURNING',
      );
    });
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
