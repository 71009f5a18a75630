import { startApp, TestApp } from './support/app.js';
import { Api, gql, HttpResult, rest } from './support/client.js';

/**
 * Whatever a client sends, the answer is a client error in ZITADEL's shape (spec §2): never a
 * 500, never a stack trace, SQL or file path.
 */

/** Traces of internals that must never reach a client. */
function expectNoLeak(r: HttpResult): void {
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  expect(text).not.toMatch(/\bat [^\s"]+ \(|\bat \/|\n\s+at |:\d+:\d+\)/); // stack frames
  for (const leak of [
    'node_modules',
    'SELECT',
    'QueryFailedError',
    'INSERT INTO',
    'UPDATE "',
    '/work/',
    '.ts:',
    'TypeError',
    'SyntaxError',
  ]) {
    expect(text).not.toContain(leak);
  }
}

/** A ZITADEL error body with the status the service answers (all of these are InvalidArgument, code 3). */
function expectClientError(r: HttpResult, status = 400): void {
  expect({ status: r.status, code: r.body?.code }).toEqual({ status, code: 3 });
  expect(r.body).toEqual({ code: 3, message: expect.any(String), details: expect.any(Array) });
  expect(r.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expectNoLeak(r);
}

/** Recursively collects every key of a JSON value. */
function keysOf(v: unknown, into: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, into));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      into.push(k);
      keysOf(x, into);
    }
  }
  return into;
}

describe('malformed input', () => {
  let t: TestApp;
  let api: Api;
  let userId: string;
  let before: HttpResult;

  beforeAll(async () => {
    t = await startApp();
    api = new Api(t.url, t.adminToken);
    const orgId = await api.addOrganization('Malformed Org');
    userId = await api.addUser(orgId, 'target', 'target@example.com');
    before = await api.getUser(userId);
  });
  afterAll(() => t.close());

  /** A raw POST to SetEmail with the admin token. */
  async function post(body: string, contentType = 'application/json'): Promise<HttpResult> {
    const res = await fetch(`${t.url}/v2/users/${userId}/email`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${t.adminToken}` },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  describe('REST SetEmail bodies', () => {
    const BODIES: [string, string][] = [
      ['malformed JSON', '{"email": "x@example.com", '],
      ['a truncated string', '{"email": "x@exa'],
      ['a JSON array', '[{"email": "array@example.com"}]'],
      ['an empty JSON array', '[]'],
      ['a JSON string', '"array@example.com"'],
      ['a JSON number', '42'],
      ['JSON null', 'null'],
      ['an empty object', '{}'],
      ['email as a number', '{"email": 5}'],
      ['email as an object', '{"email": {"email": "o@example.com"}}'],
      ['email as an array', '{"email": ["a@example.com"]}'],
      ['email as null', '{"email": null, "returnCode": {}}'],
      ['sendCode as a string', '{"email": "sc@example.com", "sendCode": "x"}'],
      ['sendCode as an array', '{"email": "sc@example.com", "sendCode": []}'],
      ['urlTemplate as a number', '{"email": "sc@example.com", "sendCode": {"urlTemplate": 5}}'],
      ['returnCode as true', '{"email": "rc@example.com", "returnCode": true}'],
      ['returnCode as a string', '{"email": "rc@example.com", "returnCode": "yes"}'],
      ['isVerified as a string', '{"email": "iv@example.com", "isVerified": "yes"}'],
      ['isVerified as 1', '{"email": "iv@example.com", "isVerified": 1}'],
      ['a __proto__ key', '{"email": "proto@example.com", "__proto__": {"isVerified": true, "returnCode": {}}}'],
      ['a nested __proto__ key', '{"email": "proto2@example.com", "sendCode": {"__proto__": {"urlTemplate": "https://x.test/{{.Code}}"}}}'],
      ['a NUL byte in the email', '{"email": "nul\\u0000@example.com", "returnCode": {}}'],
      ['a lone surrogate in the email', '{"email": "\\ud800@example.com", "returnCode": {}}'],
    ];

    it.each(BODIES)('%s → 400 in ZITADEL shape', async (_name, body) => {
      const r = await post(body);
      expectClientError(r);
    });

    it('a body over 64 kB → 413 REQUEST-Tk3pa in ZITADEL shape', async () => {
      const r = await post(JSON.stringify({ email: 'big@example.com', returnCode: {}, padding: 'x'.repeat(70 * 1024) }));
      expectClientError(r, 413);
      expect(r.body.details[0].id).toBe('REQUEST-Tk3pa');
    });

    it('__proto__ and constructor.prototype keys pollute nothing', async () => {
      // each body is also invalid (returnCode: true) so that the user stays as it was
      await post('{"email": "pollute@example.com", "returnCode": true, "__proto__": {"polluted": "yes"}}');
      await post('{"email": "pollute2@example.com", "returnCode": true, "constructor": {"prototype": {"polluted": "yes"}}}');
      await post('{"email": "pollute3@example.com", "returnCode": true, "sendCode": {"constructor": {"prototype": {"polluted": "yes"}}}}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    });

    it.each([
      ['text/plain with JSON text', '{"email": "plain@example.com", "returnCode": {}}', 'text/plain'],
      ['application/x-www-form-urlencoded', 'email=form%40example.com', 'application/x-www-form-urlencoded'],
      ['an unknown content type', '<email>x@example.com</email>', 'application/xml'],
    ])('%s → 415 REQUEST-m3Dia in ZITADEL shape', async (_name, body, type) => {
      const r = await post(body, type);
      expectClientError(r, 415);
      expect(r.body.details[0].id).toBe('REQUEST-m3Dia');
    });

    it('none of the malformed requests changed the user', async () => {
      expect((await api.getUser(userId)).body).toEqual(before.body);
    });
  });

  describe('routes', () => {
    it.each([
      ['GET', '/v2/nonexistent'],
      ['POST', '/v2/users/x/email/nonexistent'],
      ['GET', '/nonexistent'],
    ])('%s %s → 404 JSON in ZITADEL shape', async (method, path) => {
      const res = await fetch(t.url + path, { method, headers: { authorization: `Bearer ${t.adminToken}` } });
      const text = await res.text();
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
      const body = JSON.parse(text);
      expect(body).toEqual({ code: 5, message: expect.any(String), details: expect.any(Array) });
      expectNoLeak({ status: res.status, headers: res.headers, body });
    });

    // userId is valid up to 200 characters (spec: the input's rules), so a 150-character ID is
    // simply a user that does not exist
    it.each([
      ['GetUserByID', 'GET', undefined],
      ['SetEmail', 'POST', { email: 'long@example.com', returnCode: {} }],
    ] as const)('%s with a 150-character user ID → 404 COMMAND-ieJ2e', async (_op, method, body) => {
      const id = '9'.repeat(150);
      const r = await rest(t.url, method, method === 'GET' ? `/v2/users/${id}` : `/v2/users/${id}/email`, body, t.adminToken);
      expect({ status: r.status, body: r.body }).toEqual({
        status: 404,
        body: {
          code: 5,
          message: 'Email not found (COMMAND-ieJ2e)',
          details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'COMMAND-ieJ2e', message: 'Email not found' }],
        },
      });
    });

    it("a 500-character user ID → 400 request validation in ZITADEL shape, not the HTTP layer's 414", async () => {
      const r = await api.getUser('9'.repeat(500));
      expectClientError(r, 400);
      expect(r.body).toEqual({
        code: 3,
        message: 'invalid GetUserByIDRequest.UserId: value length must be between 1 and 200 runes, inclusive',
        details: [],
      });
    });
  });

  describe('GraphQL', () => {
    const SET = 'mutation($input: SetContactEmailInput!) { setContactEmail(input: $input) { details { sequence } verificationCode } }';
    const CASES: [string, string, Record<string, unknown>][] = [
      ['a syntax error', 'mutation { setContactEmail(input: {', {}],
      ['an unknown field', '{ user(id: "1") { nonexistentField } }', {}],
      [
        'an unknown argument',
        'mutation { setContactEmail(input: { userId: "1", email: "a@example.com" }, extra: 1) { verificationCode } }',
        {},
      ],
      [
        'an unknown input field',
        'mutation { setContactEmail(input: { userId: "1", email: "a@example.com", bogus: true }) { verificationCode } }',
        {},
      ],
      ['a wrong variable type: email as a number', SET, { input: { userId: 'USER', email: 5 } }],
      ['a wrong variable type: returnCode as a string', SET, { input: { userId: 'USER', email: 'gq@example.com', returnCode: 'yes' } }],
      ['a wrong variable type: sendCode as a string', SET, { input: { userId: 'USER', email: 'gq@example.com', sendCode: 'x' } }],
      ['a missing required variable', SET, {}],
      ['a missing required input field', SET, { input: { userId: 'USER' } }],
      ['an unknown field inside a variable', SET, { input: { userId: 'USER', email: 'gq@example.com', bogus: 1 } }],
    ];

    it.each(CASES)('%s → INVALID_ARGUMENT (grpcCode 3), no stacktrace', async (_name, query, variables) => {
      const vars = JSON.parse(JSON.stringify(variables).replace(/"USER"/g, JSON.stringify(userId))) as Record<string, unknown>;
      const r = await gql(t.url, query, vars, t.adminToken);
      expect(r.status).toBe(400);
      expect(r.body.errors?.length).toBeGreaterThan(0);
      expect(r.body.errors[0].extensions).toEqual({ code: 'INVALID_ARGUMENT', grpcCode: 3, httpStatus: 400 });
      expect(keysOf(r.body)).not.toContain('stacktrace');
      expect(keysOf(r.body)).not.toContain('exception');
      expectNoLeak(r);
    });

    it('a body that is not JSON → 400 INVALID_ARGUMENT in GraphQL’s shape, no stacktrace', async () => {
      const res = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
        body: '{"query": ',
      });
      const text = await res.text();
      expect(res.status).toBe(400);
      expect(JSON.parse(text)).toEqual({
        errors: [
          { message: 'invalid request body: malformed JSON', extensions: { code: 'INVALID_ARGUMENT', grpcCode: 3, httpStatus: 400 } },
        ],
      });
      expect(text).not.toContain('stacktrace');
      expect(text).not.toContain('node_modules');
    });

    it('none of the malformed GraphQL requests changed the user', async () => {
      expect((await api.getUser(userId)).body).toEqual(before.body);
    });
  });
});
