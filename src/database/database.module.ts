import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { dataSourceOptions } from './data-source-options.js';
import { Dialect } from './dialect.js';
import { Idempotency } from './idempotency.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { Sql } from './sql.js';
import { UnitOfWork } from './unit-of-work.js';

/** The data source (migrations run at start), the one UnitOfWork every write goes through with its Idempotency-Key replay, Sql and its Dialect. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), migrationsRun: true, migrationsTransactionMode: 'each' }),
    }),
  ],
  providers: [Dialect, UnitOfWork, Sql, IdempotencyRepository, Idempotency],
  exports: [Dialect, UnitOfWork, Sql, Idempotency],
})
export class DatabaseModule {}
