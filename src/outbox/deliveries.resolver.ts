import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { ListDeliveriesInput, RequeueDeliveryInput } from './deliveries.input.js';
import { ListMailDeliveries, RequeueMailDelivery } from './deliveries.operations.js';
import { DeliveryView } from './delivery.view.js';

/** The delivery status API of DeliveriesController, over GraphQL. */
@Resolver(() => DeliveryView)
export class DeliveriesResolver {
  constructor(private readonly pipeline: Pipeline) {}

  @Query(() => [DeliveryView], { description: 'Mail deliveries by state and user, newest first (IAM_OWNER)' })
  @Op(ListMailDeliveries)
  mailDeliveries(
    @CallOf() call: Call<ListDeliveriesInput>,
    @Args('state', { type: () => String, nullable: true }) _state?: string,
    @Args('userId', { type: () => ID, nullable: true }) _userId?: string,
  ): Promise<DeliveryView[]> {
    return this.pipeline.execute(ListMailDeliveries, call);
  }

  @Mutation(() => DeliveryView, { description: 'Requeue a dead mail (IAM_OWNER)' })
  @Op(RequeueMailDelivery)
  requeueMailDelivery(@CallOf() call: Call<RequeueDeliveryInput>, @Args('id', { type: () => ID }) _id: string): Promise<DeliveryView> {
    return this.pipeline.execute(RequeueMailDelivery, call);
  }
}
