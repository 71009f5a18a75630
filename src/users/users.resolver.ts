import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
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
import { UpdateUserInput } from './inputs/update-user.input.js';
import { UserUpdateService } from './user-update.service.js';
import { RemovePatInput } from './inputs/remove-pat.input.js';
import {
  addHumanAccess,
  addPatAccess,
  cancelPendingEmailAccess,
  emailChangeAccess,
  readUserAccess,
  updateUserAccess,
  verifyEmailAccess,
} from './users.access.js';
import { UsersService } from './users.service.js';

/** The same operations as UsersController, over GraphQL, with the same inputs and services. */
@Resolver(() => UserView)
export class UsersResolver {
  constructor(
    private readonly users: UsersService,
    private readonly email: EmailService,
    private readonly updates: UserUpdateService,
    private readonly emailChanges: EmailChangeService,
  ) {}

  @Query(() => UserView, { nullable: true, description: 'GetUserByID' })
  @Operation({ input: GetUserInput, fromGraphQL: (a) => ({ userId: a.id }), access: (i: GetUserInput) => readUserAccess(i.userId) })
  user(@Input() input: GetUserInput, @Args('id', { type: () => ID }) _id: string): Promise<UserView> {
    return this.users.getById(input.userId);
  }

  @Mutation(() => AddHumanUserPayload, { description: 'AddHumanUser' })
  @Operation({ input: AddHumanUserInput, access: addHumanAccess })
  addHumanUser(@CurrentCaller() caller: Caller, @Args('input', { type: () => AddHumanUserInput }) input: AddHumanUserInput) {
    return this.users.addHuman(caller, input);
  }

  @Mutation(() => UpdateUserPayload, { description: 'UpdateUser (ZITADEL v4): username, profile, and human.email exactly as SetEmail' })
  @Operation({ input: UpdateUserInput, access: updateUserAccess })
  updateUser(@CurrentCaller() caller: Caller, @Args('input', { type: () => UpdateUserInput }) input: UpdateUserInput) {
    return this.updates.update(caller, input);
  }

  @Mutation(() => CancelPendingEmailPayload, {
    description: 'beyond ZITADEL (EMAIL_CHANGE_MODE=verify-first): drop the address waiting for its code',
  })
  @Operation({ input: GetUserInput, fromGraphQL: (a) => ({ userId: a.userId }), access: cancelPendingEmailAccess })
  cancelPendingEmail(@CurrentCaller() caller: Caller, @Input() input: GetUserInput, @Args('userId', { type: () => ID }) _userId: string) {
    return this.emailChanges.cancelPending(caller, input.userId);
  }

  @Mutation(() => EmailChangePayload, { description: 'SetEmail: change the contact email and start its verification' })
  @Operation({ input: SetEmailInput, access: emailChangeAccess })
  setContactEmail(@CurrentCaller() caller: Caller, @Args('input', { type: () => SetEmailInput }) input: SetEmailInput) {
    return this.email.setEmail(caller, input);
  }

  @Mutation(() => EmailChangePayload, { description: 'ResendEmailCode: a new code for the pending verification' })
  @Operation({ input: ResendEmailCodeInput, access: emailChangeAccess })
  resendEmailCode(@CurrentCaller() caller: Caller, @Args('input', { type: () => ResendEmailCodeInput }) input: ResendEmailCodeInput) {
    return this.email.resendCode(caller, input);
  }

  @Mutation(() => EmailChangePayload, { description: 'SendEmailCode: always a fresh code' })
  @Operation({ input: SendEmailCodeInput, access: emailChangeAccess })
  sendEmailCode(@CurrentCaller() caller: Caller, @Args('input', { type: () => SendEmailCodeInput }) input: SendEmailCodeInput) {
    return this.email.sendCode(caller, input);
  }

  @Mutation(() => EmailChangePayload, { description: 'VerifyEmail: the code is the credential' })
  @VerifyRateLimit()
  @Operation({ input: VerifyEmailInput, access: verifyEmailAccess })
  verifyEmail(@CurrentCaller() caller: Caller, @Args('input', { type: () => VerifyEmailInput }) input: VerifyEmailInput) {
    return this.email.verify(caller.userId, input);
  }

  @Mutation(() => AddPatPayload, { description: 'AddPersonalAccessToken' })
  @Operation({ input: AddPatInput, access: addPatAccess })
  addPersonalAccessToken(@CurrentCaller() caller: Caller, @Args('input', { type: () => AddPatInput }) input: AddPatInput) {
    return this.users.addPersonalAccessToken(caller, input);
  }

  @Query(() => [PatView], { description: "A user's live personal access tokens (never the tokens themselves)" })
  @Operation({ input: GetUserInput, fromGraphQL: (a) => ({ userId: a.userId }), access: addPatAccess })
  personalAccessTokens(@Input() input: GetUserInput, @Args('userId', { type: () => ID }) _userId: string): Promise<PatView[]> {
    return this.users.listPersonalAccessTokens(input.userId);
  }

  @Mutation(() => RemovePatPayload, { description: 'RemovePersonalAccessToken: revoke a PAT' })
  @Operation({ input: RemovePatInput, access: addPatAccess })
  removePersonalAccessToken(@CurrentCaller() caller: Caller, @Args('input', { type: () => RemovePatInput }) input: RemovePatInput) {
    return this.users.removePersonalAccessToken(caller, input);
  }
}
