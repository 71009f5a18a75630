import { Code, ConnectError, createConnectRouter, createContextValues, type ConnectRouterOptions } from '@connectrpc/connect';
import type { UniversalHandler } from '@connectrpc/connect/protocol';
import { codeToHttpStatus, errorToJson } from '@connectrpc/connect/protocol-connect';
import {
  compressionBrotli,
  compressionGzip,
  connectNodeAdapter,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from '@connectrpc/connect-node';
import { AdminService } from '@zitadel/proto/zitadel/admin_pb.js';
import { ManagementService } from '@zitadel/proto/zitadel/management_pb.js';
import { UserService } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { ActionService } from '@zitadel/proto/zitadel/action/v2beta/action_service_pb.js';
import { ACTION_SERVICE_CONNECT } from '../actions/actions.operations.js';
import type { OperationDef } from '../pipeline/operation.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { mapError } from '../common/errors/error-mapping.js';
import { toConnectError } from './connect-errors.js';
import { clientIp, proxyTrust } from '../common/request/client-ip.js';
import type { ConnectDeps } from './connect-routes.js';
import { CLIENT_IP, errorInterceptor } from './interceptors.js';
import { ADMIN_SERVICE_CONNECT, MANAGEMENT_SERVICE_CONNECT } from '../texts/texts.operations.js';
import { serviceImplementation, userServiceImplementation } from './user-service.connect.js';

/** What ConnectRoutes loads at the first call: the handlers of the UserService, ActionService, ManagementService and AdminService methods. */
export interface ConnectHandlers {
  /** Serves a call that Fastify routed to the service's path on the main port. */
  serve(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** The handler of the HTTP/2 server on GRPC_PORT. */
  node(req: Http2ServerRequest, res: Http2ServerResponse): void;
}

/** Every service served over Connect, gRPC-web and gRPC, with its implementation (docs/api.md lists them). */
export function connectServices(pipeline: ConnectDeps['pipeline']) {
  // methods without an implementation answer Unimplemented (12)
  return [
    { service: UserService, implementation: userServiceImplementation(pipeline) },
    {
      service: ActionService,
      implementation: serviceImplementation<typeof ActionService>(pipeline, ACTION_SERVICE_CONNECT as OperationDef[]),
    },
    { service: ManagementService, implementation: serviceImplementation<typeof ManagementService>(pipeline, MANAGEMENT_SERVICE_CONNECT) },
    { service: AdminService, implementation: serviceImplementation<typeof AdminService>(pipeline, ADMIN_SERVICE_CONNECT) },
  ];
}

export function connectHandlers(deps: ConnectDeps): ConnectHandlers {
  const services = connectServices(deps.pipeline);
  const options: ConnectRouterOptions = {
    // every error of the pipeline (401, 429, 400, 404, 403, ...) is mapped here, once
    interceptors: [errorInterceptor()],
    readMaxBytes: deps.config.bodyLimitBytes,
    // protojson: unknown fields are ignored, as on the REST routes
    jsonOptions: { ignoreUnknownFields: true },
    acceptCompression: [compressionGzip, compressionBrotli],
  };
  const routes = (router: ReturnType<typeof createConnectRouter>) => {
    for (const { service, implementation } of services) router.service(service, implementation);
  };
  // gRPC proper needs HTTP/2 trailers: only Connect and gRPC-web on the HTTP/1.1 main port
  const router = createConnectRouter({ ...options, grpc: false });
  routes(router);
  const byPath = new Map<string, UniversalHandler>(router.handlers.map((h) => [h.requestPath, h]));
  // the gRPC port has no Fastify: the client's address comes from the same trust rule (§7.5)
  const trust = proxyTrust(deps.config.trustProxy);
  const node = connectNodeAdapter({
    ...options,
    readMaxBytes: deps.config.grpc.maxMessageBytes,
    contextValues: (req) => createContextValues().set(CLIENT_IP, clientIp(req, trust)),
    routes,
  });

  return {
    // as @connectrpc/connect-fastify's plugin serves a route
    async serve(req, reply) {
      const path = req.url.split('?', 1)[0]!;
      const handler = byPath.get(path);
      if (!handler) return void reply.callNotFound();
      try {
        const res = await handler(
          universalRequestFromNodeRequest(
            req.raw as IncomingMessage,
            reply.raw as ServerResponse,
            undefined,
            // the main port: Fastify's req.ip (TRUST_PROXY applied)
            createContextValues().set(CLIENT_IP, clientIp(req)),
          ),
        );
        for (const [key, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(key, value);
        await universalResponseToNodeResponse(res, reply.raw);
      } catch (e) {
        // the client went away
        if (ConnectError.from(e).code === Code.Aborted) return;
        // a failure outside the interceptors (reading the request, writing the answer): mapped
        // like any other, answered as a Connect error when nothing was sent yet
        const error = toConnectError(mapError(e));
        if (reply.raw.headersSent) return void reply.raw.destroy();
        reply.raw
          .writeHead(codeToHttpStatus(error.code), { 'content-type': 'application/json' })
          .end(JSON.stringify(errorToJson(error, undefined)));
      }
    },
    node: node as unknown as ConnectHandlers['node'],
  };
}
