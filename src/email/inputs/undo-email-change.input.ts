import { ProtoMessage, ProtoString } from '../../common/request/validation.js';

/** The undo page's form (spec §10): the token of the link. */
@ProtoMessage('UndoEmailChangeRequest')
export class UndoEmailChangeInput {
  @ProtoString(20, 100)
  token!: string;
}
