import { BlockList, isIP } from 'node:net';
import type { TrustProxy } from '../../config/config.js';

/** Whether the hop at `address`, `hop` steps from this server (0 = the socket's peer), is a trusted proxy. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is the IPv4 address `10.0.0.1`. */
function plain(address: string): string {
  const a = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a;
}

/**
 * The trust rule of TRUST_PROXY (spec §7.5), shared by Fastify (main port: it decides req.ip,
 * req.protocol and req.host with it) and the gRPC port. A hop count trusts that many hops
 * nearest to us, whatever their address; a list trusts the hops whose address it contains,
 * until the first one it does not. Nothing is trusted when TRUST_PROXY is unset.
 */
export function proxyTrust(trust: TrustProxy): ProxyTrust {
  if (trust === false || trust === 0) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  const list = new BlockList();
  for (const entry of trust) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const a = plain(address);
    const family = isIP(a);
    if (family === 0) return false;
    return list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client's address: the socket's peer, or — for each trusted proxy between us and the
 * client — the next address from the right of X-Forwarded-For. The addresses left of the last
 * trusted hop are whatever the client wrote and are never used. This is the algorithm of
 * proxy-addr, which Fastify runs for req.ip with the same ProxyTrust; the gRPC port, which has
 * no Fastify, calls it directly.
 */
export function forwardedClientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: ProxyTrust,
): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const forwarded = header
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .reverse();
  const hops = [plain(remoteAddress ?? 'unknown'), ...forwarded];
  let i = 0;
  while (i < hops.length - 1 && trust(hops[i]!, i)) i++;
  return plain(hops[i]!);
}

const NO_PROXY: ProxyTrust = () => false;

/**
 * The one source of the client address that the per-IP limits count (spec §7.5), whatever the
 * transport: on the main port Fastify's `req.ip` (Fastify applies `proxyTrust` itself); on the
 * gRPC port (plain HTTP/2, no Fastify) the socket's peer with the same rule applied to
 * X-Forwarded-For.
 */
export function clientIp(
  req: { ip?: string; socket?: { remoteAddress?: string } | null; headers?: Record<string, string | string[] | undefined> },
  trust: ProxyTrust = NO_PROXY,
): string {
  if (req.ip) return req.ip;
  return forwardedClientIp(req.socket?.remoteAddress, req.headers?.['x-forwarded-for'], trust);
}
