import { DataSource } from 'typeorm';
import { ActionCallsRepository } from '../../src/actions/action-calls.repository.js';
import { ActionQueue } from '../../src/actions/action-queue.js';
import { ActionsRepository } from '../../src/actions/actions.repository.js';
import { IdGenerator } from '../../src/common/id-generator.js';
import { SecretBox } from '../../src/common/secret-box.js';
import { loadConfig } from '../../src/config/config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Dialect } from '../../src/database/dialect.js';
import { Sql } from '../../src/database/sql.js';
import { UnitOfWork } from '../../src/database/unit-of-work.js';
import { freshDatabase, TestDatabase } from './database.js';

export interface DataLayer {
  ds: DataSource;
  dialect: Dialect;
  uow: UnitOfWork;
  sql: Sql;
  /** The queue every recorded event goes through (UsersRepository writes to it). */
  actions: ActionQueue;
}

/**
 * The service's data layer on a fresh database of the suite's kind (TEST_DB), migrations
 * applied, for one test file: the repositories under test are built on it as Nest would.
 */
export function useDataLayer(): DataLayer {
  let db: TestDatabase;
  const layer = {} as DataLayer;
  beforeAll(async () => {
    db = await freshDatabase();
    const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: db.dir });
    layer.ds = new DataSource(dataSourceOptions(config));
    await layer.ds.initialize();
    await layer.ds.runMigrations({ transaction: 'each' });
    layer.dialect = new Dialect(layer.ds);
    layer.uow = new UnitOfWork(layer.ds, layer.dialect);
    layer.sql = new Sql(layer.ds, layer.dialect, layer.uow);
    const sql = layer.sql;
    layer.actions = new ActionQueue(
      new ActionsRepository(sql),
      new ActionCallsRepository(sql),
      layer.uow,
      new IdGenerator(),
      new SecretBox(config),
      layer.dialect,
    );
  });
  afterAll(async () => {
    await layer.ds?.destroy();
    await db?.drop();
  });
  return layer;
}

let counter = 0;
/** An ID no other row of the file has. */
export const uniqueId = (prefix = '') => `${prefix}${Date.now()}${String(++counter).padStart(4, '0')}`;
