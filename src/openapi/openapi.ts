import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AccountsModule } from '../accounts/accounts.module.js';
import { USER_SERVICE_OPERATIONS, zitadelOperation } from './user-service.operations.js';
import { USER_SERVICE_SCHEMAS } from './user-service.schemas.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The OpenAPI 3 document of ZITADEL's User Service v2 REST routes as this service serves them:
 * Nest's scan of UsersController gives the routes; ZITADEL's operation IDs (UserService_SetEmail, ...),
 * parameters and schemas are laid over them.
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('User Service')
    .setDescription(
      "ZITADEL's User Service v2 contact-email operations (wire-compatible REST). The same operations are served over " +
        'Connect and gRPC-web at /zitadel.user.v2.UserService/<Method> on this port and over gRPC on GRPC_PORT.',
    )
    .setVersion('2.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A personal access token' }, 'bearer')
    .build();
  config.components = { ...config.components, schemas: { ...USER_SERVICE_SCHEMAS } };
  const document = SwaggerModule.createDocument(app, config, {
    include: [AccountsModule],
    operationIdFactory: (controller, method) => USER_SERVICE_OPERATIONS[method]?.operationId ?? `${controller}_${method}`,
  });
  const byId = new Map(Object.values(USER_SERVICE_OPERATIONS).map((op) => [op.operationId, op]));
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const scanned = item[method];
      const op = scanned?.operationId ? byId.get(scanned.operationId) : undefined;
      if (scanned && op) item[method] = zitadelOperation(op, scanned, path);
    }
  }
  return document;
}
