import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { ACTION_SERVICE_PATH, ConnectRoutes, USER_SERVICE_PATH } from './connect-routes.js';

/**
 * Serves the Connect protocol (JSON and binary) and gRPC-web on the main port, beside the Nest
 * routes. In its own encapsulated context no body is parsed: Connect reads the raw request
 * (the content-type parsers here do not reach Nest's routes). gRPC proper needs HTTP/2
 * trailers: it is on GRPC_PORT.
 */
export async function registerConnect(app: NestFastifyApplication): Promise<void> {
  const connect = app.get(ConnectRoutes);
  await app.register((instance: FastifyInstance, _opts: unknown, done: (err?: Error) => void) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_req, _payload, parsed) => parsed(null, undefined));
    for (const path of [USER_SERVICE_PATH, ACTION_SERVICE_PATH])
      instance.all(`${path}:method`, async (req, reply) => (await connect.load()).serve(req, reply));
    done();
  });
}
