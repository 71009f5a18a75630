/**
 * The message types whose texts can be customised. `verifyemail` is ZITADEL's own (its
 * management and admin services name it so); the other two are this service's own, under the
 * same API and rules (spec §8).
 */
export const MESSAGE_TYPES = ['verifyemail', 'emailchanged', 'emailchangereverted'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const MessageTypes = {
  /** The verification code and link. */
  verifyEmail: 'verifyemail',
  /** Notice to a replaced verified address (may carry an undo link as {{.URL}}). */
  emailChanged: 'emailchanged',
  /** Confirmation to the new address that a change was undone (spec §10). */
  emailChangeReverted: 'emailchangereverted',
} as const satisfies Record<string, MessageType>;

export const isMessageType = (v: string): v is MessageType => (MESSAGE_TYPES as readonly string[]).includes(v);

/** ZITADEL's MessageCustomText fields, in its order. */
export const MESSAGE_FIELDS = ['title', 'preHeader', 'subject', 'greeting', 'text', 'buttonText', 'footerText'] as const;
export type MessageField = (typeof MESSAGE_FIELDS)[number];
export type MessageFields = Record<MessageField, string>;

/** Size limits of ZITADEL's SetCustom…MessageTextRequest (protoc-gen-validate `max_bytes`). */
export const MESSAGE_FIELD_MAX_BYTES: Record<MessageField, number> = {
  title: 2000,
  preHeader: 2000,
  subject: 2000,
  greeting: 4000,
  text: 40000,
  buttonText: 4000,
  footerText: 8000,
};

/** The variables a text may use, as ZITADEL names them (spec §8). */
export const MESSAGE_VARIABLES = [
  'Code',
  'URL',
  'DisplayName',
  'FirstName',
  'LastName',
  'UserName',
  'LoginName',
  'PreferredLoginName',
  'OrgName',
  'Expiry',
] as const;
export type MessageVariable = (typeof MESSAGE_VARIABLES)[number];
export type MessageVariables = Record<MessageVariable, string>;
