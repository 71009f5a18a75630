import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn } from 'class-validator';
import { ORG_ROLES } from '../../auth/permissions.js';
import { ProtoMessage, ProtoString } from '../../common/request/validation.js';

@ProtoMessage('AddOrganizationMemberRequest')
@InputType('AddOrganizationMemberInput')
export class AddMemberInput {
  @Field(() => ID)
  @ProtoString(1, 200)
  orgId!: string;

  @Field(() => ID)
  @ProtoString(1, 200)
  userId!: string;

  @Field(() => [String], { description: `Any of ${ORG_ROLES.join(', ')}` })
  @IsIn(ORG_ROLES as string[], { each: true, message: `value must be one of ${ORG_ROLES.join(', ')}` })
  @ArrayMaxSize(ORG_ROLES.length, { message: `value must contain at most ${ORG_ROLES.length} item(s)` })
  @ArrayMinSize(1, { message: 'value must contain at least 1 item(s)' })
  @IsArray({ message: 'value must be a list' })
  roles!: string[];
}
