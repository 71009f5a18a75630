import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { GrpcServer } from './connect/grpc-server.js';
import { exitOnStartError, loadConfigOrExit } from './config/config.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  // gRPC over HTTP/2 for ZITADEL's gRPC clients; stopped by the app's shutdown hooks
  const grpcPort = await app.get(GrpcServer).listen(config.grpcPort, config.host);
  const db = config.database.type === 'sqlite' ? `sqlite:${config.database.path}` : 'postgres';
  new Logger('Main').log(
    `listening on http://${config.host}:${config.port} (REST /v2, GraphQL /graphql, Connect and gRPC-web /zitadel.user.v2.UserService), gRPC on ${config.host}:${grpcPort} — database ${db}, mail ${config.smtpUrl ? 'SMTP' : `files in ${config.mailDir}`}, worker ${config.mailWorker}`,
  );
}

main().catch(exitOnStartError);
