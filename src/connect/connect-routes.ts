import { Inject, Injectable } from '@nestjs/common';
import { lazy } from '../common/lazy.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { ConnectHandlers } from './connect-handlers.js';

/** The package and name of zitadel.user.v2.UserService: the path prefix of its calls. */
export const USER_SERVICE_PATH = '/zitadel.user.v2.UserService/';
/** The same for zitadel.action.v2beta.ActionService. */
export const ACTION_SERVICE_PATH = '/zitadel.action.v2beta.ActionService/';

/** What the Connect handlers use from the rest of the app. */
export interface ConnectDeps {
  pipeline: Pipeline;
  config: AppConfig;
}

/**
 * The Connect handlers, shared by the main port (Fastify) and GRPC_PORT (HTTP/2). They are
 * built at the first call: Connect, protobuf-es and ZITADEL's service descriptors cost about
 * 4.5 MB of heap, which an instance whose clients only use REST or GraphQL does not carry.
 */
@Injectable()
export class ConnectRoutes {
  private readonly deps: ConnectDeps;

  constructor(pipeline: Pipeline, @Inject(APP_CONFIG) config: AppConfig) {
    this.deps = { pipeline, config };
  }

  readonly load: () => Promise<ConnectHandlers> = lazy(() => import('./connect-handlers.js').then((m) => m.connectHandlers(this.deps)));
}
