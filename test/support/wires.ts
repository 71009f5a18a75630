import { ConnectError, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { createUserServiceClient } from '@zitadel/client/v2';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { rest } from './client.js';

/**
 * One call over REST, GraphQL, Connect (JSON, main port) or gRPC (HTTP/2 on GRPC_PORT),
 * answered in one shape, with the caller's own headers (X-Forwarded-For) on every wire.
 */
export type Wire = 'rest' | 'graphql' | 'connect' | 'grpc';

export type Answer =
  | { ok: true; body: any }
  | { ok: false; grpcCode: number; id: string | undefined; message: string; retryAfter: number | undefined; raw: unknown };

export interface Caller {
  url: string;
  grpcPort?: number;
  token?: string;
  headers?: Record<string, string>;
}

async function http(c: Caller, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }> {
  return rest(c.url, method, path, body, c.token, c.headers ?? {});
}

export function restAnswer(r: { status: number; headers: Headers; body: any }): Answer {
  if (r.status === 200) return { ok: true, body: r.body };
  const retry = r.headers.get('retry-after');
  return {
    ok: false,
    grpcCode: r.body?.code,
    id: r.body?.details?.[0]?.id,
    message: r.body?.message,
    retryAfter: retry ? Number(retry) : undefined,
    raw: r.body,
  };
}

async function graphql(c: Caller, field: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
  return graphQLAnswer(field, await http(c, 'POST', '/graphql', { query, variables }));
}

/** A GraphQL response as an Answer: the field's data, or the first error's extensions. */
export function graphQLAnswer(field: string, r: { status: number; body: any }): Answer {
  const data = r.body?.data?.[field];
  if (data !== undefined && data !== null && !r.body?.errors) return { ok: true, body: data };
  const e = r.body?.errors?.[0];
  if (!e) throw new Error(`GraphQL ${field}: neither data nor errors: ${r.status} ${JSON.stringify(r.body)}`);
  return {
    ok: false,
    grpcCode: e.extensions?.grpcCode,
    id: e.extensions?.id,
    message: e.message,
    retryAfter: e.extensions?.retryAfter,
    raw: r.body,
  };
}

export function userService(c: Caller, wire: 'connect' | 'grpc') {
  const headers = { ...(c.headers ?? {}), ...(c.token ? { authorization: `Bearer ${c.token}` } : {}) };
  const interceptors: Interceptor[] = [
    (next) => (req) => {
      for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
      return next(req);
    },
  ];
  const transport =
    wire === 'connect'
      ? createConnectTransport({ baseUrl: c.url, httpVersion: '1.1', interceptors })
      : createGrpcTransport({ baseUrl: `http://127.0.0.1:${c.grpcPort}`, interceptors });
  return createUserServiceClient(transport);
}

export async function connectAnswer(call: Promise<unknown>): Promise<Answer> {
  try {
    return { ok: true, body: await call };
  } catch (e) {
    if (!(e instanceof ConnectError)) throw e;
    const retry = e.metadata.get('retry-after');
    return {
      ok: false,
      grpcCode: e.code,
      id: e.findDetails(ErrorDetailSchema)[0]?.id,
      message: e.rawMessage,
      retryAfter: retry ? Number(retry) : undefined,
      raw: e,
    };
  }
}

/** How a new address is verified: a mailed code (optionally with a URL template), a returned code, or as verified. */
export type Verify = { send: { urlTemplate?: string } } | 'return' | 'verified';

const restVerify = (v: Verify) =>
  v === 'return'
    ? { returnCode: {} }
    : v === 'verified'
      ? { isVerified: true }
      : { sendCode: v.send.urlTemplate ? { urlTemplate: v.send.urlTemplate } : {} };
const gqlVerify = (v: Verify) =>
  v === 'return'
    ? { returnCode: true }
    : v === 'verified'
      ? { isVerified: true }
      : { sendCode: v.send.urlTemplate ? { urlTemplate: v.send.urlTemplate } : {} };
type ProtoVerify =
  | { case: 'returnCode'; value: Record<string, never> }
  | { case: 'isVerified'; value: boolean }
  | { case: 'sendCode'; value: { urlTemplate?: string } };
const protoVerify = (v: Verify): ProtoVerify =>
  v === 'return'
    ? { case: 'returnCode', value: {} }
    : v === 'verified'
      ? { case: 'isVerified', value: true }
      : { case: 'sendCode', value: v.send.urlTemplate ? { urlTemplate: v.send.urlTemplate } : {} };

export interface NewUser {
  orgId: string;
  username: string;
  email: string;
  verify: Verify;
  displayName?: string;
  idpLinks?: { idpId: string; userId: string; userName: string }[];
}

export const wires = {
  addHumanUser(c: Caller, wire: Wire, u: NewUser): Promise<Answer> {
    const profile = { givenName: 'Given', familyName: 'Family', ...(u.displayName !== undefined ? { displayName: u.displayName } : {}) };
    const links = u.idpLinks ? { idpLinks: u.idpLinks } : {};
    if (wire === 'rest')
      return http(c, 'POST', '/v2/users/human', {
        username: u.username,
        organization: { orgId: u.orgId },
        profile,
        email: { email: u.email, ...restVerify(u.verify) },
        ...links,
      }).then(restAnswer);
    if (wire === 'graphql')
      return graphql(
        c,
        'addHumanUser',
        `
          mutation ($input: AddHumanUserInput!) {
            addHumanUser(input: $input) {
              userId
              emailCode
            }
          }
        `,
        {
          input: {
            username: u.username,
            organization: { orgId: u.orgId },
            profile,
            email: { email: u.email, ...gqlVerify(u.verify) },
            ...links,
          },
        },
      );
    return connectAnswer(
      userService(c, wire).addHumanUser({
        username: u.username,
        organization: { org: { case: 'orgId', value: u.orgId } },
        profile,
        email: { email: u.email, verification: protoVerify(u.verify) },
        ...links,
      }),
    );
  },

  setEmail(c: Caller, wire: Wire, userId: string, email: string, verify: Verify): Promise<Answer> {
    if (wire === 'rest') return http(c, 'POST', `/v2/users/${userId}/email`, { email, ...restVerify(verify) }).then(restAnswer);
    if (wire === 'graphql')
      return graphql(
        c,
        'setContactEmail',
        `
          mutation ($input: SetContactEmailInput!) {
            setContactEmail(input: $input) {
              verificationCode
            }
          }
        `,
        {
          input: { userId, email, ...gqlVerify(verify) },
        },
      );
    return connectAnswer(userService(c, wire).setEmail({ userId, email, verification: protoVerify(verify) }));
  },

  verify(c: Caller, wire: Wire, userId: string, code: string): Promise<Answer> {
    if (wire === 'rest') return http(c, 'POST', `/v2/users/${userId}/email/verify`, { verificationCode: code }).then(restAnswer);
    if (wire === 'graphql')
      return graphql(
        c,
        'verifyEmail',
        `
          mutation ($input: VerifyEmailInput!) {
            verifyEmail(input: $input) {
              details {
                sequence
              }
            }
          }
        `,
        {
          input: { userId, verificationCode: code },
        },
      );
    return connectAnswer(userService(c, wire).verifyEmail({ userId, verificationCode: code }));
  },

  getUser(c: Caller, wire: Wire, userId: string): Promise<Answer> {
    if (wire === 'rest') return http(c, 'GET', `/v2/users/${userId}`).then(restAnswer);
    if (wire === 'graphql')
      return graphql(
        c,
        'user',
        `
          query ($id: ID!) {
            user(id: $id) {
              userId
              human {
                email {
                  email
                  isVerified
                }
              }
            }
          }
        `,
        { id: userId },
      );
    return connectAnswer(userService(c, wire).getUserByID({ userId }));
  },
};

/** The parts of an answer that a rule fixes whatever the transport: the code and the ID. */
export const failureOf = (a: Answer) => (a.ok ? { ok: true } : { ok: false, grpcCode: a.grpcCode, id: a.id });
