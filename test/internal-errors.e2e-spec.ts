import { Code, ConnectError } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { NewAuthorizationBearerInterceptor } from '@zitadel/client';
import { createUserServiceClient } from '@zitadel/client/v2';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GrpcServer } from '../src/connect/grpc-server.js';
import { VERIFY_PATH } from '../src/email/verify-page.js';
import { startApp, TestApp } from './support/app.js';
import { gql, rest } from './support/client.js';
import { TEST_DB } from './support/database.js';

/**
 * A real fault (the users table gone from under the running service, the driver's error naming
 * it) answered over every transport: code 13 `Internal error (INTERNAL-…)` with the incident ID,
 * nothing of the cause, and the cause logged exactly once under that ID.
 */
describe(`an unexpected error on every transport (${TEST_DB})`, () => {
  let t: TestApp;
  let grpcPort: number;
  let errorLog: jest.SpyInstance;
  const INCIDENT = /^Internal error \((INTERNAL-[0-9a-f]{10})\)$/;

  beforeAll(async () => {
    t = await startApp();
    grpcPort = await t.app.get(GrpcServer).listen(0, '127.0.0.1');
    // the fault: every statement that reads users (the token lookup first) fails in the driver
    await t.app.get(DataSource).query('ALTER TABLE users RENAME TO users_gone');
  });
  afterAll(async () => {
    await t?.app.get(DataSource).query('ALTER TABLE users_gone RENAME TO users');
    await t?.close();
  });
  beforeEach(() => {
    errorLog = jest.spyOn(Logger.prototype, 'error');
  });
  afterEach(() => errorLog.mockRestore());

  /** The log lines naming the incident: exactly one, with the driver's cause. */
  function expectLoggedOnce(id: string): void {
    const lines = errorLog.mock.calls.map((c) => String(c[0])).filter((l) => l.includes(id));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/users/);
  }

  it('REST: 500 with ZITADEL’s body', async () => {
    const r = await rest(t.url, 'GET', '/v2/users/100000000000000042', undefined, t.adminToken);
    expect(r.status).toBe(500);
    const [, id] = INCIDENT.exec(r.body.message)!;
    expect(r.body).toEqual({
      code: 13,
      message: `Internal error (${id})`,
      details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id, message: 'Internal error' }],
    });
    expectLoggedOnce(id!);
  });

  it('GraphQL: the extensions of code 13 with the ID', async () => {
    const r = await gql(t.url, 'query($id: ID!) { user(id: $id) { userId } }', { id: '100000000000000042' }, t.adminToken);
    const e = r.body.errors[0];
    const [, id] = INCIDENT.exec(e.message)!;
    expect(e.extensions).toEqual({ code: 'INTERNAL', grpcCode: 13, httpStatus: 500, id });
    expect(JSON.stringify(r.body)).not.toMatch(/users_gone|no such table|does not exist|SELECT/);
    expectLoggedOnce(id!);
  });

  it.each([
    [
      'Connect',
      () => createConnectTransport({ baseUrl: t.url, httpVersion: '1.1', interceptors: [NewAuthorizationBearerInterceptor(t.adminToken)] }),
    ],
    [
      'gRPC',
      () =>
        createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}`, interceptors: [NewAuthorizationBearerInterceptor(t.adminToken)] }),
    ],
  ])('%s: status 13 with the ID in the message and the ErrorDetail', async (_name, transport) => {
    const err = await createUserServiceClient(transport())
      .getUserByID({ userId: '100000000000000042' })
      .then(
        () => Promise.reject(new Error('expected a failure')),
        (e: unknown) => ConnectError.from(e),
      );
    expect(err.code).toBe(Code.Internal);
    const [, id] = INCIDENT.exec(err.rawMessage)!;
    expect(err.findDetails(ErrorDetailSchema).map(({ id, message }) => ({ id, message }))).toEqual([{ id, message: 'Internal error' }]);
    expectLoggedOnce(id!);
  });

  it('the hosted page: 500 with the incident ID on the page', async () => {
    const res = await fetch(t.url + VERIFY_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ userId: '100000000000000042', code: 'ABCDEF' }).toString(),
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const id = /\((INTERNAL-[0-9a-f]{10})\)/.exec(html)?.[1];
    expect(id).toBeDefined();
    expect(html).not.toMatch(/users_gone|no such table|does not exist|SELECT/);
    expectLoggedOnce(id!);
  });
});
