import { GrpcServer } from '../src/connect/grpc-server.js';
import { startApp, TestApp } from './support/app.js';
import { Api } from './support/client.js';
import { adminOf, failureOf, ops, Result, Target, Wire } from './support/security.js';

/**
 * Spec §7.2 "one enforcement path": the rate limits are one step of the one pipeline, so REST,
 * GraphQL, Connect, gRPC (GRPC_PORT) and the hosted page count against the same counters and
 * refuse alike: 429 RATE-l1m1t with Retry-After (code 8 and retry-after metadata on Connect and
 * gRPC). Before, Connect and gRPC skipped every limit (80 wrong VerifyEmail: 80 × 400, no 429).
 */

const WIRES: Wire[] = ['rest', 'graphql', 'connect', 'grpc'];
const LIMITED = { ok: false, grpcCode: 8, id: 'RATE-l1m1t' };

interface Env {
  t: TestApp;
  admin: Api;
  grpcPort: number;
  orgId: string;
}

async function start(env: Record<string, string>): Promise<Env> {
  const t = await startApp(env);
  const grpcPort = await t.app.get(GrpcServer).listen(0, '127.0.0.1');
  const admin = new Api(t.url, t.adminToken);
  return { t, admin, grpcPort, orgId: (await adminOf(t)).defaultOrgId };
}

const target = (e: Env, token: string | null): Target => ({ t: e.t, token, grpcPort: e.grpcPort });

/** The hosted page's form POST (anonymous). */
async function pagePost(e: Env, userId: string, code: string): Promise<number> {
  const res = await fetch(`${e.t.url}/ui/v2/login/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ userId, code, organization: e.orgId }).toString(),
  });
  await res.text();
  return res.status;
}

function expectLimited(r: Result): void {
  expect(failureOf(r)).toEqual(LIMITED);
  expect(r.ok ? 0 : r.retryAfter).toBeGreaterThan(0);
}

describe('RATE_LIMIT_VERIFY_PER_IP: one counter for every transport', () => {
  let e: Env;
  beforeAll(async () => {
    e = await start({ RATE_LIMIT_VERIFY_PER_IP: '5' });
  });
  afterAll(() => e?.t.close());

  it('four wrong codes over four transports and one on the page use up the limit; then every transport answers 429', async () => {
    const { userId } = await e.admin.addUniqueUser(e.orgId, 'verify-limit');
    // within the limit: each transport reaches the service and gets the wrong code's answer
    for (const wire of WIRES) {
      expect(failureOf(await ops.verify(target(e, e.t.adminToken), wire, userId, 'WRONG1'))).toEqual({
        ok: false,
        grpcCode: 3,
        id: 'COMMAND-eis9R',
      });
    }
    expect(await pagePost(e, userId, 'WRONG1')).toBe(400);
    // over it: refused before validation and the service, whatever the transport
    for (const wire of WIRES) expectLimited(await ops.verify(target(e, e.t.adminToken), wire, userId, 'WRONG2'));
    expect(await pagePost(e, userId, 'WRONG2')).toBe(429);
    // reads are not limited
    for (const wire of WIRES) expect((await ops.getUser(target(e, e.t.adminToken), wire, userId)).ok).toBe(true);
  });
});

describe('RATE_LIMIT_WRITES_PER_TOKEN: one counter per token for every transport', () => {
  let e: Env;
  beforeAll(async () => {
    e = await start({ RATE_LIMIT_WRITES_PER_TOKEN: '4' });
  });
  afterAll(() => e?.t.close());

  it('a token’s fifth write is refused on every transport; another token still writes', async () => {
    const { userId } = await e.admin.addUniqueUser(e.orgId, 'token-limit');
    const token = await e.admin.addPat(userId);
    for (const wire of WIRES) expect((await ops.sendCode(target(e, token), wire, userId, 'send')).ok).toBe(true);
    for (const wire of WIRES) expectLimited(await ops.sendCode(target(e, token), wire, userId, 'send'));
    // the admin's token has its own counter (two writes above: the user and its PAT)
    expect((await ops.sendCode(target(e, e.t.adminToken), 'grpc', userId, 'return')).ok).toBe(true);
  });
});

describe('RATE_LIMIT_WRITES_PER_IP: one counter per client address for every transport', () => {
  let e: Env;
  beforeAll(async () => {
    e = await start({ RATE_LIMIT_WRITES_PER_IP: '6' });
  });
  afterAll(() => e?.t.close());

  it('the address’s seventh write is refused on every transport, whatever the token', async () => {
    // two writes of the set-up: the user and its PAT
    const { userId } = await e.admin.addUniqueUser(e.orgId, 'ip-limit');
    const token = await e.admin.addPat(userId);
    for (const wire of WIRES) expect((await ops.sendCode(target(e, token), wire, userId, 'send')).ok).toBe(true);
    for (const wire of WIRES) expectLimited(await ops.sendCode(target(e, e.t.adminToken), wire, userId, 'return'));
  });
});

describe('authentication comes first on every transport', () => {
  let e: Env;
  beforeAll(async () => {
    e = await start({ RATE_LIMIT_VERIFY_PER_IP: '1' });
  });
  afterAll(() => e?.t.close());

  it.each(WIRES)('%s: no token → 401 AUTH-7fs1e and a bad one → 401 AUTHZ-Kl3p0, before any limit or lookup', async (wire) => {
    // the verify limit of 1 is used up by the first call of the first wire: 401s still come first
    expect(failureOf(await ops.verify(target(e, null), wire, '100000000000000042', 'ABCDEF'))).toEqual({
      ok: false,
      grpcCode: 16,
      id: 'AUTH-7fs1e',
    });
    expect(failureOf(await ops.verify(target(e, 'x'.repeat(43)), wire, '100000000000000042', 'ABCDEF'))).toEqual({
      ok: false,
      grpcCode: 16,
      id: 'AUTHZ-Kl3p0',
    });
  });
});
