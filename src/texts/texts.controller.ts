import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { type Call, CallOf, Op } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type {
  MailPreviewInput,
  OrgMessageTextKey,
  SetInstanceMessageTextInput,
  SetOrgMessageTextInput,
} from './inputs/message-text.input.js';
import type { InstanceMessageTextKey } from './inputs/message-text.input.js';
import {
  GetCustomMessageText,
  GetDefaultMessageText,
  GetInstanceMessageText,
  GetShippedMessageText,
  PreviewMail,
  ResetCustomMessageText,
  ResetInstanceMessageText,
  SetCustomMessageText,
  SetInstanceMessageText,
} from './texts.operations.js';

const TEXT = 'text/message/:type/:language';
const DEFAULT_TEXT = 'text/default/message/:type/:language';

/**
 * ZITADEL's management service message texts (per organisation), REST paths as its proto's
 * http annotations: `verifyemail` is ZITADEL's type, `emailchanged` and `emailchangereverted` ours.
 */
@Controller('management/v1')
export class ManagementTextsController {
  constructor(private readonly pipeline: Pipeline) {}

  @Get(TEXT)
  @Op(GetCustomMessageText)
  async getCustom(@CallOf() call: Call<OrgMessageTextKey>) {
    return { customText: await this.pipeline.execute(GetCustomMessageText, call) };
  }

  @Get(DEFAULT_TEXT)
  @Op(GetDefaultMessageText)
  async getDefault(@CallOf() call: Call<OrgMessageTextKey>) {
    return { customText: await this.pipeline.execute(GetDefaultMessageText, call) };
  }

  @Put(TEXT)
  @Op(SetCustomMessageText)
  set(@CallOf() call: Call<SetOrgMessageTextInput>) {
    return this.pipeline.execute(SetCustomMessageText, call);
  }

  @Delete(TEXT)
  @Op(ResetCustomMessageText)
  reset(@CallOf() call: Call<OrgMessageTextKey>) {
    return this.pipeline.execute(ResetCustomMessageText, call);
  }
}

/** ZITADEL's admin service message texts: the instance's defaults (IAM_OWNER). */
@Controller('admin/v1')
export class AdminTextsController {
  constructor(private readonly pipeline: Pipeline) {}

  @Get(DEFAULT_TEXT)
  @Op(GetShippedMessageText)
  async getDefault(@CallOf() call: Call<InstanceMessageTextKey>) {
    return { customText: await this.pipeline.execute(GetShippedMessageText, call) };
  }

  @Get(TEXT)
  @Op(GetInstanceMessageText)
  async getCustom(@CallOf() call: Call<InstanceMessageTextKey>) {
    return { customText: await this.pipeline.execute(GetInstanceMessageText, call) };
  }

  @Put(TEXT)
  @Op(SetInstanceMessageText)
  set(@CallOf() call: Call<SetInstanceMessageTextInput>) {
    return this.pipeline.execute(SetInstanceMessageText, call);
  }

  @Delete(TEXT)
  @Op(ResetInstanceMessageText)
  reset(@CallOf() call: Call<InstanceMessageTextKey>) {
    return this.pipeline.execute(ResetInstanceMessageText, call);
  }
}

/** beyond ZITADEL: a mail as it would be sent, with sample values; nothing is sent. */
@Controller('v2/mail')
export class MailPreviewController {
  constructor(private readonly pipeline: Pipeline) {}

  @Post('preview')
  @HttpCode(200)
  @Op(PreviewMail)
  preview(@CallOf() call: Call<MailPreviewInput>) {
    return this.pipeline.execute(PreviewMail, call);
  }
}
