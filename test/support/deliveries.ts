import { Api, expectError, ExpectedError, gql, graphqlFailure, rest, restFailure, Transport } from './client.js';

/** A mail in the outbox as the admin API shows it (dates as ISO strings, the same over REST and GraphQL). */
export interface Delivery {
  id: string;
  userId: string;
  kind: string;
  recipient: string;
  state: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
}

export type Failure = { ok: false; httpStatus: number; grpcCode: number; id?: string; message: string; retryAfter?: number; raw: any };
export type Result<T> = { ok: true; value: T; raw: any } | Failure;

const FIELDS = 'id userId kind recipient state attempts lastError createdAt nextAttemptAt sentAt';

/** ListMailDeliveries: REST `GET /v2/mail/deliveries?state=&userId=`, GraphQL `mailDeliveries(state:, userId:)`. */
export async function listDeliveries(
  api: Api,
  transport: Transport,
  filter: { state?: string; userId?: string } = {},
): Promise<Result<Delivery[]>> {
  if (transport === 'rest') {
    const q = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    const r = await rest(api.base, 'GET', `/v2/mail/deliveries${q ? `?${q}` : ''}`, undefined, api.token);
    if (r.status !== 200) return restFailure(r);
    return { ok: true, value: r.body.deliveries, raw: r.body };
  }
  const r = await gql(
    api.base,
    `query ListMailDeliveries($state: String, $userId: ID) { mailDeliveries(state: $state, userId: $userId) { ${FIELDS} } }`,
    filter,
    api.token,
  );
  const data = r.body?.data?.mailDeliveries;
  if (data) return { ok: true, value: data, raw: r.body };
  return graphqlFailure('mailDeliveries', r);
}

/** RequeueMailDelivery: REST `POST /v2/mail/deliveries/{id}/requeue`, GraphQL `requeueMailDelivery(id:)`. */
export async function requeueDelivery(api: Api, transport: Transport, id: string): Promise<Result<Delivery>> {
  if (transport === 'rest') {
    const r = await rest(api.base, 'POST', `/v2/mail/deliveries/${encodeURIComponent(id)}/requeue`, undefined, api.token);
    if (r.status !== 200) return restFailure(r);
    return { ok: true, value: r.body.delivery, raw: r.body };
  }
  const r = await gql(api.base, `mutation RequeueMailDelivery($id: ID!) { requeueMailDelivery(id: $id) { ${FIELDS} } }`, { id }, api.token);
  const data = r.body?.data?.requeueMailDelivery;
  if (data) return { ok: true, value: data, raw: r.body };
  return graphqlFailure('requeueMailDelivery', r);
}

/** The value of a successful call; the error body in the failure message otherwise. */
export function ok<T>(r: Result<T>, what: string): T {
  if (!r.ok) throw new Error(`${what} failed: ${JSON.stringify(r.raw)}`);
  return r.value;
}

/** Asserts ZITADEL's error shape for the transport (see `expectError`). */
export function expectFailure(r: Result<unknown>, transport: Transport, want: ExpectedError): void {
  if (r.ok) throw new Error(`expected an error, got success: ${JSON.stringify(r.raw)}`);
  expectError(r, transport, want);
}
