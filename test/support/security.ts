import { DataSource } from 'typeorm';
import type { TestApp } from './app.js';
import { gql, rest } from './client.js';
import { type Answer, connectAnswer, graphQLAnswer, restAnswer, userService } from './wires.js';

/**
 * The security suites' client: one operation over REST, GraphQL, Connect (JSON, main port) or
 * gRPC (HTTP/2 on GRPC_PORT), answered in one shape so that a table of cases can hold the same
 * expectation for every transport.
 */
export type Wire = 'rest' | 'graphql' | 'connect' | 'grpc';

export type Result = Answer;

export interface Target {
  t: TestApp;
  token: string | null;
  /** GRPC_PORT, for the `grpc` wire. */
  grpcPort?: number;
  /** Extra headers (REST, Connect). */
  headers?: Record<string, string>;
}

const restResult = restAnswer;

const gqlResult = graphQLAnswer;

function client(target: Target, wire: 'connect' | 'grpc') {
  return userService({ url: target.t.url, grpcPort: target.grpcPort, token: target.token ?? undefined, headers: target.headers }, wire);
}

const connectResult = connectAnswer;

type Verification = 'send' | 'return' | 'verified';

const restVerification = (v: Verification) => (v === 'return' ? { returnCode: {} } : v === 'verified' ? { isVerified: true } : {});
const gqlVerification = (v: Verification) => (v === 'return' ? { returnCode: true } : v === 'verified' ? { isVerified: true } : {});
const protoVerification = (v: Verification) =>
  v === 'return'
    ? { case: 'returnCode' as const, value: {} }
    : v === 'verified'
      ? { case: 'isVerified' as const, value: true }
      : { case: undefined };

const DETAILS = 'details { sequence changeDate resourceOwner }';

/** The operations, each over the wires it exists on. */
export const ops = {
  setEmail(target: Target, wire: Wire, userId: string, email: string, v: Verification = 'return'): Promise<Result> {
    if (wire === 'rest')
      return rest(
        target.t.url,
        'POST',
        `/v2/users/${userId}/email`,
        { email, ...restVerification(v) },
        target.token ?? undefined,
        target.headers,
      ).then(restResult);
    if (wire === 'graphql')
      return gql(
        target.t.url,
        `mutation($input: SetContactEmailInput!) { setContactEmail(input: $input) { ${DETAILS} verificationCode } }`,
        { input: { userId, email, ...gqlVerification(v) } },
        target.token ?? undefined,
      ).then((r) => gqlResult('setContactEmail', r));
    return connectResult(client(target, wire).setEmail({ userId, email, verification: protoVerification(v) }));
  },

  /** UpdateUser (spec §10): a username, a nick name, and optionally a new email with a verification mode. */
  updateUser(
    target: Target,
    wire: Wire,
    userId: string,
    change: { username?: string; nickName?: string; email?: string; v?: Verification },
  ): Promise<Result> {
    const profile = change.nickName === undefined ? undefined : { nickName: change.nickName };
    if (wire === 'rest' || wire === 'graphql') {
      const email =
        change.email === undefined
          ? undefined
          : { email: change.email, ...(wire === 'rest' ? restVerification : gqlVerification)(change.v ?? 'return') };
      const body = { username: change.username, human: { profile, email } };
      if (wire === 'rest')
        return rest(target.t.url, 'PATCH', `/v2/users/${userId}`, body, target.token ?? undefined, target.headers).then(restResult);
      return gql(
        target.t.url,
        'mutation($input: UpdateUserInput!) { updateUser(input: $input) { changeDate emailCode } }',
        { input: { userId, ...body } },
        target.token ?? undefined,
      ).then((r) => gqlResult('updateUser', r));
    }
    const email = change.email === undefined ? undefined : { email: change.email, verification: protoVerification(change.v ?? 'return') };
    return connectResult(
      client(target, wire).updateUser({ userId, username: change.username, userType: { case: 'human', value: { profile, email } } }),
    );
  },

  sendCode(target: Target, wire: Wire, userId: string, v: 'send' | 'return' = 'return', resend = false): Promise<Result> {
    if (wire === 'rest')
      return rest(
        target.t.url,
        'POST',
        `/v2/users/${userId}/email/${resend ? 'resend' : 'send'}`,
        restVerification(v),
        target.token ?? undefined,
        target.headers,
      ).then(restResult);
    const field = resend ? 'resendEmailCode' : 'sendEmailCode';
    if (wire === 'graphql')
      return gql(
        target.t.url,
        `mutation($input: ${resend ? 'ResendEmailCodeInput' : 'SendEmailCodeInput'}!) { ${field}(input: $input) { ${DETAILS} verificationCode } }`,
        { input: { userId, ...gqlVerification(v) } },
        target.token ?? undefined,
      ).then((r) => gqlResult(field, r));
    const c = client(target, wire);
    const req = { userId, verification: protoVerification(v) as { case: 'returnCode'; value: object } | { case: undefined } };
    return connectResult(resend ? c.resendEmailCode(req) : c.sendEmailCode(req));
  },

  verify(target: Target, wire: Wire, userId: string, code: string): Promise<Result> {
    if (wire === 'rest')
      return rest(
        target.t.url,
        'POST',
        `/v2/users/${userId}/email/verify`,
        { verificationCode: code },
        target.token ?? undefined,
        target.headers,
      ).then(restResult);
    if (wire === 'graphql')
      return gql(
        target.t.url,
        `mutation($input: VerifyEmailInput!) { verifyEmail(input: $input) { ${DETAILS} } }`,
        { input: { userId, verificationCode: code } },
        target.token ?? undefined,
      ).then((r) => gqlResult('verifyEmail', r));
    return connectResult(client(target, wire).verifyEmail({ userId, verificationCode: code }));
  },

  getUser(target: Target, wire: Wire, userId: string): Promise<Result> {
    if (wire === 'rest') return rest(target.t.url, 'GET', `/v2/users/${userId}`, undefined, target.token ?? undefined).then(restResult);
    if (wire === 'graphql')
      return gql(target.t.url, `query($id: ID!) { user(id: $id) { userId } }`, { id: userId }, target.token ?? undefined).then((r) =>
        gqlResult('user', r),
      );
    return connectResult(client(target, wire).getUserByID({ userId }));
  },

  addHumanUser(target: Target, wire: Wire, orgId: string, username: string, userId?: string): Promise<Result> {
    const email = `${username}@example.com`;
    if (wire === 'rest')
      return rest(
        target.t.url,
        'POST',
        '/v2/users/human',
        { userId, username, organization: { orgId }, profile: { givenName: 'G', familyName: 'F' }, email: { email, returnCode: {} } },
        target.token ?? undefined,
      ).then(restResult);
    if (wire === 'graphql')
      return gql(
        target.t.url,
        `mutation($input: AddHumanUserInput!) { addHumanUser(input: $input) { userId } }`,
        {
          input: {
            userId,
            username,
            organization: { orgId },
            profile: { givenName: 'G', familyName: 'F' },
            email: { email, returnCode: true },
          },
        },
        target.token ?? undefined,
      ).then((r) => gqlResult('addHumanUser', r));
    return connectResult(
      client(target, wire).addHumanUser({
        userId,
        username,
        organization: { org: { case: 'orgId', value: orgId } },
        profile: { givenName: 'G', familyName: 'F' },
        email: { email, verification: { case: 'returnCode', value: {} } },
      }),
    );
  },

  addPat(target: Target, wire: 'rest' | 'graphql', userId: string, expirationDate?: string): Promise<Result> {
    if (wire === 'rest')
      return rest(
        target.t.url,
        'POST',
        `/v2/users/${userId}/pats`,
        expirationDate ? { expirationDate } : {},
        target.token ?? undefined,
      ).then(restResult);
    return gql(
      target.t.url,
      `mutation($input: AddPersonalAccessTokenInput!) { addPersonalAccessToken(input: $input) { tokenId token } }`,
      { input: { userId, ...(expirationDate ? { expirationDate } : {}) } },
      target.token ?? undefined,
    ).then((r) => gqlResult('addPersonalAccessToken', r));
  },

  listPats(target: Target, wire: 'rest' | 'graphql', userId: string): Promise<Result> {
    if (wire === 'rest')
      return rest(target.t.url, 'GET', `/v2/users/${userId}/pats`, undefined, target.token ?? undefined).then(restResult);
    return gql(
      target.t.url,
      `query($userId: ID!) { personalAccessTokens(userId: $userId) { id expirationDate } }`,
      { userId },
      target.token ?? undefined,
    ).then((r) => gqlResult('personalAccessTokens', r));
  },

  removePat(target: Target, wire: 'rest' | 'graphql', userId: string, tokenId: string): Promise<Result> {
    if (wire === 'rest')
      return rest(target.t.url, 'DELETE', `/v2/users/${userId}/pats/${tokenId}`, undefined, target.token ?? undefined).then(restResult);
    return gql(
      target.t.url,
      `mutation($input: RemovePersonalAccessTokenInput!) { removePersonalAccessToken(input: $input) { ${DETAILS} } }`,
      { input: { userId, tokenId } },
      target.token ?? undefined,
    ).then((r) => gqlResult('removePersonalAccessToken', r));
  },

  addMember(target: Target, wire: 'rest' | 'graphql', orgId: string, userId: string, roles: string[]): Promise<Result> {
    if (wire === 'rest')
      return rest(target.t.url, 'POST', `/v2/organizations/${orgId}/members`, { userId, roles }, target.token ?? undefined).then(
        restResult,
      );
    return gql(
      target.t.url,
      `mutation($input: AddOrganizationMemberInput!) { addOrganizationMember(input: $input) { ${DETAILS} } }`,
      { input: { orgId, userId, roles } },
      target.token ?? undefined,
    ).then((r) => gqlResult('addOrganizationMember', r));
  },
};

export const FORBIDDEN = { ok: false, grpcCode: 7, id: 'AUTH-AWfge' } as const;
export const NOT_FOUND = { ok: false, grpcCode: 5, id: 'COMMAND-ieJ2e' } as const;
export const CODE_INVALID = { ok: false, grpcCode: 3, id: 'COMMAND-eis9R' } as const;

/** The ID and organisation of the admin the first start created. */
export async function adminOf(t: TestApp): Promise<{ adminId: string; defaultOrgId: string }> {
  const rows: { id: string; org_id: string }[] = await t.app.get(DataSource).query("SELECT id, org_id FROM users WHERE username = 'admin'");
  return { adminId: String(rows[0]!.id), defaultOrgId: String(rows[0]!.org_id) };
}

/** The error parts of a result that must be the same whatever the transport (the code and the ID). */
export const failureOf = (r: Result) => (r.ok ? { ok: true } : { ok: false, grpcCode: r.grpcCode, id: r.id });
