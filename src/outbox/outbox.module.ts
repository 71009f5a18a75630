import { Module } from '@nestjs/common';
import { MailerModule } from '@nestjs-modules/mailer';
import { HandlebarsAdapter } from '@nestjs-modules/mailer/adapters/handlebars.adapter';
import { fileURLToPath } from 'node:url';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveriesResolver } from './deliveries.resolver.js';
import { fileTransport } from './file-transport.js';
import { smtpTransportOptions } from './smtp-transport.js';
import { MailSender } from './mail-sender.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxService } from './outbox.service.js';
import { OutboxWorker } from './outbox.worker.js';

/** Mail templates live with the email domain; the build copies them beside the compiled code. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../email/templates/', import.meta.url));

@Module({
  imports: [
    MailerModule.forRootAsync({
      imports: [],
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        transport: config.smtpUrl ? smtpTransportOptions(config.smtpUrl, config.outboxConcurrency) : fileTransport(config.mailDir),
        defaults: { from: config.mailFrom },
        // a send that hangs must not hold the worker (or a shutdown) forever; it is retried
        sendTimeout: 30_000,
        template: {
          dir: TEMPLATE_DIR,
          // our templates carry inline styles already; skipping the CSS inliner keeps sends cheap
          adapter: new HandlebarsAdapter(undefined, { inlineCssEnabled: false }),
          options: { strict: true },
        },
      }),
    }),
  ],
  controllers: [DeliveriesController],
  providers: [OutboxRepository, OutboxService, OutboxWorker, MailSender, DeliveriesResolver],
  exports: [OutboxService, OutboxWorker],
})
export class OutboxModule {}
