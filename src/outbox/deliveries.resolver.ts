import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Input, Operation } from '../common/request/operation.js';
import { ListDeliveriesInput, RequeueDeliveryInput } from './deliveries.input.js';
import { DeliveryView } from './delivery.view.js';
import { OutboxService } from './outbox.service.js';

const adminOnly = () => ({ instance: 'mail.admin' as const });

/** The delivery status API of DeliveriesController, over GraphQL. */
@Resolver(() => DeliveryView)
export class DeliveriesResolver {
  constructor(private readonly outbox: OutboxService) {}

  @Query(() => [DeliveryView], { description: 'Mail deliveries by state and user, newest first (IAM_OWNER)' })
  @Operation({
    input: ListDeliveriesInput,
    fromGraphQL: (a) => ({ state: a.state ?? undefined, userId: a.userId ?? undefined }),
    access: adminOnly,
  })
  mailDeliveries(
    @Input() input: ListDeliveriesInput,
    @Args('state', { type: () => String, nullable: true }) _state?: string,
    @Args('userId', { type: () => ID, nullable: true }) _userId?: string,
  ): Promise<DeliveryView[]> {
    return this.outbox.list(input);
  }

  @Mutation(() => DeliveryView, { description: 'Requeue a dead mail (IAM_OWNER)' })
  @Operation({ input: RequeueDeliveryInput, fromGraphQL: (a) => ({ id: a.id }), access: adminOnly })
  requeueMailDelivery(@Input() input: RequeueDeliveryInput, @Args('id', { type: () => ID }) _id: string): Promise<DeliveryView> {
    return this.outbox.requeue(input.id);
  }
}
