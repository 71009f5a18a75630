import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CommonModule } from './common/common.module.js';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.js';
import { DatabaseModule } from './database/database.module.js';
import { createRootLogger, LogDrain, loggerParams } from './observability/logging.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { DeliveryModule } from './outbox/delivery.module.js';
import { ActionDeliveryModule } from './actions/action-delivery.module.js';

/** The modules the standalone mail worker needs: configuration, database, outbox delivery, action calls. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    const logger = createRootLogger(config);
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(logger)),
        CommonModule,
        DatabaseModule,
        ObservabilityModule,
        DeliveryModule,
        ActionDeliveryModule,
      ],
      providers: [{ provide: LogDrain, useFactory: () => new LogDrain(logger) }],
    };
  }
}
