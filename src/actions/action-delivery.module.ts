import { Module } from '@nestjs/common';
import { ActionQueueModule } from './action-queue.module.js';
import { ActionsWorker } from './actions.worker.js';

/** Delivery of action calls: where mail is delivered (MAIL_WORKER=inline, or npm run worker). */
@Module({ imports: [ActionQueueModule], providers: [ActionsWorker], exports: [ActionsWorker] })
export class ActionDeliveryModule {}
