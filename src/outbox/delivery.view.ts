import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('MailDelivery', { description: 'A mail in the outbox and its delivery state' })
export class DeliveryView {
  @Field(() => ID) id!: string;
  @Field(() => ID) userId!: string;
  @Field() kind!: string;
  @Field() recipient!: string;
  @Field({ description: 'pending, sending, retrying, sent or dead' }) state!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the next attempt is due (pending/retrying)' })
  nextAttemptAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) sentAt!: Date | null;
}
