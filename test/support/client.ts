import { DataSource } from 'typeorm';
import { UserEventEntity } from '../../src/database/entities/user-event.entity.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any;
}

/** A REST call as a ZITADEL client would make it. */
export async function rest(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export async function gql(base: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<HttpResult> {
  return rest(base, 'POST', '/graphql', { query, variables }, token);
}

/** A REST error answer in the transport-neutral failure shape. */
export function restFailure(r: HttpResult | { status: number; body: any; headers?: Headers }) {
  const retry = 'headers' in r && r.headers ? r.headers.get('retry-after') : null;
  return {
    ok: false as const,
    httpStatus: r.status,
    grpcCode: r.body?.code,
    id: r.body?.details?.[0]?.id,
    message: r.body?.message,
    retryAfter: retry ? Number(retry) : undefined,
    raw: r.body,
  };
}

/** A GraphQL error answer (errors[0] and its extensions) in the same shape. */
export function graphqlFailure(field: string, r: { status: number; body: any }) {
  const e = r.body?.errors?.[0];
  if (!e) throw new Error(`GraphQL ${field}: neither data nor errors: ${r.status} ${JSON.stringify(r.body)}`);
  return {
    ok: false as const,
    httpStatus: e.extensions?.httpStatus,
    grpcCode: e.extensions?.grpcCode,
    id: e.extensions?.id,
    message: e.message,
    retryAfter: e.extensions?.retryAfter,
    raw: r.body,
  };
}

export type Transport = 'rest' | 'graphql';

/** What an email operation answered, the same shape whichever transport carried it. */
export type Outcome =
  | { ok: true; sequence: number; changeDate: string; resourceOwner: string; verificationCode?: string; raw: any }
  | { ok: false; httpStatus: number; grpcCode: number; id?: string; message: string; retryAfter?: number; raw: any };

const DETAILS = 'details { sequence changeDate resourceOwner } verificationCode';

/** REST-shaped SetEmail body → the GraphQL input of spec §1. */
function toGraphQLInput(userId: string, body: Record<string, any>): Record<string, unknown> {
  const input: Record<string, unknown> = { userId };
  for (const [k, v] of Object.entries(body)) {
    if (k === 'returnCode') input.returnCode = v && typeof v === 'object' ? true : v;
    else input[k] = v;
  }
  return input;
}

let uniqueUsers = 0;

/** The service's API for tests: the operations, over either transport. */
export class Api {
  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  as(token: string): Api {
    return new Api(this.base, token);
  }

  async addOrganization(name: string): Promise<string> {
    const r = await rest(this.base, 'POST', '/v2/organizations', { name }, this.token);
    if (r.status !== 200) throw new Error(`addOrganization: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.organizationId;
  }

  async addHumanUser(body: Record<string, unknown>): Promise<HttpResult> {
    return rest(this.base, 'POST', '/v2/users/human', body, this.token);
  }

  /** Adds a user and returns its ID; email returned-code mode so no mail is sent. */
  async addUser(orgId: string, username: string, email = `${username}@example.com`): Promise<string> {
    const r = await this.addHumanUser({
      username,
      organization: { orgId },
      profile: { givenName: username, familyName: 'Test' },
      email: { email, returnCode: {} },
    });
    if (r.status !== 200) throw new Error(`addHumanUser: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.userId;
  }

  /** A user with a username (and address) unique in this process: `tag-<n>`; returned code, no mail. */
  async addUniqueUser(orgId: string, tag: string): Promise<{ userId: string; username: string; email: string }> {
    const username = `${tag}-${++uniqueUsers}`;
    const email = `${username}@example.com`;
    return { userId: await this.addUser(orgId, username, email), username, email };
  }

  async addMember(orgId: string, userId: string, roles: string[]): Promise<void> {
    const r = await rest(this.base, 'POST', `/v2/organizations/${orgId}/members`, { userId, roles }, this.token);
    if (r.status !== 200) throw new Error(`addMember: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async addPat(userId: string): Promise<string> {
    const r = await rest(this.base, 'POST', `/v2/users/${userId}/pats`, {}, this.token);
    if (r.status !== 200) throw new Error(`addPat: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }

  async getUser(userId: string): Promise<HttpResult> {
    return rest(this.base, 'GET', `/v2/users/${encodeURIComponent(userId)}`, undefined, this.token);
  }

  /** Runs an email operation (REST body shape) over the given transport. */
  async emailOp(
    transport: Transport,
    op: 'setEmail' | 'resend' | 'send' | 'verify',
    userId: string,
    body: Record<string, any>,
    headers: Record<string, string> = {},
  ): Promise<Outcome> {
    if (transport === 'rest') {
      const path = { setEmail: 'email', resend: 'email/resend', send: 'email/send', verify: 'email/verify' }[op];
      const r = await rest(this.base, 'POST', `/v2/users/${encodeURIComponent(userId)}/${path}`, body, this.token, headers);
      if (r.status === 200) {
        const d = r.body.details;
        return {
          ok: true,
          sequence: Number(d.sequence),
          changeDate: d.changeDate,
          resourceOwner: d.resourceOwner,
          verificationCode: r.body.verificationCode,
          raw: r.body,
        };
      }
      return restFailure(r);
    }
    const field = { setEmail: 'setContactEmail', resend: 'resendEmailCode', send: 'sendEmailCode', verify: 'verifyEmail' }[op];
    const type = {
      setEmail: 'SetContactEmailInput',
      resend: 'ResendEmailCodeInput',
      send: 'SendEmailCodeInput',
      verify: 'VerifyEmailInput',
    }[op];
    const r = await gql(
      this.base,
      `mutation($input: ${type}!) { ${field}(input: $input) { ${DETAILS} } }`,
      { input: toGraphQLInput(userId, body) },
      this.token,
    );
    const data = r.body?.data?.[field];
    if (data) {
      const d = data.details;
      return {
        ok: true,
        sequence: Number(d.sequence),
        changeDate: d.changeDate,
        resourceOwner: d.resourceOwner,
        verificationCode: data.verificationCode ?? undefined,
        raw: r.body,
      };
    }
    return graphqlFailure(field, r);
  }

  setEmail(transport: Transport, userId: string, body: Record<string, any>, headers: Record<string, string> = {}): Promise<Outcome> {
    return this.emailOp(transport, 'setEmail', userId, body, headers);
  }
}

/** What GetUserByID answered, the same shape whichever transport carried it. */
export type UserOutcome =
  | { ok: true; userId: string; email: string; isVerified: boolean; sequence: number; resourceOwner: string; raw: any }
  | { ok: false; httpStatus: number; grpcCode: number; id?: string; message: string; raw: any };

const USER_FIELDS = 'userId state username human { email { email isVerified } } details { sequence changeDate resourceOwner }';

/** GetUserByID over either transport (REST `GET /v2/users/{id}`, GraphQL `user(id:)`). */
export async function getUserVia(api: Api, transport: Transport, userId: string): Promise<UserOutcome> {
  if (transport === 'rest') {
    const r = await rest(api.base, 'GET', `/v2/users/${encodeURIComponent(userId)}`, undefined, api.token);
    if (r.status === 200) {
      const u = r.body.user;
      return {
        ok: true,
        userId: u.userId,
        email: u.human.email.email,
        isVerified: u.human.email.isVerified,
        sequence: Number(r.body.details.sequence),
        resourceOwner: r.body.details.resourceOwner,
        raw: r.body,
      };
    }
    return restFailure(r);
  }
  const r = await gql(api.base, `query($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`, { id: userId }, api.token);
  const u = r.body?.data?.user;
  if (u) {
    return {
      ok: true,
      userId: u.userId,
      email: u.human.email.email,
      isVerified: u.human.email.isVerified,
      sequence: Number(u.details.sequence),
      resourceOwner: u.details.resourceOwner,
      raw: r.body,
    };
  }
  return graphqlFailure('user', r);
}

const GRPC_NAMES: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  12: 'UNIMPLEMENTED',
  16: 'UNAUTHENTICATED',
};

/**
 * An expected error. `validation`: ZITADEL's request-validation answer (bare message, no ID,
 * `details: []`). `app`: an error with a stable ID, `"<detail> (<id>)"`. `any`: the code (and the ID if given).
 */
export type ExpectedError =
  | { kind: 'validation'; message: string }
  | { kind: 'app'; grpcCode: number; httpStatus: number; id: string; detail: string }
  | { kind: 'any'; grpcCode: number; httpStatus: number; id?: string };

export const validationError = (message: string): ExpectedError => ({ kind: 'validation', message });
export const appError = (grpcCode: number, httpStatus: number, id: string, detail: string): ExpectedError => ({
  kind: 'app',
  grpcCode,
  httpStatus,
  id,
  detail,
});
export const anyError = (grpcCode: number, httpStatus: number, id?: string): ExpectedError => ({ kind: 'any', grpcCode, httpStatus, id });
export const NOT_FOUND = appError(5, 404, 'COMMAND-ieJ2e', 'Email not found');
export const PERMISSION_DENIED = appError(7, 403, 'AUTH-AWfge', 'No matching permissions found');

/** Asserts the exact ZITADEL error shape of the transport: the REST body, or GraphQL's message and extensions. */
export function expectError(
  o:
    | Outcome
    | UserOutcome
    | AddUserOutcome
    | { ok: true; raw: any }
    | { ok: false; httpStatus: number; grpcCode: number; id?: string; raw: any },
  transport: Transport,
  want: ExpectedError,
): void {
  if (o.ok) throw new Error(`expected an error, got success: ${JSON.stringify(o.raw)}`);
  const grpcCode = want.kind === 'validation' ? 3 : want.grpcCode;
  const httpStatus = want.kind === 'validation' ? 400 : want.httpStatus;
  expect({ httpStatus: o.httpStatus, grpcCode: o.grpcCode }).toEqual({ httpStatus, grpcCode });
  if (want.kind === 'any' && want.id !== undefined) expect(o.id).toBe(want.id);
  const message = want.kind === 'validation' ? want.message : want.kind === 'app' ? `${want.detail} (${want.id})` : expect.any(String);
  if (transport === 'rest') {
    const details =
      want.kind === 'validation'
        ? []
        : want.kind === 'app'
          ? [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: want.id, message: want.detail }]
          : expect.any(Array);
    expect(o.raw).toEqual({ code: grpcCode, message, details });
    return;
  }
  expect(o.raw.errors).toHaveLength(1);
  const e = o.raw.errors[0];
  expect(e.message).toEqual(message);
  const ext: Record<string, unknown> = { code: GRPC_NAMES[grpcCode], grpcCode, httpStatus };
  if (want.kind === 'app') ext.id = want.id;
  if (want.kind === 'any') expect(e.extensions).toEqual(expect.objectContaining(ext));
  else expect(e.extensions).toEqual(ext);
}

/** What AddHumanUser answered, the same shape whichever transport carried it. */
export type AddUserOutcome =
  | { ok: true; userId: string; sequence: number; resourceOwner: string; emailCode?: string; raw: any }
  | { ok: false; httpStatus: number; grpcCode: number; id?: string; message: string; raw: any };

/** AddHumanUser (REST body shape, spec §1) over either transport; `email.returnCode: {}` becomes `true` for GraphQL. */
export async function addHumanUserVia(api: Api, transport: Transport, body: Record<string, any>): Promise<AddUserOutcome> {
  if (transport === 'rest') {
    const r = await api.addHumanUser(body);
    if (r.status === 200) {
      return {
        ok: true,
        userId: r.body.userId,
        sequence: Number(r.body.details.sequence),
        resourceOwner: r.body.details.resourceOwner,
        emailCode: r.body.emailCode,
        raw: r.body,
      };
    }
    return restFailure(r);
  }
  const input: Record<string, any> = { ...body };
  if (body.email && typeof body.email === 'object') {
    const email: Record<string, any> = { ...body.email };
    if ('returnCode' in email) email.returnCode = email.returnCode && typeof email.returnCode === 'object' ? true : email.returnCode;
    input.email = email;
  }
  const r = await gql(
    api.base,
    `mutation($input: AddHumanUserInput!) { addHumanUser(input: $input) { userId emailCode details { sequence changeDate resourceOwner } } }`,
    { input },
    api.token,
  );
  const data = r.body?.data?.addHumanUser;
  if (data) {
    return {
      ok: true,
      userId: data.userId,
      sequence: Number(data.details.sequence),
      resourceOwner: data.details.resourceOwner,
      emailCode: data.emailCode ?? undefined,
      raw: r.body,
    };
  }
  return graphqlFailure('addHumanUser', r);
}

/**
 * An email operation's body and headers carrying an Idempotency-Key: the REST header, or the
 * GraphQL input field `idempotencyKey` (toGraphQLInput copies body fields into the input).
 */
export function withIdempotencyKey(
  transport: Transport,
  key: string,
  body: Record<string, any>,
): { body: Record<string, any>; headers: Record<string, string> } {
  return transport === 'rest' ? { body, headers: { 'Idempotency-Key': key } } : { body: { ...body, idempotencyKey: key }, headers: {} };
}

/** The verification code a mail carries in its text: "(Code XXXXXX)". */
export function codeInMail(mail: { text: string }): string {
  const code = /\(Code ([A-Z0-9]+)\)/.exec(mail.text)?.[1];
  if (!code) throw new Error(`no "(Code ...)" in the mail text: ${mail.text}`);
  return code;
}

/** The types of a user's events, oldest first, read from the event log the service writes. */
export async function eventTypesOf(dataSource: DataSource, userId: string): Promise<string[]> {
  const rows = await dataSource.getRepository(UserEventEntity).find({ where: { userId }, order: { sequence: 'ASC' } });
  return rows.map((r) => r.type);
}

/** AddPersonalAccessToken over either transport; returns the token (shown once). */
export async function addPatVia(api: Api, transport: Transport, userId: string): Promise<string> {
  if (transport === 'rest') return api.addPat(userId);
  const r = await gql(
    api.base,
    `mutation($input: AddPersonalAccessTokenInput!) { addPersonalAccessToken(input: $input) { tokenId token } }`,
    { input: { userId } },
    api.token,
  );
  const token = r.body?.data?.addPersonalAccessToken?.token;
  if (typeof token !== 'string') throw new Error(`GraphQL addPersonalAccessToken: ${r.status} ${JSON.stringify(r.body)}`);
  return token;
}
