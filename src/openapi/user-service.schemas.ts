import type { SchemaObject } from '@nestjs/swagger';

// ZITADEL's User Service v2 JSON (protojson) shapes, named as ZITADEL's OpenAPI names them
// (protoc-gen-openapiv2: `v2<Message>`, `UserService<Method>Body` for a body without the path
// fields, `rpcStatus` for errors). Only the fields this service reads or returns are listed;
// the protojson field names are checked against @zitadel/proto's descriptors in the tests.

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` }) as SchemaObject;
const text = (description: string, min?: number, max?: number, extra: SchemaObject = {}): SchemaObject => ({
  type: 'string',
  description,
  ...(min !== undefined ? { minLength: min } : {}),
  ...(max !== undefined ? { maxLength: max } : {}),
  ...extra,
});

const ONE_VERIFICATION = 'At most one of sendCode, returnCode and isVerified; sendCode when none is given.';
const ONE_CODE_DELIVERY = 'At most one of sendCode and returnCode; sendCode when none is given.';

const emailCodeResponse: SchemaObject = {
  type: 'object',
  properties: {
    details: ref('v2Details'),
    verificationCode: text('Only when returnCode was requested.'),
  },
};

export const USER_SERVICE_SCHEMAS: Record<string, SchemaObject> = {
  protobufAny: {
    type: 'object',
    properties: { '@type': { type: 'string' } },
    additionalProperties: {},
  },
  rpcStatus: {
    type: 'object',
    description:
      'A gRPC status as JSON: the code, "message (ID)" and a zitadel.v1.ErrorDetail {id, message} (none for request-validation errors).',
    properties: {
      code: { type: 'integer', format: 'int32' },
      message: { type: 'string' },
      details: { type: 'array', items: ref('protobufAny') },
    },
  },
  v2Details: {
    type: 'object',
    properties: {
      sequence: text('The aggregate sequence after the change (uint64 as a decimal string).', undefined, undefined, { format: 'uint64' }),
      changeDate: text('When the change was committed (RFC 3339, UTC).', undefined, undefined, { format: 'date-time' }),
      resourceOwner: text('The ID of the organisation that owns the user.'),
    },
  },
  v2SendEmailVerificationCode: {
    type: 'object',
    properties: {
      urlTemplate: text(
        'Go text/template for the link in the mail: {{.UserID}}, {{.Code}}, {{.OrgID}}, {{.LoginName}}, {{.DisplayName}}, {{.PreferredLoginName}}, {{.LastEmail}}.',
        1,
        200,
        {
          example: 'https://example.com/email/verify?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}',
        },
      ),
    },
  },
  v2ReturnEmailVerificationCode: { type: 'object', description: 'Return the code instead of mailing it; sends no mail.' },
  UserServiceSetEmailBody: {
    type: 'object',
    description: ONE_VERIFICATION,
    required: ['email'],
    properties: {
      email: text('The new contact email, stored as given.', 1, 200, { format: 'email', example: 'mini@mouse.com' }),
      sendCode: ref('v2SendEmailVerificationCode'),
      returnCode: ref('v2ReturnEmailVerificationCode'),
      isVerified: { type: 'boolean', description: 'Store the email as verified; must be true when given.' },
    },
  },
  v2SetEmailResponse: emailCodeResponse,
  UserServiceResendEmailCodeBody: {
    type: 'object',
    description: ONE_CODE_DELIVERY,
    properties: { sendCode: ref('v2SendEmailVerificationCode'), returnCode: ref('v2ReturnEmailVerificationCode') },
  },
  v2ResendEmailCodeResponse: emailCodeResponse,
  UserServiceSendEmailCodeBody: {
    type: 'object',
    description: ONE_CODE_DELIVERY,
    properties: { sendCode: ref('v2SendEmailVerificationCode'), returnCode: ref('v2ReturnEmailVerificationCode') },
  },
  v2SendEmailCodeResponse: emailCodeResponse,
  UserServiceVerifyEmailBody: {
    type: 'object',
    required: ['verificationCode'],
    properties: { verificationCode: text('The code from the mail or from returnCode.', 1, 20, { example: 'SKJD342K' }) },
  },
  v2VerifyEmailResponse: { type: 'object', properties: { details: ref('v2Details') } },
  v2Organization: {
    type: 'object',
    properties: { orgId: text('The organisation of the new user.', 1, 200) },
  },
  v2SetHumanProfile: {
    type: 'object',
    required: ['givenName', 'familyName'],
    properties: {
      givenName: text('Given name.', 1, 200, { example: 'Minnie' }),
      familyName: text('Family name.', 1, 200, { example: 'Mouse' }),
      displayName: text('Defaults to "givenName familyName".', 1, 200),
    },
  },
  v2SetHumanEmail: {
    type: 'object',
    description: ONE_VERIFICATION,
    required: ['email'],
    properties: {
      email: text('Contact email.', 1, 200, { format: 'email', example: 'mini@mouse.com' }),
      sendCode: ref('v2SendEmailVerificationCode'),
      returnCode: ref('v2ReturnEmailVerificationCode'),
      isVerified: { type: 'boolean', description: 'Store the email as verified; must be true when given.' },
    },
  },
  v2AddHumanUserRequest: {
    type: 'object',
    required: ['profile', 'email'],
    properties: {
      userId: text('Chosen by the caller, or generated.', 1, 200),
      username: text('Unique in the organisation; defaults to the email address.', 1, 200, { example: 'minnie' }),
      organization: { ...ref('v2Organization'), description: "Defaults to the caller's organisation." } as SchemaObject,
      profile: ref('v2SetHumanProfile'),
      email: ref('v2SetHumanEmail'),
    },
  },
  v2AddHumanUserResponse: {
    type: 'object',
    properties: {
      userId: { type: 'string' },
      details: ref('v2Details'),
      emailCode: text('Only when email.returnCode was requested.'),
    },
  },
  v2UserState: {
    type: 'string',
    enum: [
      'USER_STATE_UNSPECIFIED',
      'USER_STATE_ACTIVE',
      'USER_STATE_INACTIVE',
      'USER_STATE_DELETED',
      'USER_STATE_LOCKED',
      'USER_STATE_INITIAL',
    ],
    default: 'USER_STATE_UNSPECIFIED',
  },
  v2HumanProfile: {
    type: 'object',
    properties: {
      givenName: { type: 'string' },
      familyName: { type: 'string' },
      nickName: { type: 'string' },
      displayName: { type: 'string' },
      preferredLanguage: { type: 'string' },
      gender: ref('v2Gender'),
    },
  },
  v2Gender: {
    type: 'string',
    enum: ['GENDER_UNSPECIFIED', 'GENDER_FEMALE', 'GENDER_MALE', 'GENDER_DIVERSE'],
    default: 'GENDER_UNSPECIFIED',
  },
  v2HumanEmail: {
    type: 'object',
    properties: {
      email: { type: 'string' },
      isVerified: { type: 'boolean' },
      pendingEmail: {
        type: 'string',
        description: 'beyond ZITADEL (EMAIL_CHANGE_MODE=verify-first): the new address waiting for its code; omitted when none.',
      },
    },
  },
  UpdateUserRequestHumanProfile: {
    type: 'object',
    description: 'Only the fields given change.',
    properties: {
      givenName: text('Given name.', 1, 200),
      familyName: text('Family name.', 1, 200),
      nickName: text('Nick name.', 1, 200),
      displayName: text('Display name.', 1, 200),
      preferredLanguage: text('BCP 47 language tag.', 1, 10),
      gender: ref('v2Gender'),
    },
  },
  UpdateUserRequestHuman: {
    type: 'object',
    properties: {
      profile: ref('UpdateUserRequestHumanProfile'),
      email: {
        ...ref('v2SetHumanEmail'),
        description: 'Exactly as SetEmail: the same checks, errors, limits, idempotency and mail.',
      } as SchemaObject,
      phone: { type: 'object', description: 'Not kept by this service: answers 501 (code 12).' },
      password: { type: 'object', description: 'Not kept by this service: answers 501 (code 12).' },
    },
  },
  UserServiceUpdateUserBody: {
    type: 'object',
    properties: {
      username: text('New username, unique in the organisation.', 1, 200),
      human: ref('UpdateUserRequestHuman'),
    },
  },
  v2UpdateUserResponse: {
    type: 'object',
    properties: {
      changeDate: { type: 'string', format: 'date-time' },
      emailCode: text('Only when human.email.returnCode was requested.'),
    },
  },
  CancelPendingEmailResult: { type: 'object', properties: { details: ref('v2Details') } },
  v2HumanUser: {
    type: 'object',
    properties: { profile: ref('v2HumanProfile'), email: ref('v2HumanEmail') },
  },
  v2User: {
    type: 'object',
    properties: {
      userId: { type: 'string' },
      details: ref('v2Details'),
      state: ref('v2UserState'),
      username: { type: 'string' },
      loginNames: { type: 'array', items: { type: 'string' } },
      preferredLoginName: { type: 'string' },
      human: ref('v2HumanUser'),
    },
  },
  v2GetUserByIDResponse: {
    type: 'object',
    properties: { details: ref('v2Details'), user: ref('v2User') },
  },
  // beyond ZITADEL: the REST routes for personal access tokens are this service's own (ZITADEL
  // serves its PAT methods over gRPC/Connect only, with other shapes), hence no `v2` names
  AddPersonalAccessTokenBody: {
    type: 'object',
    properties: {
      expirationDate: text('When the token stops working; never when omitted.', undefined, undefined, { format: 'date-time' }),
    },
  },
  AddPersonalAccessTokenResult: {
    type: 'object',
    properties: {
      details: ref('v2Details'),
      tokenId: { type: 'string' },
      token: text('Shown once; only its hash is stored.'),
    },
  },
  PersonalAccessToken: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      userId: { type: 'string' },
      creationDate: { type: 'string', format: 'date-time' },
      expirationDate: { type: 'string', format: 'date-time', nullable: true },
    },
  },
  ListPersonalAccessTokensResult: {
    type: 'object',
    properties: { result: { type: 'array', items: ref('PersonalAccessToken') } },
  },
  RemovePersonalAccessTokenResult: { type: 'object', properties: { details: ref('v2Details') } },
};

export { ref as schemaRef };
