import type { Clock } from '../common/clock.js';
import type { SecretBox } from '../common/secret-box.js';
import type { AppConfig } from '../config/config.js';
import type { OutboxMessageEntity } from '../database/entities/outbox-message.entity.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import type { MetricsService } from '../observability/metrics.service.js';
import type { UserStore } from '../users/user-store.js';
import type { MailSender } from './mail-sender.js';
import type { OutboxService } from './outbox.service.js';
import { backoffMs, isPermanent, OutboxWorker } from './outbox.worker.js';

const FIFTEEN_MINUTES = 15 * 60_000;

describe('isPermanent', () => {
  const smtpError = (responseCode: number) =>
    Object.assign(new Error(`Message failed: ${responseCode}`), { code: 'EMESSAGE', responseCode, response: `${responseCode} no` });

  it.each([550, 552, 553, 554])('treats SMTP %i as permanent', (code) => {
    expect(isPermanent(smtpError(code))).toBe(true);
  });

  it.each([421, 450, 451, 452])('retries SMTP %i', (code) => {
    expect(isPermanent(smtpError(code))).toBe(false);
  });

  it('retries a network error', () => {
    expect(isPermanent(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNECTION' }))).toBe(false);
    expect(isPermanent(Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' }))).toBe(false);
  });

  it('treats an error marked permanent as permanent', () => {
    expect(isPermanent({ permanent: true })).toBe(true);
    expect(isPermanent(Object.assign(new Error('mail has no payload'), { permanent: true }))).toBe(true);
  });

  it.each([null, undefined, 'boom'])('retries an odd thrown value %j', (thrown) => {
    expect(isPermanent(thrown)).toBe(false);
  });
});

describe('backoffMs', () => {
  const base = 1000;
  const top = () => 1 - Number.EPSILON;
  const bottom = () => 0;

  it('grows exponentially with the attempts', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, base, top))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, base, bottom))).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('starts at the base for the first attempt (and for attempt 0)', () => {
    expect(backoffMs(0, base, top)).toBe(1000);
    expect(backoffMs(1, base, top)).toBe(1000);
  });

  it('is bounded by 15 minutes', () => {
    for (const attempts of [11, 20, 50, 100, 2000]) {
      expect(backoffMs(attempts, base, top)).toBe(FIFTEEN_MINUTES);
      expect(backoffMs(attempts, base, bottom)).toBe(FIFTEEN_MINUTES / 2);
    }
  });

  it('stays within [ceiling/2, ceiling] for any random value', () => {
    for (const attempts of [1, 3, 6, 12]) {
      const ceiling = Math.min(5000 * 2 ** (attempts - 1), FIFTEEN_MINUTES);
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.999999]) {
        const ms = backoffMs(attempts, 5000, () => r);
        expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
        expect(ms).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('jitters with Math.random by default, within the same bounds', () => {
    for (let i = 0; i < 200; i++) {
      const ms = backoffMs(3, 1000);
      expect(ms).toBeGreaterThanOrEqual(2000);
      expect(ms).toBeLessThanOrEqual(4000);
    }
  });
});

describe('OutboxWorker: a mail sent but not marked', () => {
  it('is not a failed delivery: never retried or marked dead, its row left to its lease', async () => {
    const calls: string[] = [];
    const mail = {
      id: 'm1',
      kind: 'email.verify',
      recipient: 'a@example.com',
      payload: 'sealed',
      attempts: 5,
      userId: 'u1',
    } as unknown as OutboxMessageEntity;
    const uow = { run: (work: (em: unknown) => Promise<unknown>) => work({}) } as unknown as UnitOfWork;
    const outbox = {
      claimDue: async () => [mail],
      markSent: async () => {
        calls.push('markSent');
        throw new Error('database is locked');
      },
      markFailed: async (_em: unknown, id: string, status: string) => {
        calls.push(`markFailed ${id} ${status}`);
        return true;
      },
    } as unknown as OutboxService;
    const sender = { send: async () => void calls.push('send') } as unknown as MailSender;
    const box = { decrypt: () => '{}' } as unknown as SecretBox;
    const metrics = { mailDeliveries: { inc: ({ outcome }: { outcome: string }) => void calls.push(`metric ${outcome}`) } };
    const worker = new OutboxWorker(
      uow,
      outbox,
      sender,
      box,
      { now: () => new Date(0) } as Clock,
      metrics as unknown as MetricsService,
      {} as UserStore,
      { outboxMaxAttempts: 5, outboxRetryBaseMs: 1000, outboxConcurrency: 4, outboxLeaseMs: 60_000 } as AppConfig,
    );
    await worker.drainOnce();
    expect(calls).toEqual(['send', 'metric sent', 'markSent']);
  });
});
