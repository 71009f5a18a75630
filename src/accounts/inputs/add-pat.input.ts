import { Field, GraphQLISODateTime, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsDate, IsOptional } from 'class-validator';
import { ProtoMessage, ProtoString } from '../../common/request/validation.js';

@ProtoMessage('AddPersonalAccessTokenRequest')
@InputType('AddPersonalAccessTokenInput')
export class AddPatInput {
  @Field(() => ID)
  @ProtoString(1, 200)
  userId!: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the token stops working; never when omitted' })
  @IsOptional()
  @IsDate({ message: 'value must be a valid RFC 3339 timestamp' })
  @Type(() => Date)
  expirationDate?: Date;
}
