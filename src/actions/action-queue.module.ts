import { Module } from '@nestjs/common';
import { MetricsService } from '../observability/metrics.service.js';
import { ActionCallsRepository } from './action-calls.repository.js';
import { ActionQueue } from './action-queue.js';
import { ActionsRepository } from './actions.repository.js';
import { ActionsService } from './actions.service.js';

/**
 * Actions' state and use cases: targets and executions (ActionsService) and the call queue
 * (ActionQueue) that the user aggregate writes with each event and the delivery worker drains.
 * The repositories stay in here; the API (ActionsModule) and the worker (ActionDeliveryModule),
 * each loaded only where it runs, build on this module's services.
 */
@Module({
  providers: [ActionsRepository, ActionCallsRepository, ActionQueue, ActionsService],
  exports: [ActionQueue, ActionsService],
})
export class ActionQueueModule {
  constructor(metrics: MetricsService, calls: ActionCallsRepository) {
    // read at scrape time, in every process that has the queue
    metrics.setActionQueueDepthSource(() => calls.countByStatus());
  }
}
