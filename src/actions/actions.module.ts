import { Module } from '@nestjs/common';
import { ActionQueueModule } from './action-queue.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { ActionDeliveriesController, ActionsController } from './actions.controller.js';
import { ActionsResolver } from './actions.resolver.js';

/** ZITADEL's ActionService (REST, GraphQL; Connect through ConnectModule) and the delivery status API. */
@Module({
  imports: [ActionQueueModule, PipelineModule],
  controllers: [ActionsController, ActionDeliveriesController],
  providers: [ActionsResolver],
})
export class ActionsModule {}
