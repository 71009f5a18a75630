import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Masks an address for logs: `mi***@mouse.com`. */
export function maskEmail(email: string): string {
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
const pathOnly = (url: string | undefined) => (url ?? '').split('?')[0];

/**
 * Structured JSON logs (pino). Each request gets an ID (a sane incoming X-Request-Id, or a new
 * UUID) echoed in the response. Tokens, codes and the HMAC key are never logged: headers are
 * not serialised, URLs lose their query, bodies are never logged. Successful requests log at
 * debug, client errors at info, server errors at error.
 */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: pathOnly(req.url) }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      redact: { paths: ['req.headers', 'headers.authorization', '*.token', '*.code', '*.verificationCode'], remove: true },
      quietReqLogger: true,
    },
    renameContext: 'context',
  };
}
