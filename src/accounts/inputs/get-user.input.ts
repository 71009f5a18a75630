import { ProtoMessage, ProtoString } from '../../common/request/validation.js';

@ProtoMessage('GetUserByIDRequest')
export class GetUserInput {
  @ProtoString(1, 200)
  userId!: string;
}
