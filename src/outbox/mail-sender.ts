import { Inject, Injectable } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { MailTemplates } from './mail-templates.js';
import { MailKind } from './outbox.service.js';

export interface OutgoingMail {
  id: string;
  kind: string;
  recipient: string;
  data: Record<string, string>;
}

const SUBJECTS: Record<string, { subject: string; template: string }> = {
  [MailKind.verifyEmail]: { subject: 'Verify email', template: 'verify-email' },
  [MailKind.emailChanged]: { subject: 'Your email address was changed', template: 'email-changed' },
  [MailKind.emailChangeReverted]: { subject: 'The change of your email address was undone', template: 'email-change-reverted' },
};

/** Renders a mail from its strict templates (HTML + text) and hands it to the configured transport. */
@Injectable()
export class MailSender {
  private readonly domain: string;

  constructor(
    private readonly mailer: MailerService,
    private readonly templates: MailTemplates,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.domain = config.mailFrom.split('@')[1] ?? 'localhost';
  }

  async send(mail: OutgoingMail): Promise<void> {
    const kind = SUBJECTS[mail.kind];
    if (!kind) throw Object.assign(new Error(`unknown mail kind ${mail.kind}`), { permanent: true });
    const { html, text } = this.templates.render(kind.template, withoutControlCharacters(mail.data));
    await this.mailer.sendMail({
      to: mail.recipient,
      from: this.config.mailFrom,
      subject: kind.subject,
      html,
      text,
      // stable across retries, so a receiver can drop a duplicate after a crash mid-send
      messageId: `<${mail.id}@${this.domain}>`,
    });
  }
}

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * spec §7.11: a value a user chose (display name, username…) cannot add lines or other layout
 * to the plain-text mail (a CR/LF in a display name would start a line of the sender's choosing).
 */
export function withoutControlCharacters(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(CONTROL, '') : v]));
}
