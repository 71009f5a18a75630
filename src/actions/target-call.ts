import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './ssrf.js';

/** How much of a target's answer is read; the rest is dropped with the connection. */
export const RESPONSE_MAX_BYTES = 64 * 1024;

export class TargetCallError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the target answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface TargetCall {
  url: URL;
  /** The address checked by the SSRF guard: the connection goes there and nowhere else. */
  address: ResolvedAddress;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * POSTs the body as ZITADEL does (Content-Type application/json), to the pinned address (the
 * URL's host still names the server for Host and TLS). Redirects are not followed; the whole
 * call, connection to last byte, is bounded by the target's timeout and the answer by
 * RESPONSE_MAX_BYTES. Resolves with the status when it is 2xx; throws TargetCallError otherwise.
 */
export function callTarget(call: TargetCall): Promise<number> {
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) (cb as (e: null, a: ResolvedAddress[]) => void)(null, [call.address]);
    else cb(null, call.address.address, call.address.family);
  };
  const send = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: TargetCallError | null, status?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(status!);
    };
    const req = send(
      call.url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        headers: { ...call.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(call.body)) },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // enough: a receiver's answer is not used for events, and is never buffered unbounded
          if (read > RESPONSE_MAX_BYTES) res.destroy();
        });
        const done = () => {
          if (status >= 200 && status <= 299) finish(null, status);
          else if (status >= 300 && status <= 399) finish(new TargetCallError(`HTTP ${status}: redirect not followed`, status));
          else finish(new TargetCallError(`HTTP ${status}`, status));
        };
        res.on('end', done);
        res.on('close', done);
        res.on('error', () => done());
      },
    );
    const timer = setTimeout(() => {
      finish(new TargetCallError(`timed out after ${call.timeoutMs} ms`));
      req.destroy();
    }, call.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish(new TargetCallError([e.code, e.message].filter(Boolean).join(': '))));
    req.end(call.body);
  });
}
