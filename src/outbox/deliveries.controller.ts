import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { Input, Operation } from '../common/request/operation.js';
import { ListDeliveriesInput, RequeueDeliveryInput } from './deliveries.input.js';
import { OutboxService } from './outbox.service.js';

const adminOnly = () => ({ instance: 'mail.admin' as const });

/** Delivery status for administrators (IAM_OWNER): spec §5 "Delivery status". */
@Controller('v2/mail/deliveries')
export class DeliveriesController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @Operation({
    input: ListDeliveriesInput,
    fromRest: (_p, _b, _h, query) => ({ state: query.state, userId: query.userId }),
    access: adminOnly,
  })
  async list(@Input() input: ListDeliveriesInput) {
    return { deliveries: await this.outbox.list(input) };
  }

  @Post(':id/requeue')
  @HttpCode(200)
  @Operation({ input: RequeueDeliveryInput, fromRest: (p) => ({ id: p.id }), access: adminOnly })
  async requeue(@Input() input: RequeueDeliveryInput) {
    return { delivery: await this.outbox.requeue(input.id) };
  }
}
