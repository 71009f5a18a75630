import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Caller } from '../auth/caller.js';
import { CurrentCaller, Operation } from '../common/request/operation.js';
import {
  InstanceMessageTextKey,
  MailPreviewInput,
  OrgMessageTextKey,
  SetInstanceMessageTextInput,
  SetOrgMessageTextInput,
} from './inputs/message-text.input.js';
import { MailPreviewView, MessageTextChangePayload, MessageTextView } from './message-text.view.js';
import { MessageTextsService } from './message-texts.service.js';
import { instanceTextAccess, orgTextAccess } from './texts.rest.js';

/** The operations of the texts controllers, over GraphQL, with the same inputs, access rules and service. */
@Resolver(() => MessageTextView)
export class TextsResolver {
  constructor(private readonly texts: MessageTextsService) {}

  @Query(() => MessageTextView, {
    description: "GetCustomMessageText (management): the organisation's text, or the one that applies instead",
  })
  @Operation({ input: OrgMessageTextKey, access: orgTextAccess })
  orgMessageText(@CurrentCaller() caller: Caller, @Args('input', { type: () => OrgMessageTextKey }) i: OrgMessageTextKey) {
    return this.texts.getOrgText(MessageTextsService.orgOf(i, caller), i.type, i.language);
  }

  @Mutation(() => MessageTextChangePayload, {
    description: "SetCustomMessageText (management): the organisation's text (ORG_OWNER, IAM_OWNER)",
  })
  @Operation({ input: SetOrgMessageTextInput, access: orgTextAccess })
  setOrgMessageText(@CurrentCaller() caller: Caller, @Args('input', { type: () => SetOrgMessageTextInput }) i: SetOrgMessageTextInput) {
    return this.texts.setOrgText(i, caller);
  }

  @Mutation(() => MessageTextChangePayload, { description: "ResetCustomMessageTextToDefault (management): remove the organisation's text" })
  @Operation({ input: OrgMessageTextKey, access: orgTextAccess })
  resetOrgMessageText(@CurrentCaller() caller: Caller, @Args('input', { type: () => OrgMessageTextKey }) i: OrgMessageTextKey) {
    return this.texts.resetOrgText(MessageTextsService.orgOf(i, caller), i.type, i.language);
  }

  @Query(() => MessageTextView, { description: "GetCustomMessageText (admin): the instance's text, or the shipped one (IAM_OWNER)" })
  @Operation({ input: InstanceMessageTextKey, access: instanceTextAccess })
  instanceMessageText(@Args('input', { type: () => InstanceMessageTextKey }) i: InstanceMessageTextKey) {
    return this.texts.getInstanceText(i.type, i.language);
  }

  @Query(() => MessageTextView, { description: 'GetDefaultMessageText (admin): the text this service ships (IAM_OWNER)' })
  @Operation({ input: InstanceMessageTextKey, access: instanceTextAccess })
  shippedMessageText(@Args('input', { type: () => InstanceMessageTextKey }) i: InstanceMessageTextKey) {
    return this.texts.getShippedText(i.type, i.language);
  }

  @Mutation(() => MessageTextChangePayload, { description: "SetDefaultMessageText (admin): the instance's text (IAM_OWNER)" })
  @Operation({ input: SetInstanceMessageTextInput, access: instanceTextAccess })
  setInstanceMessageText(@Args('input', { type: () => SetInstanceMessageTextInput }) i: SetInstanceMessageTextInput) {
    return this.texts.setInstanceText(i);
  }

  @Mutation(() => MessageTextChangePayload, { description: "ResetCustomMessageTextToDefault (admin): remove the instance's text" })
  @Operation({ input: InstanceMessageTextKey, access: instanceTextAccess })
  resetInstanceMessageText(@Args('input', { type: () => InstanceMessageTextKey }) i: InstanceMessageTextKey) {
    return this.texts.resetInstanceText(i.type, i.language);
  }

  @Query(() => MailPreviewView, { description: 'A mail rendered with sample values, sending nothing (ORG_OWNER, IAM_OWNER)' })
  @Operation({ input: MailPreviewInput, access: orgTextAccess })
  mailPreview(@CurrentCaller() caller: Caller, @Args('input', { type: () => MailPreviewInput }) i: MailPreviewInput) {
    return this.texts.preview(i, caller);
  }
}
