import { body, field } from '../common/request/rest-body.js';
import { MESSAGE_FIELDS } from './message-types.js';

// The REST API layer of the texts: ZITADEL's paths and JSON → the plain shape of the inputs.

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers | undefined, name: string): string | undefined => {
  const v = headers?.[name];
  return (Array.isArray(v) ? v[0] : v) || undefined;
};

/** ZITADEL's management API names the organisation in `x-zitadel-orgid`; without it, the caller's own. */
export const orgIdHeader = (headers: Headers | undefined) => header(headers, 'x-zitadel-orgid');

export const instanceTextKeyFromRest = (params: Record<string, string>) => ({ type: params.type, language: params.language });

export const orgTextKeyFromRest = (params: Record<string, string>, _body: unknown, headers: Headers) => ({
  ...instanceTextKeyFromRest(params),
  organizationId: orgIdHeader(headers),
});

const textFields = (raw: unknown, message: string) => {
  const b = body(raw, message);
  // protojson: an absent string field is the empty string
  return Object.fromEntries(MESSAGE_FIELDS.map((f) => [f, field(b, f) ?? '']));
};

export const setInstanceTextFromRest = (params: Record<string, string>, raw: unknown) => ({
  ...textFields(raw, 'SetDefaultMessageTextRequest'),
  ...instanceTextKeyFromRest(params),
});

export const setOrgTextFromRest = (params: Record<string, string>, raw: unknown, headers: Headers) => ({
  ...textFields(raw, 'SetCustomMessageTextRequest'),
  ...orgTextKeyFromRest(params, raw, headers),
});

export const previewFromRest = (_params: Record<string, string>, raw: unknown) => {
  const b = body(raw, 'PreviewMailRequest');
  return { type: field(b, 'type'), language: field(b, 'language'), organizationId: field(b, 'organizationId') ?? undefined };
};
