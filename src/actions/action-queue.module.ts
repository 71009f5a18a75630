import { Module } from '@nestjs/common';
import { ActionCallsRepository } from './action-calls.repository.js';
import { ActionQueue } from './action-queue.js';
import { ActionsRepository } from './actions.repository.js';

/** The write side of actions that the user store needs: executions and the call queue. */
@Module({
  providers: [ActionsRepository, ActionCallsRepository, ActionQueue],
  exports: [ActionsRepository, ActionCallsRepository, ActionQueue],
})
export class ActionQueueModule {}
