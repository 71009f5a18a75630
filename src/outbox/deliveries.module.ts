import { Module } from '@nestjs/common';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveriesResolver } from './deliveries.resolver.js';
import { OutboxModule } from './outbox.module.js';

/** The admins' delivery status API (REST and GraphQL), in the API process only. */
@Module({
  imports: [OutboxModule, PipelineModule],
  controllers: [DeliveriesController],
  providers: [DeliveriesResolver],
})
export class DeliveriesModule {}
