import { Field, ID, InputType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { Msg, ProtoMessage, RuneLength } from '../common/request/validation.js';

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
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId?: string;
}

@ProtoMessage('RequeueMailDeliveryRequest')
export class RequeueDeliveryInput {
  @RuneLength(1, 20)
  @IsString({ message: Msg.string })
  id!: string;
}
