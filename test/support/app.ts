import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory.js';
import { AppConfig, loadConfig } from '../../src/config/config.js';
import { freshDatabase, TestDatabase } from './database.js';
import { SmtpSink } from './smtp-sink.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  db: TestDatabase;
  sink: SmtpSink;
  adminToken: string;
  close(): Promise<void>;
}

/**
 * The real service on a loopback port, on a fresh database of the suite's kind, sending mail
 * to a real SMTP sink. `env` overrides settings the way an operator would.
 */
export async function startApp(env: Record<string, string> = {}, reuse?: { db: TestDatabase; sink: SmtpSink }): Promise<TestApp> {
  const db = reuse?.db ?? (await freshDatabase());
  const sink = reuse?.sink ?? (await new SmtpSink().start());
  const config = loadConfig({
    DATABASE_URL: db.url,
    DATA_DIR: join(db.dir, 'data'),
    SMTP_URL: sink.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'silent',
    OUTBOX_POLL_MS: '100',
    OUTBOX_RETRY_BASE_MS: '50',
    EMAIL_RESEND_COOLDOWN_SECONDS: '0',
    // suites make many writes from one address and token; the limits have their own tests
    RATE_LIMIT_WRITES_PER_TOKEN: '1000000',
    RATE_LIMIT_WRITES_PER_IP: '1000000',
    RATE_LIMIT_VERIFY_PER_IP: '1000000',
    EXTERNAL_URL: 'http://verify.test',
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const adminToken = readFileSync(config.adminPatPath, 'utf8').trim();
  return {
    app,
    config,
    url: url.replace('[::1]', '127.0.0.1'),
    db,
    sink,
    adminToken,
    close: async () => {
      await app.close();
      if (!reuse) {
        await sink.close();
        await db.drop();
      }
    },
  };
}
