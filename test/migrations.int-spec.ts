import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { MIGRATIONS } from '../src/database/migrations/index.js';
import { freshDatabase, TestDatabase, TEST_DB } from './support/database.js';

describe(`migrations on ${TEST_DB}`, () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await freshDatabase();
    ds = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: db.url, DATA_DIR: db.dir })));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('apply to an empty database and leave nothing for migration:generate to do', async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toHaveLength(MIGRATIONS.length);
    // what `typeorm migration:generate` computes: the SQL needed to reach the entities' schema
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    expect(await ds.showMigrations()).toBe(false);
  });

  it('revert cleanly and apply again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const tables = await ds.createQueryRunner().getTables(['users', 'mail_outbox', 'user_events']);
    expect(tables).toHaveLength(0);
    await ds.runMigrations({ transaction: 'each' });
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});

// PostgreSQL has no such settings to check
if (TEST_DB === 'sqlite')
  describe('the SQLite connection', () => {
    let db: TestDatabase;
    let ds: DataSource;

    beforeAll(async () => {
      db = await freshDatabase();
      ds = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: db.url, DATA_DIR: db.dir })));
      await ds.initialize();
    });
    afterAll(async () => {
      await ds.destroy();
      await db.drop();
    });

    it('runs with the service pragmas: WAL, NORMAL sync, a busy timeout, foreign keys, a 2 MB page cache', async () => {
      const pragma = async (name: string) => Object.values((await ds.query(`PRAGMA ${name}`))[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('cache_size')).toBe(-2000);
    });
  });
