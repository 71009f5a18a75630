import { EmailCodesRepository } from '../../src/email/email-codes.repository.js';
import { IdempotencyRepository } from '../../src/database/idempotency.repository.js';
import { OutboxMessageEntity, OutboxStatus } from '../../src/database/entities/outbox-message.entity.js';
import { OutboxRepository } from '../../src/outbox/outbox.repository.js';
import { TEST_DB } from '../support/database.js';
import { uniqueId, useDataLayer } from '../support/repositories.js';

describe(`OutboxRepository, EmailCodesRepository and IdempotencyRepository on ${TEST_DB}`, () => {
  const t = useDataLayer();
  let outbox: OutboxRepository;
  let codes: EmailCodesRepository;
  let keys: IdempotencyRepository;
  beforeAll(() => {
    outbox = new OutboxRepository(t.sql);
    codes = new EmailCodesRepository(t.sql);
    keys = new IdempotencyRepository(t.sql);
  });

  const T0 = 1_760_000_000_000;
  const mail = (over: Partial<OutboxMessageEntity> = {}): OutboxMessageEntity =>
    Object.assign(new OutboxMessageEntity(), {
      id: uniqueId(),
      userId: 'user-1',
      kind: 'email.verify',
      recipient: 'a@example.com',
      payload: 'sealed',
      status: 'pending' as OutboxStatus,
      attempts: 0,
      nextAttemptAt: new Date(T0),
      lockedUntil: null,
      lastError: null,
      createdAt: new Date(T0),
      sentAt: null,
      recipientHash: null,
      ...over,
    });
  const insert = (...rows: OutboxMessageEntity[]) =>
    t.uow.run(async (em) => {
      for (const r of rows) await outbox.insert(em, r);
    });

  describe('outbox', () => {
    it('stores a mail as given and claims only due ones with a lease, the oldest first', async () => {
      const due = mail({ nextAttemptAt: new Date(T0 - 2000) });
      const retrying = mail({ status: 'retrying', attempts: 1, nextAttemptAt: new Date(T0 - 1000) });
      const later = mail({ nextAttemptAt: new Date(T0 + 60_000) });
      const leaseOver = mail({ status: 'sending', attempts: 2, nextAttemptAt: new Date(T0 - 500), lockedUntil: new Date(T0 - 1) });
      const leased = mail({ status: 'sending', attempts: 1, lockedUntil: new Date(T0 + 30_000) });
      const sent = mail({ status: 'sent', sentAt: new Date(T0) });
      await insert(due, retrying, later, leaseOver, leased, sent);
      expect(await outbox.findById(later.id)).toEqual(later);

      const claimed = await t.uow.run((em) => outbox.claimDue(em, T0, T0 + 45_000, 10));
      // RETURNING has no order: the oldest are chosen, the worker takes them in any order
      expect(claimed.map((m) => m.id).sort()).toEqual([due.id, retrying.id, leaseOver.id].sort());
      expect(claimed.find((m) => m.id === due.id)).toEqual(
        Object.assign(new OutboxMessageEntity(), {
          id: due.id,
          userId: 'user-1',
          kind: 'email.verify',
          recipient: 'a@example.com',
          payload: 'sealed',
          status: 'sending',
          attempts: 1,
          createdAt: new Date(T0),
        }),
      );
      expect(await outbox.findById(leaseOver.id)).toMatchObject({ status: 'sending', attempts: 3, lockedUntil: new Date(T0 + 45_000) });
      // nothing more is due until the lease runs out
      expect(await t.uow.run((em) => outbox.claimDue(em, T0, T0 + 45_000, 10))).toEqual([]);
      expect((await t.uow.run((em) => outbox.claimDue(em, T0 + 45_000, T0 + 90_000, 1))).map((m) => m.id)).toEqual([due.id]);
    });

    it('marks a claimed mail sent (its payload cleared) or failed, and only a claimed one', async () => {
      const a = mail({ status: 'sending', attempts: 1, lockedUntil: new Date(T0 + 1) });
      const b = mail({ status: 'sending', attempts: 1, lockedUntil: new Date(T0 + 1) });
      const idle = mail();
      await insert(a, b, idle);
      await t.uow.run(async (em) => {
        await outbox.markSent(em, [a.id], new Date(T0 + 5));
        await outbox.markFailed(em, b.id, 'retrying', new Date(T0 + 9), 'x'.repeat(2000));
        await outbox.markSent(em, [idle.id], new Date(T0 + 5));
      });
      expect(await outbox.findById(a.id)).toMatchObject({ status: 'sent', sentAt: new Date(T0 + 5), payload: null, lockedUntil: null });
      expect(await outbox.findById(b.id)).toMatchObject({
        status: 'retrying',
        nextAttemptAt: new Date(T0 + 9),
        lockedUntil: null,
        payload: 'sealed',
      });
      expect((await outbox.findById(b.id))!.lastError).toHaveLength(1000);
      expect(await outbox.findById(idle.id)).toEqual(idle);
    });

    it('marks the claimed ones of several mails sent in one statement (the worker marks its lanes’ sent mails together)', async () => {
      const claimed = [1, 2, 3].map(() => mail({ status: 'sending', attempts: 1, lockedUntil: new Date(T0 + 1) }));
      const idle = mail();
      await insert(...claimed, idle);
      await t.uow.run((em) => outbox.markSent(em, [...claimed.map((m) => m.id), idle.id], new Date(T0 + 7)));
      for (const m of claimed)
        expect(await outbox.findById(m.id)).toMatchObject({ status: 'sent', sentAt: new Date(T0 + 7), payload: null });
      expect(await outbox.findById(idle.id)).toEqual(idle);
    });

    it('requeues a dead mail only', async () => {
      const dead = mail({ status: 'dead', attempts: 5, lastError: '550 no such user' });
      const pending = mail();
      await insert(dead, pending);
      const now = new Date(T0 + 77);
      expect(await t.uow.run((em) => outbox.requeue(em, dead.id, now))).toBe(true);
      expect(await outbox.findById(dead.id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null });
      expect(await t.uow.run((em) => outbox.requeue(em, pending.id, now))).toBe(false);
      expect(await t.uow.run((em) => outbox.requeue(em, 'nope', now))).toBe(false);
    });

    it('lists newest first by status and user, counts by status, and finds a user’s recent mails', async () => {
      const user = uniqueId('user');
      const first = mail({ userId: user, recipient: 'one@example.com', createdAt: new Date(T0 + 1) });
      const second = mail({ userId: user, recipient: 'two@example.com', status: 'dead', createdAt: new Date(T0 + 2) });
      const other = mail({ userId: user, kind: 'email.changed', createdAt: new Date(T0 + 3) });
      await insert(first, second, other);
      expect((await outbox.list({ userId: user }, 10)).map((m) => m.id)).toEqual([other.id, second.id, first.id]);
      expect((await outbox.list({ userId: user, status: 'dead' }, 10)).map((m) => m.id)).toEqual([second.id]);
      expect((await outbox.list({ userId: user }, 1)).map((m) => m.id)).toEqual([other.id]);
      expect((await outbox.list({}, 1000)).length).toBeGreaterThanOrEqual(3);
      const counts = await outbox.countByStatus();
      expect(counts.dead).toBeGreaterThanOrEqual(1);
      expect(Object.values(counts).reduce((s, n) => s + n, 0)).toBe((await outbox.list({}, 1000)).length);
      const recent = await t.uow.run((em) => outbox.recent(em, user, new Date(T0 + 1)));
      expect(recent).toEqual([
        { kind: 'email.changed', recipient: other.recipient, createdAt: new Date(T0 + 3) },
        { kind: first.kind, recipient: 'two@example.com', createdAt: new Date(T0 + 2) },
      ]);
    });
  });

  describe('email codes', () => {
    it('keeps one pending code per user: replace, find, delete', async () => {
      const userId = uniqueId();
      const code = {
        userId,
        codeHash: 'h1',
        email: 'a@example.com',
        urlTemplate: null,
        attempts: 0,
        sourceAttempts: '{}',
        createdAt: new Date(T0),
        expiresAt: new Date(T0 + 1000),
      };
      await t.uow.run((em) => codes.replace(em, code));
      expect(await t.uow.run((em) => codes.find(em, userId))).toEqual(code);
      const next = {
        ...code,
        codeHash: 'h2',
        urlTemplate: 'https://x.example/{{.Code}}',
        attempts: 2,
        sourceAttempts: '{"a":2}',
        expiresAt: new Date(T0 + 2000),
      };
      await t.uow.run((em) => codes.replace(em, next));
      expect(await t.uow.run((em) => codes.find(em, userId))).toEqual(next);
      await t.uow.run((em) => codes.delete(em, userId));
      expect(await t.uow.run((em) => codes.find(em, userId))).toBeNull();
    });
  });

  describe('idempotency keys', () => {
    it('remembers an answer per caller and key, replaces it, and recognises a concurrent duplicate', async () => {
      const row = {
        callerId: 'caller',
        key: uniqueId('k'),
        operation: 'SetEmail',
        requestHash: 'a'.repeat(64),
        response: 'sealed',
        createdAt: new Date(T0),
      };
      await t.uow.run((em) => keys.save(em, row));
      expect(await keys.find('caller', row.key)).toEqual(row);
      expect(await keys.find('other-caller', row.key)).toBeNull();
      const replaced = { ...row, response: 'sealed-2', createdAt: new Date(T0 + 1) };
      await t.uow.run((em) => keys.save(em, replaced));
      expect(await t.uow.run((em) => keys.find('caller', row.key, em))).toEqual(replaced);

      // two requests with one key: the second insert loses on the primary key
      const e = await t.uow
        .run((em) =>
          t.sql.run(
            em,
            'INSERT INTO idempotency_keys (caller_id, key, operation, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
            ['caller', row.key, 'SetEmail', 'h', 'r', T0],
          ),
        )
        .catch((x: unknown) => x);
      expect(keys.isDuplicate(e)).toBe(true);
      expect(keys.isDuplicate(new Error('idempotency_keys'))).toBe(false);
    });
  });
});
