import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { SQLITE_PRAGMAS } from './sqlite-pragmas.js';

/** The one place that turns configuration into TypeORM options, for the app and for the CLI. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
  } as const;
  if (config.database.type === 'sqlite') {
    const path = config.database.path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return {
      ...common,
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
    type: 'postgres',
    url: config.database.url,
    extra: { max: 10, application_name: 'contact-email-service' },
  };
}
