import { randomUUID } from 'node:crypto';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { pino, type Logger as PinoLoggerInstance } from 'pino';
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
const pathOnly = (url: string | undefined) => (url ?? '').split('?', 1)[0];

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every record has; the pretty line shows them in its own places. */
const OWN_PLACE = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'context']);

const pretty = (v: unknown): string => (typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v));

function fields(prefix: string, value: unknown, out: string[]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) fields(prefix ? `${prefix}.${k}` : k, v, out);
  } else out.push(`${prefix}=${pretty(value)}`);
}

/**
 * One pino JSON line as one line a person reads: time, level, [context], message, then the other
 * fields as key=value (nested keys dotted; text with spaces, quotes or line breaks quoted as JSON,
 * so a stack stays on its line). A request's line reads `POST /path 200 3.2 ms id=...`. The record
 * is the JSON one, redaction included: this only lays it out.
 */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const parts: string[] = [
    typeof rec.time === 'number' ? new Date(rec.time).toISOString() : '-',
    (LEVEL_NAMES[rec.level as number] ?? String(rec.level)).padEnd(5),
  ];
  if (rec.context !== undefined) parts.push(`[${String(rec.context)}]`);
  const rest: string[] = [];
  const req = rec.req as { id?: unknown; method?: unknown; path?: unknown } | undefined;
  const res = rec.res as { status?: unknown } | undefined;
  if (rec.msg === 'request completed' && req && res) {
    const { id, method, path, ...reqRest } = req;
    const { status, ...resRest } = res;
    parts.push(`${String(method)} ${String(path)} ${String(status)} ${String(rec.responseTime)} ms`);
    fields('', { id, req: reqRest, res: resRest }, rest);
    for (const [k, v] of Object.entries(rec)) if (!OWN_PLACE.has(k) && !['req', 'res', 'responseTime'].includes(k)) fields(k, v, rest);
  } else {
    if (rec.msg !== undefined) parts.push(String(rec.msg));
    for (const [k, v] of Object.entries(rec)) if (!OWN_PLACE.has(k)) fields(k, v, rest);
  }
  return `${[...parts, ...rest].join(' ')}\n`;
}

type Destination = ReturnType<typeof pino.destination>;

/** How long a line may wait in the buffer, and how much is gathered before a write. */
const FLUSH_EVERY_MS = 100;
const WRITE_AT_BYTES = 8 * 1024;
/** At shutdown, how long the buffer's last asynchronous write may take. */
const DRAIN_WAIT_MS = 2000;

/**
 * stdout for the log lines, cheap under load: lines gather in a buffer that is written
 * asynchronously once it holds 8 kB, and at the latest 100 ms later (one write per many lines
 * instead of a blocking write per line). At shutdown, `drain()` writes out what is buffered and
 * every later line goes out synchronously, so the last lines (the worker's stop, ...) are on
 * stdout when the process exits; on an exit without shutdown (a crash, process.exit) pino
 * writes the buffer synchronously from its 'exit' hook.
 */
export class LogSink {
  private out: Destination = pino.destination({ dest: 1, sync: false, minLength: WRITE_AT_BYTES });
  /** Lines written while the buffer drains: they follow it, in order. */
  private held: string[] | undefined;
  private drained: Promise<void> | undefined;
  private readonly timer = setInterval(() => this.out.flush(), FLUSH_EVERY_MS);

  constructor(private readonly layout: ((json: string) => string) | undefined) {
    this.timer.unref();
  }

  /** pino's stream interface: one serialised record, newline included. */
  write(line: string): void {
    const text = this.layout ? this.layout(line) : line;
    if (this.held) this.held.push(text);
    else this.out.write(text);
  }

  /** Writes out the buffer; from then on each line is written synchronously. Idempotent. */
  drain(): Promise<void> {
    clearInterval(this.timer);
    return (this.drained ??= new Promise<void>((resolve) => {
      const buffered = this.out;
      const held: string[] = [];
      this.held = held;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(giveUp);
        process.off('exit', finish);
        // nothing was added to `buffered` since the drain began, so no write of its own is in
        // flight now: what its last write left (under the threshold) goes out synchronously,
        // then the lines held meanwhile, through a synchronous destination from now on
        try {
          buffered.flushSync();
        } catch {
          /* stdout gone: nothing more can be written */
        }
        this.out = pino.destination({ dest: 1, sync: true });
        this.held = undefined;
        for (const text of held) this.out.write(text);
        resolve();
      };
      // a reader of stdout that stopped reading must not hold the shutdown
      const giveUp = setTimeout(finish, DRAIN_WAIT_MS).unref();
      process.once('exit', finish);
      buffered.flush(finish);
    }));
  }
}

const sinks = new WeakMap<PinoLoggerInstance, LogSink>();

/** The process's root pino logger: JSON lines (or readable ones, LOG_FORMAT=pretty) on stdout at LOG_LEVEL. */
export function createRootLogger(config: AppConfig): PinoLoggerInstance {
  const sink = new LogSink(config.logFormat === 'pretty' ? prettyLine : undefined);
  const logger = pino({ level: config.logLevel, base: { pid: process.pid } }, sink);
  sinks.set(logger, sink);
  return logger;
}

/**
 * Writes out what `logger` (a root logger) holds in its buffer, and makes its later lines
 * synchronous: for the start of a shutdown.
 */
export function drainLogs(logger: PinoLoggerInstance): Promise<void> {
  return sinks.get(logger)?.drain() ?? Promise.resolve();
}

/** A provider that drains the root logger's buffer when shutdown begins (before the modules' own shutdown hooks). */
export class LogDrain implements BeforeApplicationShutdown {
  constructor(private readonly logger: PinoLoggerInstance) {}
  beforeApplicationShutdown(): Promise<void> {
    return drainLogs(this.logger);
  }
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
 * Each request's ID is echoed in `X-Request-Id`, and its completion logged (the access log):
 * successful requests and client errors at info, server errors at error. Never logged: headers (tokens),
 * bodies, query strings (the hosted page's carries a code).
 */
export function logRequests(fastify: FastifyInstance, logger: PinoLoggerInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('X-Request-Id', req.id);
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : 'info';
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
