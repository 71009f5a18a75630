import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import {
  InstanceMessageTextKey,
  MailPreviewInput,
  OrgMessageTextKey,
  SetInstanceMessageTextInput,
  SetOrgMessageTextInput,
} from './inputs/message-text.input.js';
import { MailPreviewView, MessageTextChangePayload, MessageTextView } from './message-text.view.js';
import {
  GetCustomMessageText,
  GetInstanceMessageText,
  GetShippedMessageText,
  PreviewMail,
  ResetCustomMessageText,
  ResetInstanceMessageText,
  SetCustomMessageText,
  SetInstanceMessageText,
} from './texts.operations.js';

/** The text operations over GraphQL: the same operations, inputs, access rules and service as REST and Connect. */
@Resolver(() => MessageTextView)
export class TextsResolver {
  constructor(private readonly pipeline: Pipeline) {}

  @Query(() => MessageTextView, {
    description: "GetCustomMessageText (management): the organisation's text, or the one that applies instead",
  })
  @Op(GetCustomMessageText)
  orgMessageText(@CallOf() call: Call<OrgMessageTextKey>, @Args('input', { type: () => OrgMessageTextKey }) _i: unknown) {
    return this.pipeline.execute(GetCustomMessageText, call);
  }

  @Mutation(() => MessageTextChangePayload, {
    description: "SetCustomMessageText (management): the organisation's text (ORG_OWNER, IAM_OWNER)",
  })
  @Op(SetCustomMessageText)
  setOrgMessageText(@CallOf() call: Call<SetOrgMessageTextInput>, @Args('input', { type: () => SetOrgMessageTextInput }) _i: unknown) {
    return this.pipeline.execute(SetCustomMessageText, call);
  }

  @Mutation(() => MessageTextChangePayload, { description: "ResetCustomMessageTextToDefault (management): remove the organisation's text" })
  @Op(ResetCustomMessageText)
  resetOrgMessageText(@CallOf() call: Call<OrgMessageTextKey>, @Args('input', { type: () => OrgMessageTextKey }) _i: unknown) {
    return this.pipeline.execute(ResetCustomMessageText, call);
  }

  @Query(() => MessageTextView, { description: "GetCustomMessageText (admin): the instance's text, or the shipped one (IAM_OWNER)" })
  @Op(GetInstanceMessageText)
  instanceMessageText(@CallOf() call: Call<InstanceMessageTextKey>, @Args('input', { type: () => InstanceMessageTextKey }) _i: unknown) {
    return this.pipeline.execute(GetInstanceMessageText, call);
  }

  @Query(() => MessageTextView, { description: 'GetDefaultMessageText (admin): the text this service ships (IAM_OWNER)' })
  @Op(GetShippedMessageText)
  shippedMessageText(@CallOf() call: Call<InstanceMessageTextKey>, @Args('input', { type: () => InstanceMessageTextKey }) _i: unknown) {
    return this.pipeline.execute(GetShippedMessageText, call);
  }

  @Mutation(() => MessageTextChangePayload, { description: "SetDefaultMessageText (admin): the instance's text (IAM_OWNER)" })
  @Op(SetInstanceMessageText)
  setInstanceMessageText(
    @CallOf() call: Call<SetInstanceMessageTextInput>,
    @Args('input', { type: () => SetInstanceMessageTextInput }) _i: unknown,
  ) {
    return this.pipeline.execute(SetInstanceMessageText, call);
  }

  @Mutation(() => MessageTextChangePayload, { description: "ResetCustomMessageTextToDefault (admin): remove the instance's text" })
  @Op(ResetInstanceMessageText)
  resetInstanceMessageText(
    @CallOf() call: Call<InstanceMessageTextKey>,
    @Args('input', { type: () => InstanceMessageTextKey }) _i: unknown,
  ) {
    return this.pipeline.execute(ResetInstanceMessageText, call);
  }

  @Query(() => MailPreviewView, { description: 'A mail rendered with sample values, sending nothing (ORG_OWNER, IAM_OWNER)' })
  @Op(PreviewMail)
  mailPreview(@CallOf() call: Call<MailPreviewInput>, @Args('input', { type: () => MailPreviewInput }) _i: unknown) {
    return this.pipeline.execute(PreviewMail, call);
  }
}
