import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../database/data-source-options.js';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig: defaults (spec §6)', () => {
  const config = loadConfig({});

  it('uses the documented ports and worker mode', () => {
    expect(config.port).toBe(8080);
    expect(config.grpcPort).toBe(8081);
    expect(config.mailWorker).toBe('inline');
  });

  it('uses an embedded SQLite database at ./data/app.db', () => {
    expect(config.database).toEqual({ type: 'sqlite', path: resolve('./data/app.db') });
  });

  it('keeps relative paths where the service started: the database and PAT stay there after a change of directory', async () => {
    const started = realpathSync(mkdtempSync(join(tmpdir(), 'ces-config-')));
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'ces-config-')));
    const cwd = process.cwd();
    process.chdir(started);
    let ds: DataSource | undefined;
    try {
      const c = loadConfig({ DATABASE_URL: 'sqlite:./state/app.db', DATA_DIR: 'state' });
      process.chdir(elsewhere);
      ds = await new DataSource(dataSourceOptions(c)).initialize();
      expect(existsSync(join(started, 'state', 'app.db'))).toBe(true);
      expect(existsSync(join(elsewhere, 'state'))).toBe(false);
      expect(c.adminPatPath).toBe(join(started, 'state', 'admin.pat'));
    } finally {
      await ds?.destroy();
      process.chdir(cwd);
      rmSync(started, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('keeps its files under ./data', () => {
    expect(config.adminPatPath).toBe(resolve('./data/admin.pat'));
    expect(config.mailDir).toBe(resolve('./data/mail'));
  });

  it('uses the documented mail settings', () => {
    expect(config.externalUrl).toBe('http://localhost:8080');
    expect(config.smtpUrl).toBeUndefined();
    expect(config.mailFrom).toBe('no-reply@localhost');
  });

  it('uses the documented code and limit settings', () => {
    expect(config.emailCodeLength).toBe(6);
    expect(config.emailCodeTtlSeconds).toBe(3600);
    expect(config.emailCodeMaxAttempts).toBe(5);
    expect(config.emailResendCooldownSeconds).toBe(60);
    expect(config.emailMaxMailsPerDay).toBe(10);
    expect(config.urlTemplateAllowedHosts).toEqual([]);
    expect(config.emailNotifyPrevious).toBe(false);
    expect(config.codeHmacKey).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('treats empty variables as unset', () => {
    const empty = loadConfig({ PORT: '', MAIL_WORKER: '', DATABASE_URL: '', EMAIL_NOTIFY_PREVIOUS: '', LOG_LEVEL: '' });
    expect(empty.port).toBe(8080);
    expect(empty.mailWorker).toBe('inline');
    expect(empty.database).toEqual({ type: 'sqlite', path: resolve('./data/app.db') });
    expect(empty.emailNotifyPrevious).toBe(false);
    expect(empty.logLevel).toBe('info');
  });
});

describe('loadConfig: LOG_FORMAT', () => {
  it('is JSON for machines: stdout not a terminal, or NODE_ENV=production', () => {
    expect(loadConfig({}, false).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production' }, true).logFormat).toBe('json');
  });

  it('is readable lines on a terminal in development, or when asked for', () => {
    expect(loadConfig({}, true).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }, false).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'pretty', NODE_ENV: 'production' }, false).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }, true).logFormat).toBe('json');
  });
});

describe('loadConfig: explicit values', () => {
  it('parses a postgres URL', () => {
    const url = 'postgres://app:secret@db.internal:5432/contacts';
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ type: 'postgres', url });
  });

  it('accepts the postgresql:// spelling', () => {
    const url = 'postgresql://app@localhost:5432/contacts';
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ type: 'postgres', url });
  });

  it('resolves a relative sqlite path', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:./tmp/x.db' }).database).toEqual({ type: 'sqlite', path: resolve('./tmp/x.db') });
  });

  it('reads the other settings', () => {
    const config = loadConfig({
      PORT: '9000',
      GRPC_PORT: '9001',
      MAIL_WORKER: 'off',
      EXTERNAL_URL: 'https://id.example.com/',
      SMTP_URL: 'smtp://user:pass@mail.example.com:587',
      MAIL_FROM: 'noreply@example.com',
      EMAIL_CODE_LENGTH: '8',
      EMAIL_CODE_TTL_SECONDS: '600',
      EMAIL_CODE_MAX_ATTEMPTS: '3',
      EMAIL_RESEND_COOLDOWN_SECONDS: '0',
      EMAIL_MAX_MAILS_PER_DAY: '0',
      URL_TEMPLATE_ALLOWED_HOSTS: 'example.com, Login.Example.com:8443',
      EMAIL_NOTIFY_PREVIOUS: 'true',
      CODE_HMAC_KEY: 'k'.repeat(32),
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 9000,
      grpcPort: 9001,
      mailWorker: 'off',
      externalUrl: 'https://id.example.com',
      smtpUrl: 'smtp://user:pass@mail.example.com:587',
      mailFrom: 'noreply@example.com',
      emailCodeLength: 8,
      emailCodeTtlSeconds: 600,
      emailCodeMaxAttempts: 3,
      emailResendCooldownSeconds: 0,
      emailMaxMailsPerDay: 0,
      urlTemplateAllowedHosts: ['example.com', 'login.example.com:8443'],
      emailNotifyPrevious: true,
      codeHmacKey: 'k'.repeat(32),
      logLevel: 'debug',
    });
  });
});

function errorOf(env: Record<string, string>): unknown {
  try {
    loadConfig(env);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('loadConfig: invalid values stop the start with one line naming the variable', () => {
  const cases: Array<[variable: string, value: string]> = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['GRPC_PORT', '-1'],
    ['MAIL_WORKER', 'sometimes'],
    ['DATABASE_URL', 'mysql://x'],
    ['SMTP_URL', 'http://x'],
    ['SMTP_URL', 'not a url'],
    ['EXTERNAL_URL', 'ftp://example.com'],
    ['EMAIL_NOTIFY_PREVIOUS', 'maybe'],
    ['CODE_HMAC_KEY', 'too-short'],
    ['URL_TEMPLATE_ALLOWED_HOSTS', 'example.com,bad host'],
    ['URL_TEMPLATE_ALLOWED_HOSTS', 'https://example.com/'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['EMAIL_CODE_LENGTH', '2'],
    ['EMAIL_CODE_TTL_SECONDS', '1.5'],
    ['MAIL_FROM', 'not-an-address'],
  ];

  it.each(cases)('%s=%j', (variable, value) => {
    const thrown = errorOf({ [variable]: value });
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as Error).message;
    expect(message).toContain(variable);
    expect(message).not.toContain('\n');
  });

  it('does not echo postgres credentials of a rejected DATABASE_URL', () => {
    const thrown = errorOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).not.toContain('hunter2');
  });
});
