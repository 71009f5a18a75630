import { Logger } from '@nestjs/common';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { UserEntity } from '../src/database/entities/user.entity.js';
import { startApp, TestApp } from './support/app.js';
import { addHumanUserVia, Api, appError, expectError, getUserVia, gql, PERMISSION_DENIED, Transport } from './support/client.js';
import { UserIdpLinkEntity } from '../src/database/entities/user-idp-link.entity.js';

/**
 * JWT access tokens (RS256, ES256) beside PATs, verified against the issuer's JWKS served by a
 * local HTTP server: what a client holding such a token sees, over REST and GraphQL.
 */

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'contact-email-api';
const UNAUTHENTICATED = appError(16, 401, 'AUTHZ-Kl3p0', 'Token is invalid');
const TRANSPORTS: Transport[] = ['rest', 'graphql'];
/**
 * The subjects the issuer knows the users by (spec §7.9): a JWT's `sub` reaches a local user only
 * through the user's IDP link for AUTH_IDP_ID (default `jwt`), never as a local user ID.
 */
const ADMIN_SUB = 'issuer-user-admin';
const VIEWER_SUB = 'issuer-user-viewer';

/** AddHumanUser with an IDP link for AUTH_IDP_ID: the user the issuer knows as `sub`. */
async function addLinkedUser(api: Api, orgId: string, username: string, sub: string, idpId = 'jwt'): Promise<string> {
  const r = await addHumanUserVia(api, 'rest', {
    username,
    organization: { orgId },
    profile: { givenName: username, familyName: 'Linked' },
    email: { email: `${username}@example.com`, returnCode: {} },
    idpLinks: [{ idpId, userId: sub, userName: `${username}@issuer.test` }],
  });
  if (!r.ok) throw new Error(`addHumanUser: ${JSON.stringify(r.raw)}`);
  return r.userId;
}

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
  /** The header's `typ` (default JWT); null: none. */
  typ?: string | null;
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
  const typ = c.typ === undefined ? 'JWT' : c.typ;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: c.kid ?? key.kid, ...(typ === null ? {} : { typ }) })
    .sign(key.keys.privateKey);
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
    // the bootstrap admin has no IDP link; an operator would link it in their own database
    await t.app
      .get(DataSource)
      .getRepository(UserIdpLinkEntity)
      .insert({ idpId: 'jwt', externalUserId: ADMIN_SUB, userId: adminId, externalUserName: 'admin@issuer.test', createdAt: new Date() });
    targetId = await admin.addUser(orgId, 'jwt-target');
    viewerId = await addLinkedUser(admin, orgId, 'jwt-viewer', VIEWER_SUB);
    await addLinkedUser(admin, orgId, 'jwt-elsewhere', 'linked-elsewhere', 'other-idp');
    await admin.addMember(orgId, viewerId, ['ORG_USER_VIEWER']);
  });

  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });

  describe.each(TRANSPORTS)('over %s', (transport) => {
    it("accepts an RS256 token as its subject, with the subject's permissions (IAM_OWNER: read and write)", async () => {
      const api = as(await sign(rsa, { sub: ADMIN_SUB }));
      const user = await getUserVia(api, transport, targetId);
      expect(user).toEqual(expect.objectContaining({ ok: true, userId: targetId }));
      const set = await api.setEmail(transport, targetId, { email: `rs-${transport}@example.com`, returnCode: {} });
      expect(set).toEqual(expect.objectContaining({ ok: true, resourceOwner: orgId, verificationCode: expect.any(String) }));
    });

    it("accepts an ES256 token as its subject, with the subject's permissions (ORG_USER_VIEWER: read only)", async () => {
      const api = as(await sign(ec, { sub: VIEWER_SUB }));
      expect(await getUserVia(api, transport, targetId)).toEqual(expect.objectContaining({ ok: true, userId: targetId }));
      expectError(
        await api.setEmail(transport, targetId, { email: `es-${transport}@example.com`, returnCode: {} }),
        transport,
        PERMISSION_DENIED,
      );
    });

    it('refuses an expired token with 401 (code 16)', async () => {
      const api = as(await sign(rsa, { sub: ADMIN_SUB, expIn: -120 }));
      expectError(await getUserVia(api, transport, targetId), transport, UNAUTHENTICATED);
      expectError(
        await api.setEmail(transport, targetId, { email: `exp-${transport}@example.com`, returnCode: {} }),
        transport,
        UNAUTHENTICATED,
      );
    });

    it('accepts a token that expired within the allowed clock skew (30 s)', async () => {
      const api = as(await sign(rsa, { sub: ADMIN_SUB, expIn: -10 }));
      expect(await getUserVia(api, transport, targetId)).toEqual(expect.objectContaining({ ok: true }));
    });
  });

  const REFUSED: { name: string; token: () => Promise<string> }[] = [
    { name: 'a wrong issuer', token: () => sign(rsa, { sub: ADMIN_SUB, iss: 'https://other-issuer.test' }) },
    { name: 'a wrong audience', token: () => sign(rsa, { sub: ADMIN_SUB, aud: 'another-api' }) },
    { name: 'no expiry', token: () => sign(rsa, { sub: ADMIN_SUB, expIn: null }) },
    {
      name: 'a key that is not in the JWKS (unknown kid)',
      token: async () => sign(await signingKey('RS256', 'stranger'), { sub: ADMIN_SUB }),
    },
    {
      name: 'a known kid but another private key',
      token: async () => sign({ ...(await signingKey('RS256', 'forged')), kid: rsa.kid }, { sub: ADMIN_SUB }),
    },
    {
      name: 'alg "none"',
      token: async () =>
        new UnsecuredJWT({ sub: ADMIN_SUB, jti: randomUUID() })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .encode(),
    },
    {
      name: 'HS256 keyed with the RSA public key',
      token: async () =>
        new SignJWT({ sub: ADMIN_SUB })
          .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(await exportSPKI(rsa.keys.publicKey))),
    },
    { name: 'an unknown subject', token: () => sign(rsa, { sub: '100000000000000042' }) },
    // §7.9: the subject is never read as a local user ID, not even the admin's own
    { name: "a subject that is a local user's ID but no IDP link", token: () => sign(rsa, { sub: adminId }) },
    { name: 'a subject linked only for another IDP', token: () => sign(rsa, { sub: 'linked-elsewhere' }) },
    // §7.9: only access tokens (AUTH_ALLOWED_TOKEN_TYPES, default at+jwt and JWT)
    { name: 'typ logout+jwt', token: () => sign(rsa, { sub: ADMIN_SUB, typ: 'logout+jwt' }) },
    { name: 'typ id_token', token: () => sign(rsa, { sub: ADMIN_SUB, typ: 'id_token+jwt' }) },
    { name: 'no typ', token: () => sign(rsa, { sub: ADMIN_SUB, typ: null }) },
    { name: 'a tampered payload', token: async () => tamper(await sign(rsa, { sub: VIEWER_SUB }), { sub: ADMIN_SUB }) },
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
    const userId = await addLinkedUser(admin, orgId, 'jwt-gone', 'issuer-user-gone');
    const token = await sign(rsa, { sub: 'issuer-user-gone' });
    expect(await getUserVia(as(token), 'rest', userId)).toEqual(expect.objectContaining({ ok: true }));
    await t.app.get(DataSource).getRepository(UserEntity).update(userId, { state: 'inactive' });
    expectError(await getUserVia(as(token), 'rest', userId), 'rest', UNAUTHENTICATED);
  });

  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT'])(
    'accepts the access token type %s (AUTH_ALLOWED_TOKEN_TYPES default)',
    async (typ) => {
      expect(await getUserVia(as(await sign(rsa, { sub: ADMIN_SUB, typ })), 'rest', targetId)).toEqual(
        expect.objectContaining({ ok: true }),
      );
    },
  );

  it('links a subject through AddHumanUser over GraphQL too, and a link names one user only (409 for a second)', async () => {
    const r = await gql(
      t.url,
      `mutation($input: AddHumanUserInput!) { addHumanUser(input: $input) { userId } }`,
      {
        input: {
          username: 'jwt-gql',
          organization: { orgId },
          profile: { givenName: 'G', familyName: 'Q' },
          email: { email: 'jwt-gql@example.com', returnCode: true },
          idpLinks: [{ idpId: 'jwt', userId: 'issuer-user-gql', userName: 'gql@issuer.test' }],
        },
      },
      t.adminToken,
    );
    const userId = r.body?.data?.addHumanUser?.userId;
    expect(userId).toEqual(expect.any(String));
    const me = await getUserVia(as(await sign(rsa, { sub: 'issuer-user-gql' })), 'graphql', userId);
    expect(me).toEqual(expect.objectContaining({ ok: true, userId }));
    const again = await addHumanUserVia(admin, 'rest', {
      username: 'jwt-gql-2',
      organization: { orgId },
      profile: { givenName: 'G', familyName: 'Q' },
      email: { email: 'jwt-gql-2@example.com', returnCode: {} },
      idpLinks: [{ idpId: 'jwt', userId: 'issuer-user-gql', userName: 'other' }],
    });
    expectError(again, 'rest', appError(6, 409, 'COMMAND-1dpLk', 'IDP link already exists'));
  });

  it('keeps accepting PATs', async () => {
    expect(await getUserVia(admin, 'rest', targetId)).toEqual(expect.objectContaining({ ok: true }));
  });

  it('caches the key set: tokens with known keys do not fetch it again', async () => {
    await getUserVia(as(await sign(rsa, { sub: ADMIN_SUB })), 'rest', targetId);
    const before = jwks.fetches;
    for (const key of [rsa, ec, rsa]) {
      expect(await getUserVia(as(await sign(key, { sub: ADMIN_SUB })), 'rest', targetId)).toEqual(expect.objectContaining({ ok: true }));
    }
    expect(jwks.fetches).toBe(before);
  });

  it('follows key rotation: a token with a newly published key is accepted once the JWKS lists it', async () => {
    const next = await signingKey('ES256', 'ec-2');
    const token = await sign(next, { sub: ADMIN_SUB });
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
      const token = await sign(await signingKey('RS256', 'rsa-3'), { sub: ADMIN_SUB });
      for (const transport of TRANSPORTS) expectError(await getUserVia(as(token), transport, targetId), transport, UNAUTHENTICATED);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`JWKS at ${jwks.url} unavailable`));
      // keys already fetched keep working while the endpoint is down
      expect(await getUserVia(as(await sign(rsa, { sub: ADMIN_SUB })), 'rest', targetId)).toEqual(expect.objectContaining({ ok: true }));
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
          const api = new Api(other.url, await sign(rsa, { sub: ADMIN_SUB }));
          for (const transport of TRANSPORTS) expectError(await getUserVia(api, transport, targetId), transport, UNAUTHENTICATED);
          expect(warn).toHaveBeenCalledWith(expect.stringContaining(`JWKS at ${url} unavailable`));
        });
      } finally {
        warn.mockRestore();
      }
    });

    it('refuses JWTs when AUTH_JWKS_URL is unset, and still accepts PATs', async () => {
      await restart({}, async (other) => {
        const api = new Api(other.url, await sign(rsa, { sub: ADMIN_SUB }));
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
