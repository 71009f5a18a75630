import { createRequire } from 'node:module';
import { connect, Socket } from 'node:net';

const require = createRequire(import.meta.url);
const { parseConnectionUrl } = require('nodemailer/lib/shared') as { parseConnectionUrl(url: string): Record<string, unknown> };

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Pooled SMTP options from SMTP_URL. nodemailer leaves Nagle's algorithm on for its sockets,
 * which stalls every pipelined command for ~40 ms and capped delivery near 100 mails/s on
 * loopback; connecting the socket ourselves with TCP_NODELAY lifts that ceiling. nodemailer
 * still does the SMTP, STARTTLS or implicit TLS on the socket we hand it.
 */
export function smtpTransportOptions(url: string, maxConnections: number): Record<string, unknown> {
  const options = { pool: true, maxConnections, maxMessages: Infinity, ...parseConnectionUrl(url), ...tlsPolicy(url) };
  return {
    ...options,
    getSocket(
      o: { host?: string; port?: number; secure?: boolean },
      callback: (err: Error | null, socket?: { connection: Socket }) => void,
    ) {
      const port = o.port ?? (o.secure ? 465 : 587);
      const socket = connect({ host: o.host ?? 'localhost', port, noDelay: true });
      const timer = setTimeout(
        () => socket.destroy(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })),
        CONNECT_TIMEOUT_MS,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        callback(Object.assign(err, { code: (err as NodeJS.ErrnoException).code ?? 'ECONNECTION' }));
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', fail);
        callback(null, { connection: socket });
      });
    },
  };
}

/** 127.0.0.0/8, ::1 and localhost: mail that never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * spec §7.11: `smtp://` must upgrade with STARTTLS (nodemailer's requireTLS: no STARTTLS offered,
 * no mail), except to a loopback host or when the URL says `?tls=none` (then no TLS at all).
 * `smtps://` is TLS from the first byte.
 */
export function tlsPolicy(url: string): { requireTLS?: boolean; ignoreTLS?: boolean; tls?: undefined } {
  const u = new URL(url);
  if (u.protocol !== 'smtp:') return {};
  if (u.searchParams.get('tls') === 'none') return { ignoreTLS: true, tls: undefined };
  return isLoopbackHost(u.hostname) ? {} : { requireTLS: true };
}
