import { Code } from '@connectrpc/connect';
import { connect as http2Connect } from 'node:http2';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { DataSource } from 'typeorm';
import { GrpcServer } from '../src/connect/grpc-server.js';
import { OutboxMessageEntity } from '../src/database/entities/outbox-message.entity.js';
import { startApp, TestApp } from './support/app.js';
import { Api, rest } from './support/client.js';
import { SmtpSink } from './support/smtp-sink.js';
import { type Answer, connectAnswer, userService, type Wire, wires } from './support/wires.js';

/**
 * Spec §7.10 (public surfaces) and §7.11 (protocol hygiene): what a stranger can read or do
 * without a token, the gRPC server's limits, readable refusals, and what a user's own values
 * can do to a mail.
 */

const API_WIRES: Wire[] = ['rest', 'graphql', 'connect'];
const INTROSPECTION = '{ __schema { queryType { name } } }';

function expectOk(a: Answer): asserts a is Extract<Answer, { ok: true }> {
  if (!a.ok) throw new Error(`expected success, got code ${a.grpcCode} ${a.id}: ${a.message}`);
}

const graphql = (t: TestApp, query: string, token?: string) => rest(t.url, 'POST', '/graphql', { query }, token);

describe('§7.10 public surfaces', () => {
  let t: TestApp;
  let open: TestApp;
  const METRICS_TOKEN = 'metrics-scrape-token-0123456789';

  beforeAll(async () => {
    t = await startApp({ METRICS_TOKEN });
    open = await startApp({ GRAPHQL_PUBLIC_INTROSPECTION: 'true' });
  });
  afterAll(async () => {
    await t.close();
    await open.close();
  });

  describe('GraphQL introspection needs a valid token', () => {
    it.each([
      ['no token', undefined, 'AUTH-7fs1e'],
      ['a token that is not one', 'x'.repeat(43), 'AUTHZ-Kl3p0'],
    ])('%s: 401, no schema', async (_, token, id) => {
      for (const query of [
        INTROSPECTION,
        '{ __type(name: "Query") { name } }',
        'query { ...F } fragment F on Query { __schema { types { name } } }',
      ]) {
        const r = await graphql(t, query, token);
        expect(r.status).toBe(401);
        expect(r.body.data).toBeUndefined();
        expect(r.body.errors).toHaveLength(1);
        expect(r.body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', grpcCode: 16, httpStatus: 401, id });
        expect(JSON.stringify(r.body)).not.toContain('queryType');
      }
    });

    it('with a valid token: the schema', async () => {
      const r = await graphql(t, INTROSPECTION, t.adminToken);
      expect(r.status).toBe(200);
      expect(r.body.data.__schema.queryType.name).toBe('Query');
    });

    it('the Sandbox page itself stays public', async () => {
      const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
    });

    it('GRAPHQL_PUBLIC_INTROSPECTION=true: the schema without a token', async () => {
      const r = await graphql(open, INTROSPECTION);
      expect(r.status).toBe(200);
      expect(r.body.data.__schema.queryType.name).toBe('Query');
    });
  });

  describe('/metrics with METRICS_TOKEN', () => {
    it.each([
      ['no Authorization', {}],
      ['another token', { authorization: 'Bearer metrics-scrape-token-012345678X' }],
      ['the token without Bearer', { authorization: METRICS_TOKEN }],
      ['an admin PAT', {} as Record<string, string>],
    ])('%s: 401, no metrics', async (name, headers) => {
      const h = name === 'an admin PAT' ? { authorization: `Bearer ${t.adminToken}` } : headers;
      const res = await fetch(`${t.url}/metrics`, { headers: h });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('process_cpu');
    });

    it('Bearer METRICS_TOKEN: the metrics', async () => {
      const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('process_cpu');
    });

    it('without METRICS_TOKEN /metrics stays open (keep the port internal)', async () => {
      const res = await fetch(`${open.url}/metrics`);
      expect(res.status).toBe(200);
    });
  });
});

describe('§7.10 the gRPC server: idle and session timeouts, stream and message caps', () => {
  let idle: TestApp;
  let idlePort: number;
  let aged: TestApp;
  let agedPort: number;

  beforeAll(async () => {
    idle = await startApp({ GRPC_IDLE_TIMEOUT_SECONDS: '1', GRPC_MAX_CONCURRENT_STREAMS: '4', GRPC_MAX_MESSAGE_BYTES: '2048' });
    idlePort = await idle.app.get(GrpcServer).listen(0, '127.0.0.1');
    aged = await startApp({ GRPC_SESSION_TIMEOUT_SECONDS: '2', GRPC_IDLE_TIMEOUT_SECONDS: '60' });
    agedPort = await aged.app.get(GrpcServer).listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await idle.close();
    await aged.close();
  });

  it('advertises the stream cap, and closes a connection that stays silent past the idle timeout', async () => {
    const session = http2Connect(`http://127.0.0.1:${idlePort}`);
    const settings = await new Promise<{ maxConcurrentStreams?: number }>((resolve, reject) => {
      session.once('remoteSettings', resolve);
      session.once('error', reject);
    });
    expect(settings.maxConcurrentStreams).toBe(4);
    const opened = Date.now();
    await new Promise<void>((resolve) => session.once('close', () => resolve()));
    const ms = Date.now() - opened;
    expect(ms).toBeGreaterThanOrEqual(800);
    expect(ms).toBeLessThan(5000);
  });

  it('asks a busy connection to go away after the session timeout', async () => {
    const session = http2Connect(`http://127.0.0.1:${agedPort}`);
    session.on('error', () => undefined);
    const opened = Date.now();
    const busy = setInterval(() => session.ping(() => undefined), 200);
    try {
      await new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    } finally {
      clearInterval(busy);
      session.destroy();
    }
    const ms = Date.now() - opened;
    expect(ms).toBeGreaterThanOrEqual(1500);
    expect(ms).toBeLessThan(6000);
  });

  it('refuses a message over GRPC_MAX_MESSAGE_BYTES with ResourceExhausted, before anything runs', async () => {
    const userId = await new Api(idle.url, idle.adminToken).addUser(
      await new Api(idle.url, idle.adminToken).addOrganization('gRPC Org'),
      'grpc-big',
    );
    const c = userService({ url: idle.url, grpcPort: idlePort, token: idle.adminToken }, 'grpc');
    const big = await connectAnswer(
      c.setEmail({ userId, email: `${'a'.repeat(3000)}@example.com`, verification: { case: 'returnCode', value: {} } }),
    );
    expect(big.ok ? 'ok' : big.grpcCode).toBe(Code.ResourceExhausted);
    // a message under the cap is served as usual
    expectOk(await connectAnswer(c.setEmail({ userId, email: 'grpc-small@example.com', verification: { case: 'returnCode', value: {} } })));
  });
});

/** POSTs `size` bytes to `path` with a raw client that writes the whole body, as curl would; what it could read back. */
function postLarge(
  base: string,
  path: string,
  size: number,
  contentType: string,
  token: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path,
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': size, authorization: `Bearer ${token}` },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(Buffer.alloc(size, 'a'));
  });
}

describe('§7.11 protocol hygiene', () => {
  let t: TestApp;
  let grpcPort: number;
  let orgId: string;

  beforeAll(async () => {
    t = await startApp({});
    grpcPort = await t.app.get(GrpcServer).listen(0, '127.0.0.1');
    orgId = await new Api(t.url, t.adminToken).addOrganization('Hygiene Org');
  });
  afterAll(() => t.close());

  it.each([
    ['REST', '/v2/users/1/email', 'application/json', 413, 'REQUEST-Tk3pa'],
    ['GraphQL', '/graphql', 'application/json', 413, 'REQUEST-Tk3pa'],
    ['Connect', '/zitadel.user.v2.UserService/SetEmail', 'application/json', 429, 'resource_exhausted'],
  ])('%s: a 5 MB body gets an answer the client can read (not EPIPE), again and again', async (_, path, type, status, marker) => {
    for (let i = 0; i < 3; i++) {
      const r = await postLarge(t.url, path, 5 * 1024 * 1024, type, t.adminToken);
      expect(r.status).toBe(status);
      expect(r.body).toContain(marker);
    }
  });

  it('a GraphQL subscription is a 400 validation error, not code 13', async () => {
    const r = await graphql(t, 'subscription { user(id: "1") { userId } }', t.adminToken);
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions).toEqual({ code: 'INVALID_ARGUMENT', grpcCode: 3, httpStatus: 400, id: 'GRAPHQL-n0sub' });
  });

  it.each(API_WIRES)('over %s: CR/LF in a display name adds no line to the plain-text mail', async (wire) => {
    const to = `crlf-${wire}@example.com`;
    const a = await wires.addHumanUser({ url: t.url, grpcPort, token: t.adminToken }, wire, {
      orgId,
      username: `crlf-${wire}`,
      email: to,
      verify: { send: {} },
      displayName: 'Eve\r\nInjected: your account is locked, call +1 555 0100\r\n\u0085Next',
    });
    expectOk(a);
    const mail = await t.sink.waitForMailTo(to);
    const lines = mail.text.split(/\r?\n/);
    expect(lines.some((l) => l.startsWith('Injected'))).toBe(false);
    expect(lines).toContain('Hello EveInjected: your account is locked, call +1 555 0100Next,');
  });
});

/** An address of this machine that is not loopback: an SMTP server there is "remote" for the rule. */
function nonLoopbackAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address to put the SMTP server on');
}

describe('§7.11 smtp:// requires STARTTLS except to a loopback host or with ?tls=none', () => {
  const host = nonLoopbackAddress();

  async function mailThrough(smtpUrl: (sink: SmtpSink) => string, sink: SmtpSink): Promise<{ t: TestApp; userId: string; to: string }> {
    const t = await startApp({ SMTP_URL: smtpUrl(sink), OUTBOX_MAX_ATTEMPTS: '2' }, undefined);
    const api = new Api(t.url, t.adminToken);
    const userId = await api.addUser(await api.addOrganization('TLS Org'), 'tls-user');
    const to = 'tls-user-new@example.com';
    const r = await rest(t.url, 'POST', `/v2/users/${userId}/email`, { email: to, sendCode: {} }, t.adminToken);
    expect(r.status).toBe(200);
    return { t, userId, to };
  }

  it('a remote server without STARTTLS gets no mail: the code never travels in clear text', async () => {
    const sink = await new SmtpSink({}, { host }).start();
    const { t, userId } = await mailThrough((s) => s.url, sink);
    try {
      const rows = () => t.app.get(DataSource).getRepository(OutboxMessageEntity).find({ where: { userId } });
      for (let i = 0; i < 50 && (await rows()).every((m) => m.lastError === null); i++) await new Promise((r) => setTimeout(r, 100));
      const [row] = await rows();
      expect(row!.status).not.toBe('sent');
      // nodemailer asked for STARTTLS, which this server does not know, and gave up
      expect(row!.lastError).toEqual(expect.any(String));
      expect(sink.mails).toHaveLength(0);
    } finally {
      await t.close();
      await sink.close();
    }
  });

  it('a remote server offering STARTTLS gets the mail over TLS', async () => {
    const sink = await new SmtpSink({}, { host, startTls: true }).start();
    const { t, to } = await mailThrough((s) => `${s.url}?tls.rejectUnauthorized=false`, sink);
    try {
      const mail = await sink.waitForMailTo(to);
      expect(mail.secure).toBe(true);
    } finally {
      await t.close();
      await sink.close();
    }
  });

  it('?tls=none: the operator said so, the mail goes in clear text', async () => {
    const sink = await new SmtpSink({}, { host, startTls: true }).start();
    const { t, to } = await mailThrough((s) => `${s.url}?tls=none`, sink);
    try {
      const mail = await sink.waitForMailTo(to);
      expect(mail.secure).toBe(false);
    } finally {
      await t.close();
      await sink.close();
    }
  });
});
