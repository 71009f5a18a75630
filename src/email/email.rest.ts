import { body, field, flag, message } from '../common/request/rest-body.js';

// The REST API layer of the email operations: ZITADEL's JSON bodies → the plain shape of the input classes.

type Headers = Record<string, string | string[] | undefined>;

/** beyond ZITADEL: the Idempotency-Key header of the email POSTs. */
const idempotencyKey = (headers: Headers | undefined) => {
  const v = headers?.['idempotency-key'];
  return Array.isArray(v) ? v[0] : v;
};

// protojson: a string field that is absent is the empty string
const text = (b: Record<string, unknown>, name: string) => field(b, name) ?? '';

export const setEmailFromRest = (params: Record<string, string>, raw: unknown, headers?: Headers) => {
  const b = body(raw, 'SetEmailRequest');
  return {
    userId: params.userId,
    idempotencyKey: idempotencyKey(headers),
    email: text(b, 'email'),
    sendCode: message(b, 'sendCode'),
    returnCode: flag(b, 'returnCode', 'SetEmailRequest'),
    isVerified: field(b, 'isVerified') ?? undefined,
  };
};

const emailCodeFromRest = (proto: string) => (params: Record<string, string>, raw: unknown, headers?: Headers) => {
  const b = body(raw, proto);
  return {
    userId: params.userId,
    idempotencyKey: idempotencyKey(headers),
    sendCode: message(b, 'sendCode'),
    returnCode: flag(b, 'returnCode', proto),
  };
};

export const resendEmailCodeFromRest = emailCodeFromRest('ResendEmailCodeRequest');
export const sendEmailCodeFromRest = emailCodeFromRest('SendEmailCodeRequest');

export const verifyEmailFromRest = (params: Record<string, string>, raw: unknown, headers?: Headers) => {
  const b = body(raw, 'VerifyEmailRequest');
  return { userId: params.userId, idempotencyKey: idempotencyKey(headers), verificationCode: text(b, 'verificationCode') };
};
