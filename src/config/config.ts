import { isIP } from 'node:net';
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
  /** Mails to one recipient address (all users together) in any 24 h; 0 disables (§7.6). */
  emailMaxMailsPerAddressPerDay: number;
  urlTemplateAllowedHosts: string[];
  emailNotifyPrevious: boolean;
  /** §10: how long the undo link in the notice to a replaced address works; 0 = notice without link. */
  emailUndoTtlSeconds: number;
  /** §10: using the undo link revokes the user's personal access tokens. */
  emailUndoRevokesTokens: boolean;
  /** §10: `immediate` (ZITADEL) replaces the address at once; `verify-first` holds it pending until verified. */
  emailChangeMode: 'immediate' | 'verify-first';
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
  /**
   * The proxies in front whose X-Forwarded-For / -Proto are believed (§7.5): a hop count, or
   * their addresses/CIDRs; false = none (the socket's address is the client's).
   */
  trustProxy: TrustProxy;
  /** JWT access tokens verified against a JWKS; unset = only PATs are accepted. */
  jwt: JwtConfig | undefined;
  /** Browser origins allowed to call the API (CORS); empty = no CORS headers at all. */
  corsAllowedOrigins: string[];
  /** §7.1: the longest lifetime of a new PAT, in days; 0 = unlimited (ZITADEL's default). */
  patMaxLifetimeDays: number;
  /** GraphQL introspection without a token (§7.10); off = introspection needs a valid token. */
  graphqlPublicIntrospection: boolean;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (§7.10). */
  metricsToken: string | undefined;
  grpc: GrpcLimits;
  /** Actions (spec §9): calls of targets for recorded events. */
  actions: ActionsConfig;
}

export type TrustProxy = false | number | string[];

/** The gRPC (HTTP/2) server's limits (§7.10). */
export interface GrpcLimits {
  /** A session without any frame for this long is closed. */
  idleTimeoutMs: number;
  /** A session is asked to go away (GOAWAY, its calls finish) after this long, however busy. */
  sessionTimeoutMs: number;
  maxConcurrentStreams: number;
  /** Largest request message accepted. */
  maxMessageBytes: number;
}

export interface ActionsConfig {
  /** Allow targets on loopback, private and link-local addresses (never cloud metadata). */
  allowPrivateNetworks: boolean;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
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
  /** Accepted values of the JWT header `typ`, lower-cased (§7.9). */
  allowedTokenTypes: string[];
  /** The IDP ID of the links that map a token's `sub` to a local user (§7.9). */
  idpId: string;
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
  const allowedTokenTypes = (env.AUTH_ALLOWED_TOKEN_TYPES || 'at+jwt,JWT')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  for (const t of allowedTokenTypes) {
    if (!/^[a-z0-9.+/-]+$/.test(t)) throw new ConfigError(`AUTH_ALLOWED_TOKEN_TYPES has an invalid type "${t}"`);
  }
  if (allowedTokenTypes.length === 0) throw new ConfigError('AUTH_ALLOWED_TOKEN_TYPES must name at least one type');
  const idpId = (env.AUTH_IDP_ID || 'jwt').trim();
  if (!/^[A-Za-z0-9._:@-]{1,200}$/.test(idpId)) throw new ConfigError(`AUTH_IDP_ID must be 1 to 200 characters of A-Z a-z 0-9 . _ : @ -`);
  if (!jwksUrl) {
    // an issuer or audience without a key set would silently accept no JWT at all
    if (issuer) throw new ConfigError('AUTH_ISSUER is set but AUTH_JWKS_URL is not');
    if (audience) throw new ConfigError('AUTH_AUDIENCE is set but AUTH_JWKS_URL is not');
    return undefined;
  }
  if (!issuer) throw new ConfigError('AUTH_ISSUER is required when AUTH_JWKS_URL is set');
  if (!audience) throw new ConfigError('AUTH_AUDIENCE is required when AUTH_JWKS_URL is set');
  return { jwksUrl, issuer, audience, clockSkewSeconds, jwksCacheMaxAgeSeconds, jwksCooldownSeconds, allowedTokenTypes, idpId };
}

/**
 * §7.5: a hop count or a list of addresses/CIDRs. `true` would believe any X-Forwarded-For
 * (whoever connects directly picks their own address), so it is refused like any other
 * unparsable value.
 */
function trustProxy(env: Env): TrustProxy {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw.toLowerCase() === 'false' || raw === '0') return false;
  const why = 'TRUST_PROXY must be the number of proxies in front (e.g. 1) or a comma-separated list of their addresses/CIDRs';
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 32) throw new ConfigError(`${why}; ${hops} hops is not plausible`);
    return hops;
  }
  const list = raw.split(',').map((a) => a.trim());
  for (const entry of list) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || rest.length > 0) throw new ConfigError(`${why}, got "${raw}"`);
  }
  return list;
}

/** SMTP_URL; `?tls=none` (spec §7.11) is the one value of `tls` it knows. */
function smtpUrl(env: Env): string | undefined {
  const raw = url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']);
  if (raw === undefined) return undefined;
  const tls = new URL(raw).searchParams.get('tls');
  if (tls !== null && tls !== 'none') throw new ConfigError(`SMTP_URL's tls parameter may only be "none", got "${tls}"`);
  return raw;
}

/** §7.12: codes must carry at least 30 bits, and a code may be guessed at most 10 times. */
const MIN_CODE_BITS = 30;
const MAX_CODE_ATTEMPTS = 10;

function codePolicy(length: number, alphabet: string, maxAttempts: number): void {
  const bits = length * Math.log2(alphabet.length);
  if (bits < MIN_CODE_BITS) {
    throw new ConfigError(
      `EMAIL_CODE_LENGTH × log2(EMAIL_CODE_ALPHABET size) must be at least ${MIN_CODE_BITS} bits, got ${length} × log2(${alphabet.length}) = ${bits.toFixed(1)}`,
    );
  }
  if (maxAttempts > MAX_CODE_ATTEMPTS) {
    throw new ConfigError(`EMAIL_CODE_MAX_ATTEMPTS must be at most ${MAX_CODE_ATTEMPTS}, got ${maxAttempts}`);
  }
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
  if (key !== undefined && key !== '' && Buffer.byteLength(key, 'utf8') < 32) {
    throw new ConfigError('CODE_HMAC_KEY must be at least 32 bytes');
  }
  const emailCodeLength = int(env, 'EMAIL_CODE_LENGTH', 6, 4, 20);
  const emailCodeMaxAttempts = int(env, 'EMAIL_CODE_MAX_ATTEMPTS', 5, 1, 1000);
  codePolicy(emailCodeLength, alphabet, emailCodeMaxAttempts);
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters without spaces');
  }
  const bodyLimitBytes = int(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024);
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    grpcPort: int(env, 'GRPC_PORT', 8081, 0, 65535),
    host: env.HOST || '0.0.0.0',
    mailWorker: oneOf(env, 'MAIL_WORKER', 'inline', ['inline', 'off'] as const),
    database: database(env),
    adminPatPath: resolve(env.ADMIN_PAT_PATH || `${dataDir}/admin.pat`),
    externalUrl,
    smtpUrl: smtpUrl(env),
    mailDir: resolve(env.MAIL_DIR || `${dataDir}/mail`),
    mailFrom,
    dataDir,
    emailCodeLength,
    emailCodeAlphabet: alphabet,
    emailCodeTtlSeconds: int(env, 'EMAIL_CODE_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    emailCodeMaxAttempts,
    emailCodeMaxTotalAttempts: int(env, 'EMAIL_CODE_MAX_TOTAL_ATTEMPTS', 50, 1, 100_000),
    emailResendCooldownSeconds: int(env, 'EMAIL_RESEND_COOLDOWN_SECONDS', 60, 0, 24 * 3600),
    emailMaxMailsPerDay: int(env, 'EMAIL_MAX_MAILS_PER_DAY', 10, 0, 100000),
    emailMaxMailsPerAddressPerDay: int(env, 'EMAIL_MAX_MAILS_PER_ADDRESS_PER_DAY', 10, 0, 100000),
    urlTemplateAllowedHosts: hosts,
    emailNotifyPrevious: bool(env, 'EMAIL_NOTIFY_PREVIOUS', false),
    emailUndoTtlSeconds: int(env, 'EMAIL_UNDO_TTL_SECONDS', 259200, 0, 30 * 24 * 3600),
    emailUndoRevokesTokens: bool(env, 'EMAIL_UNDO_REVOKES_TOKENS', true),
    emailChangeMode: oneOf(env, 'EMAIL_CHANGE_MODE', 'immediate', ['immediate', 'verify-first'] as const),
    codeHmacKey: key || undefined,
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    logFormat: oneOf(env, 'LOG_FORMAT', stdoutIsTTY && env.NODE_ENV !== 'production' ? 'pretty' : 'json', ['json', 'pretty'] as const),
    outboxPollMs: int(env, 'OUTBOX_POLL_MS', 1000, 50, 60000),
    outboxMaxAttempts: int(env, 'OUTBOX_MAX_ATTEMPTS', 10, 1, 100),
    outboxRetryBaseMs: int(env, 'OUTBOX_RETRY_BASE_MS', 5000, 10, 3600_000),
    outboxLeaseMs: int(env, 'OUTBOX_LEASE_MS', 60_000, 1000, 3600_000),
    outboxConcurrency: int(env, 'OUTBOX_CONCURRENCY', 8, 1, 100),
    bodyLimitBytes,
    rateLimitWritesPerToken: int(env, 'RATE_LIMIT_WRITES_PER_TOKEN', 6000, 0, 10_000_000),
    rateLimitWritesPerIp: int(env, 'RATE_LIMIT_WRITES_PER_IP', 6000, 0, 10_000_000),
    rateLimitVerifyPerIp: int(env, 'RATE_LIMIT_VERIFY_PER_IP', 60, 0, 10_000_000),
    redisUrl: url(env, 'REDIS_URL', undefined, ['redis:', 'rediss:']),
    trustProxy: trustProxy(env),
    jwt: jwt(env),
    corsAllowedOrigins: origins(env, 'CORS_ALLOWED_ORIGINS'),
    patMaxLifetimeDays: int(env, 'PAT_MAX_LIFETIME_DAYS', 0, 0, 100 * 366),
    graphqlPublicIntrospection: bool(env, 'GRAPHQL_PUBLIC_INTROSPECTION', false),
    metricsToken,
    grpc: {
      idleTimeoutMs: int(env, 'GRPC_IDLE_TIMEOUT_SECONDS', 300, 1, 24 * 3600) * 1000,
      sessionTimeoutMs: int(env, 'GRPC_SESSION_TIMEOUT_SECONDS', 3600, 1, 7 * 24 * 3600) * 1000,
      maxConcurrentStreams: int(env, 'GRPC_MAX_CONCURRENT_STREAMS', 100, 1, 10_000),
      maxMessageBytes: int(env, 'GRPC_MAX_MESSAGE_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    },
    actions: {
      allowPrivateNetworks: bool(env, 'ACTIONS_ALLOW_PRIVATE_NETWORKS', false),
      maxAttempts: int(env, 'ACTIONS_MAX_ATTEMPTS', 12, 1, 100),
      retryBaseMs: int(env, 'ACTIONS_RETRY_BASE_MS', 5000, 10, 3600_000),
      retryMaxMs: int(env, 'ACTIONS_RETRY_MAX_MS', 60_000, 10, 24 * 3600_000),
    },
  };
}

/**
 * For the entry points' last catch: a ConfigError (bad settings, or key material found at start)
 * is one line and exit 1; anything else keeps its stack.
 */
export function exitOnStartError(e: unknown): never {
  if (e instanceof ConfigError) console.error(`configuration error: ${e.message}`);
  else console.error(e);
  process.exit(1);
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
