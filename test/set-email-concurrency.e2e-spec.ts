import { DataSource } from 'typeorm';
import { startApp, TestApp } from './support/app.js';
import { Api, getUserVia, Outcome, Transport } from './support/client.js';
import { TEST_DB } from './support/database.js';

/**
 * Many SetEmail calls racing on one user (spec §1 step 5, STYLE "optimistic concurrency on
 * the user row"): no lost update, no duplicate or missing sequence, on the run's database.
 */
const PARALLEL = 20;

describe(`concurrent SetEmail on one user (${TEST_DB})`, () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;

  beforeAll(async () => {
    t = await startApp();
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('Race Org');
  });
  afterAll(() => t.close());

  async function eventSequences(userId: string): Promise<number[]> {
    const ds = t.app.get(DataSource);
    const param = ds.options.type === 'postgres' ? '$1' : '?';
    const rows: { sequence: string | number }[] = await ds.query(
      `SELECT sequence FROM user_events WHERE user_id = ${param} ORDER BY sequence`,
      [userId],
    );
    return rows.map((r) => Number(r.sequence));
  }

  async function changedEvents(userId: string): Promise<number> {
    const ds = t.app.get(DataSource);
    const param = ds.options.type === 'postgres' ? '$1' : '?';
    const rows: { n: string | number }[] = await ds.query(
      `SELECT COUNT(*) AS n FROM user_events WHERE user_id = ${param} AND type = 'user.human.email.changed'`,
      [userId],
    );
    return Number(rows[0]!.n);
  }

  it.each<Transport>(['rest', 'graphql'])(`${PARALLEL} parallel changes over %s: all applied, none lost`, async (transport) => {
    const userId = await api.addUser(orgId, `racer-${transport}`);
    const start = await getUserVia(api, 'rest', userId);
    if (!start.ok) throw new Error(JSON.stringify(start.raw));
    const changedBefore = await changedEvents(userId);

    const emails = Array.from({ length: PARALLEL }, (_, i) => `race-${transport}-${i}@example.com`);
    const outcomes: Outcome[] = await Promise.all(emails.map((email) => api.setEmail(transport, userId, { email, returnCode: {} })));

    const applied = outcomes
      .map((o, i) => ({ email: emails[i]!, o }))
      .filter((x): x is { email: string; o: Extract<Outcome, { ok: true }> } => x.o.ok);
    const sequences = applied.map((x) => x.o.sequence);
    expect(new Set(sequences).size).toBe(sequences.length);
    for (const s of sequences) expect(s).toBeGreaterThan(start.sequence);
    for (const x of applied) expect(x.o.verificationCode).toMatch(/^[A-Z0-9]{6}$/);

    // the last writer (highest sequence) wins, and GetUserByID agrees
    const last = applied.reduce((a, b) => (b.o.sequence > a.o.sequence ? b : a));
    const end = await getUserVia(api, transport, userId);
    expect(end.ok && { sequence: end.sequence, email: end.email, isVerified: end.isVerified }).toEqual({
      sequence: last.o.sequence,
      email: last.email,
      isVerified: false,
    });

    // the event log: 1..N without gaps or duplicates, N the user's sequence, one change event per success
    const log = await eventSequences(userId);
    expect(log).toEqual(Array.from({ length: end.ok ? end.sequence : 0 }, (_, i) => i + 1));
    expect((await changedEvents(userId)) - changedBefore).toBe(applied.length);

    // a lost race may only ever surface as a clean Aborted (409, code 10), never as anything else
    const failures = outcomes
      .filter((o) => !o.ok)
      .map((o) => (o.ok ? null : { httpStatus: o.httpStatus, grpcCode: o.grpcCode, message: o.message }));
    expect(failures.filter((f) => f?.httpStatus !== 409 || f.grpcCode !== 10)).toEqual([]);
    // and the service retries its conflicts, so all of them succeed
    expect(failures).toEqual([]);
  });

  it(`${PARALLEL} parallel changes mixing REST and GraphQL on one user`, async () => {
    const userId = await api.addUser(orgId, 'racer-mixed');
    const emails = Array.from({ length: PARALLEL }, (_, i) => `race-mixed-${i}@example.com`);
    const outcomes = await Promise.all(
      emails.map((email, i) => api.setEmail(i % 2 ? 'graphql' : 'rest', userId, { email, returnCode: {} })),
    );
    const applied = outcomes.flatMap((o, i) => (o.ok ? [{ email: emails[i]!, sequence: o.sequence }] : []));
    expect(new Set(applied.map((x) => x.sequence)).size).toBe(applied.length);
    const last = applied.reduce((a, b) => (b.sequence > a.sequence ? b : a));
    const end = await getUserVia(api, 'rest', userId);
    expect(end.ok && { sequence: end.sequence, email: end.email }).toEqual(last);
    expect(await eventSequences(userId)).toEqual(Array.from({ length: last.sequence }, (_, i) => i + 1));
    expect(outcomes.filter((o) => !o.ok).map((o) => o.raw)).toEqual([]);
  });
});
