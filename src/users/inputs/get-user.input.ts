import { IsString } from 'class-validator';
import { Msg, ProtoMessage, RuneLength } from '../../common/request/validation.js';

@ProtoMessage('GetUserByIDRequest')
export class GetUserInput {
  @RuneLength(1, 200)
  @IsString({ message: Msg.string })
  userId!: string;
}
