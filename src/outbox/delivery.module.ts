import { Module } from '@nestjs/common';
import { MailerModule } from '@nestjs-modules/mailer';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { fileTransport } from './file-transport.js';
import { MailSender } from './mail-sender.js';
import { OutboxModule } from './outbox.module.js';
import { UsersModule } from '../users/users.module.js';
import { OutboxWorker } from './outbox.worker.js';
import { smtpTransportOptions } from './smtp-transport.js';
import { TextsStoreModule } from '../texts/texts-store.module.js';

/**
 * Mail delivery: the mailer (SMTP pool or .eml files), the texts and layout, and the outbox worker.
 * `npm run worker` always has it; the API process imports it only with MAIL_WORKER=inline (see
 * AppModule), so API instances whose mail goes out through separate workers load no mail stack.
 */
@Module({
  imports: [
    OutboxModule,
    TextsStoreModule,
    UsersModule,
    MailerModule.forRootAsync({
      imports: [],
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        transport: config.smtpUrl ? smtpTransportOptions(config.smtpUrl, config.outboxConcurrency) : fileTransport(config.mailDir),
        defaults: { from: config.mailFrom },
        // a send that hangs must not hold the worker (or a shutdown) forever; it is retried
        sendTimeout: 30_000,
        // no mailer templates: MailSender renders both parts from the resolved texts (src/texts)
      }),
    }),
  ],
  providers: [OutboxWorker, MailSender],
  exports: [OutboxWorker],
})
export class DeliveryModule {}
