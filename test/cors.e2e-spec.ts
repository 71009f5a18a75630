import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from '../src/common/cors.js';
import { startApp, TestApp } from './support/app.js';
import { launchBrowser } from './support/browser.js';
import { Api } from './support/client.js';

/** A page on its own loopback port: another origin than the API's. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>app</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

type Call = { status: number; body: any; retryAfter?: string | null; grpcStatus?: string | null } | { error: string };

/**
 * Browsers as clients: a page on another origin calls REST, GraphQL and Connect with a bearer
 * token, as a web app would; allowed with CORS_ALLOWED_ORIGINS naming its origin, and kept from
 * the answers (by the browser) when it does not.
 */
describe('CORS for browser clients', () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;
  let browser: Browser;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };

  beforeAll(async () => {
    allowed = await pageServer();
    other = await pageServer();
    t = await startApp({ CORS_ALLOWED_ORIGINS: `https://app.example.com, ${allowed.origin}` });
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('CORS Org');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    allowed?.server.close();
    other?.server.close();
  });

  /** Runs the three calls from a page on `origin`, in the browser, and returns what the page could read. */
  async function callsFrom(origin: string, userId: string): Promise<Record<'rest' | 'graphql' | 'connect', Call>> {
    // a plain context: the loopback-only one routes every request through Playwright, which
    // then answers CORS preflights itself, and the browser would not ask this service
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(origin);
      return await page.evaluate(
        async ({ api, token, userId }) => {
          const read = async (p: Promise<Response>): Promise<Call> => {
            try {
              const r = await p;
              return {
                status: r.status,
                body: await r.json(),
                retryAfter: r.headers.get('retry-after'),
                grpcStatus: r.headers.get('grpc-status'),
              };
            } catch (e) {
              return { error: String(e) };
            }
          };
          const auth = { authorization: `Bearer ${token}` };
          return {
            rest: await read(
              fetch(`${api}/v2/users/${userId}/email`, {
                method: 'POST',
                headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `cors-${userId}` },
                body: JSON.stringify({ email: `${userId}-rest@example.com`, returnCode: {} }),
              }),
            ),
            graphql: await read(
              fetch(`${api}/graphql`, {
                method: 'POST',
                headers: { ...auth, 'content-type': 'application/json' },
                body: JSON.stringify({
                  query: `mutation { setContactEmail(input: {userId: "${userId}", email: "${userId}-gql@example.com", returnCode: true}) { verificationCode } }`,
                }),
              }),
            ),
            connect: await read(
              fetch(`${api}/zitadel.user.v2.UserService/SetEmail`, {
                method: 'POST',
                headers: { ...auth, 'content-type': 'application/json', 'connect-protocol-version': '1', 'connect-timeout-ms': '10000' },
                body: JSON.stringify({ userId, email: `${userId}-connect@example.com`, returnCode: {} }),
              }),
            ),
          };
        },
        { api: t.url, token: t.adminToken, userId },
      );
    } finally {
      await context.close();
    }
  }

  it('a page on an allowed origin calls REST, GraphQL and Connect and reads the answers', async () => {
    const { userId } = await api.addUniqueUser(orgId, 'cors');
    const calls = await callsFrom(allowed.origin, userId);
    expect(calls.rest).toMatchObject({ status: 200, body: { verificationCode: expect.stringMatching(/^[A-Z0-9]{6}$/) } });
    expect(calls.graphql).toMatchObject({ status: 200, body: { data: { setContactEmail: { verificationCode: expect.any(String) } } } });
    expect(calls.connect).toMatchObject({ status: 200, body: { verificationCode: expect.any(String) } });
    const user = await api.getUser(userId);
    expect(user.body.user.human.email.email).toBe(`${userId}-connect@example.com`);
  });

  it('a page on an allowed origin reads the error model; the gRPC and Retry-After headers are exposed to it', async () => {
    const calls = await callsFrom(allowed.origin, 'no-such-user');
    expect(calls.rest).toMatchObject({ status: 404, body: { code: 5, details: [{ id: 'COMMAND-ieJ2e' }] } });
    expect(calls.connect).toMatchObject({ status: 404, body: { code: 'not_found' } });
    const r = await fetch(`${t.url}/v2/users/x/email`, { method: 'POST', headers: { origin: allowed.origin } });
    expect(r.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(r.headers.get('access-control-expose-headers')?.split(', ')).toEqual(CORS_EXPOSED_HEADERS);
    await r.arrayBuffer();
  });

  it('a page on any other origin cannot read the answers (the browser blocks them), and nothing changes', async () => {
    const { userId, email } = await api.addUniqueUser(orgId, 'cors-other');
    const calls = await callsFrom(other.origin, userId);
    for (const call of Object.values(calls)) expect(call).toEqual({ error: expect.stringContaining('Failed to fetch') });
    const user = await api.getUser(userId);
    expect(user.body.user.human.email.email).toBe(email);
  });

  it('answers preflights with what Connect and gRPC-web clients send, before authentication', async () => {
    for (const path of ['/v2/users/x/email', '/graphql', '/zitadel.user.v2.UserService/SetEmail']) {
      const r = await fetch(`${t.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: allowed.origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers':
            'authorization,content-type,x-grpc-web,x-user-agent,grpc-timeout,connect-protocol-version,connect-timeout-ms,idempotency-key',
        },
      });
      expect(r.status).toBe(204);
      expect(r.headers.get('access-control-allow-origin')).toBe(allowed.origin);
      expect(r.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
      expect(r.headers.get('access-control-allow-headers')?.split(', ')).toEqual(CORS_ALLOWED_HEADERS);
      expect(r.headers.get('access-control-allow-credentials')).toBeNull();
      await r.arrayBuffer();
    }
  });
});

describe('CORS unset (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends no CORS header and a preflight finds no route, as before', async () => {
    const pre = await fetch(`${t.url}/v2/users/x/email`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(404);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    await pre.arrayBuffer();
    const r = await fetch(`${t.url}/healthz`, { headers: { origin: 'https://app.example.com' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    await r.arrayBuffer();
  });
});
