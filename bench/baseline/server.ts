/**
 * The benchmark's baseline: SetEmail (`POST /v2/users/{userId}/email`, sendCode or returnCode) on a
 * plain `node:http` server with the database driver used directly — no framework, no ORM — on
 * the service's own schema (a copy of a database the service migrated and bootstrapped).
 *
 *   DATABASE_URL=sqlite:/tmp/x.db PORT=9000 CODE_HMAC_KEY=... node dist/bench/baseline/server.js
 *
 * Per request it does the work the service does on this path, in the same order, and takes no
 * shortcut the service does not take too:
 *   read + JSON.parse the body → Bearer token: shape check, SHA-256, PAT ⨝ user lookup, the
 *   caller's memberships → validation (email 1..200 runes + pgv email rule, the verification
 *   oneof, types) → target user lookup → permission (user.write via IAM_OWNER or an org role,
 *   or self for sendCode) → domain email check → "not changed" check → 6-char code from
 *   crypto.randomInt, HMAC-SHA-256 of it; sendCode: the verification URL and the AES-256-GCM
 *   sealed outbox payload → one transaction: optimistic UPDATE users ... WHERE id AND sequence,
 *   INSERT two user_events, UPSERT email_codes, sendCode: INSERT mail_outbox → 200
 *   {details:{sequence,changeDate,resourceOwner}}, returnCode: and verificationCode.
 * A lost optimistic race is retried with a fresh read (as the service's unit of work does).
 * Both read the user once: the service inside its transaction (locked on PostgreSQL), this
 * before its transaction, the conditional UPDATE refusing a row that changed in between.
 *
 * SQLite: one connection, the service's pragmas (src/database/sqlite-pragmas.ts: WAL, synchronous=NORMAL,
 * busy_timeout, foreign_keys, a 2 MB page cache); better-sqlite3 is synchronous, so transactions are serial by construction.
 * PostgreSQL: a pg Pool of 10 (the service's pool size), READ COMMITTED like TypeORM's default.
 */
import { createCipheriv, createHash, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isPgvEmail } from '../../src/common/request/pgv-email.js';
import { SQLITE_PRAGMAS } from '../../src/database/sqlite-pragmas.js';

// ------------------------------------------------------------------------------------------
// configuration (the subset of the service's settings this path reads)
// ------------------------------------------------------------------------------------------

const env = process.env;
const DATABASE_URL = env.DATABASE_URL ?? '';
const PORT = Number(env.PORT ?? 0);
const HOST = env.HOST || '127.0.0.1';
const EXTERNAL_URL = (env.EXTERNAL_URL || 'http://localhost:8080').replace(/\/+$/, '');
const CODE_ALPHABET = env.EMAIL_CODE_ALPHABET || 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const CODE_LENGTH = Number(env.EMAIL_CODE_LENGTH || 6);
const CODE_TTL_MS = Number(env.EMAIL_CODE_TTL_SECONDS || 3600) * 1000;
const BODY_LIMIT = Number(env.BODY_LIMIT_BYTES || 64 * 1024);
if (!env.CODE_HMAC_KEY || env.CODE_HMAC_KEY.length < 32) throw new Error('CODE_HMAC_KEY (>= 32 characters) is required');
const MASTER = Buffer.from(env.CODE_HMAC_KEY, 'utf8');
const HMAC_KEY = Buffer.from(hkdfSync('sha256', MASTER, Buffer.alloc(0), 'code-hmac', 32));
const ENC_KEY = Buffer.from(hkdfSync('sha256', MASTER, Buffer.alloc(0), 'outbox-aes-gcm', 32));

// ------------------------------------------------------------------------------------------
// errors in ZITADEL's REST shape
// ------------------------------------------------------------------------------------------

const HTTP_OF: Record<number, number> = { 3: 400, 5: 404, 7: 403, 9: 400, 13: 500, 16: 401 };

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
  get body(): string {
    if (!this.id) return JSON.stringify({ code: this.code, message: this.message, details: [] });
    return JSON.stringify({
      code: this.code,
      message: `${this.message} (${this.id})`,
      details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: this.id, message: this.message }],
    });
  }
}
const invalid = (message: string) => new ApiError(3, '', message);
const userNotFound = () => new ApiError(5, 'COMMAND-ieJ2e', 'Email not found');
const unauthenticated = () => new ApiError(16, 'AUTHZ-Kl3p0', 'Token is invalid');

// ------------------------------------------------------------------------------------------
// the database: the same SQL on both drivers
// ------------------------------------------------------------------------------------------

interface TokenOwner {
  userId: string;
  orgId: string;
  expiresAt: number | null;
}
interface UserRow {
  id: string;
  orgId: string;
  type: string;
  state: string;
  username: string;
  displayName: string;
  email: string;
  sequence: number;
}
interface Change {
  user: UserRow;
  email: string;
  now: number;
  creator: string;
  codeHash: string;
  urlTemplate: string | null;
  /** sendCode: the outbox row; returnCode: none. */
  mail: { outboxId: string; payload: string } | null;
}
interface Store {
  tokenOwner(hash: string): Promise<TokenOwner | undefined>;
  memberships(userId: string): Promise<Map<string, string[]>>;
  user(id: string): Promise<UserRow | undefined>;
  /** The change in one transaction; false when the row's sequence moved (lost race). */
  commit(c: Change): Promise<boolean>;
  close(): Promise<void>;
}

const SQL = {
  token:
    `SELECT t.user_id AS "userId", u.org_id AS "orgId", t.expires_at AS "expiresAt" FROM personal_access_tokens t ` +
    `INNER JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.state = 'active'`,
  memberships: `SELECT scope, roles FROM memberships WHERE user_id = $1`,
  user: `SELECT id, org_id AS "orgId", type, state, username, display_name AS "displayName", email, sequence ` + `FROM users WHERE id = $1`,
  updateUser: `UPDATE users SET email = $1, email_verified = $2, sequence = $3, changed_at = $4 WHERE id = $5 AND sequence = $6`,
  insertEvents:
    `INSERT INTO user_events (user_id, sequence, type, resource_owner, creator, payload, created_at) ` +
    `VALUES ($1, $2, $3, $4, $5, $6, $7), ($8, $9, $10, $11, $12, $13, $14)`,
  upsertCode:
    `INSERT INTO email_codes (user_id, code_hash, email, url_template, attempts, created_at, expires_at) ` +
    `VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, ` +
    `email = EXCLUDED.email, url_template = EXCLUDED.url_template, attempts = EXCLUDED.attempts, ` +
    `created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
  insertOutbox:
    `INSERT INTO mail_outbox (id, user_id, kind, recipient, payload, status, attempts, next_attempt_at, locked_until, last_error, created_at, sent_at) ` +
    `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
};

const CHANGED = 'user.human.email.changed';
const CODE_ADDED = 'user.human.email.code.added';

function params(c: Change): { user: unknown[]; events: unknown[]; code: unknown[]; outbox: unknown[] | null } {
  const u = c.user;
  const from = u.sequence;
  const codePayload = JSON.stringify({ expirySeconds: CODE_TTL_MS / 1000, urlTemplate: c.urlTemplate, codeReturned: c.mail === null });
  return {
    user: [c.email, false, from + 2, c.now, u.id, from],
    events: [
      u.id,
      from + 1,
      CHANGED,
      u.orgId,
      c.creator,
      JSON.stringify({ email: c.email }),
      c.now,
      u.id,
      from + 2,
      CODE_ADDED,
      u.orgId,
      c.creator,
      codePayload,
      c.now,
    ],
    code: [u.id, c.codeHash, c.email, c.urlTemplate, 0, c.now, c.now + CODE_TTL_MS],
    outbox: c.mail && [c.mail.outboxId, u.id, 'email.verify', c.email, c.mail.payload, 'pending', 0, c.now, null, null, c.now, null],
  };
}

async function sqliteStore(path: string): Promise<Store> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path);
  // the service's pragmas
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  const prep = (sql: string) => db.prepare(sql.replace(/\$\d+/g, '?'));
  const token = prep(SQL.token);
  const memberships = prep(SQL.memberships);
  const user = prep(SQL.user);
  const updateUser = prep(SQL.updateUser);
  const insertEvents = prep(SQL.insertEvents);
  const upsertCode = prep(SQL.upsertCode);
  const insertOutbox = prep(SQL.insertOutbox);
  const bool = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
  const commit = db.transaction((c: Change): boolean => {
    const p = params(c);
    if (updateUser.run(...p.user.map(bool)).changes === 0) return false;
    insertEvents.run(...p.events);
    upsertCode.run(...p.code);
    if (p.outbox) insertOutbox.run(...p.outbox);
    return true;
  });
  return {
    async tokenOwner(hash) {
      const r = token.get(hash) as { userId: string; orgId: string; expiresAt: number | null } | undefined;
      return r && { ...r, expiresAt: r.expiresAt == null ? null : Number(r.expiresAt) };
    },
    async memberships(userId) {
      const rows = memberships.all(userId) as { scope: string; roles: string }[];
      return new Map(rows.map((m) => [m.scope, m.roles.split(',')]));
    },
    async user(id) {
      const r = user.get(id) as UserRow | undefined;
      return r && { ...r, sequence: Number(r.sequence) };
    },
    async commit(c) {
      return commit(c);
    },
    async close() {
      db.close();
    },
  };
}

async function postgresStore(url: string): Promise<Store> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10, application_name: 'bench-baseline' });
  return {
    async tokenOwner(hash) {
      const r = (await pool.query(SQL.token, [hash])).rows[0] as { userId: string; orgId: string; expiresAt: string | null } | undefined;
      return r && { ...r, expiresAt: r.expiresAt == null ? null : Number(r.expiresAt) };
    },
    async memberships(userId) {
      const rows = (await pool.query(SQL.memberships, [userId])).rows as { scope: string; roles: string }[];
      return new Map(rows.map((m) => [m.scope, m.roles.split(',')]));
    },
    async user(id) {
      const r = (await pool.query(SQL.user, [id])).rows[0] as (UserRow & { sequence: string }) | undefined;
      return r && { ...r, sequence: Number(r.sequence) };
    },
    async commit(c) {
      const p = params(c);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const r = await client.query(SQL.updateUser, p.user);
        if (r.rowCount === 0) {
          await client.query('ROLLBACK');
          return false;
        }
        await client.query(SQL.insertEvents, p.events);
        await client.query(SQL.upsertCode, p.code);
        if (p.outbox) await client.query(SQL.insertOutbox, p.outbox);
        await client.query('COMMIT');
        return true;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

// ------------------------------------------------------------------------------------------
// the work of one request
// ------------------------------------------------------------------------------------------

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

const ROLE_GRANTS_USER_WRITE = new Set(['IAM_OWNER', 'ORG_OWNER', 'ORG_USER_MANAGER']);
const INSTANCE_SCOPE = 'IAM';

// ZITADEL's domain rule (src/email/email-address.ts)
const DOMAIN_EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

function runes(s: string, min: number, max: number): boolean {
  let n = 0;
  for (const _ of s) if (++n > max) return false;
  return n >= min;
}

type Verification = { kind: 'send'; urlTemplate?: string } | { kind: 'return' } | { kind: 'verified' };

/** The SetEmailRequest rules, first violation wins, ZITADEL's messages. */
function validate(raw: unknown): { email: string; verification: Verification } {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('invalid SetEmailRequest: request body must be a JSON object');
  const b = raw as Record<string, unknown>;
  const email = b.email ?? '';
  if (typeof email !== 'string') throw invalid('invalid SetEmailRequest.Email: value must be a string');
  if (!runes(email, 1, 200)) throw invalid('invalid SetEmailRequest.Email: value length must be between 1 and 200 runes, inclusive');
  if (!isPgvEmail(email)) throw invalid('invalid SetEmailRequest.Email: value must be a valid email address');
  const sendCode = b.sendCode ?? b.send_code;
  let urlTemplate: string | undefined;
  if (sendCode != null) {
    if (typeof sendCode !== 'object' || Array.isArray(sendCode)) throw invalid('invalid SetEmailRequest.SendCode: value must be an object');
    const t = (sendCode as Record<string, unknown>).urlTemplate ?? (sendCode as Record<string, unknown>).url_template;
    if (t !== undefined && t !== null) {
      if (typeof t !== 'string')
        throw invalid(
          'invalid SetEmailRequest.SendCode: embedded message failed validation | caused by: invalid SendEmailVerificationCode.UrlTemplate: value must be a string',
        );
      if (!runes(t, 1, 200))
        throw invalid(
          'invalid SetEmailRequest.SendCode: embedded message failed validation | caused by: invalid SendEmailVerificationCode.UrlTemplate: value length must be between 1 and 200 runes, inclusive',
        );
      urlTemplate = t;
    }
  }
  const rc = b.returnCode ?? b.return_code;
  if (rc != null && (typeof rc !== 'object' || Array.isArray(rc)))
    throw invalid('invalid SetEmailRequest.ReturnCode: value must be an object');
  const iv = b.isVerified ?? b.is_verified;
  if (iv != null && typeof iv !== 'boolean') throw invalid('invalid SetEmailRequest.IsVerified: value must be a boolean');
  if (iv === false) throw invalid('invalid SetEmailRequest.IsVerified: value must equal true');
  const set = [sendCode != null, rc != null, iv === true].filter(Boolean).length;
  if (set > 1) throw invalid('invalid SetEmailRequest: only one of sendCode, returnCode, isVerified may be set');
  // the benchmark drives sendCode (the default) and returnCode; isVerified exists so that validation is complete
  if (rc != null) return { email, verification: { kind: 'return' } };
  if (iv === true) return { email, verification: { kind: 'verified' } };
  if (urlTemplate !== undefined) throw new ApiError(12, 'BENCH-n0tpl', 'urlTemplate is not implemented in the baseline');
  return { email, verification: { kind: 'send' } };
}

// Sonyflake IDs, as src/common/id-generator.ts
const EPOCH = Date.UTC(2014, 8, 1);
const MACHINE = BigInt(randomInt(0, 1 << 16));
let idTick = 0;
let idSeq = 0;
function nextId(): string {
  let t = Math.floor((Date.now() - EPOCH) / 10);
  if (t < idTick) t = idTick;
  if (t === idTick) {
    if (++idSeq > 255) {
      idTick++;
      idSeq = 0;
    }
  } else {
    idTick = t;
    idSeq = 0;
  }
  return ((BigInt(idTick) << 24n) | (BigInt(idSeq) << 16n) | MACHINE).toString();
}

function generateCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

function seal(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ENC_KEY, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

async function setEmail(store: Store, authorization: string | undefined, userId: string, raw: unknown): Promise<string> {
  // authentication
  if (authorization === undefined) throw new ApiError(16, 'AUTH-7fs1e', 'auth header missing');
  const m = BEARER.exec(authorization);
  if (!m || !TOKEN_SHAPE.test(m[1]!)) throw unauthenticated();
  const owner = await store.tokenOwner(createHash('sha256').update(m[1]!, 'utf8').digest('hex'));
  if (!owner || (owner.expiresAt !== null && owner.expiresAt <= Date.now())) throw unauthenticated();
  const memberships = await store.memberships(owner.userId);
  // validation
  const { email, verification } = validate(raw);
  if (!runes(userId, 1, 200)) throw invalid('invalid SetEmailRequest.UserId: value length must be between 1 and 200 runes, inclusive');
  if (verification.kind === 'verified') throw new ApiError(12, 'BENCH-n0tmd', 'isVerified is not implemented in the baseline');
  const send = verification.kind === 'send';
  for (let attempt = 1; ; attempt++) {
    // target lookup and permission
    const user = await store.user(userId);
    if (!user || user.state === 'deleted' || user.type !== 'human') throw userNotFound();
    const instance = memberships.get(INSTANCE_SCOPE);
    const org = memberships.get(user.orgId);
    const can = (instance ?? []).some((r) => ROLE_GRANTS_USER_WRITE.has(r)) || (org ?? []).some((r) => ROLE_GRANTS_USER_WRITE.has(r));
    // self-service may only mail a code
    if (!can && !(send && owner.userId === user.id)) {
      if (!instance && !org) throw userNotFound();
      throw new ApiError(7, 'AUTH-AWfge', 'No matching permissions found');
    }
    // the domain rules
    if (!DOMAIN_EMAIL.test(email)) throw new ApiError(3, 'EMAIL-599GV', 'Email is invalid');
    if (user.email === email) throw new ApiError(9, 'COMMAND-Uch5e', 'Email not changed');
    // the code, its hash, the mail
    const now = Date.now();
    const code = generateCode();
    const codeHash = createHmac('sha256', HMAC_KEY).update(`${user.id}\u0000${code}`, 'utf8').digest('base64url');
    let mail: Change['mail'] = null;
    if (send) {
      const url =
        `${EXTERNAL_URL}/ui/v2/login/verify?code=${encodeURIComponent(code)}` +
        `&organization=${encodeURIComponent(user.orgId)}&userId=${encodeURIComponent(user.id)}`;
      mail = { outboxId: nextId(), payload: seal(JSON.stringify({ displayName: user.displayName, code, url })) };
    }
    const ok = await store.commit({ user, email, now, creator: owner.userId, codeHash, urlTemplate: null, mail });
    if (ok) {
      const details = { sequence: String(user.sequence + 2), changeDate: new Date(now).toISOString(), resourceOwner: user.orgId };
      return JSON.stringify(send ? { details } : { details, verificationCode: code });
    }
    if (attempt >= 8) throw new ApiError(10, 'BENCH-c0nfl', 'concurrent modification');
    await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
  }
}

// ------------------------------------------------------------------------------------------
// HTTP
// ------------------------------------------------------------------------------------------

const ROUTE = /^\/v2\/users\/([^/?]+)\/email(?:\?.*)?$/;

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        reject(new ApiError(3, 'BENCH-t00lg', 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  let store: Store;
  if (DATABASE_URL.startsWith('sqlite:')) store = await sqliteStore(DATABASE_URL.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
  else if (/^postgres(ql)?:\/\//.test(DATABASE_URL)) store = await postgresStore(DATABASE_URL);
  else throw new Error('DATABASE_URL must be sqlite:<file> or postgres://...');

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/healthz') return reply(res, 200, '{"status":"ok"}');
    const route = req.method === 'POST' ? ROUTE.exec(url) : null;
    if (!route) return reply(res, 404, new ApiError(5, 'BENCH-n0rte', 'Not Found').body);
    readBody(req)
      .then((text) => {
        let raw: unknown;
        if (text.length > 0) {
          try {
            raw = JSON.parse(text);
          } catch {
            throw invalid('invalid SetEmailRequest: request body is not valid JSON');
          }
        }
        const auth = req.headers.authorization;
        return setEmail(store, auth, decodeURIComponent(route[1]!), raw);
      })
      .then(
        (body) => reply(res, 200, body),
        (e: unknown) => {
          if (e instanceof ApiError) return reply(res, HTTP_OF[e.code] ?? 500, e.body);
          console.error(e);
          reply(res, 500, new ApiError(13, 'BENCH-1ntrn', 'Internal error').body);
        },
      );
  });
  server.keepAliveTimeout = 72_000;
  server.listen(PORT, HOST, () => {
    const a = server.address() as { port: number };
    console.log(`baseline listening on http://${HOST}:${a.port}`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void store.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
