import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Cloud metadata services: refused even when private networks are allowed. */
const METADATA = new BlockList();
for (const a of ['169.254.169.254', '169.254.170.2', '100.100.100.200']) METADATA.addAddress(a, 'ipv4');
METADATA.addAddress('fd00:ec2::254', 'ipv6');

/** Loopback, private, link-local, shared, reserved, documentation and multicast ranges. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped, -compatible or NAT64 IPv6 address, if any. */
function embeddedIpv4(address: string): string | null {
  const m = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why an address may not be called, or null when it may. */
export function refusedAddress(address: string, allowPrivate: boolean): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const v4 = family === 6 ? embeddedIpv4(address) : address;
  const [a, type] = v4 ? [v4, 'ipv4' as const] : [address, 'ipv6' as const];
  if (METADATA.check(a, type)) return 'a cloud metadata address';
  if (!allowPrivate && PRIVATE.check(a, type)) return 'a loopback, private, link-local or reserved address';
  return null;
}

export class EndpointRefused extends Error {}

/** Only http(s) URLs, without credentials in them (they would end up in logs). */
export function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new EndpointRefused('the endpoint is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EndpointRefused('the endpoint must use http or https');
  if (url.username || url.password) throw new EndpointRefused('the endpoint must not carry credentials');
  if (!url.hostname) throw new EndpointRefused('the endpoint has no host');
  return url;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the endpoint's host and checks every address it resolves to; the call is then made
 * to the first one (pinned), so a second lookup cannot swap in another (DNS rebinding).
 * Throws EndpointRefused when any address is refused; lookup failures propagate as they are.
 */
export async function resolveEndpoint(url: URL, allowPrivate: boolean): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) as 4 | 6 }] : await lookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new EndpointRefused('the endpoint host has no address');
  for (const a of addresses) {
    const why = refusedAddress(a.address, allowPrivate);
    if (why) throw new EndpointRefused(`the endpoint resolves to ${why}`);
  }
  return { address: addresses[0]!.address, family: addresses[0]!.family as 4 | 6 };
}
