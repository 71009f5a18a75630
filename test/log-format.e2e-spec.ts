import { join } from 'node:path';
import { Api } from './support/client.js';
import { freshDatabase, TEST_DB, TestDatabase } from './support/database.js';
import { buildServer, ServerBuild, startServer, StartedServer } from './support/server-process.js';

/**
 * The built server as users run it by default (LOG_LEVEL=info): one access line per request,
 * written through a buffer — and none of them lost when the process is stopped with SIGTERM
 * right after answering. With LOG_FORMAT=pretty the same records come as readable lines,
 * redaction unchanged.
 */

const PRETTY = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/;
/** An address in clear; the masked form (`mi***@example.com`) does not match. */
const EMAIL_IN_CLEAR = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

let build: ServerBuild;
let db: TestDatabase;

beforeAll(async () => {
  build = await buildServer();
  db = await freshDatabase();
}, 240_000);

afterAll(async () => {
  await db?.drop();
  build?.remove();
});

async function start(name: string, env: Record<string, string>): Promise<StartedServer> {
  return startServer(build, name, { DATABASE_URL: db.url, DATA_DIR: join(db.dir, 'data'), MAIL_WORKER: 'off', LOG_LEVEL: 'info', ...env });
}

/** `n` SetEmail (returnCode) requests, `parallel` at a time, each with its own X-Request-Id. */
async function setEmails(server: StartedServer, userId: string, n: number, tag: string, parallel = 10): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < n; i = next++) {
        const id = `${tag}-${i}`;
        const res = await fetch(`${server.url}/v2/users/${userId}/email`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json', 'x-request-id': id },
          body: JSON.stringify({ email: `${tag}.${i}@log-format.example.com`, returnCode: {} }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        ids.push(id);
      }
    }),
  );
  return ids;
}

describe(`request logs at the default level on ${TEST_DB}`, () => {
  it('every request has its access line at info, and SIGTERM right after the last answer loses none', async () => {
    const server = await start('log-json', {});
    const api = new Api(server.url, server.adminToken);
    const userId = await api.addUser(await api.addOrganization('Log Format JSON'), 'json-user');
    const ids = await setEmails(server, userId, 300, 'json');
    server.process.signal('SIGTERM');
    const { status } = await server.process.exit(10_000);
    expect(status).toEqual(expect.objectContaining({ code: 0 }));

    const byId = new Map(server.process.records.filter((r) => r.msg === 'request completed').map((r) => [r.req?.id, r]));
    expect(ids.filter((id) => !byId.has(id))).toEqual([]);
    const one = byId.get(ids[0]);
    expect(one).toEqual(
      expect.objectContaining({
        level: 30,
        req: { id: ids[0], method: 'POST', path: `/v2/users/${userId}/email` },
        res: { status: 200 },
        responseTime: expect.any(Number),
      }),
    );
    expect(server.process.stdout.match(EMAIL_IN_CLEAR) ?? []).toEqual([]);
  }, 120_000);
});

describe(`LOG_FORMAT=pretty on ${TEST_DB}`, () => {
  it('prints one readable line per event, requests included, with the same redaction', async () => {
    const server = await start('log-pretty', { LOG_FORMAT: 'pretty' });
    const api = new Api(server.url, server.adminToken);
    const userId = await api.addUser(await api.addOrganization('Log Format Pretty'), 'pretty-user');
    const ids = await setEmails(server, userId, 20, 'pretty');
    // a refused request: client errors are logged too
    const refused = await fetch(`${server.url}/v2/users/${userId}/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'pretty-refused' },
      body: '{}',
    });
    expect(refused.status).toBe(401);
    server.process.signal('SIGTERM');
    expect((await server.process.exit(10_000)).status).toEqual(expect.objectContaining({ code: 0 }));

    const lines = server.process.stdoutLines;
    expect(lines.filter((l) => !PRETTY.test(l))).toEqual([]);
    expect(server.process.records).toEqual([]);
    expect(lines.some((l) => /INFO {2}\[Main\] listening on /.test(l))).toBe(true);
    for (const id of ids) {
      expect(lines.filter((l) => l.endsWith(` id=${id}`))).toEqual([
        expect.stringMatching(new RegExp(`INFO {2}POST /v2/users/${userId}/email 200 [\\d.]+ ms id=${id}$`)),
      ]);
    }
    expect(lines.some((l) => / INFO {2}POST \/v2\/users\/\d+\/email 401 [\d.]+ ms id=pretty-refused$/.test(l))).toBe(true);
    expect(server.process.stdout).not.toContain(server.adminToken);
    expect(server.process.stdout.match(EMAIL_IN_CLEAR) ?? []).toEqual([]);
  }, 120_000);
});
