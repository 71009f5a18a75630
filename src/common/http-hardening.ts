import type { FastifyInstance } from 'fastify';
import { VERIFY_PATH } from '../email/verify-page.js';
import { restResponse, unsupportedMediaType } from './errors/error-mapping.js';

/** Paths whose bodies are not JSON: Connect/gRPC-web carry their own content types. */
const OWN_CONTENT_TYPES = /^\/zitadel\./;

/**
 * Request bodies on the REST and GraphQL routes must be application/json; the hosted page
 * takes its own form. Anything else is refused with 415 before it is parsed.
 */
export function registerHttpHardening(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const length = req.headers['content-length'];
    const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return done();
    const path = req.url.split('?', 1)[0]!;
    if (OWN_CONTENT_TYPES.test(path)) return done();
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const expected = path === VERIFY_PATH ? 'application/x-www-form-urlencoded' : 'application/json';
    if (type === expected) return done();
    const { status, body } = restResponse(unsupportedMediaType());
    void reply.code(status).type('application/json').send(body);
  });
}
