import { DataSource } from 'typeorm';
import { GrpcServer } from '../src/connect/grpc-server.js';
import { startApp, TestApp } from './support/app.js';
import { Api, eventTypesOf } from './support/client.js';
import { adminOf, CODE_INVALID, failureOf, NOT_FOUND, ops, Result, Target, Wire } from './support/security.js';

/**
 * Spec §7.3 "no existence oracle" and §7.4 "strangers cannot kill a code", over REST, GraphQL,
 * Connect, gRPC and the hosted page: a caller who cannot read a user learns nothing from
 * VerifyEmail, AddOrganizationMember or AddHumanUser about whether it exists; wrong codes count
 * per source, so a stranger can neither kill the victim's code nor fill its history.
 */

const WIRES: Wire[] = ['rest', 'graphql', 'connect', 'grpc'];
const MAX_PER_SOURCE = 3;
const MAX_TOTAL = 7;
const UNKNOWN_USER = '100000000000000042';
const FAILED = 'user.human.email.verification.failed';

let t: TestApp;
let admin: Api;
let grpcPort: number;
let defaultOrgId: string;
let otherOrgId: string;
/** ORG_OWNER of another organisation: reads nothing in the default one. */
let stranger: { id: string; token: string };
let n = 0;

const as = (token: string | null): Target => ({ t, token, grpcPort });

async function member(orgId: string, tag: string, roles: string[]): Promise<{ id: string; token: string }> {
  const { userId } = await admin.addUniqueUser(orgId, tag);
  if (roles.length) await admin.addMember(orgId, userId, roles);
  return { id: userId, token: await admin.addPat(userId) };
}

/** A user of the default organisation with a pending code (returned to the admin). */
async function victim(tag: string): Promise<{ userId: string; code: string }> {
  const { userId, username } = await admin.addUniqueUser(defaultOrgId, tag);
  const set = await ops.setEmail(as(t.adminToken), 'rest', userId, `${username}-new-${++n}@example.com`, 'return');
  if (!set.ok) throw new Error(`setEmail: ${JSON.stringify(set.raw)}`);
  return { userId, code: set.body.verificationCode };
}

/** A code that is not `code` (same length and alphabet). */
const wrong = (code: string, i = 0) => code.slice(0, -1) + '0123456789'.replace(code.slice(-1), '')[i % 9];

/** The hosted page's anonymous form POST: status and the page. */
async function pagePost(userId: string, code: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${t.url}/ui/v2/login/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ userId, code, organization: defaultOrgId }).toString(),
  });
  return { status: res.status, body: await res.text() };
}

/** What a client sees of an answer, to compare byte for byte (a Connect error: its code, message and details). */
const seen = (r: Result): unknown =>
  r.ok
    ? r.body
    : r.raw instanceof Error
      ? JSON.stringify([r.grpcCode, r.message, (r.raw as unknown as { details: unknown }).details])
      : JSON.stringify(r.raw);

beforeAll(async () => {
  t = await startApp({ EMAIL_CODE_MAX_ATTEMPTS: String(MAX_PER_SOURCE), EMAIL_CODE_MAX_TOTAL_ATTEMPTS: String(MAX_TOTAL) });
  grpcPort = await t.app.get(GrpcServer).listen(0, '127.0.0.1');
  admin = new Api(t.url, t.adminToken);
  ({ defaultOrgId } = await adminOf(t));
  otherOrgId = await admin.addOrganization('Strangers');
  stranger = await member(otherOrgId, 'stranger', ['ORG_OWNER']);
});

afterAll(async () => {
  await t?.close();
});

describe('§7.3 VerifyEmail: a caller who cannot read the user gets one answer for every case', () => {
  let deletedId: string;
  let otherOrgUser: string;
  let pending: { userId: string; code: string };
  beforeAll(async () => {
    const { userId } = await admin.addUniqueUser(defaultOrgId, 'deleted');
    deletedId = userId;
    await t.app.get(DataSource).query(`UPDATE users SET state = 'deleted' WHERE id = '${deletedId}'`);
    otherOrgUser = (await admin.addUniqueUser(defaultOrgId, 'no-code')).userId;
    pending = await victim('pending');
  });

  const cases = () => [
    { name: 'a missing user', userId: UNKNOWN_USER, code: 'ABC123' },
    { name: 'a deleted user', userId: deletedId, code: 'ABC123' },
    { name: 'another organisation’s user (no code pending)', userId: otherOrgUser, code: 'ABC123' },
    { name: 'a wrong code for a user with one pending', userId: pending.userId, code: wrong(pending.code) },
  ];

  it.each(WIRES)(
    '%s: byte-identical COMMAND-eis9R for a missing user, a deleted user, another org’s user and a wrong code',
    async (wire) => {
      const answers: Result[] = [];
      for (const c of cases()) answers.push(await ops.verify(as(stranger.token), wire, c.userId, c.code));
      for (const a of answers) expect(failureOf(a)).toEqual(CODE_INVALID);
      expect(new Set(answers.map(seen)).size).toBe(1);
    },
  );

  it('the hosted page (anonymous): the same page and status for all four', async () => {
    const answers = [];
    for (const c of cases()) answers.push(await pagePost(c.userId, c.code));
    for (const a of answers) expect(a.status).toBe(400);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
  });

  it.each(WIRES)('%s: IAM_OWNER (who reads every user) still gets 404 COMMAND-ieJ2e for a missing or deleted user', async (wire) => {
    expect(failureOf(await ops.verify(as(t.adminToken), wire, UNKNOWN_USER, 'ABC123'))).toEqual(NOT_FOUND);
    expect(failureOf(await ops.verify(as(t.adminToken), wire, deletedId, 'ABC123'))).toEqual(NOT_FOUND);
  });

  it.each(WIRES)('%s: the code is still the credential: a stranger holding the right code verifies', async (wire) => {
    const v = await victim(`right-${wire}`);
    expect((await ops.verify(as(stranger.token), wire, v.userId, v.code)).ok).toBe(true);
  });

  it('the hosted page verifies with the right code', async () => {
    const v = await victim('page-right');
    expect((await pagePost(v.userId, v.code)).status).toBe(200);
  });
});

describe('§7.3 AddOrganizationMember: a user the caller cannot read is "not found", as a missing one', () => {
  it.each(['rest', 'graphql'] as const)('%s: the same 404 body for a user of another organisation and a missing user', async (wire) => {
    const elsewhere = (await admin.addUniqueUser(defaultOrgId, 'unreadable')).userId;
    const missing = await ops.addMember(as(stranger.token), wire, otherOrgId, UNKNOWN_USER, ['ORG_USER_VIEWER']);
    const hidden = await ops.addMember(as(stranger.token), wire, otherOrgId, elsewhere, ['ORG_USER_VIEWER']);
    expect(failureOf(hidden)).toEqual(NOT_FOUND);
    expect(seen(hidden)).toEqual(seen(missing));
    // nothing was attached: the user is still no member of the stranger's organisation
    const rows: unknown[] = await t.app.get(DataSource).query(`SELECT 1 FROM memberships WHERE user_id = '${elsewhere}'`);
    expect(rows).toHaveLength(0);
    // legitimate: a user of its own organisation is attached
    const own = (await admin.addUniqueUser(otherOrgId, 'own')).userId;
    expect((await ops.addMember(as(stranger.token), wire, otherOrgId, own, ['ORG_USER_VIEWER'])).ok).toBe(true);
  });
});

describe('§7.3 AddHumanUser: an ID taken in another organisation answers like a username taken in one’s own', () => {
  it.each(WIRES)('%s: one 409 COMMAND-k2unb that names no organisation', async (wire) => {
    const elsewhere = await admin.addUniqueUser(defaultOrgId, 'taken-id');
    const mine = await admin.addUniqueUser(otherOrgId, 'taken-name');
    const idTaken = await ops.addHumanUser(as(stranger.token), wire, otherOrgId, `fresh-${wire}-${++n}`, elsewhere.userId);
    const nameTaken = await ops.addHumanUser(as(stranger.token), wire, otherOrgId, mine.username);
    expect(failureOf(idTaken)).toEqual({ ok: false, grpcCode: 6, id: 'COMMAND-k2unb' });
    expect(seen(idTaken)).toEqual(seen(nameTaken));
    expect(JSON.stringify(seen(idTaken))).not.toContain(defaultOrgId);
    // a username taken only in another organisation is free here
    expect((await ops.addHumanUser(as(stranger.token), wire, otherOrgId, elsewhere.username)).ok).toBe(true);
  });
});

describe('§7.4 strangers cannot kill a code', () => {
  const failures = async (userId: string) => (await eventTypesOf(t.app.get(DataSource), userId)).filter((e) => e === FAILED).length;

  it.each(WIRES)('%s: a stranger’s wrong codes stop counting at its cap; the owner’s right code still verifies', async (wire) => {
    const v = await victim(`stranger-${wire}`);
    for (let i = 0; i < 10; i++)
      expect(failureOf(await ops.verify(as(stranger.token), wire, v.userId, wrong(v.code, i)))).toEqual(CODE_INVALID);
    // refused for that code, with the same answer, even with the right one
    expect(failureOf(await ops.verify(as(stranger.token), wire, v.userId, v.code))).toEqual(CODE_INVALID);
    // at most its cap recorded: no unbounded history from one stranger
    expect(await failures(v.userId)).toBe(MAX_PER_SOURCE);
    expect((await ops.verify(as(t.adminToken), wire, v.userId, v.code)).ok).toBe(true);
  });

  it('the hosted page counts per client address: an anonymous guesser is capped, a token holder still verifies', async () => {
    const v = await victim('page-stranger');
    for (let i = 0; i < 6; i++) expect((await pagePost(v.userId, wrong(v.code, i))).status).toBe(400);
    expect((await pagePost(v.userId, v.code)).status).toBe(400);
    expect(await failures(v.userId)).toBe(MAX_PER_SOURCE);
    expect((await ops.verify(as(t.adminToken), 'rest', v.userId, v.code)).ok).toBe(true);
  });

  it('EMAIL_CODE_MAX_TOTAL_ATTEMPTS failures from all sources kill the code; never more events than that', async () => {
    const v = await victim('total');
    const guessers = [stranger, ...(await Promise.all([1, 2].map((i) => member(otherOrgId, `guesser${i}`, []))))];
    for (const g of guessers) for (let i = 0; i < MAX_PER_SOURCE; i++) await ops.verify(as(g.token), 'rest', v.userId, wrong(v.code, i));
    // 9 tries, 7 counted: the code is gone, for everyone
    expect(await failures(v.userId)).toBe(MAX_TOTAL);
    expect(failureOf(await ops.verify(as(t.adminToken), 'rest', v.userId, v.code))).toEqual(CODE_INVALID);
    for (let i = 0; i < 5; i++) await ops.verify(as(t.adminToken), 'graphql', v.userId, wrong(v.code, i));
    expect(await failures(v.userId)).toBe(MAX_TOTAL);
  });

  it('counters belong to the pending code: a new code starts fresh', async () => {
    const v = await victim('fresh');
    for (let i = 0; i < MAX_PER_SOURCE; i++) await ops.verify(as(stranger.token), 'connect', v.userId, wrong(v.code, i));
    const again = await ops.sendCode(as(t.adminToken), 'rest', v.userId, 'return');
    if (!again.ok) throw new Error(JSON.stringify(again.raw));
    const code: string = again.body.verificationCode;
    // the stranger's failures are counted again for the new code
    await ops.verify(as(stranger.token), 'connect', v.userId, wrong(code));
    expect(await failures(v.userId)).toBe(MAX_PER_SOURCE + 1);
    // and the stranger could verify with the right one (it is not capped for this code)
    expect((await ops.verify(as(stranger.token), 'connect', v.userId, code)).ok).toBe(true);
  });
});
