import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { CurrentCaller, Input, Operation } from '../common/request/operation.js';
import {
  InstanceMessageTextKey,
  MailPreviewInput,
  OrgMessageTextKey,
  SetInstanceMessageTextInput,
  SetOrgMessageTextInput,
} from './inputs/message-text.input.js';
import { MessageTextsService } from './message-texts.service.js';
import {
  instanceTextAccess,
  instanceTextKeyFromRest,
  orgTextAccess,
  orgTextKeyFromRest,
  previewFromRest,
  setInstanceTextFromRest,
  setOrgTextFromRest,
} from './texts.rest.js';

const TEXT = 'text/message/:type/:language';
const DEFAULT_TEXT = 'text/default/message/:type/:language';

/**
 * ZITADEL's management service message texts (per organisation), REST paths as its proto's
 * http annotations: `verifyemail` is ZITADEL's type, `emailchanged` and `emailchangereverted` ours.
 */
@Controller('management/v1')
export class ManagementTextsController {
  constructor(private readonly texts: MessageTextsService) {}

  @Get(TEXT)
  @Operation({ input: OrgMessageTextKey, fromRest: orgTextKeyFromRest, access: orgTextAccess })
  async getCustom(@CurrentCaller() caller: Caller, @Input() i: OrgMessageTextKey) {
    return { customText: await this.texts.getOrgText(MessageTextsService.orgOf(i, caller), i.type, i.language) };
  }

  @Get(DEFAULT_TEXT)
  @Operation({ input: OrgMessageTextKey, fromRest: orgTextKeyFromRest, access: orgTextAccess })
  async getDefault(@Input() i: OrgMessageTextKey) {
    return { customText: await this.texts.getInstanceText(i.type, i.language, true) };
  }

  @Put(TEXT)
  @Operation({ input: SetOrgMessageTextInput, fromRest: setOrgTextFromRest, access: orgTextAccess })
  set(@CurrentCaller() caller: Caller, @Input() i: SetOrgMessageTextInput) {
    return this.texts.setOrgText(i, caller);
  }

  @Delete(TEXT)
  @Operation({ input: OrgMessageTextKey, fromRest: orgTextKeyFromRest, access: orgTextAccess })
  reset(@CurrentCaller() caller: Caller, @Input() i: OrgMessageTextKey) {
    return this.texts.resetOrgText(MessageTextsService.orgOf(i, caller), i.type, i.language);
  }
}

/** ZITADEL's admin service message texts: the instance's defaults (IAM_OWNER). */
@Controller('admin/v1')
export class AdminTextsController {
  constructor(private readonly texts: MessageTextsService) {}

  @Get(DEFAULT_TEXT)
  @Operation({ input: InstanceMessageTextKey, fromRest: instanceTextKeyFromRest, access: instanceTextAccess })
  getDefault(@Input() i: InstanceMessageTextKey) {
    return { customText: this.texts.getShippedText(i.type, i.language) };
  }

  @Get(TEXT)
  @Operation({ input: InstanceMessageTextKey, fromRest: instanceTextKeyFromRest, access: instanceTextAccess })
  async getCustom(@Input() i: InstanceMessageTextKey) {
    return { customText: await this.texts.getInstanceText(i.type, i.language) };
  }

  @Put(TEXT)
  @Operation({ input: SetInstanceMessageTextInput, fromRest: setInstanceTextFromRest, access: instanceTextAccess })
  set(@Input() i: SetInstanceMessageTextInput) {
    return this.texts.setInstanceText(i);
  }

  @Delete(TEXT)
  @Operation({ input: InstanceMessageTextKey, fromRest: instanceTextKeyFromRest, access: instanceTextAccess })
  reset(@Input() i: InstanceMessageTextKey) {
    return this.texts.resetInstanceText(i.type, i.language);
  }
}

/** beyond ZITADEL: a mail as it would be sent, with sample values; nothing is sent. */
@Controller('v2/mail')
export class MailPreviewController {
  constructor(private readonly texts: MessageTextsService) {}

  @Post('preview')
  @HttpCode(200)
  @Operation({ input: MailPreviewInput, fromRest: previewFromRest, access: orgTextAccess })
  preview(@CurrentCaller() caller: Caller, @Input() i: MailPreviewInput) {
    return this.texts.preview(i, caller);
  }
}
