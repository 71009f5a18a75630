import { Field, GraphQLISODateTime, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString } from 'class-validator';
import { Msg, ProtoMessage, RuneLength } from '../../common/request/validation.js';

@ProtoMessage('AddPersonalAccessTokenRequest')
@InputType('AddPersonalAccessTokenInput')
export class AddPatInput {
  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId!: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the token stops working; never when omitted' })
  @IsOptional()
  @IsDate({ message: 'value must be a valid RFC 3339 timestamp' })
  @Type(() => Date)
  expirationDate?: Date;
}
