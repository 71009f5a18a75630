import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { MIGRATIONS } from '../src/database/migrations/index.js';
import { freshDatabase, TestDatabase, TEST_DB } from './support/database.js';

/** A fresh database of the suite's kind and the service's data source on it, for one describe block. */
function useDataSource(): { readonly ds: DataSource } {
  let db: TestDatabase;
  const state = {} as { ds: DataSource };
  beforeAll(async () => {
    db = await freshDatabase();
    state.ds = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: db.url, DATA_DIR: db.dir })));
    await state.ds.initialize();
  });
  afterAll(async () => {
    await state.ds.destroy();
    await db.drop();
  });
  return state;
}

describe(`migrations on ${TEST_DB}`, () => {
  const t = useDataSource();

  it('apply to an empty database and leave nothing for migration:generate to do', async () => {
    const applied = await t.ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toHaveLength(MIGRATIONS.length);
    // what `typeorm migration:generate` computes: the SQL needed to reach the entities' schema
    const pending = await t.ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    expect(await t.ds.showMigrations()).toBe(false);
  });

  it('revert cleanly and apply again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await t.ds.undoLastMigration({ transaction: 'each' });
    const tables = await t.ds.createQueryRunner().getTables(['users', 'mail_outbox', 'user_events']);
    expect(tables).toHaveLength(0);
    await t.ds.runMigrations({ transaction: 'each' });
    expect((await t.ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});

describe(`the action calls' indexes on ${TEST_DB}`, () => {
  const t = useDataSource();

  it('the earlier-call lookup of ordered targets has a partial index: a call to a restAsync target writes no entry in it', async () => {
    await t.ds.runMigrations({ transaction: 'each' });
    const definition: string =
      TEST_DB === 'sqlite'
        ? (await t.ds.query(`SELECT sql AS d FROM sqlite_master WHERE name = 'ix_action_calls_target'`))[0].d
        : (await t.ds.query(`SELECT indexdef AS d FROM pg_indexes WHERE indexname = 'ix_action_calls_target'`))[0].d;
    expect(definition).toMatch(/WHERE \(?"?ordered"? = true\)?/i);
    if (TEST_DB === 'sqlite') {
      // the claim's lookup (ActionCallsRepository.claimDue) implies the index's condition, so it is used
      const plan: { detail: string }[] = await t.ds.query(
        `EXPLAIN QUERY PLAN SELECT 1 FROM action_calls p WHERE p.target_id = ? AND p.ordered = TRUE AND p.id < ?
           AND p.status IN ('pending', 'sending', 'retrying')`,
        ['t', 'x'],
      );
      expect(plan.map((r) => r.detail).join('; ')).toMatch(/USING COVERING INDEX ix_action_calls_target/);
    }
  });
});

// PostgreSQL has no such settings to check
if (TEST_DB === 'sqlite')
  describe('the SQLite connection', () => {
    const t = useDataSource();

    it('runs with the service pragmas: WAL, NORMAL sync, a busy timeout, foreign keys, a 2 MB page cache, temporary files in memory', async () => {
      const pragma = async (name: string) => Object.values((await t.ds.query(`PRAGMA ${name}`))[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('cache_size')).toBe(-2000);
      expect(await pragma('temp_store')).toBe(2);
    });
  });

// SQLite has no per-table storage settings
if (TEST_DB === 'postgres')
  describe('PostgreSQL storage settings of the tables that grow or are rewritten per request', () => {
    const t = useDataSource();

    it('leave room for HOT updates in users and email_codes, and vacuum the event and outbox tables at fixed thresholds', async () => {
      await t.ds.runMigrations({ transaction: 'each' });
      const rows: { relname: string; reloptions: string[] | null }[] = await t.ds.query(
        `SELECT relname, reloptions FROM pg_class WHERE relname IN ('users', 'email_codes', 'user_events', 'mail_outbox') AND relkind = 'r'`,
      );
      const options = Object.fromEntries(rows.map((r) => [r.relname, [...(r.reloptions ?? [])].sort()]));
      expect(options).toEqual({
        users: ['fillfactor=80'],
        email_codes: ['fillfactor=80'],
        user_events: [
          'autovacuum_analyze_scale_factor=0',
          'autovacuum_analyze_threshold=100000',
          'autovacuum_vacuum_insert_scale_factor=0',
          'autovacuum_vacuum_insert_threshold=100000',
        ],
        mail_outbox: [
          'autovacuum_analyze_scale_factor=0',
          'autovacuum_analyze_threshold=50000',
          'autovacuum_vacuum_insert_scale_factor=0',
          'autovacuum_vacuum_insert_threshold=50000',
          'autovacuum_vacuum_scale_factor=0',
          'autovacuum_vacuum_threshold=10000',
        ],
      });
      // and the revert takes them away (the migrations after it are reverted first)
      const executed = async () =>
        (await t.ds.query('SELECT name FROM schema_migrations')).map((r: { name: string }) => r.name) as string[];
      while ((await executed()).includes('GrowingTables1796030000000')) await t.ds.undoLastMigration({ transaction: 'each' });
      const after: { reloptions: string[] | null }[] = await t.ds.query(
        `SELECT reloptions FROM pg_class WHERE relname IN ('users', 'email_codes', 'user_events', 'mail_outbox') AND relkind = 'r'`,
      );
      expect(after.map((r) => r.reloptions)).toEqual([null, null, null, null]);
    });
  });
