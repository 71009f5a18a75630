import { join } from 'node:path';
import { Api, codeInMail, gql, rest } from './support/client.js';
import { freshDatabase, TEST_DB, TestDatabase } from './support/database.js';
import { eventually } from './support/fault-smtp.js';
import { buildServer, LogRecord, ServerBuild, startServer, StartedServer } from './support/server-process.js';
import { SmtpSink } from './support/smtp-sink.js';

/**
 * The logs of the built server (`node <build>/src/main.js`, LOG_LEVEL=debug) as an operator
 * collects them from stdout: one JSON record a line, every request under a request ID that the
 * response carries in X-Request-Id, and no secret — neither tokens, nor codes (in responses,
 * bodies, mails or the hosted page's query), nor a user's full email address.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An address in clear; the masked form (`mi***@example.com`) does not match. */
const EMAIL_IN_CLEAR = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

let build: ServerBuild;
let db: TestDatabase;
let sink: SmtpSink;
let server: StartedServer;
let admin: Api;
let orgId: string;

beforeAll(async () => {
  build = await buildServer();
  db = await freshDatabase();
  sink = await new SmtpSink().start();
  server = await startServer(build, 'api', {
    DATABASE_URL: db.url,
    DATA_DIR: join(db.dir, 'data'),
    SMTP_URL: sink.url,
    LOG_LEVEL: 'debug',
    OUTBOX_POLL_MS: '100',
    EXTERNAL_URL: 'http://verify.test',
  });
  admin = new Api(server.url, server.adminToken);
  orgId = await admin.addOrganization('Logging Org');
}, 240_000);

afterAll(async () => {
  await server?.process.proc.stop('SIGTERM', 5_000);
  await sink?.close();
  await db?.drop();
  build?.remove();
});

/** The request records (pino-http's "request completed") with this request ID, once they are out. */
function requestRecords(id: string, timeoutMs = 3_000): Promise<LogRecord[]> {
  return eventually(
    () => {
      const found = server.process.records.filter((r) => r.req?.id === id || r.reqId === id);
      return found.length ? found : undefined;
    },
    `a log record of request ${id}\n${server.process.tail(3000)}`,
    timeoutMs,
    50,
  );
}

describe(`the server's logs on ${TEST_DB}`, () => {
  it('every line on stdout is one JSON log record (pino)', async () => {
    expect((await rest(server.url, 'GET', '/healthz')).status).toBe(200);
    const lines = server.process.stdoutLines;
    expect(lines.length).toBeGreaterThan(0);
    const notJson = lines.filter((l) => {
      try {
        const v = JSON.parse(l);
        return !(v && typeof v === 'object' && typeof v.level === 'number' && typeof v.time === 'number' && typeof v.msg === 'string');
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    // the start line is written after the HTTP port answers, through the buffered log destination
    const started = await eventually(
      () => server.process.records.find((r) => r.context === 'Main' && /listening on/.test(r.msg ?? '')),
      `the start line\n${server.process.tail(3000)}`,
      5_000,
      50,
    );
    expect(started.msg).toMatch(/listening on http:/);
  });

  it('each request is logged under a request ID that the response carries in X-Request-Id', async () => {
    const plain = await rest(server.url, 'GET', '/healthz');
    const generated = plain.headers.get('x-request-id');
    expect(generated).toMatch(UUID);
    const [healthz] = await requestRecords(generated!);
    expect(healthz!.req).toEqual(expect.objectContaining({ method: 'GET', path: '/healthz' }));
    expect(healthz!.res).toEqual(expect.objectContaining({ status: 200 }));

    // a sane incoming ID (a proxy's) is kept, for a refused request as for a served one
    const incoming = 'edge-7f3a.proxy:42_x';
    const refused = await rest(server.url, 'GET', '/v2/mail/deliveries', undefined, undefined, { 'X-Request-Id': incoming });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe(incoming);
    const [record] = await requestRecords(incoming);
    expect(record!.req).toEqual(expect.objectContaining({ method: 'GET', path: '/v2/mail/deliveries' }));
    expect(record!.res).toEqual(expect.objectContaining({ status: 401 }));

    const gqlCall = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}`, 'x-request-id': 'gql-call-1' },
      body: JSON.stringify({ query: '{ mailDeliveries { id } }' }),
    });
    expect(gqlCall.status).toBe(200);
    expect(gqlCall.headers.get('x-request-id')).toBe('gql-call-1');
    await requestRecords('gql-call-1');

    // an ID that is not sane (too long, or characters a log viewer may trip on) is replaced
    for (const bad of ['x'.repeat(65), 'two words', 'a"b{c}']) {
      const r = await rest(server.url, 'GET', '/healthz', undefined, undefined, { 'X-Request-Id': bad });
      const id = r.headers.get('x-request-id');
      expect(id).toMatch(UUID);
      await requestRecords(id!);
      expect(server.process.stdout).not.toContain(bad);
    }
  });

  it('no token, no code and no full email address reaches the logs', async () => {
    const secrets: string[] = [server.adminToken];
    const addresses: string[] = [];
    const ids: string[] = [];
    const call = async (
      method: string,
      path: string,
      body: unknown,
      token: string | undefined,
      tag: string,
      headers: Record<string, string> = {},
    ) => {
      const id = `secrets-${tag}`;
      ids.push(id);
      return rest(server.url, method, path, body, token, { 'X-Request-Id': id, ...headers });
    };

    addresses.push(
      'minnie.mouse@logs.example.com',
      'mickey.mouse@logs.example.com',
      'daisy.duck@logs.example.com',
      'donald.duck@logs.example.com',
    );
    const added = await call(
      'POST',
      '/v2/users/human',
      {
        username: 'minnie',
        organization: { orgId },
        profile: { givenName: 'Minnie', familyName: 'Mouse' },
        email: { email: addresses[0], returnCode: {} },
      },
      server.adminToken,
      'add-user',
    );
    expect(added.status).toBe(200);
    const userId: string = added.body.userId;
    secrets.push(added.body.emailCode);

    // SetEmail with returnCode: the code is in the response
    const set = await call('POST', `/v2/users/${userId}/email`, { email: addresses[1], returnCode: {} }, server.adminToken, 'set-email');
    expect(set.status).toBe(200);
    const code: string = set.body.verificationCode;
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    secrets.push(code);

    // a wrong code, then the right one, in the body of VerifyEmail
    const wrong = code === 'Q7Z3K9' ? 'Q7Z3K8' : 'Q7Z3K9';
    secrets.push(wrong);
    expect(
      (await call('POST', `/v2/users/${userId}/email/verify`, { verificationCode: wrong }, server.adminToken, 'verify-wrong')).status,
    ).toBe(400);
    expect((await call('POST', `/v2/users/${userId}/email/verify`, { verificationCode: code }, server.adminToken, 'verify')).status).toBe(
      200,
    );

    // the same over GraphQL
    const viaGql = await gql(
      server.url,
      'mutation($input: SetContactEmailInput!) { setContactEmail(input: $input) { verificationCode } }',
      { input: { userId, email: addresses[2], returnCode: true } },
      server.adminToken,
    );
    const gqlCode: string = viaGql.body?.data?.setContactEmail?.verificationCode;
    expect(gqlCode).toMatch(/^[A-Z0-9]{6}$/);
    secrets.push(gqlCode);
    const verified = await gql(
      server.url,
      'mutation($input: VerifyEmailInput!) { verifyEmail(input: $input) { details { sequence } } }',
      { input: { userId, verificationCode: gqlCode } },
      server.adminToken,
    );
    expect(verified.body.errors).toBeUndefined();

    // a mailed code: the worker renders and sends it
    expect(
      (await call('POST', `/v2/users/${userId}/email`, { email: addresses[3], sendCode: {} }, server.adminToken, 'send-code')).status,
    ).toBe(200);
    const mailed = codeInMail(await sink.waitForMailTo(addresses[3]!));
    secrets.push(mailed);

    // the hosted page: GET carries the code in the query, the form POST in the body
    const page = await call('GET', `/ui/v2/login/verify?code=SECRET1&organization=${orgId}&userId=${userId}`, undefined, undefined, 'page');
    expect(page.status).toBe(200);
    secrets.push('SECRET1');
    const form = await call('POST', '/ui/v2/login/verify', `userId=${userId}&code=SECRET2`, undefined, 'page-form', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(400);
    secrets.push('SECRET2');

    // a second token, issued and used once
    const pat = await call('POST', `/v2/users/${userId}/pats`, {}, server.adminToken, 'add-pat');
    expect(pat.status).toBe(200);
    secrets.push(pat.body.token);
    expect((await call('GET', `/v2/users/${userId}`, undefined, pat.body.token, 'self')).status).toBe(200);

    // the requests above are in the log (otherwise its silence proves nothing)...
    for (const id of ids) await requestRecords(id);
    // ...and the worker's send too
    await eventually(
      () => (server.process.records.some((r) => r.context === 'OutboxWorker' && /sent/.test(r.msg ?? '')) ? true : undefined),
      'the worker to log the send',
      5_000,
      50,
    );

    const logs = `${server.process.stdout}\n${server.process.stderr}`;
    const leaked = secrets.filter((s) =>
      new RegExp(`(?<![A-Za-z0-9_-])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`).test(logs),
    );
    expect(leaked).toEqual([]);
    expect(addresses.filter((a) => logs.includes(a))).toEqual([]);
    expect(logs.match(EMAIL_IN_CLEAR) ?? []).toEqual([]);
  });
});
