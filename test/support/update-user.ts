import { Api, gql, graphqlFailure, rest, restFailure } from './client.js';

/** What UpdateUser answered, the same shape whichever transport carried it. */
export type UpdateOutcome =
  | { ok: true; changeDate: string; emailCode?: string; raw: any }
  | { ok: false; httpStatus: number; grpcCode: number; id?: string; message: string; retryAfter?: number; raw: any };

/** ZITADEL's REST body (UpdateUserRequest) → the GraphQL input: empty-message flags become true. */
function toGraphQL(userId: string, body: Record<string, any>): Record<string, unknown> {
  const input: Record<string, any> = { userId, ...body };
  const email = body.human?.email;
  if (email) {
    const e = { ...email };
    if (e.returnCode && typeof e.returnCode === 'object') e.returnCode = true;
    input.human = { ...body.human, email: e };
  }
  return input;
}

/** UpdateUser (PATCH /v2/users/{userId}, GraphQL updateUser) with a REST-shaped body. */
export async function updateUserVia(
  api: Api,
  transport: 'rest' | 'graphql',
  userId: string,
  body: Record<string, any>,
  headers: Record<string, string> = {},
): Promise<UpdateOutcome> {
  if (transport === 'rest') {
    const r = await rest(api.base, 'PATCH', `/v2/users/${encodeURIComponent(userId)}`, body, api.token, headers);
    if (r.status === 200) return { ok: true, changeDate: r.body.changeDate, emailCode: r.body.emailCode, raw: r.body };
    return restFailure(r);
  }
  const { idempotencyKey, ...rest_ } = headers['Idempotency-Key'] ? { idempotencyKey: headers['Idempotency-Key'], ...body } : body;
  const input = toGraphQL(userId, rest_);
  if (idempotencyKey) input.idempotencyKey = idempotencyKey;
  const r = await gql(
    api.base,
    'mutation($input: UpdateUserInput!) { updateUser(input: $input) { changeDate emailCode details { sequence } } }',
    { input },
    api.token,
  );
  const data = r.body?.data?.updateUser;
  if (data) return { ok: true, changeDate: data.changeDate, emailCode: data.emailCode ?? undefined, raw: r.body };
  return graphqlFailure('updateUser', r);
}

/** The pending address of verify-first mode and the profile, as GetUserByID shows them over REST or GraphQL. */
export async function userDetailsVia(api: Api, transport: 'rest' | 'graphql', userId: string): Promise<any> {
  if (transport === 'rest') {
    const r = await api.getUser(userId);
    if (r.status !== 200) throw new Error(`GetUserByID: ${r.status} ${JSON.stringify(r.body)}`);
    return { username: r.body.user.username, ...r.body.user.human };
  }
  const r = await gql(
    api.base,
    `query($id: ID!) { user(id: $id) { username human {
       profile { givenName familyName displayName nickName preferredLanguage gender }
       email { email isVerified pendingEmail } } } }`,
    { id: userId },
    api.token,
  );
  const u = r.body?.data?.user;
  if (!u) throw new Error(`GraphQL user: ${JSON.stringify(r.body)}`);
  // GraphQL answers null where protojson leaves a field out
  const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
  return { username: u.username, profile: clean(u.human.profile), email: clean(u.human.email) };
}
