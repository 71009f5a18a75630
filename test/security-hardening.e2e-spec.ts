import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { GrpcServer } from '../src/connect/grpc-server.js';
import { OutboxMessageEntity } from '../src/database/entities/outbox-message.entity.js';
import { startApp, TestApp } from './support/app.js';
import { Api } from './support/client.js';
import { type Answer, type Caller, failureOf, type Wire, wires } from './support/wires.js';

/**
 * Spec §7.5–§7.7, each probe an attacker with an ordinary account (or none) would try, over
 * every transport the rule applies to, on the suite's database (TEST_DB). The JWT rules (§7.9)
 * are in security-jwt.e2e-spec.ts, the public surfaces and protocol rules (§7.10, §7.11) in
 * security-surfaces.e2e-spec.ts, secrets at rest and the code policy (§7.8, §7.12) in
 * security-secrets.e2e-spec.ts.
 */

const API_WIRES: Wire[] = ['rest', 'graphql', 'connect'];
const settle = (ms = 500) => new Promise((r) => setTimeout(r, ms));
const uniq = () => randomBytes(3).toString('hex');

function expectOk(a: Answer): asserts a is Extract<Answer, { ok: true }> {
  if (!a.ok) throw new Error(`expected success, got code ${a.grpcCode} ${a.id}: ${a.message}`);
}

async function listen(t: TestApp): Promise<number> {
  return t.app.get(GrpcServer).listen(0, '127.0.0.1');
}

describe('§7.5 proxies: only the trusted hops are taken off X-Forwarded-For', () => {
  const LIMIT = 3;
  const CASES = [
    // one proxy in front: it appends the address it saw; everything left of that is the client's word
    { name: 'TRUST_PROXY=1', trust: '1', header: (spoof: string, real: string) => `${spoof}, ${real}` },
    // proxies by address: the socket's peer (loopback here) and a 10/8 hop are trusted, the next hop is the client
    {
      name: 'TRUST_PROXY=127.0.0.0/8,10.0.0.0/8',
      trust: '127.0.0.0/8,10.0.0.0/8',
      header: (spoof: string, real: string) => `${spoof}, ${real}, 10.1.2.3`,
    },
  ];

  describe.each(CASES)('$name', ({ trust, header }) => {
    let t: TestApp;
    let grpcPort: number;
    let orgId: string;

    beforeAll(async () => {
      t = await startApp({ TRUST_PROXY: trust, RATE_LIMIT_VERIFY_PER_IP: String(LIMIT) });
      grpcPort = await listen(t);
      orgId = await new Api(t.url, t.adminToken).addOrganization(`Proxy Org ${uniq()}`);
    });
    afterAll(() => t.close());

    it.each<Wire>(['rest', 'graphql', 'connect', 'grpc'])(
      'over %s: rotating a spoofed leftmost address does not escape the per-IP verify limit',
      async (wire) => {
        const user = await new Api(t.url, t.adminToken).addUniqueUser(orgId, `proxy-${wire}`);
        // a client address of this case alone, so the wires' counters never meet
        const n = ['rest', 'graphql', 'connect', 'grpc'].indexOf(wire);
        const real = `203.0.113.${10 + n}`;
        const attempt = (spoof: string, client = real) =>
          wires.verify(
            { url: t.url, grpcPort, token: t.adminToken, headers: { 'x-forwarded-for': header(spoof, client) } },
            wire,
            user.userId,
            'WRONG1',
          );
        const answers: Answer[] = [];
        for (let i = 0; i < LIMIT + 3; i++) answers.push(await attempt(`198.51.100.${i + 1}`));
        expect(answers.slice(0, LIMIT).map(failureOf)).toEqual(Array(LIMIT).fill({ ok: false, grpcCode: 3, id: 'COMMAND-eis9R' }));
        expect(answers.slice(LIMIT).map(failureOf)).toEqual(Array(3).fill({ ok: false, grpcCode: 8, id: 'RATE-l1m1t' }));
        // the limit is the client's, not the socket's: another client behind the same proxy is not held back
        expect(failureOf(await attempt('198.51.100.99', `203.0.113.${100 + n}`))).toEqual({ ok: false, grpcCode: 3, id: 'COMMAND-eis9R' });
      },
    );
  });
});

describe('§7.6 mail abuse: at most EMAIL_MAX_MAILS_PER_ADDRESS_PER_DAY mails to one address, all users together', () => {
  let t: TestApp;
  let grpcPort: number;
  let orgId: string;

  beforeAll(async () => {
    // the default cap (10) is what is tested
    t = await startApp({});
    grpcPort = await listen(t);
    orgId = await new Api(t.url, t.adminToken).addOrganization('Mail Bomb Org');
  });
  afterAll(() => t.close());

  it.each(API_WIRES)('over %s: 15 fresh users with one victim address send 10 mails; the rest are 429 EMAIL-4ddr5', async (wire) => {
    const c: Caller = { url: t.url, grpcPort, token: t.adminToken };
    const victim = `victim-${wire}-${uniq()}@example.com`;
    const answers: Answer[] = [];
    for (let i = 0; i < 15; i++)
      answers.push(await wires.addHumanUser(c, wire, { orgId, username: `bomber-${wire}-${uniq()}`, email: victim, verify: { send: {} } }));
    expect(answers.slice(0, 10).every((a) => a.ok)).toBe(true);
    for (const a of answers.slice(10)) {
      expect(failureOf(a)).toEqual({ ok: false, grpcCode: 8, id: 'EMAIL-4ddr5' });
      if (a.ok) continue;
      expect(a.retryAfter).toBeGreaterThan(0);
      expect(a.retryAfter).toBeLessThanOrEqual(24 * 3600);
    }
    // one address, however it is written
    const shouted = await wires.addHumanUser(c, wire, {
      orgId,
      username: `bomber-${wire}-${uniq()}`,
      email: victim.toUpperCase(),
      verify: { send: {} },
    });
    expect(failureOf(shouted)).toEqual({ ok: false, grpcCode: 8, id: 'EMAIL-4ddr5' });
    // returnCode mails nothing: never throttled
    expectOk(await wires.addHumanUser(c, wire, { orgId, username: `returned-${wire}-${uniq()}`, email: victim, verify: 'return' }));

    await t.sink.waitForMailTo(victim, 10);
    await settle();
    expect(t.sink.to(victim)).toHaveLength(10);
  });
});

describe('§7.6 notices count toward both caps, and one over a cap is dropped, never the change', () => {
  let t: TestApp;
  let grpcPort: number;
  let orgId: string;

  beforeAll(async () => {
    t = await startApp({ EMAIL_NOTIFY_PREVIOUS: 'true', EMAIL_MAX_MAILS_PER_ADDRESS_PER_DAY: '3', EMAIL_MAX_MAILS_PER_DAY: '2' });
    grpcPort = await listen(t);
    orgId = await new Api(t.url, t.adminToken).addOrganization('Notice Org');
  });
  afterAll(() => t.close());

  it.each(API_WIRES)('over %s: five address changes notify the old address three times, all five changes land', async (wire) => {
    const c: Caller = { url: t.url, grpcPort, token: t.adminToken };
    const old = `shared-${wire}-${uniq()}@example.com`;
    const users: string[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await wires.addHumanUser(c, wire, { orgId, username: `notice-${wire}-${uniq()}`, email: old, verify: 'verified' });
      expectOk(a);
      users.push(a.body.userId);
    }
    const moved = users.map((_, i) => `moved-${wire}-${i}-${uniq()}@example.com`);
    for (const [i, userId] of users.entries()) expectOk(await wires.setEmail(c, wire, userId, moved[i]!, 'verified'));
    for (const [i, userId] of users.entries()) {
      const u = await wires.getUser(c, 'rest', userId);
      expectOk(u);
      expect(u.body.user.human.email.email).toBe(moved[i]);
    }
    await t.sink.waitForMailTo(old, 3);
    await settle();
    expect(t.sink.to(old)).toHaveLength(3);
    // the notices filled the address's cap: a code to it is refused like any mail over the cap
    const coded = await wires.addHumanUser(c, wire, { orgId, username: `late-${wire}-${uniq()}`, email: old, verify: { send: {} } });
    expect(failureOf(coded)).toEqual({ ok: false, grpcCode: 8, id: 'EMAIL-4ddr5' });
  });

  it.each(API_WIRES)("over %s: notices count toward the user's daily cap (EMAIL_MAX_MAILS_PER_DAY=2)", async (wire) => {
    const c: Caller = { url: t.url, grpcPort, token: t.adminToken };
    const tag = `${wire}-${uniq()}`;
    const added = await wires.addHumanUser(c, wire, {
      orgId,
      username: `daily-${tag}`,
      email: `a1-${tag}@example.com`,
      verify: 'verified',
    });
    expectOk(added);
    const userId = added.body.userId as string;
    // two notices (to a1, then a2): the user's two mails of the day
    expectOk(await wires.setEmail(c, wire, userId, `a2-${tag}@example.com`, 'verified'));
    expectOk(await wires.setEmail(c, wire, userId, `a3-${tag}@example.com`, 'verified'));
    await t.sink.waitForMailTo(`a2-${tag}@example.com`);
    const code = await wires.setEmail(c, wire, userId, `a4-${tag}@example.com`, { send: {} });
    expect(failureOf(code)).toEqual({ ok: false, grpcCode: 8, id: 'EMAIL-d4ily' });
  });
});

describe('§7.7 links in mails: the scheme and host come from the template, checked on the real link', () => {
  let t: TestApp;
  let grpcPort: number;
  let orgId: string;
  let allowListed: TestApp;
  let allowListedGrpc: number;
  let allowListedOrg: string;

  beforeAll(async () => {
    t = await startApp({});
    grpcPort = await listen(t);
    orgId = await new Api(t.url, t.adminToken).addOrganization('Link Org');
    allowListed = await startApp({ URL_TEMPLATE_ALLOWED_HOSTS: 'app.example.com' });
    allowListedGrpc = await listen(allowListed);
    allowListedOrg = await new Api(allowListed.url, allowListed.adminToken).addOrganization('Allow-listed Link Org');
  });
  afterAll(async () => {
    await t.close();
    await allowListed.close();
  });

  /** A user with this username (code returned, no mail) on the given instance. */
  async function userNamed(
    app: TestApp,
    port: number,
    org: string,
    wire: Wire,
    username: string,
  ): Promise<{ c: Caller; userId: string; email: string }> {
    const c: Caller = { url: app.url, grpcPort: port, token: app.adminToken };
    const email = `link-${uniq()}@example.com`;
    const a = await wires.addHumanUser(c, wire, { orgId: org, username, email, verify: 'return' });
    expectOk(a);
    return { c, userId: a.body.userId, email };
  }

  async function outboxRows(app: TestApp, userId: string): Promise<number> {
    return app.app.get(DataSource).getRepository(OutboxMessageEntity).count({ where: { userId } });
  }

  const HOSTILE: { name: string; username: string; template: string; id: string }[] = [
    {
      name: 'a username that makes the scheme (javascript:)',
      username: 'javascript:alert(1)//',
      template: '{{.LoginName}}://app.example.com/verify?code={{.Code}}',
      id: 'EMAIL-uRl5s',
    },
    {
      name: 'a username that is the host',
      username: 'evil.example',
      template: 'https://{{.LoginName}}/verify?code={{.Code}}',
      id: 'EMAIL-uRl6o',
    },
    {
      name: 'a username appended to the host',
      username: '.evil.example',
      template: 'https://app.example.com{{.LoginName}}/verify?code={{.Code}}',
      id: 'EMAIL-uRl6o',
    },
    { name: 'a relative link', username: 'plain', template: '/verify?code={{.Code}}', id: 'EMAIL-uRl5s' },
  ];

  describe.each(API_WIRES)('over %s', (wire) => {
    it.each(HOSTILE)('$name: InvalidArgument, nothing stored, nothing mailed', async ({ username, template, id }) => {
      const { c, userId, email } = await userNamed(t, grpcPort, orgId, wire, `${username}${uniq()}`);
      const before = await outboxRows(t, userId);
      const a = await wires.setEmail(c, wire, userId, `new-${uniq()}@example.com`, { send: { urlTemplate: template } });
      expect(failureOf(a)).toEqual({ ok: false, grpcCode: 3, id });
      const u = await wires.getUser(c, 'rest', userId);
      expectOk(u);
      expect(u.body.user.human.email.email).toBe(email);
      expect(await outboxRows(t, userId)).toBe(before);
    });

    it('a hostile username in the query of an allow-listed template: the mailed link stays on the allowed host', async () => {
      const { c, userId } = await userNamed(allowListed, allowListedGrpc, allowListedOrg, wire, `@evil.example/#${uniq()}`);
      const to = `link-ok-${uniq()}@example.com`;
      const a = await wires.setEmail(c, wire, userId, to, {
        send: { urlTemplate: 'https://app.example.com/verify?u={{.LoginName}}&c={{.Code}}' },
      });
      expectOk(a);
      const mail = await allowListed.sink.waitForMailTo(to);
      const link = /https?:\/\/\S+/.exec(mail.text)![0];
      expect(new URL(link).origin).toBe('https://app.example.com');
    });

    it('a template on a host the allow-list does not name: EMAIL-uRl4h', async () => {
      const { c, userId } = await userNamed(allowListed, allowListedGrpc, allowListedOrg, wire, `other-host-${uniq()}`);
      const a = await wires.setEmail(c, wire, userId, `x-${uniq()}@example.com`, {
        send: { urlTemplate: 'https://evil.example/v?c={{.Code}}' },
      });
      expect(failureOf(a)).toEqual({ ok: false, grpcCode: 3, id: 'EMAIL-uRl4h' });
    });
  });
});
