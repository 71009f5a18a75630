import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { entitiesFor } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { SQLITE_PRAGMAS } from './sqlite-pragmas.js';
import { PRIVATE_FILE, restrictFile } from '../common/private-files.js';

/** The one place that turns configuration into TypeORM options, for the app and for the CLI. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
  } as const;
  if (config.database.type === 'sqlite') {
    const path = config.database.path;
    if (path !== ':memory:') privateDatabaseFiles(path);
    return {
      ...common,
      entities: entitiesFor('sqlite'),
      type: 'better-sqlite3',
      database: path,
      // the request path's statements are few and fixed; keep them all prepared
      statementCacheSize: 500,
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
      },
    };
  }
  return {
    ...common,
    entities: entitiesFor('postgres'),
    type: 'postgres',
    url: config.database.url,
    extra: { max: 10, application_name: 'contact-email-service' },
  };
}

/**
 * The SQLite database and its -wal and -shm files are 0600 (spec §7.8). SQLite gives the files
 * it creates beside the database the database file's mode, so the database is created 0600
 * before SQLite opens it (an empty file is an empty database), and older files are set to 0600.
 */
function privateDatabaseFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'a', PRIVATE_FILE));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) restrictFile(file);
}
