import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { INSTANCE_SCOPE } from '../database/entities/membership.entity.js';
import { MessageTextEntity } from '../database/entities/message-text.entity.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { isShippedLanguage } from './languages.js';
import { formatExpiry, renderMessage } from './message-renderer.js';
import type { MailPreviewInput, SetInstanceMessageTextInput, SetOrgMessageTextInput } from './inputs/message-text.input.js';
import { MessageTextResolver } from './message-text-resolver.js';
import type { MailPreviewView, MessageTextView, TextDetails } from './message-text.view.js';
import { MessageTextsRepository } from './message-texts.repository.js';
import { MESSAGE_FIELDS, MessageTypes, type MessageFields, type MessageType } from './message-types.js';
import { shippedMessage } from './shipped-texts.js';

const textNotFound = () => notFound('TEXT-n0tFd1', 'Custom message text not found');
const EMPTY: MessageFields = { title: '', preHeader: '', subject: '', greeting: '', text: '', buttonText: '', footerText: '' };

/**
 * The message-text use cases of ZITADEL's management (per organisation) and admin (instance)
 * services, and the preview. Callers have passed validation and the access checks.
 */
@Injectable()
export class MessageTextsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: MessageTextsRepository,
    private readonly resolver: MessageTextResolver,
    private readonly orgs: OrganizationsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The organisation a management call acts on: `x-zitadel-orgid`, or the caller's own. */
  static orgOf(input: { organizationId?: string }, caller: Caller): string {
    return input.organizationId || caller.orgId;
  }

  /** Management GetCustom…: the organisation's text, or (isDefault) the instance's that applies instead. */
  async getOrgText(orgId: string, type: MessageType, language: string): Promise<MessageTextView> {
    await this.orgs.assertExists(orgId);
    const custom = await this.repo.find(orgId, type, language);
    return custom ? view(custom, false) : this.getInstanceText(type, language, true);
  }

  /** Admin GetCustom… (and management GetDefault…): the instance's text, or (isDefault) the shipped one. */
  async getInstanceText(type: MessageType, language: string, asDefault = false): Promise<MessageTextView> {
    const custom = await this.repo.find(INSTANCE_SCOPE, type, language);
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
    const saved = await this.uow.run(async (em) => {
      const now = this.clock.now();
      const prior = await this.repo.find(scope, input.type, input.language, em);
      const row = Object.assign(new MessageTextEntity(), {
        scope,
        type: input.type,
        language: input.language,
        ...Object.fromEntries(MESSAGE_FIELDS.map((f) => [f, input[f]])),
        sequence: (prior?.sequence ?? 0) + 1,
        createdAt: prior?.createdAt ?? now,
        changedAt: now,
      });
      await this.repo.save(em, row);
      await this.repo.bumpRevision(em);
      return row;
    });
    this.resolver.invalidate();
    return { details: detailsOf(saved) };
  }

  private async reset(scope: string, type: MessageType, language: string): Promise<{ details: TextDetails }> {
    const removed = await this.uow.run(async (em) => {
      const prior = await this.repo.find(scope, type, language, em);
      if (!prior || !(await this.repo.delete(em, scope, type, language))) throw textNotFound();
      await this.repo.bumpRevision(em);
      return Object.assign(prior, { sequence: prior.sequence + 1, changedAt: this.clock.now() });
    });
    this.resolver.invalidate();
    return { details: detailsOf(removed) };
  }
}

function detailsOf(row: MessageTextEntity): TextDetails {
  return { sequence: String(row.sequence), creationDate: row.createdAt, changeDate: row.changedAt, resourceOwner: row.scope };
}

function view(row: MessageTextEntity, isDefault: boolean): MessageTextView {
  return { details: detailsOf(row), ...(Object.fromEntries(MESSAGE_FIELDS.map((f) => [f, row[f]])) as MessageFields), isDefault };
}
