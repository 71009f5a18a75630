import { Module } from '@nestjs/common';
import { MetricsService } from '../observability/metrics.service.js';
import { ActionCallsRepository } from './action-calls.repository.js';
import { ActionQueueModule } from './action-queue.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { ActionDeliveriesController, ActionsController } from './actions.controller.js';
import { ActionsResolver } from './actions.resolver.js';
import { ActionsService } from './actions.service.js';

/** ZITADEL's ActionService (REST, GraphQL; Connect through ConnectModule) and the delivery status API. */
@Module({
  imports: [ActionQueueModule, PipelineModule],
  controllers: [ActionsController, ActionDeliveriesController],
  providers: [ActionsService, ActionsResolver],
  exports: [ActionsService],
})
export class ActionsModule {
  constructor(metrics: MetricsService, calls: ActionCallsRepository) {
    // read at scrape time, in every process that has the queue
    metrics.setActionQueueDepthSource(() => calls.countByStatus());
  }
}
