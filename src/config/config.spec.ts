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

describe('loadConfig: safer email change (spec §10)', () => {
  it('defaults to ZITADEL: immediate change, a 3-day undo link that revokes tokens', () => {
    const c = loadConfig({});
    expect({ mode: c.emailChangeMode, ttl: c.emailUndoTtlSeconds, revokes: c.emailUndoRevokesTokens }).toEqual({
      mode: 'immediate',
      ttl: 259200,
      revokes: true,
    });
  });
  it('reads verify-first, a notice without link, tokens kept', () => {
    const c = loadConfig({ EMAIL_CHANGE_MODE: 'verify-first', EMAIL_UNDO_TTL_SECONDS: '0', EMAIL_UNDO_REVOKES_TOKENS: 'false' });
    expect({ mode: c.emailChangeMode, ttl: c.emailUndoTtlSeconds, revokes: c.emailUndoRevokesTokens }).toEqual({
      mode: 'verify-first',
      ttl: 0,
      revokes: false,
    });
  });
});

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
    ['EMAIL_UNDO_TTL_SECONDS', '-1'],
    ['EMAIL_UNDO_TTL_SECONDS', '3d'],
    ['EMAIL_UNDO_REVOKES_TOKENS', 'perhaps'],
    ['EMAIL_CHANGE_MODE', 'lazy'],
    ['CODE_HMAC_KEY', 'too-short'],
    ['URL_TEMPLATE_ALLOWED_HOSTS', 'example.com,bad host'],
    ['URL_TEMPLATE_ALLOWED_HOSTS', 'https://example.com/'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['EMAIL_CODE_LENGTH', '2'],
    ['EMAIL_CODE_TTL_SECONDS', '1.5'],
    ['MAIL_FROM', 'not-an-address'],
    ['ACTIONS_ALLOW_PRIVATE_NETWORKS', 'maybe'],
    ['ACTIONS_MAX_ATTEMPTS', '0'],
    ['ACTIONS_RETRY_BASE_MS', 'soon'],
    ['ACTIONS_RETRY_MAX_MS', '-5'],
    ['CODE_HMAC_KEY', 'k'.repeat(31)],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1,proxy.internal'],
    ['TRUST_PROXY', '100'],
    ['EMAIL_MAX_MAILS_PER_ADDRESS_PER_DAY', '-1'],
    ['METRICS_TOKEN', 'short'],
    ['GRAPHQL_PUBLIC_INTROSPECTION', 'sometimes'],
    ['GRPC_IDLE_TIMEOUT_SECONDS', '0'],
    ['GRPC_SESSION_TIMEOUT_SECONDS', 'x'],
    ['GRPC_MAX_CONCURRENT_STREAMS', '0'],
    ['GRPC_MAX_MESSAGE_BYTES', '10'],
    ['SMTP_URL', 'smtp://mail.example.com:587?tls=off'],
    ['EMAIL_CODE_MAX_ATTEMPTS', '11'],
    ['EMAIL_CODE_MAX_ATTEMPTS', '1000'],
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

describe('loadConfig: security rules of spec §7', () => {
  it('§7.5 TRUST_PROXY: unset, false or 0 trusts nothing; a hop count; a list of addresses and CIDRs', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1, fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fd00::/8',
    ]);
  });

  it('§7.5 a bare TRUST_PROXY=true is refused with one line that says what to set instead', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/^TRUST_PROXY must be the number of proxies in front .* got "true"$/);
  });

  it('§7.6 EMAIL_MAX_MAILS_PER_ADDRESS_PER_DAY defaults to 10, 0 disables', () => {
    expect(loadConfig({}).emailMaxMailsPerAddressPerDay).toBe(10);
    expect(loadConfig({ EMAIL_MAX_MAILS_PER_ADDRESS_PER_DAY: '0' }).emailMaxMailsPerAddressPerDay).toBe(0);
  });

  it('§7.8 CODE_HMAC_KEY counts bytes, not characters: 16 two-byte characters are 32 bytes', () => {
    expect(loadConfig({ CODE_HMAC_KEY: 'é'.repeat(16) }).codeHmacKey).toBe('é'.repeat(16));
    expect(() => loadConfig({ CODE_HMAC_KEY: 'é'.repeat(15) + 'k' })).toThrow('CODE_HMAC_KEY must be at least 32 bytes');
  });

  it('§7.10 introspection is private, /metrics open, the gRPC server limited, by default', () => {
    const c = loadConfig({});
    expect(c.graphqlPublicIntrospection).toBe(false);
    expect(c.metricsToken).toBeUndefined();
    expect(c.grpc).toEqual({
      idleTimeoutMs: 300_000,
      sessionTimeoutMs: 3_600_000,
      maxConcurrentStreams: 100,
      maxMessageBytes: 4 * 1024 * 1024,
    });
    const set = loadConfig({
      GRAPHQL_PUBLIC_INTROSPECTION: 'true',
      METRICS_TOKEN: 'scrape-token-0123456789',
      GRPC_IDLE_TIMEOUT_SECONDS: '5',
      GRPC_SESSION_TIMEOUT_SECONDS: '60',
      GRPC_MAX_CONCURRENT_STREAMS: '8',
      GRPC_MAX_MESSAGE_BYTES: '65536',
    });
    expect(set.graphqlPublicIntrospection).toBe(true);
    expect(set.metricsToken).toBe('scrape-token-0123456789');
    expect(set.grpc).toEqual({ idleTimeoutMs: 5000, sessionTimeoutMs: 60_000, maxConcurrentStreams: 8, maxMessageBytes: 65536 });
  });

  it('§7.11 SMTP_URL accepts ?tls=none', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://mail.internal:25?tls=none' }).smtpUrl).toBe('smtp://mail.internal:25?tls=none');
  });

  describe('§7.12 code policy: at least 30 bits per code, at most 10 attempts', () => {
    it.each([
      [{ EMAIL_CODE_LENGTH: '5' }, 'EMAIL_CODE_LENGTH × log2(EMAIL_CODE_ALPHABET size) must be at least 30 bits, got 5 × log2(36) = 25.8'],
      [{ EMAIL_CODE_LENGTH: '8', EMAIL_CODE_ALPHABET: '0123456789' }, 'must be at least 30 bits, got 8 × log2(10) = 26.6'],
      [{ EMAIL_CODE_LENGTH: '20', EMAIL_CODE_ALPHABET: 'AB' }, 'must be at least 30 bits, got 20 × log2(2) = 20.0'],
      [{ EMAIL_CODE_MAX_ATTEMPTS: '11' }, 'EMAIL_CODE_MAX_ATTEMPTS must be at most 10, got 11'],
    ])('refuses %j', (env, message) => {
      const thrown = errorOf(env);
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toContain(message);
    });

    it.each([
      [{}, 6, 5],
      [{ EMAIL_CODE_LENGTH: '10', EMAIL_CODE_ALPHABET: '0123456789' }, 10, 5],
      [{ EMAIL_CODE_MAX_ATTEMPTS: '10' }, 6, 10],
    ])('accepts %j', (env, length, attempts) => {
      const c = loadConfig(env);
      expect([c.emailCodeLength, c.emailCodeMaxAttempts]).toEqual([length, attempts]);
    });
  });
});
