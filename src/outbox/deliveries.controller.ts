import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { ListDeliveriesInput, RequeueDeliveryInput } from './deliveries.input.js';
import { ListMailDeliveries, RequeueMailDelivery } from './deliveries.operations.js';

/** Delivery status for administrators (IAM_OWNER): spec §5 "Delivery status". */
@Controller('v2/mail/deliveries')
export class DeliveriesController {
  constructor(private readonly pipeline: Pipeline) {}

  @Get()
  @Op(ListMailDeliveries)
  async list(@CallOf() call: Call<ListDeliveriesInput>) {
    return { deliveries: await this.pipeline.execute(ListMailDeliveries, call) };
  }

  @Post(':id/requeue')
  @HttpCode(200)
  @Op(RequeueMailDelivery)
  async requeue(@CallOf() call: Call<RequeueDeliveryInput>) {
    return { delivery: await this.pipeline.execute(RequeueMailDelivery, call) };
  }
}
