import type { DataSourceOptions } from 'typeorm';

export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * Which database a data source talks to: the one place that reads it from TypeORM's options,
 * for Dialect (everything at run time) and for the migrations (run before anything else exists).
 */
export const databaseKind = (options: Pick<DataSourceOptions, 'type'>): DatabaseKind =>
  options.type === 'postgres' ? 'postgres' : 'sqlite';
