import { Code, ConnectError, type Interceptor, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { NewAuthorizationBearerInterceptor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { createUserServiceClient } from '@zitadel/client/v2';
import { createClientTransport } from '@zitadel/client/web';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { Gender, UserState } from '@zitadel/proto/zitadel/user/v2/user_pb.js';
import { GrpcServer } from '../src/connect/grpc-server.js';
import { startApp, TestApp } from './support/app.js';
import { Api, codeInMail, rest } from './support/client.js';

/**
 * ZITADEL's own TypeScript client (@zitadel/client) against this service, unchanged: over gRPC
 * (HTTP/2 on GRPC_PORT), gRPC-web and the Connect protocol (JSON and binary, main port).
 */

/** An ID no user has: 18 digits like the service's own. */
const UNKNOWN_USER = '100000000000000042';

type Client = ReturnType<typeof createUserServiceClient>;

interface Wire {
  name: string;
  /** A transport that sends `token` the way ZITADEL's client does (null: the same protocol without the header). */
  transport: (token: string | null) => Transport;
}

let t: TestApp;
let grpcPort: number;

const bearer = (token: string | null): Interceptor[] => (token === null ? [] : [NewAuthorizationBearerInterceptor(token)]);

const WIRES: Wire[] = [
  {
    name: 'gRPC (HTTP/2 on GRPC_PORT, createServerTransport)',
    transport: (token) =>
      token === null
        ? createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}` })
        : createServerTransport(token, { baseUrl: `http://127.0.0.1:${grpcPort}` }),
  },
  {
    name: 'gRPC-web (main port, createClientTransport)',
    transport: (token) =>
      token === null ? createGrpcWebTransport({ baseUrl: t.url, httpVersion: '1.1' }) : createClientTransport(token, { baseUrl: t.url }),
  },
  {
    name: 'Connect JSON (main port)',
    transport: (token) =>
      createConnectTransport({ baseUrl: t.url, httpVersion: '1.1', useBinaryFormat: false, interceptors: bearer(token) }),
  },
  {
    name: 'Connect binary (main port)',
    transport: (token) =>
      createConnectTransport({ baseUrl: t.url, httpVersion: '1.1', useBinaryFormat: true, interceptors: bearer(token) }),
  },
];

/** The ConnectError a call failed with. */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectError);
    return e as ConnectError;
  }
  throw new Error('expected the call to fail');
}

/** ZITADEL's gRPC status: the code, "message (ID)", and the zitadel.v1.ErrorDetail in the details. */
function expectZitadelError(err: ConnectError, code: Code, id: string, message: string): void {
  expect({ code: err.code, message: err.rawMessage }).toEqual({ code, message: `${message} (${id})` });
  expect(err.findDetails(ErrorDetailSchema).map(({ id, message }) => ({ id, message }))).toEqual([{ id, message }]);
}

/** A request-validation error: code 3, the bare message, no details (as ZITADEL's validation answers). */
function expectValidationError(err: ConnectError, message: string): void {
  expect({ code: err.code, message: err.rawMessage }).toEqual({ code: Code.InvalidArgument, message });
  expect(err.findDetails(ErrorDetailSchema)).toEqual([]);
}

let orgId: string;
let admin: Api;
let viewerToken: string;
let n = 0;

beforeAll(async () => {
  t = await startApp();
  grpcPort = await t.app.get(GrpcServer).listen(0, '127.0.0.1');
  admin = new Api(t.url, t.adminToken);
  orgId = await admin.addOrganization('Clients');
  const viewerId = await admin.addUser(orgId, 'viewer');
  await admin.addMember(orgId, viewerId, ['ORG_USER_VIEWER']);
  viewerToken = await admin.addPat(viewerId);
});

afterAll(async () => {
  await t?.close();
});

describe.each(WIRES)('ZITADEL client over $name', (wire) => {
  let client: Client;
  beforeAll(() => {
    client = createUserServiceClient(wire.transport(t.adminToken));
  });

  /** A fresh user of the org, added over the same wire. */
  async function addUser(): Promise<{ userId: string; username: string }> {
    const username = `client${++n}`;
    const r = await client.addHumanUser({
      username,
      organization: { org: { case: 'orgId', value: orgId } },
      profile: { givenName: 'Minnie', familyName: 'Mouse' },
      email: { email: `${username}@example.com`, verification: { case: 'returnCode', value: {} } },
    });
    return { userId: r.userId, username };
  }

  it('adds a user, sets an email with a returned code, verifies it and reads the user back', async () => {
    const username = `client${++n}`;
    const added = await client.addHumanUser({
      username,
      organization: { org: { case: 'orgId', value: orgId } },
      profile: { givenName: 'Minnie', familyName: 'Mouse' },
      email: { email: `${username}@example.com`, verification: { case: 'returnCode', value: {} } },
    });
    expect(added.userId).toMatch(/^\d{18}$/);
    expect(added.emailCode).toMatch(/^[A-Z0-9]{6}$/);
    expect(added.details?.resourceOwner).toBe(orgId);

    const newEmail = `${username}.new@example.com`;
    const set = await client.setEmail({ userId: added.userId, email: newEmail, verification: { case: 'returnCode', value: {} } });
    expect(set.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
    expect(set.details?.sequence).toBeGreaterThan(added.details!.sequence);
    expect(set.details?.resourceOwner).toBe(orgId);
    const changed = set.details!.changeDate!;
    expect(Math.abs(Number(changed.seconds) * 1000 - Date.now())).toBeLessThan(60_000);

    const verified = await client.verifyEmail({ userId: added.userId, verificationCode: set.verificationCode! });
    expect(verified.details?.sequence).toBeGreaterThan(set.details!.sequence);

    const got = await client.getUserByID({ userId: added.userId });
    expect(got.user?.userId).toBe(added.userId);
    expect(got.user?.state).toBe(UserState.ACTIVE);
    expect(got.user?.username).toBe(username);
    expect(got.user?.loginNames).toEqual([username]);
    expect(got.user?.details?.sequence).toBe(verified.details!.sequence);
    expect(got.user?.type.case).toBe('human');
    const human = got.user?.type.case === 'human' ? got.user.type.value : undefined;
    expect(human?.profile).toMatchObject({ givenName: 'Minnie', familyName: 'Mouse', displayName: 'Minnie Mouse' });
    expect(human?.email).toMatchObject({ email: newEmail, isVerified: true });

    // the same user and state over REST: one service behind every transport
    const viaRest = await admin.getUser(added.userId);
    expect(viaRest.body.user.human.email).toEqual({ email: newEmail, isVerified: true });
    expect(viaRest.body.details.sequence).toBe(String(verified.details!.sequence));
  });

  it('mails the code by default (sendCode) and resends and sends codes as ZITADEL does', async () => {
    const { userId } = await addUser();
    const email = `sent${++n}@example.com`;
    const set = await client.setEmail({ userId, email });
    expect(set.verificationCode).toBeUndefined();
    const first = codeInMail(await t.sink.waitForMailTo(email));

    const resent = await client.resendEmailCode({ userId, verification: { case: 'returnCode', value: {} } });
    expect(resent.verificationCode).toMatch(/^[A-Z0-9]{6}$/);
    // the resend replaced the mailed code
    expectZitadelError(
      await failure(client.verifyEmail({ userId, verificationCode: first })),
      Code.InvalidArgument,
      'COMMAND-eis9R',
      'Code is invalid',
    );

    const sent = await client.sendEmailCode({
      userId,
      verification: { case: 'sendCode', value: { urlTemplate: 'https://app.example.com/v?u={{.UserID}}&c={{.Code}}' } },
    });
    expect(sent.verificationCode).toBeUndefined();
    const mail = await t.sink.waitForMailTo(email, 2);
    const code = codeInMail(mail);
    expect(mail.text).toContain(`https://app.example.com/v?u=${userId}&c=${code}`);
    await client.verifyEmail({ userId, verificationCode: code });
    const got = await client.getUserByID({ userId });
    expect(got.user?.type.case === 'human' && got.user.type.value.email).toMatchObject({ email, isVerified: true });

    // nothing pending any more: ResendEmailCode has no code to replace
    expectZitadelError(await failure(client.resendEmailCode({ userId })), Code.FailedPrecondition, 'EMAIL-5w5ilin4yt', 'Code is empty');
  });

  it('stores an email as verified with isVerified', async () => {
    const { userId } = await addUser();
    const email = `verified${++n}@example.com`;
    const set = await client.setEmail({ userId, email, verification: { case: 'isVerified', value: true } });
    expect(set.verificationCode).toBeUndefined();
    const got = await client.getUserByID({ userId });
    expect(got.user?.type.case === 'human' && got.user.type.value.email).toMatchObject({ email, isVerified: true });
  });

  it('replays a retry with the same Idempotency-Key header', async () => {
    const { userId } = await addUser();
    const req = { userId, email: `idem${++n}@example.com`, verification: { case: 'returnCode' as const, value: {} } };
    const headers = { 'Idempotency-Key': `key-${n}` };
    const first = await client.setEmail(req, { headers });
    const retry = await client.setEmail(req, { headers });
    expect(retry.verificationCode).toBe(first.verificationCode);
    expect(retry.details?.sequence).toBe(first.details?.sequence);
  });

  describe('errors carry ZITADEL’s code, message and ErrorDetail', () => {
    it('404: SetEmail on a user that does not exist', async () => {
      const err = await failure(
        client.setEmail({ userId: UNKNOWN_USER, email: 'x@example.com', verification: { case: 'returnCode', value: {} } }),
      );
      expectZitadelError(err, Code.NotFound, 'COMMAND-ieJ2e', 'Email not found');
    });

    it('404: GetUserByID and VerifyEmail on a user that does not exist', async () => {
      expectZitadelError(await failure(client.getUserByID({ userId: UNKNOWN_USER })), Code.NotFound, 'COMMAND-ieJ2e', 'Email not found');
      expectZitadelError(
        await failure(client.verifyEmail({ userId: UNKNOWN_USER, verificationCode: 'ABCDEF' })),
        Code.NotFound,
        'COMMAND-ieJ2e',
        'Email not found',
      );
    });

    it('403: a viewer of the organisation may not set another user’s email', async () => {
      const { userId } = await addUser();
      const viewer = createUserServiceClient(wire.transport(viewerToken));
      const err = await failure(viewer.setEmail({ userId, email: `x${++n}@example.com`, verification: { case: 'returnCode', value: {} } }));
      expectZitadelError(err, Code.PermissionDenied, 'AUTH-AWfge', 'No matching permissions found');
      // but may read it
      expect((await viewer.getUserByID({ userId })).user?.userId).toBe(userId);
    });

    it('400: request validation, in ZITADEL’s words', async () => {
      const { userId } = await addUser();
      expectValidationError(
        await failure(client.setEmail({ userId, email: 'not-an-address' })),
        'invalid SetEmailRequest.Email: value must be a valid email address',
      );
      expectValidationError(
        await failure(client.setEmail({ userId, email: 'a'.repeat(190) + '@example.com' })),
        'invalid SetEmailRequest.Email: value length must be between 1 and 200 runes, inclusive',
      );
      expectValidationError(
        await failure(client.setEmail({ userId, email: `f${++n}@example.com`, verification: { case: 'isVerified', value: false } })),
        'invalid SetEmailRequest.IsVerified: value must equal true',
      );
      expectValidationError(
        await failure(client.verifyEmail({ userId, verificationCode: '' })),
        'invalid VerifyEmailRequest.VerificationCode: value length must be between 1 and 20 runes, inclusive',
      );
      expectZitadelError(
        await failure(
          client.setEmail({
            userId,
            email: `t${++n}@example.com`,
            verification: { case: 'sendCode', value: { urlTemplate: 'https://x/{{.Code' } },
          }),
        ),
        Code.InvalidArgument,
        'DOMAIN-oGh5e',
        'URL Template is invalid',
      );
      expectZitadelError(
        await failure(client.verifyEmail({ userId, verificationCode: 'WRONG1' })),
        Code.InvalidArgument,
        'COMMAND-eis9R',
        'Code is invalid',
      );
    });

    it('409: a username that is taken in the organisation', async () => {
      const { username } = await addUser();
      const err = await failure(
        client.addHumanUser({
          username,
          organization: { org: { case: 'orgId', value: orgId } },
          profile: { givenName: 'A', familyName: 'B' },
          email: { email: `dup${++n}@example.com`, verification: { case: 'returnCode', value: {} } },
        }),
      );
      expect(err.code).toBe(Code.AlreadyExists);
      expect(err.findDetails(ErrorDetailSchema)).toHaveLength(1);
    });

    it('401: an unknown token, and no authorization header at all', async () => {
      const stranger = createUserServiceClient(wire.transport('x'.repeat(43)));
      expectZitadelError(
        await failure(stranger.getUserByID({ userId: UNKNOWN_USER })),
        Code.Unauthenticated,
        'AUTHZ-Kl3p0',
        'Token is invalid',
      );
      const anonymous = createUserServiceClient(wire.transport(null));
      expectZitadelError(
        await failure(anonymous.verifyEmail({ userId: UNKNOWN_USER, verificationCode: 'ABCDEF' })),
        Code.Unauthenticated,
        'AUTH-7fs1e',
        'auth header missing',
      );
    });

    it('UpdateUser (ZITADEL v4): profile, username and human.email in one call; phone answers 12', async () => {
      const { userId, username } = await addUser();
      const r = await client.updateUser({
        userId,
        username: `${username}-v4`,
        userType: {
          case: 'human',
          value: {
            profile: { givenName: 'Mickey', nickName: 'Mick', preferredLanguage: 'fr', gender: Gender.MALE },
            email: { email: `${username}.v4@example.com`, verification: { case: 'returnCode', value: {} } },
          },
        },
      });
      expect(r.emailCode).toMatch(/^[A-Z0-9]{6}$/);
      expect(Math.abs(Number(r.changeDate!.seconds) * 1000 - Date.now())).toBeLessThan(60_000);
      const got = await client.getUserByID({ userId });
      expect(got.user?.username).toBe(`${username}-v4`);
      const human = got.user?.type.case === 'human' ? got.user.type.value : undefined;
      expect(human?.profile).toMatchObject({
        givenName: 'Mickey',
        familyName: 'Mouse',
        nickName: 'Mick',
        preferredLanguage: 'fr',
        gender: Gender.MALE,
      });
      expect(human?.email).toMatchObject({ email: `${username}.v4@example.com`, isVerified: false });

      expectZitadelError(
        await failure(
          client.updateUser({
            userId,
            userType: {
              case: 'human',
              value: { email: { email: `${username}.v4@example.com`, verification: { case: 'returnCode', value: {} } } },
            },
          }),
        ),
        Code.FailedPrecondition,
        'COMMAND-Uch5e',
        'Email not changed',
      );
      const phone = await failure(client.updateUser({ userId, userType: { case: 'human', value: { phone: { phone: '+41791234567' } } } }));
      expect(phone.code).toBe(Code.Unimplemented);
      expect(phone.rawMessage).toContain('human.phone is not kept by this service');
    });

    it('UpdateUser: a viewer may not change another user (403)', async () => {
      const { userId } = await addUser();
      const viewer = createUserServiceClient(wire.transport(viewerToken));
      expectZitadelError(
        await failure(viewer.updateUser({ userId, userType: { case: 'human', value: { profile: { nickName: 'x' } } } })),
        Code.PermissionDenied,
        'AUTH-AWfge',
        'No matching permissions found',
      );
    });

    it('12: methods of the UserService this service does not implement', async () => {
      const err = await failure(client.listUsers({}));
      expect(err.code).toBe(Code.Unimplemented);
      expect(err.rawMessage).toBe('zitadel.user.v2.UserService.ListUsers is not implemented');
    });
  });
});

describe('the Connect routes beside the Nest routes on the main port', () => {
  it('answers a plain JSON POST (curl-style Connect) and leaves REST and GraphQL as they were', async () => {
    const connect = await rest(t.url, 'POST', '/zitadel.user.v2.UserService/GetUserByID', { userId: UNKNOWN_USER }, t.adminToken);
    expect(connect.status).toBe(404);
    expect(connect.body).toMatchObject({ code: 'not_found', message: 'Email not found (COMMAND-ieJ2e)' });
    expect(connect.body.details).toEqual([expect.objectContaining({ type: 'zitadel.v1.ErrorDetail' })]);

    const viaRest = await rest(t.url, 'GET', `/v2/users/${UNKNOWN_USER}`, undefined, t.adminToken);
    expect(viaRest.status).toBe(404);
    expect(viaRest.body.message).toBe('Email not found (COMMAND-ieJ2e)');
    const viaGql = await rest(t.url, 'POST', '/graphql', { query: '{ __typename }' }, t.adminToken);
    expect(viaGql.status).toBe(200);
  });

  it('does not serve gRPC (which needs HTTP/2 trailers) on the HTTP/1.1 port', async () => {
    const r = await fetch(`${t.url}/zitadel.user.v2.UserService/GetUserByID`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc', authorization: `Bearer ${t.adminToken}` },
      body: new Uint8Array(5),
    });
    expect(r.status).toBe(415);
  });

  it('answers 404 in ZITADEL’s shape for a path under the service that names no method', async () => {
    for (const path of ['/zitadel.user.v2.UserService/NoSuchMethod', '/zitadel.user.v2.UserService/SetEmail/extra']) {
      const r = await rest(t.url, 'POST', path, {}, t.adminToken);
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ code: 5 });
    }
  });
});
