import { getIntrospectionQuery } from 'graphql';
import { request } from 'node:http';
import { startApp, TestApp } from './support/app.js';
import { Api, HttpResult } from './support/client.js';

/**
 * A corpus of hostile requests, generated from lists: every REST POST route × hostile bodies,
 * paths and content types, and the same hostile values as GraphQL variables, plus GraphQL query
 * bombs. Whatever a client sends, the answer is a client error in ZITADEL's shape (spec §2):
 * never a 5xx, never a stack trace, file path or SQL text; nothing is half-written.
 *
 * The app runs with URL_TEMPLATE_ALLOWED_HOSTS so that a URL template has to keep its link on a
 * known host: a template that smuggles CR/LF or NUL past that check (the WHATWG URL parser
 * silently drops CR, LF and tab) would put attacker text into the verification mail.
 */

// ---------------------------------------------------------------------------------------------
// HTTP helpers: raw requests, so that the corpus controls every byte, header and path
// ---------------------------------------------------------------------------------------------

interface RawResult extends HttpResult {
  text: string;
  ms: number;
}

/** One request exactly as given: no content type unless `headers` has one, path sent verbatim. */
function raw(
  base: string,
  method: string,
  path: string,
  body: string | Buffer | undefined,
  headers: Record<string, string>,
): Promise<RawResult> {
  const u = new URL(base);
  const buf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(buf ? { 'content-length': String(buf.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON: keep the text */
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers: h, body: parsed, text, ms: Date.now() - started });
        });
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer within 15 s: ${method} ${path.slice(0, 80)}`)));
    req.on('error', reject);
    if (buf) req.write(buf);
    req.end();
  });
}

/** Traces of internals that must never reach a client. */
const LEAKS: (string | RegExp)[] = [
  /\n\s+at /,
  /\bat [\w$.<>]+ \(/,
  /\(\/[^)]*:\d+:\d+\)/,
  /\/(work|home|usr|tmp|app|root)\//,
  /[\w-]+\.(ts|js|mjs|cjs):\d+/,
  'node_modules',
  'SELECT',
  'INSERT',
  'UPDATE "',
  'QueryFailedError',
  'SQLITE_',
  'invalid byte sequence',
  'violates',
  'TypeError',
  'RangeError',
  'Maximum call stack',
];

function leaksIn(text: string): string[] {
  return LEAKS.filter((l) => (typeof l === 'string' ? text.includes(l) : l.test(text))).map(String);
}

/** Every key of a JSON value, at any depth. */
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

/** The gRPC code of the ZITADEL error body the service answers with each status here. */
const CODE_OF_STATUS: Record<number, number> = { 400: 3, 404: 5, 413: 3, 415: 3 };

/** A ZITADEL REST error with the status (and its code) the service answers, and no leak. */
function expectRestClientError(r: RawResult, status: number, what: string): void {
  const seen = { what, body: r.text.slice(0, 300) };
  expect({ ...seen, status: r.status, code: r.body?.code }).toEqual({ ...seen, status, code: CODE_OF_STATUS[status] });
  expect(r.body).toEqual({ code: expect.any(Number), message: expect.any(String), details: expect.any(Array) });
  expect(r.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(leaksIn(r.text)).toEqual([]);
}

/**
 * A GraphQL INVALID_ARGUMENT answer, no stacktrace. The HTTP status is GraphQL's: 400 when the
 * request was refused before execution (syntax, types, limits), 200 with `errors` when the
 * operation ran and its validation refused the input.
 */
function expectGraphQLClientError(r: RawResult, what: string, status: 200 | 400): void {
  const seen = { what, body: r.text.slice(0, 300) };
  expect({ ...seen, status: r.status }).toEqual({ ...seen, status });
  expect({ ...seen, hasErrors: Array.isArray(r.body?.errors) && r.body.errors.length > 0 }).toEqual({ ...seen, hasErrors: true });
  const { id: _id, ...ext } = r.body.errors[0].extensions ?? {};
  expect(ext).toEqual({ code: 'INVALID_ARGUMENT', grpcCode: 3, httpStatus: 400 });
  expect(keysOf(r.body)).not.toContain('stacktrace');
  expect(keysOf(r.body)).not.toContain('exception');
  expect(leaksIn(r.text)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

/** IDs the corpus aims at, known once the app runs. */
interface Ctx {
  /** The user whose state must stay exactly as it was. */
  userId: string;
  /** VerifyEmail records a failed attempt for a well-formed wrong code (ZITADEL-exact): its own user. */
  verifyUserId: string;
  orgId: string;
  /** A fresh number, for unique usernames. */
  n(): number;
}

/**
 * What a hostile string replaces: an address, a URL template, a verification code, a
 * timestamp, an ID that is looked up, or free text that would be stored (a name, a new ID).
 */
type SlotKind = 'address' | 'url' | 'code' | 'date' | 'lookup' | 'text';

interface Slot {
  name: string;
  kind: SlotKind;
  /** A well-formed value of the slot, which the hostile strings are made from. */
  valid: (ctx: Ctx) => string;
  /** The route's body with `value` in the slot (and every other field well-formed). */
  put: (ctx: Ctx, value: unknown) => Record<string, unknown>;
}

interface Route {
  name: string;
  /** The path; `id` replaces the path's ID for the path cases. */
  path: (ctx: Ctx, id?: string) => string;
  hasId: boolean;
  /** A body that fails request validation, so that it writes nothing wherever the corpus adds to it. */
  baseline: (ctx: Ctx) => Record<string, unknown>;
  /** The first slot also takes the wrong JSON types. */
  slots: Slot[];
}

const URL_OK = 'https://verify.test/v?code={{.Code}}&user={{.UserID}}';
const HUGE = 10 * 1024;

const ROUTES: Route[] = [
  {
    name: 'AddHumanUser',
    path: () => '/v2/users/human',
    hasId: false,
    baseline: (c) => ({
      username: `hostile-${c.n()}`,
      organization: { orgId: c.orgId },
      profile: { givenName: 'H', familyName: 'I' },
      email: { email: 'not-an-address', returnCode: {} },
    }),
    slots: [
      {
        name: 'email.email',
        kind: 'address',
        valid: (c) => `hostile-${c.n()}@example.com`,
        put: (c, v) => ({
          username: `hostile-${c.n()}`,
          organization: { orgId: c.orgId },
          profile: { givenName: 'H', familyName: 'I' },
          email: { email: v, returnCode: {} },
        }),
      },
      {
        name: 'username',
        kind: 'text',
        valid: (c) => `hostile-${c.n()}`,
        put: (c, v) => ({
          username: v,
          organization: { orgId: c.orgId },
          profile: { givenName: 'H', familyName: 'I' },
          email: { email: `hostile-${c.n()}@example.com`, returnCode: {} },
        }),
      },
    ],
  },
  {
    name: 'SetEmail',
    path: (c, id = c.userId) => `/v2/users/${id}/email`,
    hasId: true,
    baseline: () => ({ email: 'not-an-address', sendCode: { urlTemplate: URL_OK } }),
    slots: [
      { name: 'email', kind: 'address', valid: (c) => `hostile-${c.n()}@example.com`, put: (_c, v) => ({ email: v, returnCode: {} }) },
    ],
  },
  {
    name: 'ResendEmailCode',
    path: (c, id = c.userId) => `/v2/users/${id}/email/resend`,
    hasId: true,
    baseline: () => ({ sendCode: { urlTemplate: '{{.Code' } }),
    slots: [{ name: 'sendCode.urlTemplate', kind: 'url', valid: () => URL_OK, put: (_c, v) => ({ sendCode: { urlTemplate: v } }) }],
  },
  {
    name: 'SendEmailCode',
    path: (c, id = c.userId) => `/v2/users/${id}/email/send`,
    hasId: true,
    baseline: () => ({ sendCode: { urlTemplate: '{{.Code' } }),
    slots: [{ name: 'sendCode.urlTemplate', kind: 'url', valid: () => URL_OK, put: (_c, v) => ({ sendCode: { urlTemplate: v } }) }],
  },
  {
    name: 'VerifyEmail',
    path: (c, id = c.verifyUserId) => `/v2/users/${id}/email/verify`,
    hasId: true,
    baseline: () => ({ verificationCode: '' }),
    slots: [{ name: 'verificationCode', kind: 'code', valid: () => 'ABC123', put: (_c, v) => ({ verificationCode: v }) }],
  },
  {
    name: 'AddPersonalAccessToken',
    path: (c, id = c.userId) => `/v2/users/${id}/pats`,
    hasId: true,
    baseline: () => ({ expirationDate: 'not-a-timestamp' }),
    slots: [{ name: 'expirationDate', kind: 'date', valid: () => '2099-01-01T00:00:00Z', put: (_c, v) => ({ expirationDate: v }) }],
  },
  {
    name: 'AddOrganization',
    path: () => '/v2/organizations',
    hasId: false,
    baseline: () => ({ name: '' }),
    slots: [
      { name: 'name', kind: 'text', valid: (c) => `Hostile Org ${c.n()}`, put: (_c, v) => ({ name: v }) },
      { name: 'orgId', kind: 'text', valid: (c) => `hostile-org-${c.n()}`, put: (c, v) => ({ name: `Hostile Org ${c.n()}`, orgId: v }) },
    ],
  },
  {
    name: 'AddOrganizationMember',
    path: (c, id = c.orgId) => `/v2/organizations/${id}/members`,
    hasId: true,
    baseline: (c) => ({ userId: c.userId, roles: ['NOT_A_ROLE'] }),
    slots: [
      { name: 'userId', kind: 'lookup', valid: () => '999999999999999999', put: (_c, v) => ({ userId: v, roles: ['ORG_USER_VIEWER'] }) },
    ],
  },
];

/** A hostile string made from a slot's well-formed value. */
interface HostileString {
  name: string;
  kinds: SlotKind[];
  make: (valid: string, kind: SlotKind) => string;
}

/** Puts `s` inside the value: into the query of a URL (so the template still parses), else after its third character. */
const inject = (valid: string, kind: SlotKind, s: string) =>
  kind === 'url' ? `${valid}&x=a${s}b` : `${valid.slice(0, 3)}${s}${valid.slice(3)}`;

const ALL_KINDS: SlotKind[] = ['address', 'url', 'code', 'date', 'lookup', 'text'];
const HOSTILE_STRINGS: HostileString[] = [
  { name: 'a NUL byte', kinds: ALL_KINDS, make: (v, k) => inject(v, k, '\u0000') },
  { name: 'a lone surrogate \\ud800', kinds: ALL_KINDS, make: (v, k) => inject(v, k, '\ud800') },
  // CR/LF: header injection in an address, text smuggled past the host check in a URL; names and
  // new IDs may hold them (as in ZITADEL), so free text is left out
  {
    name: 'CRLF (a@b.c\\r\\nBcc: x@y.z)',
    kinds: ['address', 'url', 'code', 'date', 'lookup'],
    make: (v, k) =>
      k === 'address'
        ? 'a@b.c\r\nBcc: x@y.z'
        : k === 'url'
          ? `${v}\r\nBcc: x@y.z\r\n\r\nVisit https://evil.example/ instead`
          : `${v}\r\nBcc: x@y.z`,
  },
  { name: 'a 10 kB string', kinds: ALL_KINDS, make: (v, k) => (k === 'url' ? `${v}&pad=${'x'.repeat(HUGE)}` : `${v}${'x'.repeat(HUGE)}`) },
];

const WRONG_TYPES: [string, unknown][] = [
  ['a number', 5],
  ['true', true],
  ['an array', []],
  ['an object', {}],
  ['an array of strings', ['a']],
];

/** Adds raw `"key": value` members at the top of a JSON object text (JSON.stringify cannot write __proto__). */
const withMembers = (body: Record<string, unknown>, members: string) => {
  const text = JSON.stringify(body);
  return `{${members},${text.slice(1)}`;
};

const PAYLOAD = '{"isVerified":true,"returnCode":{},"polluted":"yes"}';
const DEPTH = 1000;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

interface RestCase {
  name: string;
  status: number;
  build: (ctx: Ctx) => { method?: string; path: string; body?: string; headers: Record<string, string> };
}

const JSON_TYPE = { 'content-type': 'application/json' };

function restCases(): RestCase[] {
  const cases: RestCase[] = [];
  for (const route of ROUTES) {
    const add = (name: string, status: number, build: RestCase['build']) => cases.push({ name: `${route.name}: ${name}`, status, build });
    const json = (name: string, status: number, text: (c: Ctx) => string) =>
      add(name, status, (c) => ({ path: route.path(c), body: text(c), headers: JSON_TYPE }));
    const base = (c: Ctx) => JSON.stringify(route.baseline(c));

    // a nested value: inside the first object the route takes, else as an unknown top-level field
    const nestInto = (c: Ctx, nested: string) => {
      const b = route.baseline(c);
      const key = Object.keys(b).find((k) => b[k] && typeof b[k] === 'object' && !Array.isArray(b[k]));
      if (key) {
        const inner = JSON.stringify(b[key]);
        const innerWith = inner === '{}' ? `{"deep":${nested}}` : `{"deep":${nested},${inner.slice(1)}`;
        return JSON.stringify({ ...b, [key]: '__INNER__' }).replace('"__INNER__"', innerWith);
      }
      return withMembers(b, `"deep":${nested}`);
    };

    // bodies that are not one JSON object
    json('invalid JSON', 400, () => '{"email": "x@example.com", ');
    json('a truncated string', 400, () => '{"email": "x@exa');
    json('BOM-prefixed JSON', 400, (c) => `\uFEFF${base(c)}`);
    json('trailing garbage after the object', 400, (c) => `${base(c)}garbage`);
    json('a second JSON value after the object', 400, (c) => `${base(c)} {}`);
    json('an array body', 400, (c) => `[${base(c)}]`);
    json('a number body', 400, () => '42');
    json('a string body', 400, () => '"hostile"');
    json('true as body', 400, () => 'true');
    // ZITADEL's protojson refuses a top-level null ("unexpected token null"); it is not an empty request
    json('null as body', 400, () => 'null');

    // wrong JSON types in the route's first field
    const first = route.slots[0]!;
    for (const [label, value] of WRONG_TYPES) json(`${first.name} as ${label}`, 400, (c) => JSON.stringify(first.put(c, value)));

    // prototype keys, top level and nested
    json('a __proto__ key', 400, (c) => withMembers(route.baseline(c), `"__proto__":${PAYLOAD}`));
    json('a nested __proto__ key', 400, (c) => withMembers(route.baseline(c), `"nested":{"__proto__":${PAYLOAD}}`));
    json('a constructor.prototype key', 400, (c) => withMembers(route.baseline(c), `"constructor":{"prototype":${PAYLOAD}}`));
    json('a nested constructor.prototype key', 400, (c) =>
      withMembers(route.baseline(c), `"nested":{"constructor":{"prototype":${PAYLOAD}}}`),
    );
    json('a prototype key', 400, (c) => withMembers(route.baseline(c), `"prototype":${PAYLOAD}`));
    // a `constructor` member that is not an object: Fastify lets it through, the input mapping must cope
    json('a nested constructor key holding a number', 400, (c) => nestInto(c, '{"constructor":1}'));

    // hostile strings in every slot
    for (const slot of route.slots) {
      for (const h of HOSTILE_STRINGS) {
        if (!h.kinds.includes(slot.kind)) continue;
        // CR/LF is allowed in an ID (as in ZITADEL): the looked-up ID is well-formed and names no user
        const status = slot.kind === 'lookup' && h.name.startsWith('CRLF') ? 404 : 400;
        json(`${h.name} in ${slot.name}`, status, (c) => JSON.stringify(slot.put(c, h.make(slot.valid(c), slot.kind))));
      }
    }

    // deep nesting
    json(`an object nested ${DEPTH} deep`, 400, (c) => nestInto(c, deepObject(DEPTH)));
    json(`an object nested ${DEPTH} deep at the top level`, 400, (c) => withMembers(route.baseline(c), `"deep":${deepObject(DEPTH)}`));
    // the deepest nesting that fits the body limit
    json('arrays nested 20000 deep (within 64 kB)', 400, (c) => nestInto(c, deepArray(20_000)));

    // paths, with an otherwise well-formed body so that the ID reaches the lookup
    if (route.hasId) {
      const wellFormed = (c: Ctx) => JSON.stringify(first.put(c, first.valid(c)));
      const withId = (name: string, status: number, id: string) =>
        add(name, status, (c) => ({ path: route.path(c, id), body: wellFormed(c), headers: JSON_TYPE }));
      withId('a 10 kB ID in the path', 400, '9'.repeat(HUGE));
      withId('invalid percent-encoding %E0%A4%A in the path', 400, '%E0%A4%A');
      withId('a lone % in the path', 400, '%');
      withId('an encoded NUL (%00) in the path ID', 400, '123%00456');
      withId('an encoded lone surrogate (%ED%A0%80) in the path ID', 400, '123%ED%A0%80456');
    }

    // content types: anything but application/json is refused before parsing
    add('text/plain', 415, (c) => ({ path: route.path(c), body: base(c), headers: { 'content-type': 'text/plain' } }));
    add('a form body', 415, (c) => ({
      path: route.path(c),
      body: 'email=x%40example.com',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }));
    add('a multipart body', 415, (c) => ({
      path: route.path(c),
      body: `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nx@example.com\r\n--x--\r\n`,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    }));
    add('a body without a content type', 415, (c) => ({ path: route.path(c), body: base(c), headers: {} }));

    // over the body limit
    json('a body over 64 kB', 413, (c) => withMembers(route.baseline(c), `"padding":"${'x'.repeat(70 * 1024)}"`));
  }
  // GetUserByID takes the same hostile IDs in its path
  for (const [name, id] of [
    ['a 10 kB ID', '9'.repeat(HUGE)],
    ['invalid percent-encoding %E0%A4%A', '%E0%A4%A'],
    ['a lone %', '%'],
    ['an encoded NUL (%00)', '123%00456'],
  ] as const) {
    cases.push({
      name: `GetUserByID (GET): ${name} in the path`,
      status: 400,
      build: () => ({ method: 'GET', path: `/v2/users/${id}`, headers: {} }),
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// GraphQL: the same hostile values as variables
// ---------------------------------------------------------------------------------------------

interface GqlOp {
  name: string;
  query: string;
  /** The variables' `input` with `value` in the slot, as JSON text (so that __proto__ can be written). */
  input: (ctx: Ctx, value: string) => string;
  kind: SlotKind;
  valid: (ctx: Ctx) => string;
  /** The slot is a non-null field of the input. */
  required: boolean;
}

const GQL_OPS: GqlOp[] = [
  {
    name: 'setContactEmail(email)',
    query: 'mutation($input: SetContactEmailInput!) { setContactEmail(input: $input) { details { sequence } verificationCode } }',
    input: (c, v) => `{"userId":${JSON.stringify(c.userId)},"email":${v},"returnCode":true}`,
    kind: 'address',
    valid: (c) => `hostile-${c.n()}@example.com`,
    required: true,
  },
  {
    name: 'addHumanUser(email.email)',
    query: 'mutation($input: AddHumanUserInput!) { addHumanUser(input: $input) { userId } }',
    input: (c, v) =>
      `{"username":"hostile-gql-${c.n()}","organization":{"orgId":${JSON.stringify(c.orgId)}},"profile":{"givenName":"H","familyName":"I"},"email":{"email":${v},"returnCode":true}}`,
    kind: 'address',
    valid: (c) => `hostile-${c.n()}@example.com`,
    required: true,
  },
  {
    name: 'addHumanUser(username)',
    query: 'mutation($input: AddHumanUserInput!) { addHumanUser(input: $input) { userId } }',
    input: (c, v) =>
      `{"username":${v},"organization":{"orgId":${JSON.stringify(c.orgId)}},"profile":{"givenName":"H","familyName":"I"},"email":{"email":"hostile-gql-${c.n()}@example.com","returnCode":true}}`,
    kind: 'text',
    valid: (c) => `hostile-gql-${c.n()}`,
    required: false,
  },
  {
    name: 'verifyEmail(verificationCode)',
    query: 'mutation($input: VerifyEmailInput!) { verifyEmail(input: $input) { details { sequence } } }',
    input: (c, v) => `{"userId":${JSON.stringify(c.verifyUserId)},"verificationCode":${v}}`,
    kind: 'code',
    valid: () => 'ABC123',
    required: true,
  },
];

interface GqlCase {
  name: string;
  /** 200: a well-typed value that the operation's validation refuses; 400: GraphQL refuses it before running anything. */
  status: 200 | 400;
  body: (ctx: Ctx) => string;
}

function gqlCases(): GqlCase[] {
  const cases: GqlCase[] = [];
  for (const op of GQL_OPS) {
    const add = (name: string, value: (c: Ctx) => string, extraInputMembers?: string, status: 200 | 400 = 400) =>
      cases.push({
        name: `${op.name}: ${name}`,
        status,
        body: (c) => {
          let input = op.input(c, value(c));
          if (extraInputMembers) input = `{${extraInputMembers},${input.slice(1)}`;
          return `{"query":${JSON.stringify(op.query)},"variables":{"input":${input}}}`;
        },
      });
    // hostile strings are well-typed GraphQL Strings: the operation runs and its validation refuses them
    for (const h of HOSTILE_STRINGS)
      if (h.kinds.includes(op.kind)) add(h.name, (c) => JSON.stringify(h.make(op.valid(c), op.kind)), undefined, 200);
    for (const [label, value] of WRONG_TYPES) add(`the slot as ${label}`, () => JSON.stringify(value));
    if (op.required) add('null in a required field', () => 'null');
    add(`an object nested ${DEPTH} deep in the slot`, () => deepObject(DEPTH));
    add('a __proto__ key in the input', (c) => JSON.stringify(op.valid(c)), `"__proto__":${PAYLOAD}`);
    add('a constructor.prototype key in the input', (c) => JSON.stringify(op.valid(c)), `"constructor":{"prototype":${PAYLOAD}}`);
  }
  return cases;
}

/** `{ __schema { types { fields { type { ofType { … { name } … } } } } } }`, `depth` fields deep. */
function deepIntrospection(depth: number): string {
  const names = ['__schema', 'types', 'fields', 'type'];
  while (names.length < depth - 1) names.push('ofType');
  names.push('name');
  let q = names[names.length - 1]!;
  for (let i = names.length - 2; i >= 0; i--) q = `${names[i]} { ${q} }`;
  return `{ ${q} }`;
}

const REST_CASES = restCases();
const GQL_CASES = gqlCases();

describe('hostile input', () => {
  let t: TestApp;
  let api: Api;
  let ctx: Ctx;
  let before: { user: HttpResult; verifyUser: HttpResult };
  /** Every corpus request that was accepted (2xx): each is a hostile request that wrote something. */
  const accepted: string[] = [];

  const post = (
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
    token: string | undefined = t.adminToken,
    method = 'POST',
  ) => raw(t.url, method, path, body, { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) });

  beforeAll(async () => {
    t = await startApp({ URL_TEMPLATE_ALLOWED_HOSTS: 'verify.test' });
    api = new Api(t.url, t.adminToken);
    const orgId = await api.addOrganization('Hostile Org');
    // addUser uses returnCode: both users have a pending code, so a resend that got through would succeed
    const userId = await api.addUser(orgId, 'hostile-target', 'hostile-target@example.com');
    const verifyUserId = await api.addUser(orgId, 'hostile-verify', 'hostile-verify@example.com');
    let n = 0;
    ctx = { userId, verifyUserId, orgId, n: () => ++n };
    before = { user: await api.getUser(userId), verifyUser: await api.getUser(verifyUserId) };
    expect(before.user.status).toBe(200);
  });
  afterAll(() => t?.close());

  it(`the corpus is large: ${REST_CASES.length} REST and ${GQL_CASES.length} GraphQL cases`, () => {
    expect(REST_CASES.length + GQL_CASES.length).toBeGreaterThanOrEqual(200);
    expect(new Set(REST_CASES.map((c) => c.name)).size).toBe(REST_CASES.length);
    expect(new Set(GQL_CASES.map((c) => c.name)).size).toBe(GQL_CASES.length);
  });

  describe('REST', () => {
    it.each(REST_CASES.map((c) => [c.name, c] as const))('%s → a 4xx in ZITADEL shape, no leak', async (name, c) => {
      const req = c.build(ctx);
      const r = await post(req.path, req.body, req.headers, t.adminToken, req.method);
      if (r.status < 300) accepted.push(`${name} → ${r.status}`);
      expectRestClientError(r, c.status, name);
    });
  });

  describe('GraphQL variables', () => {
    it.each(GQL_CASES.map((c) => [c.name, c] as const))('%s → a GraphQL client error, no stacktrace', async (name, c) => {
      const r = await post('/graphql', c.body(ctx), JSON_TYPE);
      if (r.status < 300 && !r.body?.errors) accepted.push(`GraphQL ${name} → ${r.status}`);
      expectGraphQLClientError(r, name, c.status);
    });
  });

  describe('GraphQL query bombs: refused while validating, fast, never a 500', () => {
    const frag = (fanOut: number, levels: number) =>
      Array.from(
        { length: levels },
        (_, i) => `fragment F${i} on Query { ${Array.from({ length: fanOut }, () => `...F${i + 1}`).join(' ')} }`,
      ).join(' ') + ` fragment F${levels} on Query { __typename }`;
    const BOMBS: [string, () => string, 400][] = [
      ['introspection nested 50 deep', () => deepIntrospection(50), 400],
      ['introspection nested 16 deep (one over the limit)', () => deepIntrospection(16), 400],
      [
        '100 aliases of user(id:)',
        () => `{ ${Array.from({ length: 100 }, (_, i) => `u${i}: user(id: "${i}") { userId }`).join(' ')} }`,
        400,
      ],
      ['a document of 10,000 tokens', () => `{${' a'.repeat(10_000)} }`, 400],
      ['2,400 repeated fields (within the token limit)', () => `{${' __typename'.repeat(2_400)} }`, 400],
      ['fragments fanning out 2×30 (2^30 expansions)', () => `query { ...F0 } ${frag(2, 30)}`, 400],
      ['a fragment cycle', () => 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }', 400],
    ];

    it.each(BOMBS)('%s', async (name, query, status) => {
      const r = await post('/graphql', JSON.stringify({ query: query() }), JSON_TYPE);
      expect({ name, ms: r.ms, fast: r.ms < 2000 }).toEqual({ name, ms: r.ms, fast: true });
      expectGraphQLClientError(r, name, status);
      expect(r.body.data ?? null).toBeNull();
      // spec §2: validation errors come out as INVALID_ARGUMENT, the limits' too
      for (const e of r.body.errors)
        expect({ message: e.message, code: e.extensions?.code }).toEqual({ message: e.message, code: 'INVALID_ARGUMENT' });
    });

    it('a batched array body [{query},{query}] → one clear refusal, fast', async () => {
      const r = await post(
        '/graphql',
        JSON.stringify([{ query: '{ __typename }' }, { query: `{ user(id: "${ctx.userId}") { userId } }` }]),
        JSON_TYPE,
      );
      expect(r.ms).toBeLessThan(2000);
      expectGraphQLClientError(r, 'batched array body', 400);
      expect(r.body.errors[0].extensions.code).toBe('INVALID_ARGUMENT');
    });

    it('Apollo Sandbox’s introspection query still succeeds (no token, as Sandbox first loads)', async () => {
      for (const query of [
        getIntrospectionQuery(),
        getIntrospectionQuery({
          descriptions: true,
          specifiedByUrl: true,
          directiveIsRepeatable: true,
          schemaDescription: true,
          inputValueDeprecation: true,
        }),
      ]) {
        const r = await post('/graphql', JSON.stringify({ query, operationName: 'IntrospectionQuery' }), JSON_TYPE, undefined);
        expect({ status: r.status, errors: r.body?.errors }).toEqual({ status: 200, errors: undefined });
        expect(r.body.data.__schema.mutationType.name).toBe('Mutation');
        expect(r.body.data.__schema.types.map((ty: { name: string }) => ty.name)).toEqual(
          expect.arrayContaining(['SetContactEmailInput', 'EmailChangePayload']),
        );
        expect(r.ms).toBeLessThan(2000);
      }
    });
  });

  describe('afterwards', () => {
    it('nothing was half-written: the target user’s sequence and email are unchanged', async () => {
      const now = await api.getUser(ctx.userId);
      expect({ accepted, user: now.body }).toEqual({ accepted: [], user: before.user.body });
    });

    it('the VerifyEmail target is still unverified on its old address (hostile codes verified nothing)', async () => {
      const now = await api.getUser(ctx.verifyUserId);
      expect(now.body.user).toEqual(before.verifyUser.body.user);
      expect(now.body.user.human.email).toEqual({ email: 'hostile-verify@example.com', isVerified: false });
    });

    it('no prototype was polluted, and the service still answers normally', async () => {
      const proto = Object.prototype as Record<string, unknown>;
      expect([proto.polluted, proto.isVerified, proto.returnCode]).toEqual([undefined, undefined, undefined]);
      const r = await post(`/v2/users/${ctx.userId}/email`, JSON.stringify({ email: 'not-an-address' }), JSON_TYPE);
      expect(r.body).toEqual({ code: 3, message: 'invalid SetEmailRequest.Email: value must be a valid email address', details: [] });
      expect((await raw(t.url, 'GET', '/healthz', undefined, {})).status).toBe(200);
    });
  });
});
