import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { mapError } from '../common/errors/error-mapping.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ConnectRoutes } from './connect-routes.js';
import { grpcTrailersOnly } from './grpc-status.js';

/** How long open HTTP/2 sessions get to finish their calls when the app stops. */
const DRAIN_MS = 5000;

/**
 * gRPC over cleartext HTTP/2 (h2c) on GRPC_PORT, for ZITADEL's gRPC clients (and Connect and
 * gRPC-web clients speaking HTTP/2). main.ts starts it after the HTTP port; it stops with the app.
 */
@Injectable()
export class GrpcServer implements OnApplicationShutdown {
  private readonly logger = new Logger('GrpcServer');
  private server?: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();

  constructor(
    private readonly routes: ConnectRoutes,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Listens on the port (0: any free one) and returns the bound port. */
  async listen(port: number, host: string): Promise<number> {
    if (this.server) throw new Error('the gRPC server is already listening');
    // the Connect handlers are loaded at the first call (see ConnectRoutes)
    const limits = this.config.grpc;
    // §7.10: a client may hold only so many calls open at once per connection
    const server = createServer({ settings: { maxConcurrentStreams: limits.maxConcurrentStreams } }, (req, res) => {
      this.routes.load().then(
        (connect) => connect.node(req, res),
        (e: unknown) => {
          const error = mapError(e);
          if (!res.headersSent) res.writeHead(200, grpcTrailersOnly(error));
          res.end();
        },
      );
    });
    server.on('session', (session) => {
      this.sessions.add(session);
      // §7.10: a connection that sends nothing is dropped (open streams included: a stalled
      // call holds memory); a busy one is asked to go away after its lifetime, its calls finish
      session.setTimeout(limits.idleTimeoutMs, () => session.destroy());
      const lifetime = setTimeout(() => {
        session.close();
        setTimeout(() => session.destroy(), DRAIN_MS).unref();
      }, limits.sessionTimeoutMs);
      lifetime.unref();
      session.once('close', () => {
        clearTimeout(lifetime);
        this.sessions.delete(session);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    server.on('error', (e) => this.logger.error(`gRPC server: ${e.message}`));
    return this.port!;
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // let running calls finish; sessions idle in a client's pool would keep the server open
    for (const session of this.sessions) session.close();
    const timer = setTimeout(() => {
      for (const session of this.sessions) session.destroy();
    }, DRAIN_MS);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }
}
