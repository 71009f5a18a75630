import { ActionCallsRepository } from '../../src/actions/action-calls.repository.js';
import { executionId, type RecordedEvent } from '../../src/actions/action-events.js';
import { ActionsRepository } from '../../src/actions/actions.repository.js';
import { IdGenerator } from '../../src/common/id-generator.js';
import type { ActionCallEntity } from '../../src/database/entities/action-call.entity.js';
import type { ActionTargetType } from '../../src/database/entities/action-target.entity.js';
import { TEST_DB } from '../support/database.js';
import { uniqueId, useDataLayer } from '../support/repositories.js';

/**
 * ActionQueue on the database (spec §9): a change enqueues its calls as one row, in its own
 * transaction; the worker's fan-out turns the rows into calls, in order, once.
 */
describe(`ActionQueue: enqueue and fan-out on ${TEST_DB}`, () => {
  const t = useDataLayer();
  let repo: ActionsRepository;
  let calls: ActionCallsRepository;
  let ordered: string;
  let unordered: string;
  const T0 = 1_760_000_000_000;

  const addTarget = (type: ActionTargetType) =>
    t.uow.run(async (em) => {
      const id = uniqueId('t');
      await repo.insertTarget(em, {
        id,
        name: id,
        targetType: type,
        interruptOnError: false,
        endpoint: 'http://127.0.0.1:9/hook',
        timeoutMs: 5000,
        signingKey: 'sealed',
        createdAt: new Date(T0),
        changedAt: new Date(T0),
      });
      await t.actions.routingChanged(em);
      return id;
    });

  const setExecution = (condition: Parameters<typeof executionId>[0], targets: string[]) =>
    t.uow.run(async (em) => {
      const id = executionId(condition);
      const exists = (await repo.findExecution(em, id)) !== null;
      await repo.upsertExecution(em, { id, targets: JSON.stringify(targets), createdAt: new Date(T0), changedAt: new Date(T0) }, exists);
      await t.actions.routingChanged(em);
    });

  /** One change of a user: its events at consecutive sequences from `from + 1`. */
  const change = (userId: string, from: number, types: string[], at = T0): RecordedEvent[] =>
    types.map((type, i) => ({
      aggregateId: userId,
      resourceOwner: 'org-1',
      sequence: from + i + 1,
      type,
      createdAt: new Date(at),
      creator: 'admin',
      payload: null,
    }));

  const count = async (table: string) => Number((await t.sql.one<{ n: unknown }>(null, `SELECT COUNT(*) AS n FROM ${table}`))!.n);
  const callsOf = async (userId: string): Promise<ActionCallEntity[]> =>
    (await calls.list({}, 500)).filter((c) => c.aggregateId === userId).sort((a, b) => (a.id < b.id ? -1 : 1));
  const drain = async () => {
    let n = 0;
    for (let k; (k = await t.uow.run((em) => t.actions.fanOut(em, 3))) > 0;) n += k;
    return n;
  };

  beforeAll(async () => {
    repo = new ActionsRepository(t.sql);
    calls = new ActionCallsRepository(t.sql);
    ordered = await addTarget('restWebhook');
    unordered = await addTarget('restAsync');
    await setExecution({ group: 'user.human.email' }, [ordered, unordered]);
    await setExecution({ event: 'user.human.email.verified' }, [unordered]);
  });
  beforeEach(async () => {
    await drain();
  });

  it('a change writes one row however many calls, and no call; the queue depth counts its calls as pending', async () => {
    const user = uniqueId('u');
    const pendingBefore = (await calls.countByStatus()).pending ?? 0;
    const callsBefore = await count('action_calls');
    const n = await t.uow.run((em) =>
      t.actions.enqueue(em, change(user, 4, ['user.human.email.changed', 'user.human.email.code.added', 'user.human.added'])),
    );
    // two email events × two targets; user.human.added has no execution
    expect(n).toBe(4);
    expect(await count('action_fanout')).toBe(1);
    expect(await count('action_calls')).toBe(callsBefore);
    expect((await calls.countByStatus()).pending).toBe(pendingBefore + 4);

    expect(await drain()).toBe(1);
    expect(await count('action_fanout')).toBe(0);
    expect((await calls.countByStatus()).pending).toBe(pendingBefore + 4);
    const mine = await callsOf(user);
    expect(mine.map((c) => [c.eventSequence, c.eventType, c.targetId, c.ordered])).toEqual([
      [5, 'user.human.email.changed', ordered, true],
      [5, 'user.human.email.changed', unordered, false],
      [6, 'user.human.email.code.added', ordered, true],
      [6, 'user.human.email.code.added', unordered, false],
    ]);
    for (const c of mine) {
      expect(c).toMatchObject({ status: 'pending', attempts: 0, payload: null, lockedUntil: null, aggregateId: user });
      expect(c.nextAttemptAt.getTime()).toBe(T0);
      expect(c.createdAt.getTime()).toBe(T0);
    }
  });

  it('the ordered flags are those the enqueuer saw: a restCall target deleted before the fan-out keeps its flag', async () => {
    const gone = await addTarget('restCall');
    await setExecution({ event: 'user.human.email.change.reverted' }, [gone]);
    const user = uniqueId('u');
    await t.uow.run((em) => t.actions.enqueue(em, change(user, 0, ['user.human.email.change.reverted'])));
    await t.uow.run(async (em) => {
      await repo.deleteTarget(em, gone);
      await t.actions.routingChanged(em);
    });
    expect(await drain()).toBe(1);
    // (the group's targets are called too)
    expect((await callsOf(user)).filter((c) => c.targetId === gone).map((c) => c.ordered)).toEqual([true]);
  });

  it('a change with no call an execution names writes nothing', async () => {
    const before = await count('action_fanout');
    expect(await t.uow.run((em) => t.actions.enqueue(em, change(uniqueId('u'), 0, ['user.human.added'])))).toBe(0);
    expect(await count('action_fanout')).toBe(before);
  });

  it('rows are fanned out in the order they were written, across fan-outs, each call after every call there is', async () => {
    // a call another process wrote with an ID ahead of this process's clock
    const ahead = (() => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 60_000);
      try {
        return new IdGenerator().next();
      } finally {
        now.mockRestore();
      }
    })();
    await t.uow.run((em) =>
      calls.insert(em, [
        {
          id: ahead,
          targetId: unordered,
          ordered: false,
          eventType: 'user.human.email.verified',
          aggregateId: uniqueId('other'),
          eventSequence: 1,
          payload: null,
          status: 'sent',
          attempts: 1,
          nextAttemptAt: new Date(T0),
          lockedUntil: null,
          lastError: null,
          createdAt: new Date(T0),
          sentAt: new Date(T0),
        },
      ]),
    );
    const users = Array.from({ length: 7 }, () => uniqueId('u'));
    // two changes of each user, interleaved; 14 rows, fanned out three at a time
    for (const from of [0, 1])
      for (const u of users) await t.uow.run((em) => t.actions.enqueue(em, change(u, from, ['user.human.email.verified'])));
    expect(await drain()).toBe(14);
    const written = (await calls.list({ targetId: unordered }, 500)).filter((c) => users.includes(c.aggregateId));
    const byId = [...written].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byId.map((c) => [c.aggregateId, c.eventSequence])).toEqual([...users.map((u) => [u, 1]), ...users.map((u) => [u, 2])]);
    expect(byId[0]!.id > ahead).toBe(true);
  });

  it('a fan-out whose transaction fails leaves its rows, and a later one writes their calls once', async () => {
    const user = uniqueId('u');
    await t.uow.run((em) => t.actions.enqueue(em, change(user, 0, ['user.human.email.verified'])));
    await expect(
      t.uow.run(async (em) => {
        expect(await t.actions.fanOut(em, 10)).toBe(1);
        throw new Error('the worker died before its commit');
      }),
    ).rejects.toThrow('the worker died');
    expect(await count('action_fanout')).toBe(1);
    expect(await callsOf(user)).toEqual([]);
    expect(await drain()).toBe(1);
    // the execution of the event first, then the group's (its target there once)
    expect((await callsOf(user)).map((c) => [c.eventSequence, c.targetId])).toEqual([
      [1, unordered],
      [1, ordered],
    ]);
  });

  it('fan-outs running at once (two workers) write every call once', async () => {
    const users = Array.from({ length: 40 }, () => uniqueId('u'));
    for (const u of users) await t.uow.run((em) => t.actions.enqueue(em, change(u, 0, ['user.human.email.changed'])));
    const fanOuts = await Promise.all(
      Array.from({ length: 4 }, async () => {
        let n = 0;
        for (let k; (k = await t.uow.run((em) => t.actions.fanOut(em, 7))) > 0;) n += k;
        return n;
      }),
    );
    expect(fanOuts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(await count('action_fanout')).toBe(0);
    const written = (await calls.list({}, 500)).filter((c) => users.includes(c.aggregateId));
    expect(written).toHaveLength(80);
    expect(new Set(written.map((c) => `${c.aggregateId}/${c.targetId}`)).size).toBe(80);
  });
});
