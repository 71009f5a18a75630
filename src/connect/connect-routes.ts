import { Inject, Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import { lazy } from '../common/lazy.js';
import { TokenService } from '../auth/token.service.js';
import { INPUT_CHECKS, type InputChecks } from '../common/request/validation.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { EmailService } from '../email/email.service.js';
import { MessageTextsService } from '../texts/message-texts.service.js';
import { UsersService } from '../users/users.service.js';
import type { ConnectHandlers } from './connect-handlers.js';

/** The package and name of zitadel.user.v2.UserService: the path prefix of its calls. */
export const USER_SERVICE_PATH = '/zitadel.user.v2.UserService/';
/** The path prefixes of every service served over Connect and gRPC. */
export const SERVICE_PATHS = [USER_SERVICE_PATH, '/zitadel.management.v1.ManagementService/', '/zitadel.admin.v1.AdminService/'];

/** What the Connect handlers use from the rest of the app. */
export interface ConnectDeps {
  access: AccessService;
  email: EmailService;
  users: UsersService;
  texts: MessageTextsService;
  checks: InputChecks;
  tokens: TokenService;
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

  constructor(
    access: AccessService,
    email: EmailService,
    users: UsersService,
    texts: MessageTextsService,
    tokens: TokenService,
    @Inject(INPUT_CHECKS) checks: InputChecks,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.deps = { access, email, users, texts, checks, tokens, config };
  }

  readonly load: () => Promise<ConnectHandlers> = lazy(() => import('./connect-handlers.js').then((m) => m.connectHandlers(this.deps)));
}
