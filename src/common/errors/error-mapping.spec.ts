import type { GraphQLFormattedError } from 'graphql';
import { Logger, NotFoundException } from '@nestjs/common';
import { AppError, Code, internal, notFound, requestInvalid, resourceExhausted } from './app-error.js';
import {
  codeName,
  graphQLError,
  httpStatusOf,
  mapError,
  normalizeError,
  restResponse,
  toGraphQLExtensions,
  toRestBody,
  unsupportedMediaType,
} from './error-mapping.js';
import { formatGraphQLError } from './graphql-errors.js';

describe('httpStatusOf: gRPC code → HTTP status (spec §2)', () => {
  const table: Array<[grpc: number, http: number]> = [
    [3, 400],
    [5, 404],
    [6, 409],
    [7, 403],
    [8, 429],
    [9, 400],
    [10, 409],
    [12, 501],
    [13, 500],
    [14, 503],
    [16, 401],
  ];
  it.each(table)('%i → %i', (grpc, http) => {
    expect(httpStatusOf(grpc as Code)).toBe(http);
  });
});

describe('toRestBody', () => {
  it('renders ZITADEL’s exact body for an AppError', () => {
    const body = toRestBody(notFound('COMMAND-ieJ2e', 'Email not found'));
    expect(JSON.stringify(body)).toBe(
      '{"code":5,"message":"Email not found (COMMAND-ieJ2e)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"COMMAND-ieJ2e","message":"Email not found"}]}',
    );
  });

  it('renders a request-validation error with the bare message and no details', () => {
    const msg = 'invalid SetEmailRequest.Email: value must be a valid email address';
    expect(toRestBody(requestInvalid(msg))).toEqual({ code: 3, message: msg, details: [] });
  });
});

describe('toGraphQLExtensions', () => {
  it('carries the code name, gRPC code, HTTP status and ID', () => {
    expect(toGraphQLExtensions(notFound('COMMAND-ieJ2e', 'Email not found'))).toEqual({
      code: 'NOT_FOUND',
      grpcCode: 5,
      httpStatus: 404,
      id: 'COMMAND-ieJ2e',
    });
  });

  it('adds retryAfter when the error has one', () => {
    expect(toGraphQLExtensions(resourceExhausted('EMAIL-c00lD', 'Too many codes', 42))).toEqual({
      code: 'RESOURCE_EXHAUSTED',
      grpcCode: 8,
      httpStatus: 429,
      id: 'EMAIL-c00lD',
      retryAfter: 42,
    });
  });

  it('leaves out the ID of a request-validation error, which has none', () => {
    expect(toGraphQLExtensions(requestInvalid('invalid X.Y: value must be a string'))).toEqual({
      code: 'INVALID_ARGUMENT',
      grpcCode: 3,
      httpStatus: 400,
    });
  });

  it('names every code by its gRPC name', () => {
    expect(codeName(Code.INTERNAL)).toBe('INTERNAL');
    expect(codeName(Code.UNAUTHENTICATED)).toBe('UNAUTHENTICATED');
    expect(codeName(Code.FAILED_PRECONDITION)).toBe('FAILED_PRECONDITION');
  });
});

describe('normalizeError', () => {
  const noIncident = () => {
    throw new Error('a client error must not open an incident');
  };

  it('passes an AppError through unchanged', () => {
    const err = notFound('COMMAND-ieJ2e', 'Email not found');
    expect(normalizeError(err, noIncident)).toEqual({ error: err, unexpected: false });
  });

  it('turns Fastify’s body-too-large error into InvalidArgument', () => {
    const { error, unexpected } = normalizeError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }, noIncident);
    expect(unexpected).toBe(false);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(httpStatusOf(error.code)).toBe(400);
  });

  it.each<[string, unknown]>([
    [
      'Fastify’s invalid-JSON error',
      Object.assign(new Error('Body is not valid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }),
    ],
    ['a plain invalid-JSON error object', { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }],
    ['a SyntaxError from JSON.parse', new SyntaxError('Unexpected token } in JSON at position 9')],
  ])('turns %s into a request-validation error', (_name, err) => {
    const { error, unexpected } = normalizeError(err, noIncident);
    expect(unexpected).toBe(false);
    const body = toRestBody(error);
    expect(body.code).toBe(3);
    expect(body.details).toEqual([]);
    expect(body.message).toMatch(/JSON/);
  });

  it('turns an unknown Error into INTERNAL with the incident ID, without leaking its message', () => {
    const cause = new Error('SQLITE_ERROR: no such column: users.secret_password in SELECT * FROM users');
    const { error, unexpected } = normalizeError(cause, () => 'INTERNAL-abc123');
    expect(unexpected).toBe(true);
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.id).toBe('INTERNAL-abc123');
    expect(error.message).toBe('Internal error');
    const body = toRestBody(error);
    expect(body).toEqual({
      code: 13,
      message: 'Internal error (INTERNAL-abc123)',
      details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'INTERNAL-abc123', message: 'Internal error' }],
    });
    expect(JSON.stringify(body)).not.toMatch(/SQLITE|SELECT|secret/);
    expect(JSON.stringify(toGraphQLExtensions(error))).not.toMatch(/SQLITE|SELECT|secret/);
  });

  it.each<[string, unknown]>([
    ['a thrown string', 'boom'],
    ['null', null],
    ['undefined', undefined],
  ])('treats %s as internal', (_name, thrown) => {
    const { error, unexpected } = normalizeError(thrown, () => 'INTERNAL-x');
    expect(unexpected).toBe(true);
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.id).toBe('INTERNAL-x');
  });

  it('renders internal() as "Internal error (ID)", as spec §2 shows', () => {
    expect(toRestBody(internal('INTERNAL-1')).message).toBe('Internal error (INTERNAL-1)');
  });
});

describe('formatGraphQLError', () => {
  it('keeps our extensions and strips Apollo’s stacktrace', () => {
    const formatted: GraphQLFormattedError = {
      message: 'Email not found (COMMAND-ieJ2e)',
      locations: [{ line: 1, column: 12 }],
      path: ['setContactEmail'],
      extensions: {
        code: 'NOT_FOUND',
        grpcCode: 5,
        httpStatus: 404,
        id: 'COMMAND-ieJ2e',
        stacktrace: ['AppError: Email not found', '    at EmailService.setEmail (/app/src/email/email.service.ts:42:11)'],
      },
    };
    expect(formatGraphQLError(formatted)).toEqual({
      message: 'Email not found (COMMAND-ieJ2e)',
      locations: [{ line: 1, column: 12 }],
      path: ['setContactEmail'],
      extensions: { code: 'NOT_FOUND', grpcCode: 5, httpStatus: 404, id: 'COMMAND-ieJ2e' },
    });
  });

  it('keeps retryAfter of our extensions', () => {
    const out = formatGraphQLError({
      message: 'Too many codes (EMAIL-c00lD)',
      extensions: { code: 'RESOURCE_EXHAUSTED', grpcCode: 8, httpStatus: 429, id: 'EMAIL-c00lD', retryAfter: 30 },
    });
    expect(out.extensions).toEqual({ code: 'RESOURCE_EXHAUSTED', grpcCode: 8, httpStatus: 429, id: 'EMAIL-c00lD', retryAfter: 30 });
  });

  it.each(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT'])(
    'reports %s as INVALID_ARGUMENT with its message',
    (apolloCode) => {
      const message = 'Cannot query field "nope" on type "Query".';
      const out = formatGraphQLError({ message, extensions: { code: apolloCode, stacktrace: ['GraphQLError: ...'] } });
      expect(out.message).toBe(message);
      expect(out.extensions).toEqual({ code: 'INVALID_ARGUMENT', grpcCode: 3, httpStatus: 400 });
    },
  );

  it('maps an unknown INTERNAL_SERVER_ERROR like every transport: code 13 with an incident ID, the cause only in the log', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const cause = new TypeError('Cannot read properties of undefined (reading "id") for mini@mouse.com');
      const out = formatGraphQLError(
        {
          message: cause.message,
          path: ['user'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['TypeError: Cannot read properties of undefined'] },
        },
        { originalError: cause },
      );
      expect(out.message).toMatch(/^Internal error \(INTERNAL-[0-9a-f]{10}\)$/);
      expect(out.path).toEqual(['user']);
      const id = out.message.slice('Internal error ('.length, -1);
      expect(out.extensions).toEqual({ code: 'INTERNAL', grpcCode: 13, httpStatus: 500, id });
      expect(logged).toHaveBeenCalledTimes(1);
      expect(logged.mock.calls[0]![0]).toMatch(new RegExp(`^${id}: TypeError: Cannot read properties`));
      expect(logged.mock.calls[0]![0]).not.toContain('mini@mouse.com');
    } finally {
      logged.mockRestore();
    }
  });

  it('treats an error without extensions as internal', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const out = formatGraphQLError({ message: 'something odd' });
      expect(out.message).toMatch(/^Internal error \(INTERNAL-/);
      expect(out.extensions).toMatchObject({ code: 'INTERNAL', grpcCode: 13 });
      expect(logged.mock.calls[0]![0]).toContain('something odd');
    } finally {
      logged.mockRestore();
    }
  });
});

describe('mapError: the one mapping', () => {
  const logs = () => {
    const lines: string[] = [];
    return { lines, log: (line: string) => void lines.push(line) };
  };

  it('answers an AppError as it is and logs nothing', () => {
    const { lines, log } = logs();
    const err = notFound('COMMAND-ieJ2e', 'Email not found');
    expect(mapError(err, log)).toBe(err);
    expect(lines).toEqual([]);
  });

  it('logs an unexpected error once, under the incident ID it answers, redacted', () => {
    const { lines, log } = logs();
    const cause = new Error('SMTP said no to minnie@mouse.com with token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    const error = mapError(cause, log);
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.id).toMatch(/^INTERNAL-[0-9a-f]{10}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${error.id}: Error: SMTP said no to`));
    expect(lines[0]).not.toContain('minnie@mouse.com');
    expect(lines[0]).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    // a second transport mapping the mapped error: same answer, no second log line
    expect(mapError(error, log)).toBe(error);
    expect(lines).toHaveLength(1);
  });

  it('keeps the status of Nest’s own HttpExceptions (an unknown route is 404)', () => {
    const { lines, log } = logs();
    const error = mapError(new NotFoundException('Cannot GET /nope'), log);
    expect(toRestBody(error)).toEqual(toRestBody(notFound('REQUEST-n0tFd', 'Route not found')));
    expect(lines).toEqual([]);
  });
});

describe('restResponse and graphQLError: each transport only renders', () => {
  it('REST: the status of the code or the error’s own, Retry-After for a 429', () => {
    expect(restResponse(notFound('COMMAND-ieJ2e', 'Email not found'))).toEqual({
      status: 404,
      headers: {},
      body: toRestBody(notFound('COMMAND-ieJ2e', 'Email not found')),
    });
    expect(restResponse(resourceExhausted('EMAIL-c00lD', 'Too many codes', 42))).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '42' },
    });
    expect(restResponse(unsupportedMediaType())).toMatchObject({ status: 415, body: { code: 3 } });
  });

  it('GraphQL: "message (ID)", or the bare message of a request-validation error, and the extensions', () => {
    expect(graphQLError(notFound('COMMAND-ieJ2e', 'Email not found'))).toEqual({
      message: 'Email not found (COMMAND-ieJ2e)',
      extensions: { code: 'NOT_FOUND', grpcCode: 5, httpStatus: 404, id: 'COMMAND-ieJ2e' },
    });
    expect(graphQLError(requestInvalid('invalid X.Y: bad'))).toEqual({
      message: 'invalid X.Y: bad',
      extensions: { code: 'INVALID_ARGUMENT', grpcCode: 3, httpStatus: 400 },
    });
  });
});
