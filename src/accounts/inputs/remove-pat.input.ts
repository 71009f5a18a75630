import { Field, ID, InputType } from '@nestjs/graphql';
import { ProtoMessage, ProtoString } from '../../common/request/validation.js';

@ProtoMessage('RemovePersonalAccessTokenRequest')
@InputType('RemovePersonalAccessTokenInput')
export class RemovePatInput {
  @Field(() => ID)
  @ProtoString(1, 200)
  userId!: string;

  @Field(() => ID)
  @ProtoString(1, 200)
  tokenId!: string;
}
