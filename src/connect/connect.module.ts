import { Module } from '@nestjs/common';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { ConnectRoutes } from './connect-routes.js';
import { GrpcServer } from './grpc-server.js';

/** ZITADEL's UserService over Connect, gRPC-web (main port) and gRPC (GRPC_PORT), through the one pipeline. */
@Module({
  imports: [PipelineModule],
  providers: [ConnectRoutes, GrpcServer],
  exports: [ConnectRoutes, GrpcServer],
})
export class ConnectModule {}
