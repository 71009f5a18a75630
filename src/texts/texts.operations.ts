import type { AdminService } from '@zitadel/proto/zitadel/admin_pb.js';
import type { ManagementService } from '@zitadel/proto/zitadel/management_pb.js';
import type { AccessRule } from '../auth/access.js';
import type { Caller } from '../auth/caller.js';
import { timestampOf } from '../connect/proto.js';
import { callerOf, defineOperation } from '../pipeline/operation.js';
import {
  InstanceMessageTextKey,
  MailPreviewInput,
  OrgMessageTextKey,
  SetInstanceMessageTextInput,
  SetOrgMessageTextInput,
} from './inputs/message-text.input.js';
import type { MessageTextView, TextDetails } from './message-text.view.js';
import { MessageTextsService } from './message-texts.service.js';
import { MESSAGE_FIELDS, MessageTypes } from './message-types.js';
import {
  instanceTextKeyFromRest,
  orgIdHeader,
  orgTextKeyFromRest,
  previewFromRest,
  setInstanceTextFromRest,
  setOrgTextFromRest,
} from './texts.rest.js';

// The message-text operations (spec §8), each declared once for REST, GraphQL and — for
// ZITADEL's verify-email type — Connect/gRPC (ManagementService, AdminService).

/** Organisation texts: ORG_OWNER of that organisation, or IAM_OWNER (viewers and managers: 403; outsiders: 404). */
const orgRule = (i: { organizationId?: string }, caller: Caller | null): AccessRule => ({
  kind: 'org',
  orgId: MessageTextsService.orgOf(i, caller!),
  permission: 'text.write',
});

/** Instance texts: IAM_OWNER only. */
const instanceRule = (): AccessRule => ({ kind: 'instance', permission: 'text.write' });

type Headers = Record<string, string | string[] | undefined>;
type Proto<S extends typeof ManagementService | typeof AdminService, M extends keyof S['method']> = Parameters<
  NonNullable<import('@connectrpc/connect').ServiceImpl<S>[M]>
>[0];

const VERIFY = MessageTypes.verifyEmail;

/** zitadel.v1.ObjectDetails. */
const detailsToProto = (d: TextDetails) => ({
  sequence: BigInt(d.sequence),
  creationDate: d.creationDate ? timestampOf(d.creationDate) : undefined,
  changeDate: timestampOf(d.changeDate),
  resourceOwner: d.resourceOwner,
});

/** zitadel.text.v1.MessageCustomText. */
const textToProto = (v: MessageTextView) => ({ customText: { ...v, details: v.details ? detailsToProto(v.details) : undefined } });
const changeToProto = (r: { details: TextDetails }) => ({ details: detailsToProto(r.details) });
const textFieldsOf = (m: Record<string, unknown>) => Object.fromEntries(MESSAGE_FIELDS.map((f) => [f, m[f]]));

// ---- management: the organisation's texts ------------------------------------------------

export const GetCustomMessageText = defineOperation({
  name: 'GetCustomMessageText',
  input: OrgMessageTextKey,
  limit: 'read',
  access: orgRule,
  fromRest: orgTextKeyFromRest,
  connect: {
    method: 'getCustomVerifyEmailMessageText',
    fromProto: (m: Proto<typeof ManagementService, 'getCustomVerifyEmailMessageText'>, h: Headers) => ({
      type: VERIFY,
      language: m.language,
      organizationId: orgIdHeader(h),
    }),
    toProto: textToProto,
  },
  service: MessageTextsService,
  execute: (texts, call) => texts.getOrgText(MessageTextsService.orgOf(call.input, callerOf(call)), call.input.type, call.input.language),
});

export const GetDefaultMessageText = defineOperation({
  name: 'GetDefaultMessageText',
  input: OrgMessageTextKey,
  limit: 'read',
  access: orgRule,
  fromRest: orgTextKeyFromRest,
  connect: {
    method: 'getDefaultVerifyEmailMessageText',
    fromProto: (m: Proto<typeof ManagementService, 'getDefaultVerifyEmailMessageText'>, h: Headers) => ({
      type: VERIFY,
      language: m.language,
      organizationId: orgIdHeader(h),
    }),
    toProto: textToProto,
  },
  service: MessageTextsService,
  execute: (texts, call) => texts.getInstanceText(call.input.type, call.input.language, true),
});

export const SetCustomMessageText = defineOperation({
  name: 'SetCustomMessageText',
  input: SetOrgMessageTextInput,
  limit: 'write',
  access: orgRule,
  fromRest: setOrgTextFromRest,
  connect: {
    method: 'setCustomVerifyEmailMessageText',
    fromProto: (m: Proto<typeof ManagementService, 'setCustomVerifyEmailMessageText'>, h: Headers) => ({
      ...textFieldsOf(m),
      type: VERIFY,
      language: m.language,
      organizationId: orgIdHeader(h),
    }),
    toProto: changeToProto,
  },
  service: MessageTextsService,
  execute: (texts, call) => texts.setOrgText(call.input, callerOf(call)),
});

export const ResetCustomMessageText = defineOperation({
  name: 'ResetCustomMessageTextToDefault',
  input: OrgMessageTextKey,
  limit: 'write',
  access: orgRule,
  fromRest: orgTextKeyFromRest,
  connect: {
    method: 'resetCustomVerifyEmailMessageTextToDefault',
    fromProto: (m: Proto<typeof ManagementService, 'resetCustomVerifyEmailMessageTextToDefault'>, h: Headers) => ({
      type: VERIFY,
      language: m.language,
      organizationId: orgIdHeader(h),
    }),
    toProto: changeToProto,
  },
  service: MessageTextsService,
  execute: (texts, call) => texts.resetOrgText(MessageTextsService.orgOf(call.input, callerOf(call)), call.input.type, call.input.language),
});

// ---- admin: the instance's texts -----------------------------------------------------------

export const GetShippedMessageText = defineOperation({
  name: 'GetDefaultMessageText (admin)',
  input: InstanceMessageTextKey,
  limit: 'read',
  access: instanceRule,
  fromRest: instanceTextKeyFromRest,
  connect: {
    method: 'getDefaultVerifyEmailMessageText',
    fromProto: (m: Proto<typeof AdminService, 'getDefaultVerifyEmailMessageText'>) => ({ type: VERIFY, language: m.language }),
    toProto: textToProto,
  },
  service: MessageTextsService,
  execute: (texts, call) => Promise.resolve(texts.getShippedText(call.input.type, call.input.language)),
});

export const GetInstanceMessageText = defineOperation({
  name: 'GetCustomMessageText (admin)',
  input: InstanceMessageTextKey,
  limit: 'read',
  access: instanceRule,
  fromRest: instanceTextKeyFromRest,
  connect: {
    method: 'getCustomVerifyEmailMessageText',
    fromProto: (m: Proto<typeof AdminService, 'getCustomVerifyEmailMessageText'>) => ({ type: VERIFY, language: m.language }),
    toProto: textToProto,
  },
  service: MessageTextsService,
  execute: (texts, call) => texts.getInstanceText(call.input.type, call.input.language),
});

export const SetInstanceMessageText = defineOperation({
  name: 'SetDefaultMessageText',
  input: SetInstanceMessageTextInput,
  limit: 'write',
  access: instanceRule,
  fromRest: setInstanceTextFromRest,
  connect: {
    method: 'setDefaultVerifyEmailMessageText',
    fromProto: (m: Proto<typeof AdminService, 'setDefaultVerifyEmailMessageText'>) => ({
      ...textFieldsOf(m),
      type: VERIFY,
      language: m.language,
    }),
    toProto: changeToProto,
  },
  service: MessageTextsService,
  execute: (texts, call) => texts.setInstanceText(call.input),
});

export const ResetInstanceMessageText = defineOperation({
  name: 'ResetCustomMessageTextToDefault (admin)',
  input: InstanceMessageTextKey,
  limit: 'write',
  access: instanceRule,
  fromRest: instanceTextKeyFromRest,
  connect: {
    method: 'resetCustomVerifyEmailMessageTextToDefault',
    fromProto: (m: Proto<typeof AdminService, 'resetCustomVerifyEmailMessageTextToDefault'>) => ({ type: VERIFY, language: m.language }),
    toProto: changeToProto,
  },
  service: MessageTextsService,
  execute: (texts, call) => texts.resetInstanceText(call.input.type, call.input.language),
});

// ---- beyond ZITADEL ------------------------------------------------------------------------

export const PreviewMail = defineOperation({
  name: 'PreviewMail',
  input: MailPreviewInput,
  // renders a mail: counted like a write, so it cannot be used to load the service for free
  limit: 'write',
  access: orgRule,
  fromRest: previewFromRest,
  service: MessageTextsService,
  execute: (texts, call) => texts.preview(call.input, callerOf(call)),
});

/** The verify-email methods of zitadel.management.v1.ManagementService. */
export const MANAGEMENT_SERVICE_CONNECT = [GetCustomMessageText, GetDefaultMessageText, SetCustomMessageText, ResetCustomMessageText];
/** The verify-email methods of zitadel.admin.v1.AdminService. */
export const ADMIN_SERVICE_CONNECT = [GetShippedMessageText, GetInstanceMessageText, SetInstanceMessageText, ResetInstanceMessageText];
