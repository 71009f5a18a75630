import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { GrpcServer } from '../src/connect/grpc-server.js';
import { startApp, TestApp } from './support/app.js';
import { Api } from './support/client.js';
import { type Answer, failureOf, type Wire, wires } from './support/wires.js';

/**
 * Spec §7.9 over every transport: a JWT is an access token only when its `typ` says so, and
 * its subject reaches a local user only through that user's IDP link (AddHumanUser's
 * `idpLinks`), never as a local user ID. The fuller JWT suite (keys, expiry, issuer,
 * audience, rotation) is jwt-auth.e2e-spec.ts.
 */

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'contact-email-api';
const WIRES: Wire[] = ['rest', 'graphql', 'connect', 'grpc'];
const UNAUTHENTICATED = { ok: false, grpcCode: 16, id: 'AUTHZ-Kl3p0' };

describe('§7.9 JWT: typ and explicit subject links, over every transport', () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let jwks: Server;
  let t: TestApp;
  let grpcPort: number;
  let adminId: string;
  let orgId: string;
  /** Users created over each wire with an IDP link for AUTH_IDP_ID=corp; the issuer's subject for them. */
  const linked: Partial<Record<Wire, { userId: string; sub: string }>> = {};

  const sign = (sub: string, typ: string | null = 'at+jwt') => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub, iat: now - 10, exp: now + 300, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', ...(typ === null ? {} : { typ }) })
      .sign(keys.privateKey);
  };

  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    t = await startApp({
      AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_IDP_ID: 'corp',
    });
    grpcPort = await t.app.get(GrpcServer).listen(0, '127.0.0.1');
    const rows: { user_id: string }[] = await t.app.get(DataSource).query('SELECT user_id FROM personal_access_tokens LIMIT 1');
    adminId = rows[0]!.user_id;
    orgId = await new Api(t.url, t.adminToken).addOrganization('JWT Links Org');
    // AddHumanUser with idpLinks over each API transport (gRPC shares Connect's implementation)
    for (const wire of ['rest', 'graphql', 'connect'] as const) {
      const sub = `corp-subject-${wire}`;
      const a = await wires.addHumanUser({ url: t.url, grpcPort, token: t.adminToken }, wire, {
        orgId,
        username: `linked-${wire}`,
        email: `linked-${wire}@example.com`,
        verify: 'return',
        idpLinks: [
          { idpId: 'corp', userId: sub, userName: `${wire}@corp.test` },
          { idpId: 'github', userId: `gh-${wire}`, userName: `${wire}-gh` },
        ],
      });
      if (!a.ok) throw new Error(`addHumanUser over ${wire}: ${a.message}`);
      linked[wire] = { userId: a.body.userId, sub };
    }
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => jwks?.close(r));
  });

  const as = async (token: string, wire: Wire, userId: string): Promise<Answer> =>
    wires.getUser({ url: t.url, grpcPort, token }, wire, userId);

  describe.each(WIRES)('over %s', (wire) => {
    it('a linked subject is its local user (links made over REST, GraphQL and Connect)', async () => {
      for (const l of Object.values(linked)) {
        const a = await as(await sign(l!.sub), wire, l!.userId);
        expect(failureOf(a)).toEqual({ ok: true });
      }
    });

    it("a subject that is a local user's ID (the admin's) is refused: 401", async () => {
      expect(failureOf(await as(await sign(adminId), wire, adminId))).toEqual(UNAUTHENTICATED);
    });

    it('a subject linked for another IDP only is refused: 401', async () => {
      expect(failureOf(await as(await sign(`gh-${wire === 'grpc' ? 'connect' : wire}`), wire, linked.rest!.userId))).toEqual(
        UNAUTHENTICATED,
      );
    });

    it.each(['logout+jwt', 'id_token+jwt', null])('typ %s is no access token: 401', async (typ) => {
      expect(failureOf(await as(await sign(linked.rest!.sub, typ), wire, linked.rest!.userId))).toEqual(UNAUTHENTICATED);
    });
  });
});
