import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConnectRoutes } from './connect-routes.js';

/**
 * Serves the Connect protocol (JSON and binary) and gRPC-web on the main port, beside the Nest
 * routes. The plugin's own encapsulated context reads the raw bodies (its content-type parsers
 * do not reach Nest's routes). gRPC proper needs HTTP/2 trailers: it is on GRPC_PORT.
 */
export async function registerConnect(app: NestFastifyApplication): Promise<void> {
  const connect = app.get(ConnectRoutes);
  await app.register(fastifyConnectPlugin, { ...connect.options(), grpc: false, routes: connect.routes });
}
