import type { Details } from '../common/details.js';

/**
 * Plain protobuf-es init shapes for the operations' result converters. No runtime import of
 * protobuf-es or ZITADEL's descriptors here: the operation definitions load with the app, the
 * Connect stack only at its first call (connect-routes.ts).
 */
export const timestampOf = (d: Date) => {
  const ms = d.getTime();
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
};

/** zitadel.object.v2.Details. */
export const detailsToProto = (d: Details) => ({
  sequence: BigInt(d.sequence),
  changeDate: timestampOf(d.changeDate),
  resourceOwner: d.resourceOwner,
});

/** A header of a Connect call, as Record (the first value of a repeated one). */
export const headerOf = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** ZITADEL's `oneof verification` of a protobuf message → the plain fields of the shared input classes. */
export function verificationFromProto(
  v:
    | { case: 'sendCode'; value: { urlTemplate?: string } }
    | { case: 'returnCode'; value: unknown }
    | { case: 'isVerified'; value: boolean }
    | { case: undefined; value?: undefined },
): { sendCode?: { urlTemplate?: string }; returnCode?: boolean; isVerified?: boolean } {
  switch (v.case) {
    case 'sendCode':
      return { sendCode: v.value.urlTemplate === undefined ? {} : { urlTemplate: v.value.urlTemplate } };
    case 'returnCode':
      return { returnCode: true };
    case 'isVerified':
      return { isVerified: v.value };
    default:
      return {};
  }
}
