import { toJson, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { AdminService, SetDefaultVerifyEmailMessageTextRequestSchema } from '@zitadel/proto/zitadel/admin_pb.js';
import { ManagementService, SetCustomVerifyEmailMessageTextRequestSchema } from '@zitadel/proto/zitadel/management_pb.js';
import type { ObjectDetailsSchema } from '@zitadel/proto/zitadel/object_pb.js';
import type { MessageCustomTextSchema } from '@zitadel/proto/zitadel/text_pb.js';
import { AccessService } from '../auth/access.service.js';
import type { Caller } from '../auth/caller.js';
import { type InputChecks, validateInput } from '../common/request/validation.js';
import {
  InstanceMessageTextKey,
  OrgMessageTextKey,
  SetInstanceMessageTextInput,
  SetOrgMessageTextInput,
} from '../texts/inputs/message-text.input.js';
import type { MessageTextView, TextDetails } from '../texts/message-text.view.js';
import { MessageTextsService } from '../texts/message-texts.service.js';
import { MessageTypes } from '../texts/message-types.js';
import { instanceTextAccess, orgTextAccess, orgTextKeyFromRest, setInstanceTextFromRest, setOrgTextFromRest } from '../texts/texts.rest.js';
import { callerOf } from './interceptors.js';

const headersOf = (ctx: HandlerContext) => Object.fromEntries(ctx.requestHeader.entries());
const VERIFY = { type: MessageTypes.verifyEmail };

const details = (d: TextDetails): MessageInitShape<typeof ObjectDetailsSchema> => ({
  sequence: BigInt(d.sequence),
  creationDate: d.creationDate ? timestampFromDate(d.creationDate) : undefined,
  changeDate: timestampFromDate(d.changeDate),
  resourceOwner: d.resourceOwner,
});

const customText = (v: MessageTextView): MessageInitShape<typeof MessageCustomTextSchema> => ({
  ...v,
  details: v.details ? details(v.details) : undefined,
});

/**
 * The message-text methods of ZITADEL's ManagementService and AdminService over Connect, gRPC
 * and gRPC-web (verify-email texts: the type ZITADEL's API names), through the same inputs,
 * access rules and service as REST and GraphQL. The services' other methods answer Unimplemented.
 */
export class TextsServiceConnect {
  constructor(
    private readonly access: AccessService,
    private readonly texts: MessageTextsService,
    private readonly checks: InputChecks,
  ) {}

  private orgKey(language: string, ctx: HandlerContext): { caller: Caller; input: OrgMessageTextKey } {
    const input = validateInput(OrgMessageTextKey, orgTextKeyFromRest({ ...VERIFY, language }, undefined, headersOf(ctx)), this.checks);
    return { caller: callerOf(ctx), input };
  }

  private instanceKey(language: string): InstanceMessageTextKey {
    return validateInput(InstanceMessageTextKey, { ...VERIFY, language }, this.checks);
  }

  readonly management: Partial<ServiceImpl<typeof ManagementService>> = {
    getCustomVerifyEmailMessageText: async (req, ctx) => {
      const { caller, input } = this.orgKey(req.language, ctx);
      await this.access.check(caller, orgTextAccess(input, caller));
      return { customText: customText(await this.texts.getOrgText(MessageTextsService.orgOf(input, caller), input.type, input.language)) };
    },

    getDefaultVerifyEmailMessageText: async (req, ctx) => {
      const { caller, input } = this.orgKey(req.language, ctx);
      await this.access.check(caller, orgTextAccess(input, caller));
      return { customText: customText(await this.texts.getInstanceText(input.type, input.language, true)) };
    },

    setCustomVerifyEmailMessageText: async (req, ctx) => {
      const caller = callerOf(ctx);
      const plain = setOrgTextFromRest(
        { ...VERIFY, language: req.language },
        toJson(SetCustomVerifyEmailMessageTextRequestSchema, req),
        headersOf(ctx),
      );
      const input = validateInput(SetOrgMessageTextInput, plain, this.checks);
      await this.access.check(caller, orgTextAccess(input, caller));
      return { details: details((await this.texts.setOrgText(input, caller)).details) };
    },

    resetCustomVerifyEmailMessageTextToDefault: async (req, ctx) => {
      const { caller, input } = this.orgKey(req.language, ctx);
      await this.access.check(caller, orgTextAccess(input, caller));
      return {
        details: details((await this.texts.resetOrgText(MessageTextsService.orgOf(input, caller), input.type, input.language)).details),
      };
    },
  };

  readonly admin: Partial<ServiceImpl<typeof AdminService>> = {
    getDefaultVerifyEmailMessageText: async (req, ctx) => {
      const input = this.instanceKey(req.language);
      await this.access.check(callerOf(ctx), instanceTextAccess());
      return { customText: customText(this.texts.getShippedText(input.type, input.language)) };
    },

    getCustomVerifyEmailMessageText: async (req, ctx) => {
      const input = this.instanceKey(req.language);
      await this.access.check(callerOf(ctx), instanceTextAccess());
      return { customText: customText(await this.texts.getInstanceText(input.type, input.language)) };
    },

    setDefaultVerifyEmailMessageText: async (req, ctx) => {
      const plain = setInstanceTextFromRest(
        { ...VERIFY, language: req.language },
        toJson(SetDefaultVerifyEmailMessageTextRequestSchema, req),
      );
      const input = validateInput(SetInstanceMessageTextInput, plain, this.checks);
      await this.access.check(callerOf(ctx), instanceTextAccess());
      return { details: details((await this.texts.setInstanceText(input)).details) };
    },

    resetCustomVerifyEmailMessageTextToDefault: async (req, ctx) => {
      const input = this.instanceKey(req.language);
      await this.access.check(callerOf(ctx), instanceTextAccess());
      return { details: details((await this.texts.resetInstanceText(input.type, input.language)).details) };
    },
  };
}
