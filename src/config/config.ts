import { resolve } from 'node:path';

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };

/** The validated settings of spec §6. This module is the only place that reads process.env. */
export interface AppConfig {
  port: number;
  grpcPort: number;
  host: string;
  mailWorker: 'inline' | 'off';
  database: DatabaseConfig;
  adminPatPath: string;
  externalUrl: string;
  smtpUrl: string | undefined;
  mailDir: string;
  mailFrom: string;
  dataDir: string;
  emailCodeLength: number;
  emailCodeAlphabet: string;
  emailCodeTtlSeconds: number;
  emailCodeMaxAttempts: number;
  /** §7.4: failed attempts from all sources that invalidate a pending code. */
  emailCodeMaxTotalAttempts: number;
  emailResendCooldownSeconds: number;
  emailMaxMailsPerDay: number;
  urlTemplateAllowedHosts: string[];
  emailNotifyPrevious: boolean;
  codeHmacKey: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** JSON lines for machines, or one readable line per event for a person. */
  logFormat: 'json' | 'pretty';
  outboxPollMs: number;
  outboxMaxAttempts: number;
  outboxRetryBaseMs: number;
  outboxLeaseMs: number;
  outboxConcurrency: number;
  bodyLimitBytes: number;
  /** Requests per minute; 0 disables that limit. */
  rateLimitWritesPerToken: number;
  rateLimitWritesPerIp: number;
  rateLimitVerifyPerIp: number;
  /** Shared counters for several instances; unset = per-instance memory. */
  redisUrl: string | undefined;
  /** Trust X-Forwarded-For / -Proto from a proxy in front. */
  trustProxy: boolean;
  /** JWT access tokens verified against a JWKS; unset = only PATs are accepted. */
  jwt: JwtConfig | undefined;
  /** Browser origins allowed to call the API (CORS); empty = no CORS headers at all. */
  corsAllowedOrigins: string[];
  /** §7.1: the longest lifetime of a new PAT, in days; 0 = unlimited (ZITADEL's default). */
  patMaxLifetimeDays: number;
}

export interface JwtConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  /** How long fetched keys are used before the key set is fetched again. */
  jwksCacheMaxAgeSeconds: number;
  /** Least time between two fetches triggered by a token whose key (`kid`) is not in the set. */
  jwksCooldownSeconds: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const v = Number(raw);
  if (v < min || v > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, def: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** Hides credentials in a URL-ish value before it goes into an error line. */
const redact = (raw: string) => raw.replace(/\/\/[^@/]*@/, '//***@');

function url(env: Env, name: string, def: string | undefined, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${redact(raw)}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

function database(env: Env): DatabaseConfig {
  const raw = env.DATABASE_URL || 'sqlite:./data/app.db';
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError(`DATABASE_URL must name a file after sqlite:, got "${raw}"`);
    return { type: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError(`DATABASE_URL is not a valid postgres:// URL`);
    }
    return { type: 'postgres', url: raw };
  }
  throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got "${redact(raw)}"`);
}

const EMAIL_RE = /^[^\s@<>]+@[^\s@<>]+$/;

function jwt(env: Env): JwtConfig | undefined {
  const jwksUrl = url(env, 'AUTH_JWKS_URL', undefined, ['http:', 'https:']);
  const issuer = env.AUTH_ISSUER?.trim() || undefined;
  const audience = env.AUTH_AUDIENCE?.trim() || undefined;
  // validated even without a key set, so a typo shows up before JWTs are switched on
  const clockSkewSeconds = int(env, 'AUTH_JWT_CLOCK_SKEW_SECONDS', 30, 0, 3600);
  const jwksCacheMaxAgeSeconds = int(env, 'AUTH_JWKS_CACHE_MAX_AGE_SECONDS', 600, 1, 7 * 24 * 3600);
  const jwksCooldownSeconds = int(env, 'AUTH_JWKS_COOLDOWN_SECONDS', 30, 0, 3600);
  if (!jwksUrl) {
    // an issuer or audience without a key set would silently accept no JWT at all
    if (issuer) throw new ConfigError('AUTH_ISSUER is set but AUTH_JWKS_URL is not');
    if (audience) throw new ConfigError('AUTH_AUDIENCE is set but AUTH_JWKS_URL is not');
    return undefined;
  }
  if (!issuer) throw new ConfigError('AUTH_ISSUER is required when AUTH_JWKS_URL is set');
  if (!audience) throw new ConfigError('AUTH_AUDIENCE is required when AUTH_JWKS_URL is set');
  return { jwksUrl, issuer, audience, clockSkewSeconds, jwksCacheMaxAgeSeconds, jwksCooldownSeconds };
}

/** `scheme://host[:port]` origins, as browsers send them in `Origin`. */
function origins(env: Env, name: string): string[] {
  const list = (env[name] || '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of list) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(o);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== o.replace(/\/$/, '').toLowerCase()) {
      throw new ConfigError(`${name} must list origins such as https://app.example.com (scheme, host and port only), got "${o}"`);
    }
  }
  return list.map((o) => o.replace(/\/$/, '').toLowerCase());
}

/**
 * `stdoutIsTTY`: whether a person reads stdout; without LOG_FORMAT, logs are then readable lines,
 * except under NODE_ENV=production.
 */
export function loadConfig(env: Env = process.env, stdoutIsTTY = process.stdout.isTTY === true): AppConfig {
  const dataDir = resolve(env.DATA_DIR || './data');
  const mailFrom = env.MAIL_FROM || 'no-reply@localhost';
  if (!EMAIL_RE.test(mailFrom)) throw new ConfigError(`MAIL_FROM must be an email address, got "${mailFrom}"`);
  const externalUrl = url(env, 'EXTERNAL_URL', 'http://localhost:8080', ['http:', 'https:'])!.replace(/\/+$/, '');
  const alphabet = env.EMAIL_CODE_ALPHABET || 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  if (alphabet.length < 2 || new Set(alphabet).size !== alphabet.length || alphabet.length > 256) {
    throw new ConfigError('EMAIL_CODE_ALPHABET must have 2 to 256 distinct characters');
  }
  const hosts = (env.URL_TEMPLATE_ALLOWED_HOSTS || '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of hosts) {
    if (!/^[a-z0-9.-]+(:\d+)?$/.test(h)) throw new ConfigError(`URL_TEMPLATE_ALLOWED_HOSTS has an invalid host "${h}"`);
  }
  const key = env.CODE_HMAC_KEY;
  if (key !== undefined && key !== '' && key.length < 32) {
    throw new ConfigError('CODE_HMAC_KEY must be at least 32 characters');
  }
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    grpcPort: int(env, 'GRPC_PORT', 8081, 0, 65535),
    host: env.HOST || '0.0.0.0',
    mailWorker: oneOf(env, 'MAIL_WORKER', 'inline', ['inline', 'off'] as const),
    database: database(env),
    adminPatPath: resolve(env.ADMIN_PAT_PATH || `${dataDir}/admin.pat`),
    externalUrl,
    smtpUrl: url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']),
    mailDir: resolve(env.MAIL_DIR || `${dataDir}/mail`),
    mailFrom,
    dataDir,
    emailCodeLength: int(env, 'EMAIL_CODE_LENGTH', 6, 4, 20),
    emailCodeAlphabet: alphabet,
    emailCodeTtlSeconds: int(env, 'EMAIL_CODE_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    emailCodeMaxAttempts: int(env, 'EMAIL_CODE_MAX_ATTEMPTS', 5, 1, 1000),
    emailCodeMaxTotalAttempts: int(env, 'EMAIL_CODE_MAX_TOTAL_ATTEMPTS', 50, 1, 100_000),
    emailResendCooldownSeconds: int(env, 'EMAIL_RESEND_COOLDOWN_SECONDS', 60, 0, 24 * 3600),
    emailMaxMailsPerDay: int(env, 'EMAIL_MAX_MAILS_PER_DAY', 10, 0, 100000),
    urlTemplateAllowedHosts: hosts,
    emailNotifyPrevious: bool(env, 'EMAIL_NOTIFY_PREVIOUS', false),
    codeHmacKey: key || undefined,
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    logFormat: oneOf(env, 'LOG_FORMAT', stdoutIsTTY && env.NODE_ENV !== 'production' ? 'pretty' : 'json', ['json', 'pretty'] as const),
    outboxPollMs: int(env, 'OUTBOX_POLL_MS', 1000, 50, 60000),
    outboxMaxAttempts: int(env, 'OUTBOX_MAX_ATTEMPTS', 10, 1, 100),
    outboxRetryBaseMs: int(env, 'OUTBOX_RETRY_BASE_MS', 5000, 10, 3600_000),
    outboxLeaseMs: int(env, 'OUTBOX_LEASE_MS', 60_000, 1000, 3600_000),
    outboxConcurrency: int(env, 'OUTBOX_CONCURRENCY', 8, 1, 100),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    rateLimitWritesPerToken: int(env, 'RATE_LIMIT_WRITES_PER_TOKEN', 6000, 0, 10_000_000),
    rateLimitWritesPerIp: int(env, 'RATE_LIMIT_WRITES_PER_IP', 6000, 0, 10_000_000),
    rateLimitVerifyPerIp: int(env, 'RATE_LIMIT_VERIFY_PER_IP', 60, 0, 10_000_000),
    redisUrl: url(env, 'REDIS_URL', undefined, ['redis:', 'rediss:']),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    jwt: jwt(env),
    corsAllowedOrigins: origins(env, 'CORS_ALLOWED_ORIGINS'),
    patMaxLifetimeDays: int(env, 'PAT_MAX_LIFETIME_DAYS', 0, 0, 100 * 366),
  };
}

/** For the entry points: the configuration, or one line naming the bad variable and exit 1. */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`configuration error: ${e.message}`);
    process.exit(1);
  }
}
