import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import type { EmailChangeResult } from '../email/email.service.js';
import { ResendEmailCodeInput, SendEmailCodeInput, VerifyEmailInput } from '../email/inputs/email-code.input.js';
import { SetEmailInput } from '../email/inputs/set-email.input.js';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { AddHumanUserInput } from './inputs/add-human-user.input.js';
import { AddPatInput } from './inputs/add-pat.input.js';
import { GetUserInput } from './inputs/get-user.input.js';
import { RemovePatInput } from './inputs/remove-pat.input.js';
import { UpdateUserInput } from './inputs/update-user.input.js';
import { CancelPendingEmail, UpdateUser } from './update-user.operations.js';
import { ResendEmailCode, SendEmailCode, SetEmail, VerifyEmail } from '../email/email.operations.js';
import {
  AddHumanUser,
  AddPersonalAccessToken,
  GetUserByID,
  ListPersonalAccessTokens,
  RemovePersonalAccessToken,
} from './users.operations.js';

/**
 * ZITADEL's User Service v2 REST routes. The OperationGuard has run the pipeline's first steps
 * for the route's operation; each handler hands the prepared call on.
 */
@Controller('v2/users')
export class UsersController {
  constructor(private readonly pipeline: Pipeline) {}

  @Post('human')
  @HttpCode(200)
  @Op(AddHumanUser)
  addHumanUser(@CallOf() call: Call<AddHumanUserInput>) {
    return this.pipeline.execute(AddHumanUser, call);
  }

  @Get(':userId')
  @Op(GetUserByID)
  async getUserById(@CallOf() call: Call<GetUserInput>) {
    const { details, ...user } = await this.pipeline.execute(GetUserByID, call);
    return { details, user };
  }

  /** ZITADEL v4's UpdateUser: answers `{changeDate, emailCode?}` as ZITADEL does. */
  @Patch(':userId')
  @Op(UpdateUser)
  async updateUser(@CallOf() call: Call<UpdateUserInput>) {
    const { changeDate, emailCode } = await this.pipeline.execute(UpdateUser, call);
    return { changeDate, emailCode };
  }

  /** beyond ZITADEL (verify-first): drops the address waiting for its code. */
  @Delete(':userId/email/pending')
  @Op(CancelPendingEmail)
  cancelPendingEmail(@CallOf() call: Call<GetUserInput>) {
    return this.pipeline.execute(CancelPendingEmail, call);
  }

  @Post(':userId/email')
  @HttpCode(200)
  @Op(SetEmail)
  setEmail(@CallOf() call: Call<SetEmailInput>): Promise<EmailChangeResult> {
    return this.pipeline.execute(SetEmail, call);
  }

  @Post(':userId/email/resend')
  @HttpCode(200)
  @Op(ResendEmailCode)
  resendEmailCode(@CallOf() call: Call<ResendEmailCodeInput>): Promise<EmailChangeResult> {
    return this.pipeline.execute(ResendEmailCode, call);
  }

  @Post(':userId/email/send')
  @HttpCode(200)
  @Op(SendEmailCode)
  sendEmailCode(@CallOf() call: Call<SendEmailCodeInput>): Promise<EmailChangeResult> {
    return this.pipeline.execute(SendEmailCode, call);
  }

  @Post(':userId/email/verify')
  @HttpCode(200)
  @Op(VerifyEmail)
  verifyEmail(@CallOf() call: Call<VerifyEmailInput>): Promise<EmailChangeResult> {
    return this.pipeline.execute(VerifyEmail, call);
  }

  @Post(':userId/pats')
  @HttpCode(200)
  @Op(AddPersonalAccessToken)
  addPersonalAccessToken(@CallOf() call: Call<AddPatInput>) {
    return this.pipeline.execute(AddPersonalAccessToken, call);
  }

  @Get(':userId/pats')
  @Op(ListPersonalAccessTokens)
  async listPersonalAccessTokens(@CallOf() call: Call<GetUserInput>) {
    return { result: await this.pipeline.execute(ListPersonalAccessTokens, call) };
  }

  @Delete(':userId/pats/:tokenId')
  @Op(RemovePersonalAccessToken)
  removePersonalAccessToken(@CallOf() call: Call<RemovePatInput>) {
    return this.pipeline.execute(RemovePersonalAccessToken, call);
  }
}
