import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString } from 'class-validator';
import { ORG_ROLES } from '../../auth/permissions.js';
import { Msg, ProtoMessage, RuneLength } from '../../common/request/validation.js';

@ProtoMessage('AddOrganizationMemberRequest')
@InputType('AddOrganizationMemberInput')
export class AddMemberInput {
  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  orgId!: string;

  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId!: string;

  @Field(() => [String], { description: `Any of ${ORG_ROLES.join(', ')}` })
  @IsIn(ORG_ROLES as string[], { each: true, message: `value must be one of ${ORG_ROLES.join(', ')}` })
  @ArrayMaxSize(ORG_ROLES.length, { message: `value must contain at most ${ORG_ROLES.length} item(s)` })
  @ArrayMinSize(1, { message: 'value must contain at least 1 item(s)' })
  @IsArray({ message: 'value must be a list' })
  roles!: string[];
}
