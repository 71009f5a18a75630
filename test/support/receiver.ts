import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCall {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw bytes of the body, as a receiver must verify them. */
  raw: Buffer;
  body: any;
  /** The status the receiver answered. */
  status: number;
}

/**
 * An action target: a real HTTP server on 127.0.0.1 that records every call and answers with
 * what `plan(path, n)` says (n: the how-many-th call of that path, from 1); 200 by default.
 */
export class Receiver {
  readonly calls: ReceivedCall[] = [];
  plan: (path: string, n: number) => number | 'hang' = () => 200;
  /** How long each answer waits (calls are then in flight for that long). */
  delayMs = 0;
  /** The most calls of each path that were in flight at once (received, not yet answered). */
  readonly maxInFlight = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private server: Server | null = null;
  port = 0;

  async start(port = 0): Promise<this> {
    const counts = new Map<string, number>();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const n = (counts.get(path) ?? 0) + 1;
        counts.set(path, n);
        const answer = this.plan(path, n);
        const raw = Buffer.concat(chunks);
        let body: unknown = null;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          /* kept raw */
        }
        this.calls.push({ path, headers: req.headers, raw, body, status: answer === 'hang' ? 0 : answer });
        const now = (this.inFlight.get(path) ?? 0) + 1;
        this.inFlight.set(path, now);
        this.maxInFlight.set(path, Math.max(now, this.maxInFlight.get(path) ?? 0));
        res.on('close', () => this.inFlight.set(path, (this.inFlight.get(path) ?? 1) - 1));
        if (answer === 'hang') return;
        setTimeout(() => {
          res.writeHead(answer, { 'content-type': 'application/json' });
          res.end('{}');
        }, this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  callsTo(path: string): ReceivedCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Polls `probe` until it returns a value (not undefined), at most `timeoutMs`. */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
