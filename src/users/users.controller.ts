import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { VerifyRateLimit } from '../common/rate-limit/rate-limit.guard.js';
import { CurrentCaller, Input, Operation } from '../common/request/operation.js';
import { EmailChangeService } from '../email/email-change.service.js';
import { EmailService } from '../email/email.service.js';
import { ResendEmailCodeInput, SendEmailCodeInput, VerifyEmailInput } from '../email/inputs/email-code.input.js';
import { SetEmailInput } from '../email/inputs/set-email.input.js';
import { AddHumanUserInput } from './inputs/add-human-user.input.js';
import { AddPatInput } from './inputs/add-pat.input.js';
import { GetUserInput } from './inputs/get-user.input.js';
import { RemovePatInput } from './inputs/remove-pat.input.js';
import { UpdateUserInput } from './inputs/update-user.input.js';
import { UserUpdateService } from './user-update.service.js';
import {
  addHumanAccess,
  addPatAccess,
  cancelPendingEmailAccess,
  emailChangeAccess,
  readUserAccess,
  updateUserAccess,
  verifyEmailAccess,
} from './users.access.js';
import {
  addHumanUserFromRest,
  addPatFromRest,
  getUserFromRest,
  removePatFromRest,
  resendEmailCodeFromRest,
  sendEmailCodeFromRest,
  setEmailFromRest,
  updateUserFromRest,
  verifyEmailFromRest,
} from './users.rest.js';
import { UsersService } from './users.service.js';

/** ZITADEL's User Service v2 REST routes. Converts requests; the services do the work. */
@Controller('v2/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly email: EmailService,
    private readonly updates: UserUpdateService,
    private readonly emailChanges: EmailChangeService,
  ) {}

  @Post('human')
  @HttpCode(200)
  @Operation({ input: AddHumanUserInput, fromRest: addHumanUserFromRest, access: addHumanAccess })
  addHumanUser(@CurrentCaller() caller: Caller, @Input() input: AddHumanUserInput) {
    return this.users.addHuman(caller, input);
  }

  @Get(':userId')
  @Operation({ input: GetUserInput, fromRest: getUserFromRest, access: (i: GetUserInput) => readUserAccess(i.userId) })
  async getUserById(@Input() input: GetUserInput) {
    const { details, ...user } = await this.users.getById(input.userId);
    return { details, user };
  }

  /** ZITADEL v4's UpdateUser: answers `{changeDate, emailCode?}` as ZITADEL does. */
  @Patch(':userId')
  @Operation({ input: UpdateUserInput, fromRest: updateUserFromRest, access: updateUserAccess })
  async updateUser(@CurrentCaller() caller: Caller, @Input() input: UpdateUserInput) {
    const { changeDate, emailCode } = await this.updates.update(caller, input);
    return { changeDate, emailCode };
  }

  /** beyond ZITADEL (verify-first): drops the address waiting for its code. */
  @Delete(':userId/email/pending')
  @Operation({ input: GetUserInput, fromRest: getUserFromRest, access: cancelPendingEmailAccess })
  cancelPendingEmail(@CurrentCaller() caller: Caller, @Input() input: GetUserInput) {
    return this.emailChanges.cancelPending(caller, input.userId);
  }

  @Post(':userId/email')
  @HttpCode(200)
  @Operation({ input: SetEmailInput, fromRest: setEmailFromRest, access: emailChangeAccess })
  setEmail(@CurrentCaller() caller: Caller, @Input() input: SetEmailInput) {
    return this.email.setEmail(caller, input);
  }

  @Post(':userId/email/resend')
  @HttpCode(200)
  @Operation({ input: ResendEmailCodeInput, fromRest: resendEmailCodeFromRest, access: emailChangeAccess })
  resendEmailCode(@CurrentCaller() caller: Caller, @Input() input: ResendEmailCodeInput) {
    return this.email.resendCode(caller, input);
  }

  @Post(':userId/email/send')
  @HttpCode(200)
  @Operation({ input: SendEmailCodeInput, fromRest: sendEmailCodeFromRest, access: emailChangeAccess })
  sendEmailCode(@CurrentCaller() caller: Caller, @Input() input: SendEmailCodeInput) {
    return this.email.sendCode(caller, input);
  }

  @Post(':userId/email/verify')
  @HttpCode(200)
  @VerifyRateLimit()
  @Operation({ input: VerifyEmailInput, fromRest: verifyEmailFromRest, access: verifyEmailAccess })
  verifyEmail(@CurrentCaller() caller: Caller, @Input() input: VerifyEmailInput) {
    return this.email.verify(caller.userId, input);
  }

  @Post(':userId/pats')
  @HttpCode(200)
  @Operation({ input: AddPatInput, fromRest: addPatFromRest, access: addPatAccess })
  addPersonalAccessToken(@CurrentCaller() caller: Caller, @Input() input: AddPatInput) {
    return this.users.addPersonalAccessToken(caller, input);
  }

  @Get(':userId/pats')
  @Operation({ input: GetUserInput, fromRest: getUserFromRest, access: addPatAccess })
  async listPersonalAccessTokens(@Input() input: GetUserInput) {
    return { result: await this.users.listPersonalAccessTokens(input.userId) };
  }

  @Delete(':userId/pats/:tokenId')
  @Operation({ input: RemovePatInput, fromRest: removePatFromRest, access: addPatAccess })
  removePersonalAccessToken(@CurrentCaller() caller: Caller, @Input() input: RemovePatInput) {
    return this.users.removePersonalAccessToken(caller, input);
  }
}
