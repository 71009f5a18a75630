import { Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveriesResolver } from './deliveries.resolver.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxService } from './outbox.service.js';

/**
 * The outbox itself: writing mails inside the caller's transaction, the outbox depth metric and
 * the admins' deliveries API. Sending is DeliveryModule's, loaded only where mail is delivered.
 */
@Module({
  controllers: [DeliveriesController],
  providers: [OutboxRepository, OutboxService, DeliveriesResolver],
  exports: [OutboxRepository, OutboxService],
})
export class OutboxModule {}
