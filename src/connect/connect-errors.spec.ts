import { Code, ConnectError, createContextValues, type UnaryRequest } from '@connectrpc/connect';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { UserService } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { Errors, requestInvalid, resourceExhausted } from '../common/errors/app-error.js';
import { toConnectError } from './connect-errors.js';
import { grpcTrailersOnly } from './grpc-status.js';
import { errorInterceptor } from './interceptors.js';

describe('toConnectError: ZITADEL’s gRPC status', () => {
  it('carries the gRPC code, "message (ID)" and the zitadel.v1.ErrorDetail', () => {
    const err = toConnectError(Errors.userNotFound());
    expect(err.code).toBe(Code.NotFound);
    expect(err.rawMessage).toBe('Email not found (COMMAND-ieJ2e)');
    expect(err.details).toHaveLength(1);
    expect(err.findDetails(ErrorDetailSchema).map(({ id, message }) => ({ id, message }))).toEqual([
      { id: 'COMMAND-ieJ2e', message: 'Email not found' },
    ]);
  });

  it('answers a request-validation error with the bare message and no details', () => {
    const err = toConnectError(requestInvalid('invalid SetEmailRequest.Email: value must be a valid email address'));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe('invalid SetEmailRequest.Email: value must be a valid email address');
    expect(err.details).toEqual([]);
  });

  it('sends a 429’s Retry-After as metadata', () => {
    const err = toConnectError(resourceExhausted('EMAIL-c00lD', 'Too many codes', 42));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.metadata.get('retry-after')).toBe('42');
  });
});

describe('grpcTrailersOnly: a gRPC status without a body', () => {
  it('carries the code and the percent-encoded "message (ID)"', () => {
    expect(grpcTrailersOnly(Errors.userNotFound())).toEqual({
      'content-type': 'application/grpc',
      'grpc-status': '5',
      'grpc-message': 'Email%20not%20found%20(COMMAND-ieJ2e)',
    });
  });
});

describe('errorInterceptor', () => {
  const request = { method: UserService.method.setEmail, contextValues: createContextValues() } as unknown as UnaryRequest;
  const logged: string[] = [];
  const run = (thrown: unknown) => errorInterceptor((line) => logged.push(line))(() => Promise.reject(thrown))(request);

  it('maps an AppError', async () => {
    await expect(run(Errors.permissionDenied())).rejects.toMatchObject({
      code: Code.PermissionDenied,
      rawMessage: 'No matching permissions found (AUTH-AWfge)',
    });
  });

  it('passes Connect’s own errors unchanged', async () => {
    const own = new ConnectError('zitadel.user.v2.UserService.ListUsers is not implemented', Code.Unimplemented);
    await expect(run(own)).rejects.toBe(own);
  });

  it('turns anything else into code 13 with an incident ID, the cause only in the log', async () => {
    logged.length = 0;
    const err = await run(new Error('SQLITE_ERROR: no such column: secret')).then(
      () => Promise.reject(new Error('expected a failure')),
      (e: ConnectError) => e,
    );
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toMatch(/^Internal error \(INTERNAL-[0-9a-f]{10}\)$/);
    expect(err.findDetails(ErrorDetailSchema).map((d) => d.message)).toEqual(['Internal error']);
    expect(err.cause).toBeUndefined();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('SQLITE_ERROR');
  });
});
