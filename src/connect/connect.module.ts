import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { EmailModule } from '../email/email.module.js';
import { TextsModule } from '../texts/texts.module.js';
import { UsersModule } from '../users/users.module.js';
import { ConnectRoutes } from './connect-routes.js';
import { GrpcServer } from './grpc-server.js';

/** ZITADEL's UserService (and the text methods of its Management and Admin services) over Connect, gRPC-web (main port) and gRPC (GRPC_PORT). */
@Module({
  imports: [AuthModule, EmailModule, UsersModule, TextsModule],
  providers: [ConnectRoutes, GrpcServer],
  exports: [ConnectRoutes, GrpcServer],
})
export class ConnectModule {}
