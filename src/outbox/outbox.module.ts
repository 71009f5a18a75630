import { Module } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxService } from './outbox.service.js';

/**
 * The outbox itself: writing mails inside the caller's transaction, the outbox depth metric, and
 * claiming, settling, listing and requeueing them, all through OutboxService (the repository stays
 * in here). Sending is DeliveryModule's, loaded only where mail is delivered; the admins'
 * deliveries API is DeliveriesModule's, loaded only where requests are served.
 */
@Module({
  providers: [OutboxRepository, OutboxService],
  exports: [OutboxService],
})
export class OutboxModule {}
