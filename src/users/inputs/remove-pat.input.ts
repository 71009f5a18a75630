import { Field, ID, InputType } from '@nestjs/graphql';
import { IsString } from 'class-validator';
import { Msg, ProtoMessage, RuneLength } from '../../common/request/validation.js';

@ProtoMessage('RemovePersonalAccessTokenRequest')
@InputType('RemovePersonalAccessTokenInput')
export class RemovePatInput {
  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId!: string;

  @Field(() => ID)
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  tokenId!: string;
}
