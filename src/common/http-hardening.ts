import type { FastifyInstance } from 'fastify';
import { UNDO_PATH } from '../email/undo-page.js';
import type { IncomingMessage } from 'node:http';
import { VERIFY_PATH } from '../email/verify-page.js';
import { restResponse, unsupportedMediaType } from './errors/error-mapping.js';

/** Paths whose bodies are not JSON: Connect/gRPC-web carry their own content types. */
const OWN_CONTENT_TYPES = /^\/zitadel\./;

/**
 * Request bodies on the REST and GraphQL routes must be application/json; the hosted page
 * pages take their own forms. Anything else is refused with 415 before it is parsed.
 */
export function registerHttpHardening(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (req, reply, payload, done) => {
    if (reply.statusCode === 413 && !req.raw.complete) drainAfterRefusal(req.raw, () => reply.removeHeader('connection'));
    done(null, payload);
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    const length = req.headers['content-length'];
    const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return done();
    const path = req.url.split('?', 1)[0]!;
    if (OWN_CONTENT_TYPES.test(path)) return done();
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const expected = path === VERIFY_PATH || path === UNDO_PATH ? 'application/x-www-form-urlencoded' : 'application/json';
    if (type === expected) return done();
    const { status, body } = restResponse(unsupportedMediaType());
    void reply.code(status).type('application/json').send(body);
  });
}

/** How much of a refused body is read and thrown away, and for how long, before the connection is cut. */
const DRAIN_MAX_BYTES = 32 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

/**
 * spec §7.11: a body over the limit gets a 413 the client can read. Closing the connection
 * while the client is still sending makes the kernel answer its next bytes with a reset, and
 * most clients then report EPIPE or ECONNRESET instead of the 413. So the connection stays
 * open (Fastify's `Connection: close` is taken back) and the rest of the body is read and
 * discarded — up to DRAIN_MAX_BYTES or DRAIN_MAX_MS, after which the connection is cut.
 */
function drainAfterRefusal(req: IncomingMessage, keepOpen: () => void): void {
  keepOpen();
  let drained = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, DRAIN_MAX_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_MAX_BYTES) cut();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
