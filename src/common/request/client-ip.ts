/**
 * The client address for the per-IP limits and the per-source attempt counters, the one place
 * every transport takes it from: on the main port Fastify's `req.ip` (which applies
 * TRUST_PROXY to X-Forwarded-For), on GRPC_PORT the HTTP/2 socket's remote address.
 */
export function clientIp(req: { ip?: string; socket?: { remoteAddress?: string } | null }): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}
