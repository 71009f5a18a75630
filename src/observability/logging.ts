import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { pino, type Logger as PinoLoggerInstance } from 'pino';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Masks an address for logs: `mi***@mouse.com`. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return '***';
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
}

const EMAIL_IN_TEXT = /([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
// 43-character base64url strings are how PATs look; long hex/base64 runs may be hashes or keys
const SECRET_LIKE = /\b[A-Za-z0-9_-]{40,}\b/g;

/** For free text bound for a log (error messages, stacks): addresses masked, token-like runs removed. */
export function redactText(text: string): string {
  return text.replace(EMAIL_IN_TEXT, (m) => maskEmail(m)).replace(SECRET_LIKE, '[redacted]');
}

/** The path without its query: the hosted page's query carries a code. */
const pathOnly = (url: string | undefined) => (url ?? '').split('?', 1)[0];

/** The process's root pino logger: JSON lines on stdout at LOG_LEVEL. */
export function createRootLogger(config: AppConfig): PinoLoggerInstance {
  return pino({ level: config.logLevel, base: { pid: process.pid } });
}

/** Nest's own logging through nestjs-pino, on the root logger; requests are logged by logRequests(). */
export function loggerParams(logger: PinoLoggerInstance): Params {
  return {
    pinoHttp: { logger },
    // no per-request middleware: requests are logged from Fastify's hook (logRequests), which
    // costs nothing for the requests the level leaves out
    forRoutes: [],
    renameContext: 'context',
  };
}

/** A request ID: a sane incoming X-Request-Id, or a new UUID. */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Each request's ID is echoed in `X-Request-Id`, and its completion logged: successful requests
 * at debug, client errors at info, server errors at error. Never logged: headers (tokens),
 * bodies, query strings (the hosted page's carries a code).
 */
export function logRequests(fastify: FastifyInstance, logger: PinoLoggerInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('X-Request-Id', req.id);
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
    if (logger.isLevelEnabled(level)) {
      logger[level](
        {
          req: { id: req.id, method: req.method, path: pathOnly(req.url) },
          res: { status },
          responseTime: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}
