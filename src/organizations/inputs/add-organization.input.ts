import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional } from 'class-validator';
import { ProtoMessage, ProtoString } from '../../common/request/validation.js';

@ProtoMessage('AddOrganizationRequest')
@InputType('AddOrganizationInput')
export class AddOrganizationInput {
  @Field(() => String)
  @ProtoString(1, 200)
  name!: string;

  @Field(() => ID, { nullable: true, description: 'Chosen by the caller, or generated' })
  @IsOptional()
  @ProtoString(1, 200)
  orgId?: string;
}
