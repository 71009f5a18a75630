import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { exitOnStartError, loadConfigOrExit } from './config/config.js';
import { checkCodeKeyFile } from './common/secret-box.js';
import { WorkerModule } from './worker.module.js';

/**
 * The mail worker alone (npm run worker): the same outbox and mail modules as the API, no
 * HTTP. Use it with MAIL_WORKER=off on the API instances.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  checkCodeKeyFile(config);
  // this process exists to deliver mail, whatever MAIL_WORKER says for the API
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ ...config, mailWorker: 'inline' }), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks([], { useProcessExit: true });
  new Logger('Worker').log(`mail worker running — ${config.smtpUrl ? 'SMTP' : `files in ${config.mailDir}`}`);
}

main().catch(exitOnStartError);
