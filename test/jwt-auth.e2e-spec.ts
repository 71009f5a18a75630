import { Logger } from '@nestjs/common';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { UserEntity } from '../src/database/entities/user.entity.js';
import { startApp, TestApp } from './support/app.js';
import { Api, appError, expectError, getUserVia, PERMISSION_DENIED, Transport } from './support/client.js';

/**
 * JWT access tokens (RS256, ES256) beside PATs, verified against the issuer's JWKS served by a
 * local HTTP server: what a client holding such a token sees, over REST and GraphQL.
 */

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'contact-email-api';
const UNAUTHENTICATED = appError(16, 401, 'AUTHZ-Kl3p0', 'Token is invalid');
const TRANSPORTS: Transport[] = ['rest', 'graphql'];

type Alg = 'RS256' | 'ES256';
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

interface SigningKey {
  kid: string;
  alg: Alg;
  keys: KeyPair;
  jwk: JWK;
}

async function signingKey(alg: Alg, kid: string): Promise<SigningKey> {
  const keys = await generateKeyPair(alg);
  return { kid, alg, keys, jwk: { ...(await exportJWK(keys.publicKey)), kid, alg, use: 'sig' } };
}

interface Claims {
  sub: string;
  iss?: string;
  aud?: string;
  /** Expiry in seconds from now; null: no `exp` claim. */
  expIn?: number | null;
  kid?: string;
}

/** A token as the issuer would mint it: valid for five minutes unless the claims say otherwise. */
function sign(key: SigningKey, c: Claims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { iss: c.iss ?? ISSUER, aud: c.aud ?? AUDIENCE, sub: c.sub, iat: now - 60, jti: randomUUID() };
  const expIn = c.expIn === undefined ? 300 : c.expIn;
  if (expIn !== null) payload.exp = now + expIn;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: c.kid ?? key.kid, typ: 'JWT' }).sign(key.keys.privateKey);
}

/** The issuer's JWKS endpoint: serves `keys` (or `status` when set), counts the fetches. */
class JwksServer {
  keys: JWK[] = [];
  status = 200;
  fetches = 0;
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.fetches++;
      if (this.status !== 200) {
        res.writeHead(this.status).end('unavailable');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/oauth/v2/keys`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}

/** A URL nobody listens on: a port that was just free. */
async function deadUrl(): Promise<string> {
  const s = await new JwksServer().start();
  const url = s.url;
  await s.close();
  return url;
}

const JWT_ENV = (jwksUrl: string): Record<string, string> => ({
  AUTH_JWKS_URL: jwksUrl,
  AUTH_ISSUER: ISSUER,
  AUTH_AUDIENCE: AUDIENCE,
  // the rotation case publishes a key right after a token with it was refused
  AUTH_JWKS_COOLDOWN_SECONDS: '0',
});

describe('JWT access tokens', () => {
  let jwks: JwksServer;
  let t: TestApp;
  let admin: Api;
  let rsa: SigningKey;
  let ec: SigningKey;
  /** The instance admin (IAM_OWNER): the owner of the admin PAT. */
  let adminId: string;
  let orgId: string;
  /** An ORG_USER_VIEWER of orgId. */
  let viewerId: string;
  /** A plain user of orgId, the target of the operations. */
  let targetId: string;

  const as = (token: string) => admin.as(token);

  beforeAll(async () => {
    [rsa, ec] = await Promise.all([signingKey('RS256', 'rsa-1'), signingKey('ES256', 'ec-1')]);
    jwks = await new JwksServer().start();
    jwks.keys = [rsa.jwk, ec.jwk];
    t = await startApp(JWT_ENV(jwks.url));
    admin = new Api(t.url, t.adminToken);
    const rows: { user_id: string }[] = await t.app.get(DataSource).query('SELECT user_id FROM personal_access_tokens LIMIT 1');
    adminId = rows[0]!.user_id;
    orgId = await admin.addOrganization('JWT');
    targetId = await admin.addUser(orgId, 'jwt-target');
    viewerId = await admin.addUser(orgId, 'jwt-viewer');
    await admin.addMember(orgId, viewerId, ['ORG_USER_VIEWER']);
  });

  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });

  describe.each(TRANSPORTS)('over %s', (transport) => {
    it("accepts an RS256 token as its subject, with the subject's permissions (IAM_OWNER: read and write)", async () => {
      const api = as(await sign(rsa, { sub: adminId }));
      const user = await getUserVia(api, transport, targetId);
      expect(user).toEqual(expect.objectContaining({ ok: true, userId: targetId }));
      const set = await api.setEmail(transport, targetId, { email: `rs-${transport}@example.com`, returnCode: {} });
      expect(set).toEqual(expect.objectContaining({ ok: true, resourceOwner: orgId, verificationCode: expect.any(String) }));
    });

    it("accepts an ES256 token as its subject, with the subject's permissions (ORG_USER_VIEWER: read only)", async () => {
      const api = as(await sign(ec, { sub: viewerId }));
      expect(await getUserVia(api, transport, targetId)).toEqual(expect.objectContaining({ ok: true, userId: targetId }));
      expectError(
        await api.setEmail(transport, targetId, { email: `es-${transport}@example.com`, returnCode: {} }),
        transport,
        PERMISSION_DENIED,
      );
    });

    it('refuses an expired token with 401 (code 16)', async () => {
      const api = as(await sign(rsa, { sub: adminId, expIn: -120 }));
      expectError(await getUserVia(api, transport, targetId), transport, UNAUTHENTICATED);
      expectError(
        await api.setEmail(transport, targetId, { email: `exp-${transport}@example.com`, returnCode: {} }),
        transport,
        UNAUTHENTICATED,
      );
    });

    it('accepts a token that expired within the allowed clock skew (30 s)', async () => {
      const api = as(await sign(rsa, { sub: adminId, expIn: -10 }));
      expect(await getUserVia(api, transport, targetId)).toEqual(expect.objectContaining({ ok: true }));
    });
  });

  const REFUSED: { name: string; token: () => Promise<string> }[] = [
    { name: 'a wrong issuer', token: () => sign(rsa, { sub: adminId, iss: 'https://other-issuer.test' }) },
    { name: 'a wrong audience', token: () => sign(rsa, { sub: adminId, aud: 'another-api' }) },
    { name: 'no expiry', token: () => sign(rsa, { sub: adminId, expIn: null }) },
    {
      name: 'a key that is not in the JWKS (unknown kid)',
      token: async () => sign(await signingKey('RS256', 'stranger'), { sub: adminId }),
    },
    {
      name: 'a known kid but another private key',
      token: async () => sign({ ...(await signingKey('RS256', 'forged')), kid: rsa.kid }, { sub: adminId }),
    },
    {
      name: 'alg "none"',
      token: async () =>
        new UnsecuredJWT({ sub: adminId, jti: randomUUID() })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .encode(),
    },
    {
      name: 'HS256 keyed with the RSA public key',
      token: async () =>
        new SignJWT({ sub: adminId })
          .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(await exportSPKI(rsa.keys.publicKey))),
    },
    { name: 'an unknown subject', token: () => sign(rsa, { sub: '100000000000000042' }) },
    { name: 'a tampered payload', token: async () => tamper(await sign(rsa, { sub: viewerId }), { sub: adminId }) },
    { name: 'three base64url parts that are no JWT', token: async () => 'abc.def.ghi' },
  ];

  it.each(REFUSED.flatMap((r) => TRANSPORTS.map((transport) => [r.name, transport, r] as const)))(
    'refuses a token with %s over %s: 401',
    async (_, transport, r) => {
      const api = as(await r.token());
      expectError(await getUserVia(api, transport, targetId), transport, UNAUTHENTICATED);
    },
  );

  it('refuses the token of a user who is no longer active', async () => {
    const userId = await admin.addUser(orgId, 'jwt-gone');
    const token = await sign(rsa, { sub: userId });
    expect(await getUserVia(as(token), 'rest', userId)).toEqual(expect.objectContaining({ ok: true }));
    await t.app.get(DataSource).getRepository(UserEntity).update(userId, { state: 'inactive' });
    expectError(await getUserVia(as(token), 'rest', userId), 'rest', UNAUTHENTICATED);
  });

  it('keeps accepting PATs', async () => {
    expect(await getUserVia(admin, 'rest', targetId)).toEqual(expect.objectContaining({ ok: true }));
  });

  it('caches the key set: tokens with known keys do not fetch it again', async () => {
    await getUserVia(as(await sign(rsa, { sub: adminId })), 'rest', targetId);
    const before = jwks.fetches;
    for (const key of [rsa, ec, rsa]) {
      expect(await getUserVia(as(await sign(key, { sub: adminId })), 'rest', targetId)).toEqual(expect.objectContaining({ ok: true }));
    }
    expect(jwks.fetches).toBe(before);
  });

  it('follows key rotation: a token with a newly published key is accepted once the JWKS lists it', async () => {
    const next = await signingKey('ES256', 'ec-2');
    const token = await sign(next, { sub: adminId });
    expectError(await getUserVia(as(token), 'rest', targetId), 'rest', UNAUTHENTICATED);
    jwks.keys = [...jwks.keys, next.jwk];
    const before = jwks.fetches;
    for (const transport of TRANSPORTS) {
      expect(await getUserVia(as(token), transport, targetId)).toEqual(expect.objectContaining({ ok: true }));
    }
    expect(jwks.fetches).toBe(before + 1);
  });

  it('answers 401, not 500, and warns when the JWKS endpoint fails', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      jwks.status = 503;
      const token = await sign(await signingKey('RS256', 'rsa-3'), { sub: adminId });
      for (const transport of TRANSPORTS) expectError(await getUserVia(as(token), transport, targetId), transport, UNAUTHENTICATED);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`JWKS at ${jwks.url} unavailable`));
      // keys already fetched keep working while the endpoint is down
      expect(await getUserVia(as(await sign(rsa, { sub: adminId })), 'rest', targetId)).toEqual(expect.objectContaining({ ok: true }));
    } finally {
      jwks.status = 200;
      warn.mockRestore();
    }
  });

  describe('another instance', () => {
    const restart = async (env: Record<string, string>, check: (other: TestApp) => Promise<void>) => {
      const other = await startApp(env, { db: t.db, sink: t.sink });
      try {
        await check(other);
      } finally {
        await other.close();
      }
    };

    it('answers 401, not 500, and warns when the JWKS server is down', async () => {
      const url = await deadUrl();
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        await restart(JWT_ENV(url), async (other) => {
          const api = new Api(other.url, await sign(rsa, { sub: adminId }));
          for (const transport of TRANSPORTS) expectError(await getUserVia(api, transport, targetId), transport, UNAUTHENTICATED);
          expect(warn).toHaveBeenCalledWith(expect.stringContaining(`JWKS at ${url} unavailable`));
        });
      } finally {
        warn.mockRestore();
      }
    });

    it('refuses JWTs when AUTH_JWKS_URL is unset, and still accepts PATs', async () => {
      await restart({}, async (other) => {
        const api = new Api(other.url, await sign(rsa, { sub: adminId }));
        for (const transport of TRANSPORTS) expectError(await getUserVia(api, transport, targetId), transport, UNAUTHENTICATED);
        expect(await getUserVia(new Api(other.url, t.adminToken), 'rest', targetId)).toEqual(expect.objectContaining({ ok: true }));
      });
    });
  });
});

/** The token with its payload's claims replaced, keeping the original signature. */
function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const changed = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')), ...claims };
  return [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
}
