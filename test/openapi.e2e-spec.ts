import SwaggerParser from '@apidevtools/swagger-parser';
import { type DescEnum, type DescMessage, getExtension, hasExtension } from '@bufbuild/protobuf';
import { http } from '@zitadel/proto/google/api/annotations_pb.js';
import { DetailsSchema, OrganizationSchema } from '@zitadel/proto/zitadel/object/v2/object_pb.js';
import {
  HumanEmailSchema,
  ReturnEmailVerificationCodeSchema,
  SendEmailVerificationCodeSchema,
  SetHumanEmailSchema,
} from '@zitadel/proto/zitadel/user/v2/email_pb.js';
import {
  HumanProfileSchema,
  HumanUserSchema,
  SetHumanProfileSchema,
  UserSchema,
  UserStateSchema,
} from '@zitadel/proto/zitadel/user/v2/user_pb.js';
import * as us from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { startApp, TestApp } from './support/app.js';
import { Api, rest } from './support/client.js';

/**
 * The OpenAPI 3 document (/openapi.json) and Swagger UI (/docs): a valid document with ZITADEL's
 * paths, operation IDs and schemas, from which a generated client compiles and calls SetEmail.
 */

let t: TestApp;
let doc: any;

beforeAll(async () => {
  t = await startApp();
  const r = await rest(t.url, 'GET', '/openapi.json');
  expect(r.status).toBe(200);
  doc = r.body;
});

afterAll(async () => {
  await t?.close();
});

/** The REST bindings of zitadel.user.v2.UserService (google.api.http in ZITADEL's protos). */
const ZITADEL_OPERATIONS: Record<string, { method: string; path: string }> = {
  UserService_AddHumanUser: { method: 'post', path: '/v2/users/human' },
  UserService_GetUserByID: { method: 'get', path: '/v2/users/{userId}' },
  UserService_SetEmail: { method: 'post', path: '/v2/users/{userId}/email' },
  UserService_ResendEmailCode: { method: 'post', path: '/v2/users/{userId}/email/resend' },
  UserService_SendEmailCode: { method: 'post', path: '/v2/users/{userId}/email/send' },
  UserService_VerifyEmail: { method: 'post', path: '/v2/users/{userId}/email/verify' },
};

/**
 * UserService methods whose REST binding ZITADEL v4 added after @zitadel/proto 1.3.1 (where the
 * method has none yet): UpdateUser is `PATCH /v2/users/{userId}` in ZITADEL v4's API.
 */
const V4_OPERATIONS: Record<string, { method: string; path: string }> = {
  UserService_UpdateUser: { method: 'patch', path: '/v2/users/{userId}' },
};

/** Operations of this service that ZITADEL does not have at all (spec §10). */
const EXTRA_OPERATIONS: Record<string, { method: string; path: string }> = {
  UserService_CancelPendingEmail: { method: 'delete', path: '/v2/users/{userId}/email/pending' },
};

/** UserService methods that ZITADEL serves over gRPC/Connect only; their REST routes are ours. */
const OWN_OPERATIONS: Record<string, { method: string; path: string }> = {
  UserService_AddPersonalAccessToken: { method: 'post', path: '/v2/users/{userId}/pats' },
  UserService_ListPersonalAccessTokens: { method: 'get', path: '/v2/users/{userId}/pats' },
  UserService_RemovePersonalAccessToken: { method: 'delete', path: '/v2/users/{userId}/pats/{tokenId}' },
};

/** The UserService method of an operation ID. */
const rpcOf = (operationId: string) => {
  const name = operationId.replace('UserService_', '');
  const rpc = us.UserService.methods.find((m) => m.name === name);
  if (!rpc) throw new Error(`zitadel.user.v2.UserService has no method ${name}`);
  return rpc;
};

function operations(): Array<{ method: string; path: string; op: any }> {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, op })),
  );
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3 document, served without a token', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('has ZITADEL’s operation IDs on ZITADEL’s paths, and nothing else', () => {
    const found = Object.fromEntries(operations().map(({ method, path, op }) => [op.operationId, { method, path }]));
    expect(found).toEqual({ ...ZITADEL_OPERATIONS, ...V4_OPERATIONS, ...OWN_OPERATIONS, ...EXTRA_OPERATIONS });
  });

  it('matches the HTTP bindings of zitadel.user.v2.UserService in @zitadel/proto', () => {
    const camel = (p: string) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    for (const [operationId, { method, path }] of Object.entries(ZITADEL_OPERATIONS)) {
      const rule = getExtension(rpcOf(operationId).proto.options!, http);
      expect({ operationId, method: rule.pattern.case, path: camel(String(rule.pattern.value)) }).toEqual({ operationId, method, path });
    }
    // the PAT methods exist in ZITADEL without a REST binding: the document says the routes are ours
    for (const operationId of Object.keys(OWN_OPERATIONS)) {
      expect(hasExtension(rpcOf(operationId).proto.options!, http)).toBe(false);
      const { method, path } = OWN_OPERATIONS[operationId]!;
      expect(doc.paths[path][method].description).toMatch(/^beyond ZITADEL/);
    }
    for (const operationId of Object.keys(V4_OPERATIONS)) expect(rpcOf(operationId)).toBeDefined();
    for (const [operationId, { method, path }] of Object.entries(EXTRA_OPERATIONS)) {
      expect(us.UserService.methods.find((m) => `UserService_${m.name}` === operationId)).toBeUndefined();
      expect(doc.paths[path][method].description).toMatch(/^beyond ZITADEL/);
    }
  });

  it('describes each operation: bearer auth, path parameter, body, 200 schema and rpcStatus errors', () => {
    for (const { method, path, op } of operations()) {
      expect(op.security).toEqual([{ bearer: [] }]);
      if (path.includes('{userId}'))
        expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'userId', in: 'path', required: true }));
      if (path.includes('{tokenId}'))
        expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'tokenId', in: 'path', required: true }));
      if (method === 'post' || method === 'patch')
        expect(op.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//);
      else expect(op.requestBody).toBeUndefined();
      expect(op.responses['200'].content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//);
      for (const code of ['400', '401', '403', '404', 'default']) {
        expect(op.responses[code].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/rpcStatus' });
      }
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('carries the request-validation limits of the contract', () => {
    const s = doc.components.schemas;
    expect(s.UserServiceSetEmailBody.required).toEqual(['email']);
    expect(s.UserServiceSetEmailBody.properties.email).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(s.v2SendEmailVerificationCode.properties.urlTemplate).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(s.UserServiceVerifyEmailBody.properties.verificationCode).toMatchObject({ minLength: 1, maxLength: 20 });
    expect(s.v2Details.properties.sequence).toMatchObject({ type: 'string', format: 'uint64' });
    expect(s.rpcStatus.properties).toEqual({
      code: { type: 'integer', format: 'int32' },
      message: { type: 'string' },
      details: { type: 'array', items: { $ref: '#/components/schemas/protobufAny' } },
    });
  });

  // each schema is a ZITADEL message in protojson; bodies leave out the fields bound to the path
  const MESSAGES: Array<[schema: string, message: DescMessage, pathFields?: string[], beyond?: string[]]> = [
    ['UserServiceUpdateUserBody', us.UpdateUserRequestSchema, ['userId']],
    ['UpdateUserRequestHuman', us.UpdateUserRequest_HumanSchema],
    ['UpdateUserRequestHumanProfile', us.UpdateUserRequest_Human_ProfileSchema],
    ['v2UpdateUserResponse', us.UpdateUserResponseSchema],
    ['UserServiceSetEmailBody', us.SetEmailRequestSchema, ['userId']],
    ['v2SetEmailResponse', us.SetEmailResponseSchema],
    ['UserServiceResendEmailCodeBody', us.ResendEmailCodeRequestSchema, ['userId']],
    ['v2ResendEmailCodeResponse', us.ResendEmailCodeResponseSchema],
    ['UserServiceSendEmailCodeBody', us.SendEmailCodeRequestSchema, ['userId']],
    ['v2SendEmailCodeResponse', us.SendEmailCodeResponseSchema],
    ['UserServiceVerifyEmailBody', us.VerifyEmailRequestSchema, ['userId']],
    ['v2VerifyEmailResponse', us.VerifyEmailResponseSchema],
    ['v2AddHumanUserRequest', us.AddHumanUserRequestSchema],
    ['v2AddHumanUserResponse', us.AddHumanUserResponseSchema],
    ['v2GetUserByIDResponse', us.GetUserByIDResponseSchema],
    ['v2Details', DetailsSchema],
    ['v2Organization', OrganizationSchema],
    ['v2SetHumanProfile', SetHumanProfileSchema],
    ['v2SetHumanEmail', SetHumanEmailSchema],
    ['v2SendEmailVerificationCode', SendEmailVerificationCodeSchema],
    ['v2ReturnEmailVerificationCode', ReturnEmailVerificationCodeSchema],
    ['v2User', UserSchema],
    ['v2HumanUser', HumanUserSchema],
    ['v2HumanProfile', HumanProfileSchema],
    // beyond ZITADEL: verify-first's pending address (REST and GraphQL only)
    ['v2HumanEmail', HumanEmailSchema, [], ['pendingEmail']],
  ];

  it.each(MESSAGES)('%s has the protojson fields of %s', (schema, message, pathFields = [], beyond = []) => {
    const properties = Object.keys(doc.components.schemas[schema].properties ?? {}).filter((p) => !beyond.includes(p));
    const fields = message.fields.map((f) => f.jsonName).filter((f) => !pathFields.includes(f));
    expect(fields).toEqual(expect.arrayContaining(properties));
    for (const f of pathFields) expect(properties).not.toContain(f);
  });

  it('names the user states as zitadel.user.v2.UserState does', () => {
    const values = (UserStateSchema as DescEnum).values.map((v) => v.name);
    expect(doc.components.schemas.v2UserState.enum).toEqual(values);
  });
});

describe('/docs', () => {
  it('serves Swagger UI for the document, without a token', async () => {
    const page = await fetch(`${t.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    const init = await fetch(`${t.url}/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('UserService_SetEmail');
    const css = await fetch(`${t.url}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });

  it('links its assets relative to where it is served', async () => {
    const bare = await (await fetch(`${t.url}/docs`)).text();
    expect(bare).toContain('src="docs/swagger-ui-bundle.js"');
    for (const path of ['/docs/', '/docs/index.html']) {
      const page = await (await fetch(`${t.url}${path}`)).text();
      expect(page).toContain('src="./swagger-ui-bundle.js"');
    }
    const bundle = await fetch(`${t.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
  });

  it.each(['/docs/LICENSE', '/docs/package.json', '/docs/swagger-ui-bundle.js.map', '/docs/..%2Fpackage.json', '/docs/nothing.js'])(
    'answers 404 in ZITADEL’s shape for %s, which is not one of Swagger UI’s assets',
    async (path) => {
      const r = await rest(t.url, 'GET', path);
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ code: 5 });
    },
  );
});

describe('a client generated from the document (openapi-typescript + openapi-fetch)', () => {
  // under node_modules so that the generated code resolves openapi-fetch, and outside the
  // folders tsconfig.json compiles
  let dir: string;
  beforeAll(() => {
    mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
    dir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'openapi-client-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    execFileSync(
      process.execPath,
      [
        join(process.cwd(), 'node_modules', 'openapi-typescript', 'bin', 'cli.js'),
        join(dir, 'openapi.json'),
        '-o',
        join(dir, 'schema.d.ts'),
      ],
      { stdio: 'pipe' },
    );
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const client = createClient<paths>({ baseUrl: process.env.BASE_URL, headers: { Authorization: \`Bearer \${process.env.TOKEN}\` } });

const set = await client.POST('/v2/users/{userId}/email', {
  params: { path: { userId: process.env.USER_ID! } },
  body: { email: process.env.EMAIL!, returnCode: {} },
});
const code: string | undefined = set.data?.verificationCode;
const sequence: string | undefined = set.data?.details?.sequence;

const missing = await client.POST('/v2/users/{userId}/email', {
  params: { path: { userId: '100000000000000042' } },
  body: { email: 'x@example.com' },
});
const errorCode: number | undefined = missing.error?.code;
const errorMessage: string | undefined = missing.error?.message;

console.log(JSON.stringify({ status: set.response.status, code, sequence, missing: { status: missing.response.status, errorCode, errorMessage } }));
`;

  /** Type-checks (and emits) the files with the project's TypeScript, strict, as an ES module project would. */
  function compile(files: Record<string, string>): string[] {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const program = ts.createProgram(
      Object.keys(files).map((f) => join(dir, f)),
      {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        types: ['node'],
        skipLibCheck: true,
        outDir: dir,
      },
    );
    const emitted = program.emit();
    return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  it('type-checks a SetEmail call and rejects a wrong body or path', () => {
    expect(compile({ 'client.ts': CLIENT })).toEqual([]);
    const wrongBody = compile({
      'wrong-body.ts': `import createClient from 'openapi-fetch';\nimport type { paths } from './schema.js';\nconst c = createClient<paths>();\nawait c.POST('/v2/users/{userId}/email', { params: { path: { userId: '1' } }, body: { email: 42 } });\n`,
    });
    expect(wrongBody.join('\n')).toMatch(/not assignable to type 'string'/);
    const wrongPath = compile({
      'wrong-path.ts': `import createClient from 'openapi-fetch';\nimport type { paths } from './schema.js';\nconst c = createClient<paths>();\nawait c.POST('/v2/users/{userId}/emails', { params: { path: { userId: '1' } }, body: { email: 'a@b.c' } });\n`,
    });
    expect(wrongPath.length).toBeGreaterThan(0);
  });

  it('calls SetEmail on the running service', async () => {
    expect(compile({ 'client.ts': CLIENT })).toEqual([]);
    const admin = new Api(t.url, t.adminToken);
    const orgId = await admin.addOrganization('OpenAPI');
    const userId = await admin.addUser(orgId, 'generated');
    const email = 'generated.new@example.com';
    // not execFileSync: the service answers from this very process
    const { stdout: out } = await promisify(execFile)(process.execPath, [join(dir, 'client.js')], {
      env: { ...process.env, BASE_URL: t.url, TOKEN: t.adminToken, USER_ID: userId, EMAIL: email },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result).toMatchObject({
      status: 200,
      code: expect.stringMatching(/^[A-Z0-9]{6}$/),
      sequence: expect.stringMatching(/^\d+$/),
      missing: { status: 404, errorCode: 5, errorMessage: 'Email not found (COMMAND-ieJ2e)' },
    });
    const user = await admin.getUser(userId);
    expect(user.body.user.human.email).toEqual({ email, isVerified: false });
  });
});
