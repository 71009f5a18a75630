import { body, field, flag, message } from '../common/request/rest-body.js';

// The REST API layer: ZITADEL's JSON bodies → the plain shape of the shared input classes.

// protojson: a string field that is absent is the empty string
const text = (b: Record<string, unknown>, name: string) => field(b, name) ?? '';

export const addHumanUserFromRest = (_params: Record<string, string>, raw: unknown) => {
  const b = body(raw, 'AddHumanUserRequest');
  const email = field(b, 'email');
  const e = email && typeof email === 'object' && !Array.isArray(email) ? (email as Record<string, unknown>) : null;
  return {
    userId: field(b, 'userId') ?? undefined,
    username: field(b, 'username') ?? undefined,
    organization: message(b, 'organization'),
    profile: message(b, 'profile'),
    email: e
      ? {
          email: text(e, 'email'),
          sendCode: message(e, 'sendCode'),
          returnCode: flag(e, 'returnCode', 'SetHumanEmail'),
          isVerified: field(e, 'isVerified') ?? undefined,
        }
      : email,
    idpLinks: messages(b, 'idpLinks'),
  };
};

/** A repeated message field: each object element converted like a nested message. */
const messages = (b: Record<string, unknown>, name: string) => {
  const v = field(b, name);
  if (!Array.isArray(v)) return v ?? undefined;
  return v.map((x) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? message({ x }, 'x') : x));
};

export const getUserFromRest = (params: Record<string, string>) => ({ userId: params.userId });

export const addPatFromRest = (params: Record<string, string>, raw: unknown) => {
  const b = body(raw, 'AddPersonalAccessTokenRequest');
  return { userId: params.userId, expirationDate: field(b, 'expirationDate') ?? undefined };
};

export const removePatFromRest = (params: Record<string, string>) => ({ userId: params.userId, tokenId: params.tokenId });
