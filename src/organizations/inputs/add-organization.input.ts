import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, IsString } from 'class-validator';
import { Msg, ProtoMessage, RuneLength } from '../../common/request/validation.js';

@ProtoMessage('AddOrganizationRequest')
@InputType('AddOrganizationInput')
export class AddOrganizationInput {
  @Field(() => String)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  name!: string;

  @Field(() => ID, { nullable: true, description: 'Chosen by the caller, or generated' })
  @IsOptional()
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  orgId?: string;
}
