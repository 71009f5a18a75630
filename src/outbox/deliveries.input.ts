import { Field, ID, InputType } from '@nestjs/graphql';
import { IsIn, IsOptional } from 'class-validator';
import { ProtoMessage, ProtoString } from '../common/request/validation.js';

export const DELIVERY_STATES = ['pending', 'sending', 'retrying', 'sent', 'dead'] as const;

@ProtoMessage('ListMailDeliveriesRequest')
@InputType('MailDeliveriesFilter')
export class ListDeliveriesInput {
  @Field(() => String, { nullable: true, description: DELIVERY_STATES.join(', ') })
  @IsOptional()
  @IsIn(DELIVERY_STATES as unknown as string[], { message: `value must be one of ${DELIVERY_STATES.join(', ')}` })
  state?: (typeof DELIVERY_STATES)[number];

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @ProtoString(1, 200)
  userId?: string;
}

@ProtoMessage('RequeueMailDeliveryRequest')
export class RequeueDeliveryInput {
  @ProtoString(1, 20)
  id!: string;
}
