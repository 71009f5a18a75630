import { DataSource } from 'typeorm';
import { OutboxMessageEntity } from '../src/database/entities/outbox-message.entity.js';
import { startApp, TestApp } from './support/app.js';
import { Api } from './support/client.js';
import { eventually, FaultSmtpSink, SmtpAction } from './support/fault-smtp.js';

/**
 * The durable outbox against an SMTP server that misbehaves the ways real ones do: a temporary
 * 451, a permanent 550, a port that refuses connections, a connection cut in the middle of DATA.
 * Each mail must end delivered exactly once (one 250 from the sink) or dead with its reason,
 * and its row must say so. The app runs in-process with its inline worker; the sink decides
 * per recipient, so the cases do not disturb one another.
 */

const MAX_ATTEMPTS = 4;

interface Harness {
  t: TestApp;
  api: Api;
  orgId: string;
  ds: DataSource;
}

const sink = new FaultSmtpSink();
const rules = new Map<string, (attempt: number) => SmtpAction>();
sink.setPlan(({ recipients, attempt }) => rules.get(recipients[0] ?? '')?.(attempt) ?? 'accept');

async function harness(env: Record<string, string>): Promise<Harness> {
  const t = await startApp({ SMTP_URL: sink.url, OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '50', EMAIL_MAX_MAILS_PER_DAY: '0', ...env });
  const api = new Api(t.url, t.adminToken);
  return { t, api, orgId: await api.addOrganization('Fault Org'), ds: t.app.get(DataSource) };
}

let seq = 0;
/**
 * A new user, then SetEmail with sendCode: exactly one verification mail enters the outbox, to
 * a fresh address the sink answers with `rule` (set before the mail can leave).
 */
async function mailTo(h: Harness, tag: string, rule: (attempt: number) => SmtpAction = () => 'accept'): Promise<string> {
  const address = `${tag}-${++seq}@faults.example.com`;
  rules.set(address, rule);
  const userId = await h.api.addUser(h.orgId, `${tag}-${seq}`, `${tag}-${seq}-old@faults.example.com`);
  const r = await h.api.setEmail('rest', userId, { email: address, sendCode: {} });
  if (!r.ok) throw new Error(`SetEmail failed: ${JSON.stringify(r.raw)}`);
  return address;
}

function row(h: Harness, recipient: string): Promise<OutboxMessageEntity | null> {
  return h.ds.getRepository(OutboxMessageEntity).findOneBy({ recipient });
}

/** Waits until the mail's row reaches one of `statuses`, and returns it. */
function rowIn(h: Harness, recipient: string, statuses: OutboxMessageEntity['status'][], timeoutMs = 10_000): Promise<OutboxMessageEntity> {
  return eventually(
    async () => {
      const r = await row(h, recipient);
      return r && statuses.includes(r.status) ? r : undefined;
    },
    `the outbox row of ${recipient} to be ${statuses.join(' or ')}`,
    timeoutMs,
  );
}

/** A settled row stays settled: give a stray retry the time to show up. */
const settle = () => new Promise((r) => setTimeout(r, 400));

beforeAll(async () => {
  await sink.start();
});
afterAll(async () => {
  await sink.stop();
});

describe(`outbox under SMTP faults (max ${MAX_ATTEMPTS} attempts)`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS) });
  });
  /** Recipients whose mail ended dead in the cases above. */
  const deadRows: string[] = [];
  afterAll(() => h.t.close());

  it('451 on the first DATA, then 250: delivered exactly once, sent on attempt 2', async () => {
    const address = await mailTo(h, 'tempfail', (n) => (n === 1 ? { reply: 451 } : 'accept'));
    const sent = await rowIn(h, address, ['sent', 'dead']);
    await settle();
    expect({ status: sent.status, attempts: sent.attempts, payload: sent.payload, lastError: sent.lastError }).toEqual({
      status: 'sent',
      attempts: 2,
      payload: null,
      lastError: null,
    });
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(sink.eventsFor(address).map((e) => e.outcome)).toEqual([451, 'accept']);
    expect(sink.deliveredTo(address).map((m) => m.messageId)).toEqual([`<${sent.id}@localhost>`]);
  });

  it('550: dead at once after one attempt, with the reason, and never retried', async () => {
    const address = await mailTo(h, 'permfail', () => ({ reply: 550 }));
    const dead = await rowIn(h, address, ['sent', 'dead']);
    await settle();
    const after = (await row(h, address))!;
    expect({ status: after.status, attempts: after.attempts, sentAt: after.sentAt }).toEqual({ status: 'dead', attempts: 1, sentAt: null });
    deadRows.push(address);
    expect(dead.lastError).toMatch(/550/);
    expect(sink.eventsFor(address).map((e) => e.outcome)).toEqual([550]);
    expect(sink.deliveredTo(address)).toEqual([]);
  });

  it('the connection cut in the middle of DATA: retried and delivered exactly once', async () => {
    const address = await mailTo(h, 'midcut', (n) => (n === 1 ? 'drop' : 'accept'));
    const sent = await rowIn(h, address, ['sent', 'dead']);
    await settle();
    const after = (await row(h, address))!;
    expect({ status: after.status, payload: after.payload }).toEqual({ status: 'sent', payload: null });
    expect(sink.eventsFor(address).map((e) => e.outcome)).toEqual(['drop', 'accept']);
    expect(sink.deliveredTo(address).map((m) => m.messageId)).toEqual([`<${sent.id}@localhost>`]);
    // the retry is the outbox's own: a second claim, counted in the row
    expect(after.attempts).toBe(2);
  });

  it('a connection cut in the middle of every DATA: dead after the last attempt, not resent forever', async () => {
    const address = await mailTo(h, 'alwayscut', () => 'drop');
    const dead = await rowIn(h, address, ['sent', 'dead'], 20_000);
    await settle();
    const after = (await row(h, address))!;
    expect({ status: after.status, attempts: after.attempts }).toEqual({ status: 'dead', attempts: MAX_ATTEMPTS });
    deadRows.push(address);
    expect(dead.lastError).toBeTruthy();
    expect(sink.eventsFor(address).map((e) => e.outcome)).toEqual(Array(MAX_ATTEMPTS).fill('drop'));
    expect(sink.deliveredTo(address)).toEqual([]);
  });

  it(`451 on every DATA: dead after ${MAX_ATTEMPTS} attempts with the reason`, async () => {
    const address = await mailTo(h, 'always451', () => ({ reply: 451 }));
    const dead = await rowIn(h, address, ['sent', 'dead']);
    await settle();
    const after = (await row(h, address))!;
    expect({ status: after.status, attempts: after.attempts, sentAt: after.sentAt }).toEqual({
      status: 'dead',
      attempts: MAX_ATTEMPTS,
      sentAt: null,
    });
    deadRows.push(address);
    expect(dead.lastError).toMatch(/451/);
    expect(sink.eventsFor(address).map((e) => e.outcome)).toEqual(Array(MAX_ATTEMPTS).fill(451));
    expect(sink.deliveredTo(address)).toEqual([]);
  });

  it('a dead mail keeps only its sealed payload (so an admin can requeue it), never the code in clear', async () => {
    expect(deadRows.length).toBeGreaterThan(0);
    const rows = await Promise.all(deadRows.map((r) => row(h, r)));
    for (const [i, r] of rows.entries()) {
      expect(r?.recipient).toBe(deadRows[i]);
      expect(r?.status).toBe('dead');
      // AES-GCM sealed: version, IV, tag and ciphertext in base64url; no readable template data
      expect(r?.payload).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(r?.payload).not.toContain('http');
    }
  });
});

describe('outbox while the SMTP server refuses connections', () => {
  let h: Harness;
  beforeAll(async () => {
    // backoff from 200 ms and room for 10 attempts: the mail waits for the server instead of dying
    h = await harness({ OUTBOX_MAX_ATTEMPTS: '10', OUTBOX_RETRY_BASE_MS: '200' });
  });
  afterAll(async () => {
    if (!sink.running) await sink.start();
    await h.t.close();
  });

  it('retrying with the connection error while the port is closed, delivered once when the server is back', async () => {
    await sink.stop();
    const address = await mailTo(h, 'refused');
    const waiting = await rowIn(h, address, ['retrying', 'dead', 'sent']);
    expect(waiting.status).toBe('retrying');
    expect(waiting.attempts).toBeGreaterThanOrEqual(1);
    expect(waiting.lastError).toMatch(/ECONNREFUSED/);
    expect(waiting.payload).not.toBeNull();

    await sink.start(sink.port);
    const sent = await rowIn(h, address, ['sent', 'dead']);
    await settle();
    const after = (await row(h, address))!;
    expect({ status: after.status, payload: after.payload, lastError: after.lastError }).toEqual({
      status: 'sent',
      payload: null,
      lastError: null,
    });
    expect(after.attempts).toBeGreaterThanOrEqual(2);
    expect(sink.deliveredTo(address).map((m) => m.messageId)).toEqual([`<${sent.id}@localhost>`]);
  });
});
