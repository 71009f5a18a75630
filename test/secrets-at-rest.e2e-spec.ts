import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { OutboxMessageEntity } from '../src/database/entities/outbox-message.entity.js';
import { startApp, TestApp } from './support/app.js';
import { addHumanUserVia, addPatVia, Api, codeInMail, getUserVia, Outcome, rest, Transport, withIdempotencyKey } from './support/client.js';

/**
 * Secrets at rest (spec §3, §4): verification codes are stored only as keyed hashes, the code
 * waiting in an outbox row only encrypted, tokens only as hashes. So a full dump of the
 * database — the SQLite file plus its write-ahead log, or pg_dump — shows none of them, in
 * any common encoding, while the mail is still queued and after it went out.
 */

/** Everything the database holds right now, as bytes. */
function dump(t: TestApp): Buffer {
  const db = t.config.database;
  if (db.type === 'sqlite') {
    // WAL mode and the app keeps the file open: recent pages may live only in the -wal file
    const parts = [readFileSync(db.path)];
    if (existsSync(`${db.path}-wal`)) parts.push(readFileSync(`${db.path}-wal`));
    return Buffer.concat(parts);
  }
  return execFileSync('pg_dump', ['--no-owner', t.db.url], { maxBuffer: 256 * 1024 * 1024 });
}

/** The forms in which a code would be recognisable in a dump. */
const codeForms = (code: string): [string, Buffer][] => [
  ['plain', Buffer.from(code)],
  ['base64', Buffer.from(Buffer.from(code).toString('base64').replace(/=+$/, ''))],
  ['hex', Buffer.from(Buffer.from(code).toString('hex'))],
];

/** The forms in which a PAT would be recognisable: the token, its base64, and its 32 random bytes in any encoding. */
const tokenForms = (token: string): [string, Buffer][] => {
  const raw = Buffer.from(token, 'base64url');
  return [
    ['plain', Buffer.from(token)],
    ['base64 of the token', Buffer.from(Buffer.from(token).toString('base64').replace(/=+$/, ''))],
    ['hex of the token', Buffer.from(Buffer.from(token).toString('hex'))],
    ['raw bytes', raw],
    ['raw bytes as base64', Buffer.from(raw.toString('base64').replace(/=+$/, ''))],
    ['raw bytes as hex', Buffer.from(raw.toString('hex'))],
  ];
};

/** Fails naming the secret, the encoding and the surrounding bytes of the first occurrence. */
function expectAbsent(haystack: Buffer, what: string, forms: [string, Buffer][]): void {
  for (const [form, needle] of forms) {
    const at = haystack.indexOf(needle);
    if (at >= 0) {
      const context = haystack
        .subarray(Math.max(0, at - 120), at + needle.length + 120)
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '.');
      throw new Error(`${what} (${form}) found in the database dump at byte ${at}: …${context}…`);
    }
  }
}

function expectOk(o: Outcome): asserts o is Extract<Outcome, { ok: true }> {
  if (!o.ok) throw new Error(`expected success, got ${o.httpStatus}: ${JSON.stringify(o.raw)}`);
}

describe.each<Transport>(['rest', 'graphql'])('secrets at rest (codes and tokens issued over %s)', (transport) => {
  let first: TestApp;
  let current: TestApp;
  let orgId: string;

  beforeAll(async () => {
    // no mail worker at first: the verification mail waits in the outbox, code and all
    first = await startApp({ MAIL_WORKER: 'off' });
    current = first;
    orgId = await new Api(first.url, first.adminToken).addOrganization(`Secrets Org ${transport}`);
  });
  afterAll(async () => {
    await current.app.close();
    await first.sink.close();
    await first.db.drop();
  });

  it('a dump shows no verification code (returned or mailed, queued or sent) and no PAT; the outbox holds the code only sealed', async () => {
    const api = new Api(first.url, first.adminToken);

    // a code returned at creation, then replaced by a code returned by SetEmail
    const addedAddress = `kept-${transport}@example.com`;
    const added = await addHumanUserVia(api, transport, {
      username: `kept-${transport}`,
      organization: { orgId },
      profile: { givenName: 'Kept', familyName: 'Secret' },
      email: { email: addedAddress, returnCode: {} },
    });
    if (!added.ok) throw new Error(`addHumanUser: ${JSON.stringify(added.raw)}`);
    const creationCode = added.emailCode!;
    expect(creationCode).toMatch(/^[A-Z0-9]{6}$/);
    const returnedAddress = `returned-${transport}@example.com`;
    const returned = await api.emailOp(transport, 'setEmail', added.userId, { email: returnedAddress, returnCode: {} });
    expectOk(returned);
    const returnedCode = returned.verificationCode!;
    expect(returnedCode).toMatch(/^[A-Z0-9]{6}$/);

    // a PAT of that user, which works
    const pat = await addPatVia(api, transport, added.userId);
    expect((await rest(first.url, 'GET', `/v2/users/${added.userId}`, undefined, pat)).status).toBe(200);

    // a mailed code, still waiting in the outbox
    const mailedUserId = await api.addUser(orgId, `mailed-${transport}`);
    const mailedAddress = `mailed-${transport}-new@example.com`;
    expectOk(await api.emailOp(transport, 'setEmail', mailedUserId, { email: mailedAddress, sendCode: {} }));
    const queued = await first.app
      .get(DataSource)
      .getRepository(OutboxMessageEntity)
      .find({ where: { userId: mailedUserId } });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ status: 'pending', recipient: mailedAddress });
    const sealedPayload = queued[0]!.payload;
    expect(sealedPayload).toEqual(expect.any(String));
    const whileQueued = dump(first);

    // the next instance, with its mail worker, delivers it
    await first.app.close();
    current = await startApp({}, { db: first.db, sink: first.sink });
    const mailedCode = codeInMail(await current.sink.waitForMailTo(mailedAddress));
    const afterSending = dump(current);

    // the dumps are real: they hold what is not secret
    for (const d of [whileQueued, afterSending]) {
      expect(d.includes(added.userId)).toBe(true);
      expect(d.includes(returnedAddress)).toBe(true);
      expect(d.includes(mailedAddress)).toBe(true);
    }
    expect(whileQueued.includes(sealedPayload!)).toBe(true);

    // ...and nothing that is
    for (const [when, d] of [
      ['while the mail was queued', whileQueued],
      ['after the mail was sent', afterSending],
    ] as const) {
      expectAbsent(d, `the creation code ${when}`, codeForms(creationCode));
      expectAbsent(d, `the returned code ${when}`, codeForms(returnedCode));
      expectAbsent(d, `the mailed code ${when}`, codeForms(mailedCode));
      expectAbsent(d, `the PAT ${when}`, tokenForms(pat));
      expectAbsent(d, `the admin PAT ${when}`, tokenForms(first.adminToken));
    }
    expect(sealedPayload).not.toContain(mailedCode);
    expect(sealedPayload).not.toContain(Buffer.from(mailedCode).toString('base64').replace(/=+$/, ''));

    // the codes searched for were the real ones
    const again = new Api(current.url, current.adminToken);
    expectOk(await again.emailOp(transport, 'verify', mailedUserId, { verificationCode: mailedCode }));
    expectOk(await again.emailOp(transport, 'verify', added.userId, { verificationCode: returnedCode }));
    expect(await getUserVia(again, transport, added.userId)).toMatchObject({ ok: true, email: returnedAddress, isVerified: true });
  });

  it('a returnCode answer remembered for an Idempotency-Key replay does not put the code in the dump', async () => {
    const api = new Api(current.url, current.adminToken);
    const userId = await api.addUser(orgId, `keyed-${transport}`);
    const k = withIdempotencyKey(transport, `keyed-return-${transport}`, { email: `keyed-${transport}-new@example.com`, returnCode: {} });
    const set = await api.setEmail(transport, userId, k.body, k.headers);
    expectOk(set);
    const code = set.verificationCode!;
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    // the replay still answers the first response, code included
    const replay = await api.setEmail(transport, userId, k.body, k.headers);
    expectOk(replay);
    expect(replay.verificationCode).toBe(code);
    expect(replay.sequence).toBe(set.sequence);

    expectAbsent(dump(current), 'the returned code kept for the idempotent replay', codeForms(code));
  });
});
