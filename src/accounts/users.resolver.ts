import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
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
import {
  AddHumanUserPayload,
  AddPatPayload,
  CancelPendingEmailPayload,
  EmailChangePayload,
  PatView,
  RemovePatPayload,
  UpdateUserPayload,
  UserView,
} from './user.view.js';
import { ResendEmailCode, SendEmailCode, SetEmail, VerifyEmail } from '../email/email.operations.js';
import {
  AddHumanUser,
  AddPersonalAccessToken,
  GetUserByID,
  ListPersonalAccessTokens,
  RemovePersonalAccessToken,
} from './users.operations.js';

/**
 * The operations of UsersController over GraphQL. The arguments declare the schema; the
 * OperationGuard validated them into the call each field hands on.
 */
@Resolver(() => UserView)
export class UsersResolver {
  constructor(private readonly pipeline: Pipeline) {}

  @Query(() => UserView, { nullable: true, description: 'GetUserByID' })
  @Op(GetUserByID)
  user(@CallOf() call: Call<GetUserInput>, @Args('id', { type: () => ID }) _id: string): Promise<UserView> {
    return this.pipeline.execute(GetUserByID, call);
  }

  @Mutation(() => AddHumanUserPayload, { description: 'AddHumanUser' })
  @Op(AddHumanUser)
  addHumanUser(@CallOf() call: Call<AddHumanUserInput>, @Args('input', { type: () => AddHumanUserInput }) _input: unknown) {
    return this.pipeline.execute(AddHumanUser, call);
  }

  @Mutation(() => UpdateUserPayload, { description: 'UpdateUser (ZITADEL v4): username, profile, and human.email exactly as SetEmail' })
  @Op(UpdateUser)
  updateUser(@CallOf() call: Call<UpdateUserInput>, @Args('input', { type: () => UpdateUserInput }) _input: unknown) {
    return this.pipeline.execute(UpdateUser, call);
  }

  @Mutation(() => CancelPendingEmailPayload, {
    description: 'beyond ZITADEL (EMAIL_CHANGE_MODE=verify-first): drop the address waiting for its code',
  })
  @Op(CancelPendingEmail)
  cancelPendingEmail(@CallOf() call: Call<GetUserInput>, @Args('userId', { type: () => ID }) _userId: string) {
    return this.pipeline.execute(CancelPendingEmail, call);
  }

  @Mutation(() => EmailChangePayload, { description: 'SetEmail: change the contact email and start its verification' })
  @Op(SetEmail)
  setContactEmail(@CallOf() call: Call<SetEmailInput>, @Args('input', { type: () => SetEmailInput }) _input: unknown) {
    return this.pipeline.execute(SetEmail, call);
  }

  @Mutation(() => EmailChangePayload, { description: 'ResendEmailCode: a new code for the pending verification' })
  @Op(ResendEmailCode)
  resendEmailCode(@CallOf() call: Call<ResendEmailCodeInput>, @Args('input', { type: () => ResendEmailCodeInput }) _input: unknown) {
    return this.pipeline.execute(ResendEmailCode, call);
  }

  @Mutation(() => EmailChangePayload, { description: 'SendEmailCode: always a fresh code' })
  @Op(SendEmailCode)
  sendEmailCode(@CallOf() call: Call<SendEmailCodeInput>, @Args('input', { type: () => SendEmailCodeInput }) _input: unknown) {
    return this.pipeline.execute(SendEmailCode, call);
  }

  @Mutation(() => EmailChangePayload, { description: 'VerifyEmail: the code is the credential' })
  @Op(VerifyEmail)
  verifyEmail(@CallOf() call: Call<VerifyEmailInput>, @Args('input', { type: () => VerifyEmailInput }) _input: unknown) {
    return this.pipeline.execute(VerifyEmail, call);
  }

  @Mutation(() => AddPatPayload, { description: 'AddPersonalAccessToken' })
  @Op(AddPersonalAccessToken)
  addPersonalAccessToken(@CallOf() call: Call<AddPatInput>, @Args('input', { type: () => AddPatInput }) _input: unknown) {
    return this.pipeline.execute(AddPersonalAccessToken, call);
  }

  @Query(() => [PatView], { description: "A user's live personal access tokens (never the tokens themselves)" })
  @Op(ListPersonalAccessTokens)
  personalAccessTokens(@CallOf() call: Call<GetUserInput>, @Args('userId', { type: () => ID }) _userId: string): Promise<PatView[]> {
    return this.pipeline.execute(ListPersonalAccessTokens, call);
  }

  @Mutation(() => RemovePatPayload, { description: 'RemovePersonalAccessToken: revoke a PAT' })
  @Op(RemovePersonalAccessToken)
  removePersonalAccessToken(@CallOf() call: Call<RemovePatInput>, @Args('input', { type: () => RemovePatInput }) _input: unknown) {
    return this.pipeline.execute(RemovePersonalAccessToken, call);
  }
}
