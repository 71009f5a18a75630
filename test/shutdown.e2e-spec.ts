import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { startApp, TestApp } from './support/app.js';
import { Api, codeInMail } from './support/client.js';
import { freshDatabase, TEST_DB, TestDatabase } from './support/database.js';
import { listDeliveries, ok } from './support/deliveries.js';
import { eventually, FaultSmtpSink } from './support/fault-smtp.js';
import { buildServer, LoggedProcess, ServerBuild, startServer, StartedServer } from './support/server-process.js';
import { SmtpSink } from './support/smtp-sink.js';

/**
 * Stopping the built processes as an orchestrator does, with SIGTERM: the HTTP server
 * (`node <build>/src/main.js`) while SetEmail requests are in flight, and the standalone mail
 * worker (`node <build>/src/worker.js`) in the middle of a send. Both must finish what they
 * hold, exit with code 0 within a few seconds and leave a clean log. Also the worker modes:
 * an API with MAIL_WORKER=off sends nothing; the standalone worker delivers its outbox.
 */

const CONCURRENT = 20;
/** How long a stop may take: the requests in hand are quick, the worker's sends are bounded. */
const EXIT_WITHIN_MS = 5_000;
/** Shared by the API that encrypts the outbox payloads and the worker that decrypts them. */
const CODE_HMAC_KEY = 'shutdown-test-key-0123456789abcdefghijkl';

let build: ServerBuild;
const started: LoggedProcess[] = [];

beforeAll(async () => {
  build = await buildServer();
}, 240_000);

afterAll(async () => {
  await Promise.all(started.map((p) => p.proc.stop('SIGKILL')));
  build?.remove();
});

/** What one raw HTTP exchange came to: a response, or an error before any response. */
interface Exchange {
  status?: number;
  body?: string;
  error?: string;
}

/**
 * A POST over a connection of its own (no keep-alive pool). `split`: the headers and the first
 * half of the body go out now, the rest on `finish()` — a request the server holds half-read.
 */
function post(port: number, path: string, token: string, payload: string, split: boolean) {
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path,
    agent: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
  });
  req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')));
  const response = new Promise<Exchange>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (e) => resolve({ status: res.statusCode, body, error: e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
  const connected = new Promise<void>((resolve) =>
    req.on('socket', (s) => (s.connecting ? s.once('connect', () => resolve()) : resolve())),
  );
  const half = Math.floor(payload.length / 2);
  let written: Promise<void>;
  if (split) {
    req.write(payload.slice(0, half));
    written = Promise.resolve();
  } else {
    written = new Promise<void>((resolve) => req.end(payload, () => resolve()));
  }
  return {
    response,
    connected,
    written,
    finish: () => req.end(payload.slice(half)),
  };
}

/** Errors a client sees when the server never took its request: nothing was answered. */
const NOT_ACCEPTED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up']);

/** The log records written after `since` at error level or worse (pino: 50 error, 60 fatal). */
function errorsAfter(p: LoggedProcess, since: number) {
  return p.records.filter((r) => r.time >= since && r.level >= 50).map((r) => `${r.context ?? ''}: ${r.msg ?? ''}`);
}

/** Whether the outbox worker logged the end of its stop: the shutdown sequence ran to its end. */
function stoppedLogged(p: LoggedProcess): boolean {
  return p.records.some((r) => r.context === 'OutboxWorker' && r.msg === 'mail worker stopped');
}

describe(`graceful shutdown of the HTTP server on ${TEST_DB}`, () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let env: Record<string, string>;
  let seq = 0;

  beforeAll(async () => {
    db = await freshDatabase();
    sink = await new SmtpSink().start();
    env = {
      DATABASE_URL: db.url,
      DATA_DIR: join(db.dir, 'data'),
      SMTP_URL: sink.url,
      LOG_LEVEL: 'info',
      OUTBOX_POLL_MS: '100',
      EMAIL_RESEND_COOLDOWN_SECONDS: '0',
    };
  });
  afterAll(async () => {
    await Promise.all(started.map((p) => p.proc.stop('SIGKILL')));
    await sink?.close();
    await db?.drop();
  });

  async function start(name: string): Promise<StartedServer> {
    const s = await startServer(build, name, env);
    started.push(s.process);
    return s;
  }

  async function users(api: Api, n: number, tag: string): Promise<string[]> {
    const orgId = await api.addOrganization(`Shutdown ${tag}`);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await api.addUser(orgId, `${tag}-${i}`, `${tag}-${i}-initial@shutdown.example.com`));
    return ids;
  }

  /**
   * Starts the server again on the same database and reads the users' emails; with `mailTo`, also
   * waits (at most 10 s) for a mail to each of those addresses and returns those still without one.
   */
  async function afterRestart(
    name: string,
    userIds: string[],
    mailTo: string[] = [],
  ): Promise<{ emails: string[]; withoutMail: string[] }> {
    const again = await start(name);
    try {
      const api = new Api(again.url, again.adminToken);
      const emails = await Promise.all(
        userIds.map(async (id) => {
          const r = await api.getUser(id);
          return r.status === 200 ? r.body.user.human.email.email : `GET ${r.status}`;
        }),
      );
      await sink.waitFor(() => mailTo.every((a) => sink.to(a).length > 0), 10_000).catch(() => undefined);
      return { emails, withoutMail: mailTo.filter((a) => sink.to(a).length === 0) };
    } finally {
      await again.process.proc.stop('SIGTERM', 10_000);
    }
  }

  it(`${CONCURRENT} SetEmail requests in flight at SIGTERM all complete with 200; the process exits 0 within ${EXIT_WITHIN_MS} ms`, async () => {
    const tag = `inflight${++seq}`;
    const server = await start(`api-${tag}`);
    const admin = new Api(server.url, server.adminToken);
    const userIds = await users(admin, CONCURRENT, tag);
    const addresses = userIds.map((_, i) => `${tag}-${i}@shutdown.example.com`);

    // every request is on the wire and half-read by the server when the signal comes
    const calls = userIds.map((id, i) =>
      post(server.port, `/v2/users/${id}/email`, server.adminToken, JSON.stringify({ email: addresses[i], sendCode: {} }), true),
    );
    await Promise.all(calls.map((c) => c.connected));
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    server.process.signal('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    calls.forEach((c) => c.finish());
    const exchanges = await Promise.all(calls.map((c) => c.response));
    const exit = await server.process.exit(10_000);

    // the outbox rows committed with those changes survive the stop: the next start mails them
    const { emails, withoutMail } = await afterRestart(`api-${tag}-check`, userIds, addresses);
    expect({
      statuses: exchanges.map((e) => e.status ?? e.error),
      exit: exit.status,
      exitWithinLimit: exit.ms <= EXIT_WITHIN_MS,
      errorLogs: errorsAfter(server.process, signalledAt),
      emailsKept: emails,
      withoutMail,
      workerStoppedLogged: stoppedLogged(server.process),
    }).toEqual({
      statuses: Array(CONCURRENT).fill(200),
      exit: { code: 0, signal: null },
      exitWithinLimit: true,
      errorLogs: [],
      emailsKept: addresses,
      withoutMail: [],
      workerStoppedLogged: true,
    });
  }, 90_000);

  it(`SIGTERM right after ${CONCURRENT} SetEmail requests are sent: each is answered 200 or never accepted, none gets a 5xx`, async () => {
    const tag = `burst${++seq}`;
    const server = await start(`api-${tag}`);
    const admin = new Api(server.url, server.adminToken);
    const userIds = await users(admin, CONCURRENT, tag);
    const addresses = userIds.map((_, i) => `${tag}-${i}@shutdown.example.com`);

    const calls = userIds.map((id, i) =>
      post(server.port, `/v2/users/${id}/email`, server.adminToken, JSON.stringify({ email: addresses[i], returnCode: {} }), false),
    );
    await Promise.all(calls.map((c) => c.written));
    const signalledAt = Date.now();
    server.process.signal('SIGTERM');
    const exchanges = await Promise.all(calls.map((c) => c.response));
    const exit = await server.process.exit(10_000);

    const unexpected = exchanges.filter((e) => (e.status !== undefined ? e.status !== 200 : !NOT_ACCEPTED.has(e.error ?? '')));
    const tally: Record<string, number> = {};
    for (const e of exchanges) tally[String(e.status ?? e.error)] = (tally[String(e.status ?? e.error)] ?? 0) + 1;
    console.log(
      `SIGTERM after ${CONCURRENT} sent SetEmail on ${TEST_DB}: ${JSON.stringify(tally)}; exit ${JSON.stringify(exit.status)} after ${exit.ms} ms`,
    );

    // what was answered 200 is stored (read back by a fresh start on the same database)
    const { emails } = await afterRestart(`api-${tag}-check`, userIds);
    const lost = exchanges.flatMap((e, i) => (e.status === 200 && emails[i] !== addresses[i] ? [`${userIds[i]}: ${emails[i]}`] : []));
    expect({
      unexpected,
      exit: exit.status,
      exitWithinLimit: exit.ms <= EXIT_WITHIN_MS,
      errorLogs: errorsAfter(server.process, signalledAt),
      lost,
      workerStoppedLogged: stoppedLogged(server.process),
    }).toEqual({
      unexpected: [],
      exit: { code: 0, signal: null },
      exitWithinLimit: true,
      errorLogs: [],
      lost: [],
      workerStoppedLogged: true,
    });
  }, 90_000);
});

describe(`the standalone mail worker on ${TEST_DB}`, () => {
  let t: TestApp;
  let admin: Api;
  let orgId: string;
  let seq = 0;

  beforeAll(async () => {
    t = await startApp({ MAIL_WORKER: 'off', CODE_HMAC_KEY });
    admin = new Api(t.url, t.adminToken);
    orgId = await admin.addOrganization('Worker Org');
  });
  afterAll(async () => {
    await Promise.all(started.map((p) => p.proc.stop('SIGKILL')));
    await t?.close();
  });

  async function startWorker(name: string, smtpUrl: string, env: Record<string, string> = {}): Promise<LoggedProcess> {
    const p = new LoggedProcess(name, build.workerJs, {
      DATABASE_URL: t.db.url,
      DATA_DIR: join(t.db.dir, `data-${name}`),
      SMTP_URL: smtpUrl,
      CODE_HMAC_KEY,
      LOG_LEVEL: 'info',
      OUTBOX_POLL_MS: '200',
      ...env,
    });
    started.push(p);
    await eventually(
      () => {
        if (!p.running) throw new Error(`worker ${name} exited at start\n${p.tail()}`);
        return p.records.some((r) => r.context === 'OutboxWorker' && /started/.test(r.msg ?? '')) ? true : undefined;
      },
      `worker ${name} to start\n`,
      30_000,
      100,
    );
    return p;
  }

  async function mailFor(tag: string): Promise<{ userId: string; address: string }> {
    const name = `${tag}-${++seq}`;
    const userId = await admin.addUser(orgId, name, `${name}-initial@worker.example.com`);
    const address = `${name}@worker.example.com`;
    const r = await admin.setEmail('rest', userId, { email: address, sendCode: {} });
    if (!r.ok) throw new Error(`SetEmail: ${JSON.stringify(r.raw)}`);
    return { userId, address };
  }

  it('an API with MAIL_WORKER=off sends nothing; the standalone worker process then delivers the mail', async () => {
    const { userId, address } = await mailFor('modes');
    // the in-process tests poll the outbox every 100 ms: ten rounds would have sent it
    await new Promise((r) => setTimeout(r, 1_000));
    expect(t.sink.mails).toHaveLength(0);
    expect(ok(await listDeliveries(admin, 'rest', { userId }), 'list')).toEqual([
      expect.objectContaining({ state: 'pending', attempts: 0, sentAt: null }),
    ]);

    const worker = await startWorker(`worker-modes-${seq}`, t.sink.url);
    try {
      const mail = await t.sink.waitForMailTo(address, 1, 15_000);
      const verified = await admin.emailOp('rest', 'verify', userId, { verificationCode: codeInMail(mail) });
      expect(verified.ok).toBe(true);
      const [row] = await eventually(
        async () => {
          const list = ok(await listDeliveries(admin, 'rest', { userId, state: 'sent' }), 'list');
          return list.length ? list : undefined;
        },
        'the row to show sent',
        5_000,
        100,
      );
      expect(row).toEqual(expect.objectContaining({ state: 'sent', attempts: 1, lastError: null }));
      expect(t.sink.to(address)).toHaveLength(1);
    } finally {
      await worker.proc.stop('SIGTERM', 10_000);
    }
  }, 90_000);

  it(`on SIGTERM in the middle of a send the worker finishes it, records it and exits 0 within ${EXIT_WITHIN_MS} ms`, async () => {
    const dataStarted: string[] = [];
    // the relay holds each answer 1.5 s: the send is surely in hand when the signal comes
    const slow = await new FaultSmtpSink({
      dataDelayMs: 1_500,
      plan: (a) => {
        dataStarted.push(...a.recipients);
        return 'accept';
      },
    }).start();
    try {
      const worker = await startWorker(`worker-stop-${seq}`, slow.url);
      const { userId, address } = await mailFor('stop');
      await eventually(() => (dataStarted.includes(address) ? true : undefined), 'the worker to be sending the mail', 10_000, 20);
      const signalledAt = Date.now();
      worker.signal('SIGTERM');
      const exit = await worker.exit(10_000);
      const exitedAt = Date.now();

      const rows = ok(await listDeliveries(admin, 'rest', { userId }), 'list');
      expect({
        delivered: slow.deliveredTo(address).length,
        deliveredBeforeExit: slow.deliveredTo(address).every((m) => m.at <= exitedAt),
        states: rows.map((r) => r.state),
        exit: exit.status,
        exitWithinLimit: exit.ms <= EXIT_WITHIN_MS,
        errorLogs: errorsAfter(worker, signalledAt),
        workerStoppedLogged: stoppedLogged(worker),
      }).toEqual({
        delivered: 1,
        deliveredBeforeExit: true,
        states: ['sent'],
        exit: { code: 0, signal: null },
        exitWithinLimit: true,
        errorLogs: [],
        workerStoppedLogged: true,
      });
    } finally {
      await slow.stop();
    }
  }, 90_000);

  it('on SIGTERM in the middle of a backlog the worker exits 0 within the limit, leaves no mail stuck in sending, and a restart delivers the rest', async () => {
    const N = 6;
    const slow = await new FaultSmtpSink({ dataDelayMs: 800 }).start();
    try {
      const mails: { userId: string; address: string }[] = [];
      for (let i = 0; i < N; i++) mails.push(await mailFor('backlog'));
      // one batch of N claimed at once, two sends at a time: the signal comes with sends in hand and more claimed behind them
      const worker = await startWorker(`worker-backlog-${seq}`, slow.url, { OUTBOX_CONCURRENCY: '2' });
      await eventually(() => (slow.events.length > 0 ? true : undefined), 'the first answer of the relay', 10_000, 20);
      const signalledAt = Date.now();
      worker.signal('SIGTERM');
      const exit = await worker.exit(10_000);
      const states = async () =>
        Promise.all(mails.map(async (m) => ok(await listDeliveries(admin, 'rest', { userId: m.userId }), 'list')[0]!.state));
      const afterStop = await states();
      console.log(
        `worker SIGTERM mid-backlog on ${TEST_DB}: exit ${JSON.stringify(exit.status)} after ${exit.ms} ms${exit.killed ? ' (killed)' : ''}; states ${JSON.stringify(afterStop)}`,
      );

      const again = await startWorker(`worker-backlog-again-${seq}`, slow.url);
      try {
        await eventually(
          async () => ((await states()).every((s) => s === 'sent') ? true : undefined),
          'every mail to be sent after the restart',
          15_000,
          200,
        ).catch(() => undefined);
        const afterRestart = await states();
        expect({
          exit: exit.status,
          exitWithinLimit: exit.ms <= EXIT_WITHIN_MS,
          stuckInSending: afterStop.filter((s) => s === 'sending').length,
          errorLogs: errorsAfter(worker, signalledAt),
          workerStoppedLogged: stoppedLogged(worker),
          afterRestart,
          undelivered: mails.filter((m) => slow.deliveredTo(m.address).length === 0).map((m) => m.address),
        }).toEqual({
          exit: { code: 0, signal: null },
          exitWithinLimit: true,
          stuckInSending: 0,
          errorLogs: [],
          workerStoppedLogged: true,
          afterRestart: Array(N).fill('sent'),
          undelivered: [],
        });
      } finally {
        await again.proc.stop('SIGTERM', 10_000);
      }
    } finally {
      await slow.stop();
    }
  }, 90_000);
});
