import type { FastifyCorsOptions } from '@fastify/cors';

/**
 * Request headers a browser client may send: bearer tokens and idempotency keys (REST, GraphQL),
 * and what Connect and gRPC-web clients (connect-web, ZITADEL's @zitadel/client) add.
 */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'Connect-Protocol-Version',
  'Connect-Timeout-Ms',
  'X-Grpc-Web',
  'X-User-Agent',
  'Grpc-Timeout',
];

/** Response headers a page may read: gRPC-web's status (trailers sent as headers) and 429s' wait. */
export const CORS_EXPOSED_HEADERS = ['Grpc-Status', 'Grpc-Message', 'Retry-After'];

/**
 * CORS for browser apps on the listed origins, on every route (REST, GraphQL, Connect,
 * gRPC-web): preflights are answered before authentication; other origins get no CORS headers,
 * so their browsers keep the answers from them. No credentials: tokens travel in Authorization.
 */
export function corsOptions(origins: string[]): FastifyCorsOptions {
  return {
    origin: origins,
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  };
}
