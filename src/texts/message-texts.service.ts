import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { INSTANCE_SCOPE } from '../database/entities/membership.entity.js';
import type { MessageTextEntity } from '../database/entities/message-text.entity.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { CustomTexts } from './custom-texts.js';
import { isShippedLanguage } from './languages.js';
import { formatExpiry, renderMessage } from './message-renderer.js';
import type { MailPreviewInput, SetInstanceMessageTextInput, SetOrgMessageTextInput } from './inputs/message-text.input.js';
import { MessageTextResolver } from './message-text-resolver.js';
import type { MailPreviewView, MessageTextView, TextDetails } from './message-text.view.js';
import { MESSAGE_FIELDS, MessageTypes, type MessageFields, type MessageType } from './message-types.js';
import { shippedMessage } from './shipped-texts.js';

const EMPTY: MessageFields = { title: '', preHeader: '', subject: '', greeting: '', text: '', buttonText: '', footerText: '' };

/**
 * The message-text use cases of ZITADEL's management (per organisation) and admin (instance)
 * services, and the preview. Callers have passed validation and the access checks.
 */
@Injectable()
export class MessageTextsService {
  constructor(
    private readonly texts: CustomTexts,
    private readonly resolver: MessageTextResolver,
    private readonly orgs: OrganizationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The organisation a management call acts on: `x-zitadel-orgid`, or the caller's own. */
  static orgOf(input: { organizationId?: string }, caller: Caller): string {
    return input.organizationId || caller.orgId;
  }

  /** Management GetCustom…: the organisation's text, or (isDefault) the instance's that applies instead. */
  async getOrgText(orgId: string, type: MessageType, language: string): Promise<MessageTextView> {
    await this.orgs.assertExists(orgId);
    const custom = await this.texts.find(orgId, type, language);
    return custom ? view(custom, false) : this.getInstanceText(type, language, true);
  }

  /** Admin GetCustom… (and management GetDefault…): the instance's text, or (isDefault) the shipped one. */
  async getInstanceText(type: MessageType, language: string, asDefault = false): Promise<MessageTextView> {
    const custom = await this.texts.find(INSTANCE_SCOPE, type, language);
    return custom ? view(custom, asDefault) : this.getShippedText(type, language);
  }

  /** Admin GetDefault…: the text this service ships (empty for a language it does not ship). */
  getShippedText(type: MessageType, language: string): MessageTextView {
    return { ...(isShippedLanguage(language) ? shippedMessage(type, language) : EMPTY), isDefault: true };
  }

  async setOrgText(input: SetOrgMessageTextInput, caller: Caller): Promise<{ details: TextDetails }> {
    const orgId = MessageTextsService.orgOf(input, caller);
    await this.orgs.assertExists(orgId);
    return this.set(orgId, input);
  }

  setInstanceText(input: SetInstanceMessageTextInput): Promise<{ details: TextDetails }> {
    return this.set(INSTANCE_SCOPE, input);
  }

  async resetOrgText(orgId: string, type: MessageType, language: string): Promise<{ details: TextDetails }> {
    await this.orgs.assertExists(orgId);
    return this.reset(orgId, type, language);
  }

  resetInstanceText(type: MessageType, language: string): Promise<{ details: TextDetails }> {
    return this.reset(INSTANCE_SCOPE, type, language);
  }

  /** beyond ZITADEL: a mail rendered as the worker would, with sample values; nothing is sent. */
  async preview(input: MailPreviewInput, caller: Caller): Promise<MailPreviewView> {
    const orgId = MessageTextsService.orgOf(input, caller);
    await this.orgs.assertExists(orgId);
    const resolved = await this.resolver.resolve(input.type, orgId, input.language);
    const code = 'K7QD2X';
    const url =
      input.type === MessageTypes.emailChangeReverted
        ? ''
        : `${this.config.externalUrl}/ui/v2/login/verify?code=${code}&organization=${orgId}&userId=100000000000000001&lang=${encodeURIComponent(input.language)}`;
    const content = await renderMessage({
      ...resolved,
      variables: {
        Code: code,
        URL: url,
        DisplayName: 'Minnie Mouse',
        FirstName: 'Minnie',
        LastName: 'Mouse',
        UserName: 'minnie',
        LoginName: 'minnie',
        PreferredLoginName: 'minnie',
        OrgName: await this.resolver.orgName(orgId),
        Expiry: formatExpiry(this.config.emailCodeTtlSeconds, resolved.language),
      },
    });
    return content;
  }

  private async set(scope: string, input: MessageFields & { type: MessageType; language: string }): Promise<{ details: TextDetails }> {
    return { details: detailsOf(await this.texts.set(scope, input)) };
  }

  private async reset(scope: string, type: MessageType, language: string): Promise<{ details: TextDetails }> {
    return { details: detailsOf(await this.texts.reset(scope, type, language)) };
  }
}

function detailsOf(row: MessageTextEntity): TextDetails {
  return { sequence: String(row.sequence), creationDate: row.createdAt, changeDate: row.changedAt, resourceOwner: row.scope };
}

function view(row: MessageTextEntity, isDefault: boolean): MessageTextView {
  return { details: detailsOf(row), ...(Object.fromEntries(MESSAGE_FIELDS.map((f) => [f, row[f]])) as MessageFields), isDefault };
}
