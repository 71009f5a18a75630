import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { dataSourceOptions } from './data-source-options.js';
import { Idempotency } from './idempotency.js';
import { IdempotencyStore } from './idempotency.store.js';
import { Sql } from './sql.js';
import { UnitOfWork } from './unit-of-work.js';

/** The data source (migrations run at start), the one UnitOfWork every write goes through with its Idempotency-Key replay, and Sql. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), migrationsRun: true, migrationsTransactionMode: 'each' }),
    }),
  ],
  providers: [UnitOfWork, Sql, IdempotencyStore, Idempotency],
  exports: [UnitOfWork, Sql, Idempotency],
})
export class DatabaseModule {}
