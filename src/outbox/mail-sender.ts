import { Inject, Injectable } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { MessageTextResolver } from '../texts/message-text-resolver.js';
import { formatExpiry, preloadLayout, renderMessage, type MailContent } from '../texts/message-renderer.js';
import { MessageTypes, type MessageType } from '../texts/message-types.js';
import { MailKind } from './outbox.service.js';

export interface OutgoingMail {
  id: string;
  kind: string;
  recipient: string;
  data: Record<string, string>;
}

/** The message type (and so the texts) of each kind of mail. A new kind of mail adds its row here. */
export const MESSAGE_TYPE_OF_KIND: Record<string, MessageType> = {
  [MailKind.verifyEmail]: MessageTypes.verifyEmail,
  [MailKind.emailChanged]: MessageTypes.emailChanged,
  [MailKind.emailChangeReverted]: MessageTypes.emailChangeReverted,
};

const permanent = (message: string) => Object.assign(new Error(message), { permanent: true });

/**
 * Renders a mail in its user's language — the texts resolved now, at send time, from the
 * organisation's and instance's custom texts and the shipped ones — and hands it to the
 * configured transport.
 */
@Injectable()
export class MailSender {
  private readonly domain: string;

  constructor(
    private readonly mailer: MailerService,
    private readonly texts: MessageTextResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.domain = config.mailFrom.split('@')[1] ?? 'localhost';
    // where mail is sent, the layout is compiled at start rather than inside the first send
    preloadLayout();
  }

  async send(mail: OutgoingMail): Promise<void> {
    const type = MESSAGE_TYPE_OF_KIND[mail.kind];
    if (!type) throw permanent(`unknown mail kind ${mail.kind}`);
    const content = await this.render(type, mail.data);
    await this.mailer.sendMail({
      to: mail.recipient,
      from: this.config.mailFrom,
      subject: content.subject,
      html: content.html,
      text: content.text,
      headers: { 'Content-Language': content.language },
      // stable across retries, so a receiver can drop a duplicate after a crash mid-send
      messageId: `<${mail.id}@${this.domain}>`,
    });
  }

  /** A mail's content from its payload (rows written before texts existed carry only displayName, code and url). */
  async render(type: MessageType, data: Record<string, string>): Promise<MailContent> {
    const orgId = data.orgId ?? '';
    const [resolved, orgName] = await Promise.all([
      this.texts.resolve(type, orgId, data.language ?? ''),
      orgId ? this.texts.orgName(orgId) : '',
    ]);
    return renderMessage({
      ...resolved,
      variables: {
        Code: data.code ?? '',
        // rows queued before the notice's link became the button carry it as undoUrl
        URL: data.url ?? data.undoUrl ?? '',
        DisplayName: data.displayName ?? '',
        FirstName: data.firstName ?? '',
        LastName: data.lastName ?? '',
        UserName: data.userName ?? '',
        LoginName: data.loginName ?? '',
        PreferredLoginName: data.preferredLoginName ?? '',
        OrgName: orgName,
        Expiry: formatExpiry(this.config.emailCodeTtlSeconds, resolved.language),
      },
    });
  }
}
