import { defineOperation } from '../pipeline/operation.js';
import { EmailChangeService } from './email-change.service.js';
import { UndoEmailChangeInput } from './inputs/undo-email-change.input.js';

/**
 * The undo link's POST (spec §10), from the hosted page: no token, the link is the credential
 * (as the code is for VerifyEmail), counted against the verify limit per IP.
 */
export const UndoEmailChange = defineOperation({
  name: 'UndoEmailChange (hosted page)',
  input: UndoEmailChangeInput,
  limit: 'verify',
  public: true,
  access: () => ({ kind: 'code', userId: '' }),
  service: EmailChangeService,
  execute: (changes, call) => changes.undoChange(call.input.token),
});
