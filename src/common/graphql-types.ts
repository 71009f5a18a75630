import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Details', { description: "ZITADEL's ObjectDetails: the aggregate's state after the change" })
export class DetailsType {
  @Field(() => String, { description: 'uint64 sequence as a decimal string' })
  sequence!: string;

  @Field(() => GraphQLISODateTime)
  changeDate!: Date;

  @Field(() => ID)
  resourceOwner!: string;
}
