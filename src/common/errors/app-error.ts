/** gRPC status codes, as ZITADEL puts them in `code`. */
export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/**
 * The one error model (ZITADEL's: kind + stable ID + message). Services throw it; the single
 * mapping in error-mapping.ts turns it into each transport's shape.
 */
export class AppError extends Error {
  /** Seconds a client should wait before retrying (429). */
  readonly retryAfter?: number;
  /** Replaces "message (id)" as the client-facing message, for ZITADEL's request-validation errors. */
  readonly plainMessage?: string;
  /** An HTTP status other than the code's usual one (413, 415). */
  readonly httpStatus?: number;

  constructor(
    readonly code: Code,
    readonly id: string,
    message: string,
    options: { retryAfter?: number; plainMessage?: string; httpStatus?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.retryAfter = options.retryAfter;
    this.plainMessage = options.plainMessage;
    this.httpStatus = options.httpStatus;
  }
}

export const invalidArgument = (id: string, message: string) => new AppError(Code.INVALID_ARGUMENT, id, message);
export const notFound = (id: string, message: string) => new AppError(Code.NOT_FOUND, id, message);
export const alreadyExists = (id: string, message: string) => new AppError(Code.ALREADY_EXISTS, id, message);
export const permissionDenied = (id: string, message: string) => new AppError(Code.PERMISSION_DENIED, id, message);
export const failedPrecondition = (id: string, message: string) => new AppError(Code.FAILED_PRECONDITION, id, message);
export const unauthenticated = (id: string, message: string) => new AppError(Code.UNAUTHENTICATED, id, message);
export const aborted = (id: string, message: string) => new AppError(Code.ABORTED, id, message);
export const resourceExhausted = (id: string, message: string, retryAfter: number) =>
  new AppError(Code.RESOURCE_EXHAUSTED, id, message, { retryAfter });
export const unavailable = (id: string, message: string) => new AppError(Code.UNAVAILABLE, id, message);
export const unimplemented = (id: string, message: string) => new AppError(Code.UNIMPLEMENTED, id, message);
export const internal = (id: string, message = 'Internal error') => new AppError(Code.INTERNAL, id, message);

/**
 * ZITADEL's request validation (protoc-gen-validate) answers with a bare message and no ID:
 * `{"code":3,"message":"invalid SetEmailRequest.Email: ...","details":[]}`.
 */
export const requestInvalid = (message: string) => new AppError(Code.INVALID_ARGUMENT, '', message, { plainMessage: message });

/** A request the HTTP layer refuses before any operation: 413 body too large, 415 wrong type. */
export const badRequestBody = (httpStatus: 413 | 415, id: string, message: string) =>
  new AppError(Code.INVALID_ARGUMENT, id, message, { httpStatus });

/** Errors shared by several services. */
export const Errors = {
  userNotFound: () => notFound('COMMAND-ieJ2e', 'Email not found'),
  permissionDenied: () => permissionDenied('AUTH-AWfge', 'No matching permissions found'),
  authHeaderMissing: () => unauthenticated('AUTH-7fs1e', 'auth header missing'),
  unauthenticated: () => unauthenticated('AUTHZ-Kl3p0', 'Token is invalid'),
};
