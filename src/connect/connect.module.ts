import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { EmailModule } from '../email/email.module.js';
import { UsersModule } from '../users/users.module.js';
import { ActionsModule } from '../actions/actions.module.js';
import { ConnectRoutes } from './connect-routes.js';
import { GrpcServer } from './grpc-server.js';

/** ZITADEL's UserService and ActionService over Connect, gRPC-web (main port) and gRPC (GRPC_PORT). */
@Module({
  imports: [AuthModule, EmailModule, UsersModule, ActionsModule],
  providers: [ConnectRoutes, GrpcServer],
  exports: [ConnectRoutes, GrpcServer],
})
export class ConnectModule {}
