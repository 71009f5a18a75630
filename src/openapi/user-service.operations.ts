import type { OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { schemaRef } from './user-service.schemas.js';

/** What ZITADEL's OpenAPI says about one REST route of UsersController, by handler name. */
export interface ZitadelOperation {
  operationId: string;
  summary: string;
  description: string;
  /** The body schema (POST, PATCH), by component name. */
  body?: string;
  /** The 200 response schema, by component name. */
  response: string;
  /** Error statuses beyond 400, 401, 403 and 404. */
  errors?: Array<409 | 429>;
  /** beyond ZITADEL: the email POSTs accept an Idempotency-Key header. */
  idempotent?: boolean;
}

const userIdParam: ParameterObject = {
  name: 'userId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'The ID of the user.',
};

const tokenIdParam: ParameterObject = {
  name: 'tokenId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'The ID of the token.',
};

const idempotencyKeyParam: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
  description: 'beyond ZITADEL: a retry with the same key and body within 24 h returns the first response and changes nothing.',
};

/** UsersController's handlers → ZITADEL's operations (zitadel.user.v2.UserService). */
export const USER_SERVICE_OPERATIONS: Record<string, ZitadelOperation> = {
  addHumanUser: {
    operationId: 'UserService_AddHumanUser',
    summary: 'Create a new human user',
    description:
      'Creates a human user in the given organisation (or the caller’s), with a verification code mailed, returned, or the email stored as verified.',
    body: 'v2AddHumanUserRequest',
    response: 'v2AddHumanUserResponse',
    errors: [409],
  },
  getUserById: {
    operationId: 'UserService_GetUserByID',
    summary: 'User by ID',
    description: 'Returns the user, including the profile and email.',
    response: 'v2GetUserByIDResponse',
  },
  updateUser: {
    operationId: 'UserService_UpdateUser',
    summary: 'Update a user',
    description:
      'ZITADEL v4: changes the username, the profile and (human.email) the contact email — the latter exactly as SetEmail. human.phone and human.password answer 501 (code 12).',
    body: 'UserServiceUpdateUserBody',
    response: 'v2UpdateUserResponse',
    errors: [409, 429],
    idempotent: true,
  },
  cancelPendingEmail: {
    operationId: 'UserService_CancelPendingEmail',
    summary: 'Cancel the pending email',
    description:
      'beyond ZITADEL (EMAIL_CHANGE_MODE=verify-first; this operation is the service’s own): drops the address waiting for its code and the code; the current address stays. Fails with code 9 (EMAIL-n0pend) when none is pending.',
    response: 'CancelPendingEmailResult',
  },
  setEmail: {
    operationId: 'UserService_SetEmail',
    summary: 'Change the user email',
    description:
      'Changes the email address of a user. Unless it is stored as verified, a verification code is generated, which is either returned or mailed to the user.',
    body: 'UserServiceSetEmailBody',
    response: 'v2SetEmailResponse',
    errors: [429],
    idempotent: true,
  },
  resendEmailCode: {
    operationId: 'UserService_ResendEmailCode',
    summary: 'Resend code to verify user email',
    description: 'Replaces the pending verification code with a new one; fails when no code is pending.',
    body: 'UserServiceResendEmailCodeBody',
    response: 'v2ResendEmailCodeResponse',
    errors: [429],
    idempotent: true,
  },
  sendEmailCode: {
    operationId: 'UserService_SendEmailCode',
    summary: 'Send code to verify user email',
    description: 'Generates a new verification code, whether one is pending or not.',
    body: 'UserServiceSendEmailCodeBody',
    response: 'v2SendEmailCodeResponse',
    errors: [429],
    idempotent: true,
  },
  verifyEmail: {
    operationId: 'UserService_VerifyEmail',
    summary: 'Verify the email',
    description: 'Verifies the email with the generated code. No permission is needed: the code is the credential.',
    body: 'UserServiceVerifyEmailBody',
    response: 'v2VerifyEmailResponse',
    idempotent: true,
  },
  addPersonalAccessToken: {
    operationId: 'UserService_AddPersonalAccessToken',
    summary: 'Add a personal access token',
    description: 'beyond ZITADEL (this REST route is the service’s own): issues a personal access token, to human users too.',
    body: 'AddPersonalAccessTokenBody',
    response: 'AddPersonalAccessTokenResult',
  },
  listPersonalAccessTokens: {
    operationId: 'UserService_ListPersonalAccessTokens',
    summary: 'List personal access tokens',
    description: 'beyond ZITADEL (this REST route is the service’s own): the user’s live tokens, without the tokens themselves.',
    response: 'ListPersonalAccessTokensResult',
  },
  removePersonalAccessToken: {
    operationId: 'UserService_RemovePersonalAccessToken',
    summary: 'Remove a personal access token',
    description: 'beyond ZITADEL (this REST route is the service’s own): revokes the token from the next request on.',
    response: 'RemovePersonalAccessTokenResult',
  },
};

const status = (description: string): ResponseObject => ({
  description,
  content: { 'application/json': { schema: schemaRef('rpcStatus') } },
});

const ERROR_RESPONSES: Record<number, ResponseObject> = {
  400: status('Invalid request (code 3) or failed precondition (code 9).'),
  401: status('Missing, unknown, expired or revoked token (code 16).'),
  403: status('Returned when the user does not have permission to access the resource (code 7).'),
  404: status('Returned when the resource does not exist (code 5).'),
  409: status('Already exists (code 6).'),
  429: status('Too many verification mails (code 8); see the Retry-After header.'),
};

/** The OpenAPI operation for a route: ZITADEL's operation ID, parameters, body and responses. */
export function zitadelOperation(op: ZitadelOperation, scanned: OperationObject, path: string): OperationObject {
  const parameters: ParameterObject[] = [];
  if (path.includes('{userId}')) parameters.push(userIdParam);
  if (path.includes('{tokenId}')) parameters.push(tokenIdParam);
  if (op.idempotent) parameters.push(idempotencyKeyParam);
  const errors = [400, 401, 403, 404, ...(op.errors ?? [])];
  return {
    ...scanned,
    operationId: op.operationId,
    summary: op.summary,
    description: op.description,
    tags: ['UserService'],
    security: [{ bearer: [] }],
    parameters,
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaRef(op.body) } } } } : {}),
    responses: {
      200: { description: 'OK', content: { 'application/json': { schema: schemaRef(op.response) } } },
      ...Object.fromEntries(errors.map((code) => [code, ERROR_RESPONSES[code]!])),
      default: status('An unexpected error response.'),
    },
  };
}
