import { startApp, TestApp } from './support/app.js';
import { Api, rest } from './support/client.js';
import { adminOf, failureOf, FORBIDDEN, NOT_FOUND, ops, Result, Target, Wire } from './support/security.js';

/**
 * Spec §7.1 "no privilege escalation", over every transport an operation exists on: a write to
 * another user needs user.write in its organisation and a rank at least the target's in every
 * scope the target holds a role in; nobody grants a role above their own; PAT_MAX_LIFETIME_DAYS
 * caps new tokens. Each attacker attempt must FAIL, and the legitimate one must still work.
 */

const PAT_DAYS = 30;
const DAY_MS = 24 * 3600_000;

let t: TestApp;
let admin: Api;
let adminId: string;
let defaultOrgId: string;
let otherOrgId: string;
/** ORG_USER_MANAGER of the default organisation: the attacker of the issue. */
let manager: { id: string; token: string };
/** ORG_OWNER of the default organisation (ranks above the manager). */
let owner: { id: string; token: string };
/** ORG_USER_MANAGER of another organisation, no membership in the default one. */
let outsider: { id: string; token: string };
/** ORG_OWNER of the other organisation. */
let ownerB: { id: string; token: string };
/** A user of the default organisation who is ORG_OWNER of the other one as well. */
let twoOrgOwner: { id: string; token: string };
let n = 0;

async function member(orgId: string, tag: string, roles: string[]): Promise<{ id: string; token: string }> {
  const { userId } = await admin.addUniqueUser(orgId, tag);
  if (roles.length) await admin.addMember(orgId, userId, roles);
  return { id: userId, token: await admin.addPat(userId) };
}

const as = (token: string): Target => ({ t, token });
const fresh = async (tag: string) => (await admin.addUniqueUser(defaultOrgId, tag)).userId;

beforeAll(async () => {
  t = await startApp({ PAT_MAX_LIFETIME_DAYS: String(PAT_DAYS) });
  admin = new Api(t.url, t.adminToken);
  ({ adminId, defaultOrgId } = await adminOf(t));
  otherOrgId = await admin.addOrganization('Elsewhere');
  manager = await member(defaultOrgId, 'manager', ['ORG_USER_MANAGER']);
  owner = await member(defaultOrgId, 'owner', ['ORG_OWNER']);
  outsider = await member(otherOrgId, 'outsider', ['ORG_USER_MANAGER']);
  ownerB = await member(otherOrgId, 'owner-b', ['ORG_OWNER']);
  twoOrgOwner = await member(defaultOrgId, 'two-org', ['ORG_USER_VIEWER']);
  await admin.addMember(otherOrgId, twoOrgOwner.id, ['ORG_OWNER']);
});

afterAll(async () => {
  await t?.close();
});

const ALL: Wire[] = ['rest', 'graphql', 'connect'];
const HTTP: ('rest' | 'graphql')[] = ['rest', 'graphql'];

interface Case {
  name: string;
  wires: Wire[];
  run: (wire: Wire) => Promise<Result>;
  want: { ok: true } | typeof FORBIDDEN | typeof NOT_FOUND;
}

/** The attacks of issue 12 and their variants: each must be refused. */
const ATTACKS: Case[] = [
  {
    name: 'manager sets the admin’s email to its own address as verified',
    wires: ALL,
    run: (w) => ops.setEmail(as(manager.token), w, adminId, `takeover${++n}@evil.test`, 'verified'),
    want: FORBIDDEN,
  },
  {
    name: 'manager sets the admin’s email with a returned code',
    wires: ALL,
    run: (w) => ops.setEmail(as(manager.token), w, adminId, `takeover${++n}@evil.test`, 'return'),
    want: FORBIDDEN,
  },
  {
    name: 'manager has a code for the admin’s address sent and returned',
    wires: ALL,
    run: (w) => ops.sendCode(as(manager.token), w, adminId, 'return'),
    want: FORBIDDEN,
  },
  {
    name: 'manager has the admin’s code resent (mailed)',
    wires: ALL,
    run: (w) => ops.sendCode(as(manager.token), w, adminId, 'send', true),
    want: FORBIDDEN,
  },
  {
    name: 'manager mints a PAT for the admin',
    wires: HTTP,
    run: (w) => ops.addPat(as(manager.token), w as 'rest', adminId),
    want: FORBIDDEN,
  },
  {
    name: 'manager lists the admin’s tokens',
    wires: HTTP,
    run: (w) => ops.listPats(as(manager.token), w as 'rest', adminId),
    want: FORBIDDEN,
  },
  {
    name: 'manager revokes the admin’s token (lock-out)',
    wires: HTTP,
    run: async (w) => ops.removePat(as(manager.token), w as 'rest', adminId, await adminTokenId()),
    want: FORBIDDEN,
  },
  {
    name: 'manager mints a PAT for an ORG_OWNER of its organisation',
    wires: HTTP,
    run: (w) => ops.addPat(as(manager.token), w as 'rest', owner.id),
    want: FORBIDDEN,
  },
  {
    name: 'manager sets an ORG_OWNER’s email as verified',
    wires: ALL,
    run: (w) => ops.setEmail(as(manager.token), w, owner.id, `owner${++n}@evil.test`, 'verified'),
    want: FORBIDDEN,
  },
  {
    name: 'ORG_OWNER of the default organisation mints a PAT for the instance admin (an instance role)',
    wires: HTTP,
    run: (w) => ops.addPat(as(owner.token), w as 'rest', adminId),
    want: FORBIDDEN,
  },
  {
    name: 'a manager of another organisation mints a PAT for the admin: not found, as a missing user',
    wires: HTTP,
    run: (w) => ops.addPat(as(outsider.token), w as 'rest', adminId),
    want: NOT_FOUND,
  },
  {
    name: 'a manager of another organisation sets the admin’s email: not found',
    wires: ALL,
    run: (w) => ops.setEmail(as(outsider.token), w, adminId, `x${++n}@evil.test`, 'verified'),
    want: NOT_FOUND,
  },
  {
    name: 'manager (no org.member.write) grants itself ORG_OWNER',
    wires: HTTP,
    run: (w) => ops.addMember(as(manager.token), w as 'rest', defaultOrgId, manager.id, ['ORG_OWNER']),
    want: FORBIDDEN,
  },
  {
    name: 'ORG_OWNER rewrites the instance admin’s membership in its organisation (demotion)',
    wires: HTTP,
    run: (w) => ops.addMember(as(owner.token), w as 'rest', defaultOrgId, adminId, ['ORG_USER_VIEWER']),
    want: FORBIDDEN,
  },
  {
    name: 'ORG_OWNER of another organisation attaches the admin (a user it cannot read): not found',
    wires: HTTP,
    run: (w) => ops.addMember(as(ownerB.token), w as 'rest', otherOrgId, adminId, ['ORG_USER_VIEWER']),
    want: NOT_FOUND,
  },
  {
    name: 'ORG_OWNER rewrites the membership of a user who is ORG_OWNER elsewhere too',
    wires: HTTP,
    run: (w) => ops.addMember(as(owner.token), w as 'rest', defaultOrgId, twoOrgOwner.id, ['ORG_USER_VIEWER']),
    want: FORBIDDEN,
  },
  {
    name: 'manager renames the admin with UpdateUser',
    wires: ALL,
    run: (w) => ops.updateUser(as(manager.token), w, adminId, { username: `admin-taken${++n}` }),
    want: FORBIDDEN,
  },
  {
    name: 'manager changes the admin’s profile with UpdateUser',
    wires: ALL,
    run: (w) => ops.updateUser(as(manager.token), w, adminId, { nickName: 'owned' }),
    want: FORBIDDEN,
  },
  {
    name: 'manager sets the admin’s email as verified through UpdateUser’s human.email',
    wires: ALL,
    run: (w) => ops.updateUser(as(manager.token), w, adminId, { email: `takeover${++n}@evil.test`, v: 'verified' }),
    want: FORBIDDEN,
  },
  {
    name: 'manager changes an ORG_OWNER’s username with UpdateUser',
    wires: ALL,
    run: (w) => ops.updateUser(as(manager.token), w, owner.id, { username: `owner-taken${++n}` }),
    want: FORBIDDEN,
  },
  {
    name: 'a manager of another organisation renames the admin with UpdateUser: not found',
    wires: ALL,
    run: (w) => ops.updateUser(as(outsider.token), w, adminId, { username: `admin-taken${++n}` }),
    want: NOT_FOUND,
  },
];

/** What the same callers may still do. */
const LEGITIMATE: Case[] = [
  {
    name: 'manager sets a plain user’s email as verified',
    wires: ALL,
    run: async (w) => ops.setEmail(as(manager.token), w, await fresh('plain'), `plain${++n}@example.com`, 'verified'),
    want: { ok: true },
  },
  {
    name: 'manager sends a plain user a code and gets it back',
    wires: ALL,
    run: async (w) => ops.sendCode(as(manager.token), w, await fresh('plain'), 'return'),
    want: { ok: true },
  },
  {
    name: 'manager mints a PAT for a plain user',
    wires: HTTP,
    run: async (w) => ops.addPat(as(manager.token), w as 'rest', await fresh('plain')),
    want: { ok: true },
  },
  {
    name: 'manager mints a PAT for another manager (same rank)',
    wires: HTTP,
    run: async (w) => ops.addPat(as(manager.token), w as 'rest', (await member(defaultOrgId, 'peer', ['ORG_USER_MANAGER'])).id),
    want: { ok: true },
  },
  {
    name: 'manager lists a plain user’s tokens',
    wires: HTTP,
    run: async (w) => ops.listPats(as(manager.token), w as 'rest', await fresh('plain')),
    want: { ok: true },
  },
  {
    name: 'manager revokes a plain user’s token',
    wires: HTTP,
    run: async (w) => {
      const userId = await fresh('plain');
      const created = await ops.addPat(as(t.adminToken), 'rest', userId);
      return ops.removePat(as(manager.token), w as 'rest', userId, (created as { body: { tokenId: string } }).body.tokenId);
    },
    want: { ok: true },
  },
  {
    name: 'ORG_OWNER grants ORG_USER_MANAGER and ORG_OWNER (not above its own) to a user of its organisation',
    wires: HTTP,
    run: async (w) => ops.addMember(as(owner.token), w as 'rest', defaultOrgId, await fresh('grantee'), ['ORG_USER_MANAGER', 'ORG_OWNER']),
    want: { ok: true },
  },
  {
    name: 'ORG_OWNER demotes a manager of its organisation',
    wires: HTTP,
    run: async (w) =>
      ops.addMember(as(owner.token), w as 'rest', defaultOrgId, (await member(defaultOrgId, 'demoted', ['ORG_USER_MANAGER'])).id, [
        'ORG_USER_VIEWER',
      ]),
    want: { ok: true },
  },
  {
    name: 'manager renames a plain user and changes its email with UpdateUser',
    wires: ALL,
    run: async (w) =>
      ops.updateUser(as(manager.token), w, await fresh('plain'), {
        username: `renamed${++n}`,
        nickName: 'p',
        email: `plain${++n}@example.com`,
      }),
    want: { ok: true },
  },
  {
    name: 'ORG_OWNER changes the manager’s profile with UpdateUser',
    wires: ALL,
    run: (w) => ops.updateUser(as(owner.token), w, manager.id, { nickName: `m${++n}` }),
    want: { ok: true },
  },
  {
    name: 'ORG_OWNER sets the manager’s email as verified',
    wires: ALL,
    run: (w) => ops.setEmail(as(owner.token), w, manager.id, `manager${++n}@example.com`, 'verified'),
    want: { ok: true },
  },
  {
    name: 'the admin mints a PAT for the ORG_OWNER',
    wires: HTTP,
    run: (w) => ops.addPat(as(t.adminToken), w as 'rest', owner.id),
    want: { ok: true },
  },
  {
    name: 'the manager mints a PAT for itself',
    wires: HTTP,
    run: (w) => ops.addPat(as(manager.token), w as 'rest', manager.id),
    want: { ok: true },
  },
  {
    name: 'the manager lists its own tokens',
    wires: HTTP,
    run: (w) => ops.listPats(as(manager.token), w as 'rest', manager.id),
    want: { ok: true },
  },
  {
    name: 'the manager mails itself a code (self-service)',
    wires: ALL,
    run: (w) => ops.setEmail(as(manager.token), w, manager.id, `self${++n}@example.com`, 'send'),
    want: { ok: true },
  },
];

let adminTokens: string[] | undefined;
async function adminTokenId(): Promise<string> {
  adminTokens ??= ((await ops.listPats(as(t.adminToken), 'rest', adminId)) as { body: { result: { id: string }[] } }).body.result.map(
    (p) => p.id,
  );
  return adminTokens[0]!;
}

const rows = (cases: Case[]) => cases.flatMap((c) => c.wires.map((wire) => ({ ...c, wire })));

describe('§7.1: every escalation attempt fails', () => {
  it.each(rows(ATTACKS))('$wire: $name', async ({ wire, run, want }) => {
    expect(failureOf(await run(wire))).toEqual(want);
  });

  it('leaves the admin as it was: its address, its tokens, its token working, its roles', async () => {
    const me = await admin.getUser(adminId);
    expect(me.status).toBe(200);
    expect(me.body.user.human.email).toEqual({ email: 'admin@localhost', isVerified: true });
    const tokens = await ops.listPats(as(t.adminToken), 'rest', adminId);
    expect(tokens.ok && tokens.body.result.map((p: { id: string }) => p.id)).toEqual([await adminTokenId()]);
    // still IAM_OWNER: it can create organisations
    expect((await rest(t.url, 'POST', '/v2/organizations', { name: `still-admin-${++n}` }, t.adminToken)).status).toBe(200);
  });
});

describe('§7.1: what the same callers may do still works', () => {
  it.each(rows(LEGITIMATE))('$wire: $name', async ({ wire, run, want }) => {
    expect(failureOf(await run(wire))).toEqual(want);
  });
});

describe('§7.1: PAT_MAX_LIFETIME_DAYS caps every new token', () => {
  it.each(HTTP)('%s: no expirationDate → the cap; within → as asked; beyond → 400 PAT-l1fet1me', async (wire) => {
    const userId = await fresh('capped');
    const before = Date.now();
    const none = await ops.addPat(as(t.adminToken), wire, userId);
    expect(none.ok).toBe(true);
    const listed = await ops.listPats(as(t.adminToken), wire, userId);
    const tokens: { expirationDate: string }[] = listed.ok ? (wire === 'rest' ? listed.body.result : listed.body) : [];
    expect(tokens).toHaveLength(1);
    const expiry = new Date(tokens[0]!.expirationDate).getTime();
    expect(expiry).toBeGreaterThanOrEqual(before + PAT_DAYS * DAY_MS - 1000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + PAT_DAYS * DAY_MS + 1000);

    const within = await ops.addPat(as(t.adminToken), wire, userId, new Date(Date.now() + 10 * DAY_MS).toISOString());
    expect(within.ok).toBe(true);

    const beyond = await ops.addPat(as(t.adminToken), wire, userId, new Date(Date.now() + (PAT_DAYS + 1) * DAY_MS).toISOString());
    expect(failureOf(beyond)).toEqual({ ok: false, grpcCode: 3, id: 'PAT-l1fet1me' });
    expect(beyond.ok ? '' : beyond.message).toContain('PAT_MAX_LIFETIME_DAYS');
  });
});
