import { NestFactory } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { registerConnect } from './connect/register.js';
import { registerGraphiQL } from './graphiql/graphiql.routes.js';
import { registerOpenApi } from './openapi/openapi.routes.js';
import type { AppConfig } from './config/config.js';
import { mapError, restResponse } from './common/errors/error-mapping.js';
import { corsOptions } from './common/cors.js';
import { registerHttpHardening } from './common/http-hardening.js';
import { checkCodeKeyFile } from './common/secret-box.js';
import { proxyTrust } from './common/request/client-ip.js';
import { createRootLogger, logRequests, requestId } from './observability/logging.js';
import { MetricsService } from './observability/metrics.service.js';

/** Every HTTP route of an app made by createApp, as Fastify registered it (docs/api.md lists them). */
const routesOfApp = new WeakMap<NestFastifyApplication, { method: string; url: string }[]>();
export const httpRoutes = (app: NestFastifyApplication) => routesOfApp.get(app) ?? [];

/** Builds the HTTP application (REST, GraphQL, Sandbox) on Fastify; main.ts and the tests share it. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  checkCodeKeyFile(config);
  const logger = createRootLogger(config);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: requestId,
    requestIdHeader: false,
    // at SIGTERM, requests already accepted are finished rather than answered 503
    return503OnClosing: false,
    // §7.5: only the configured proxies' X-Forwarded-For hops; the gRPC port uses the same rule
    trustProxy: proxyTrust(config.trustProxy),
    // IDs up to 200 characters are valid; longer ones must reach validation (400/404), not
    // the router's own 414
    routerOptions: { maxParamLength: 16 * 1024 },
    // errors the router raises before any route runs (bad percent-encoding, ...): same shape
    frameworkErrors: (error: Error, _req: FastifyRequest, reply: FastifyReply) => {
      const { status, headers, body } = restResponse(mapError(error));
      void reply.code(status).headers(headers).type('application/json').send(body);
    },
  });
  const routes: { method: string; url: string }[] = [];
  adapter.getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    bufferLogs: true,
    // a start error (a bad key file) reaches main's catch, which prints one line, instead of abort()
    abortOnError: false,
  });
  routesOfApp.set(app, routes);
  app.useLogger(app.get(Logger));
  // browsers on the configured origins; none configured, no CORS header and preflights stay 404
  if (config.corsAllowedOrigins.length > 0) app.enableCors(corsOptions(config.corsAllowedOrigins));
  // HTTP metrics from Fastify's own hook: it sees every response, also those that guards
  // refused and unknown routes, by route template (no IDs in label values)
  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  logRequests(fastify, logger);
  registerHttpHardening(fastify);
  fastify.addHook('onResponse', (req, reply, done) => {
    metrics.observeHttp(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  // ZITADEL's UserService over Connect and gRPC-web beside the Nest routes
  await registerConnect(app);
  // ZITADEL's OpenAPI document at /openapi.json, Swagger UI at /docs (built at the first request)
  registerOpenApi(app);
  // GraphiQL from the npm packages' files at /graphiql, for where Sandbox's CDN is out of reach
  registerGraphiQL(app);
  // exit 0 after a clean shutdown (Nest would otherwise re-raise the signal)
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
}
