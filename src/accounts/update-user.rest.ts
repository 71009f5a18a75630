import { body, field, flag, message } from '../common/request/rest-body.js';

// The REST API layer of UpdateUser (spec §10): ZITADEL v4's `PATCH /v2/users/{userId}` body →
// the plain shape of UpdateUserInput.

type Headers = Record<string, string | string[] | undefined>;

const objectOf = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** ZITADEL's SetHumanEmail; anything but an object is left for validation to refuse. */
const humanEmail = (email: unknown) => {
  const e = objectOf(email);
  return e
    ? {
        email: field(e, 'email') ?? '',
        sendCode: message(e, 'sendCode'),
        returnCode: flag(e, 'returnCode', 'SetHumanEmail'),
        isVerified: field(e, 'isVerified') ?? undefined,
      }
    : (email ?? undefined);
};

/** UpdateUserRequest without the path's user ID; the Idempotency-Key header as on the email POSTs. */
export const updateUserFromRest = (params: Record<string, string>, raw: unknown, headers?: Headers) => {
  const b = body(raw, 'UpdateUserRequest');
  const human = field(b, 'human');
  const h = objectOf(human);
  const key = headers?.['idempotency-key'];
  return {
    userId: params.userId,
    idempotencyKey: Array.isArray(key) ? key[0] : key,
    username: field(b, 'username') ?? undefined,
    machine: field(b, 'machine') ?? undefined,
    human: h
      ? {
          profile: message(h, 'profile'),
          email: humanEmail(field(h, 'email')),
          phone: field(h, 'phone') ?? undefined,
          password: field(h, 'password') ?? undefined,
        }
      : (human ?? undefined),
  };
};
