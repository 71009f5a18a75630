import type { ConnectRouter, ConnectRouterOptions } from '@connectrpc/connect';
import { Inject, Injectable } from '@nestjs/common';
import { UserService } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { TokenService } from '../auth/token.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { authInterceptor, errorInterceptor } from './interceptors.js';
import { UserServiceConnect } from './user-service.connect.js';

/** The Connect routes and router options, shared by the main port (Fastify) and GRPC_PORT (HTTP/2). */
@Injectable()
export class ConnectRoutes {
  constructor(
    private readonly userService: UserServiceConnect,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  readonly routes = (router: ConnectRouter): void => {
    router.service(UserService, this.userService.implementation);
  };

  options(): ConnectRouterOptions {
    return {
      // outermost first: errors wrap authentication, so a 401 is mapped like any other error
      interceptors: [errorInterceptor(), authInterceptor(this.tokens)],
      readMaxBytes: this.config.bodyLimitBytes,
      // protojson: unknown fields are ignored, as on the REST routes
      jsonOptions: { ignoreUnknownFields: true },
    };
  }
}
