import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { buildWorker, ExitStatus, NodeProcess, REPO_ROOT } from './processes.js';

/** The service compiled as `npm run build` does (see `buildWorker`), with both of its entries. */
export interface ServerBuild {
  mainJs: string;
  workerJs: string;
  remove(): void;
}

export async function buildServer(): Promise<ServerBuild> {
  const build = await buildWorker();
  const mainJs = join(dirname(build.workerJs), 'main.js');
  if (!existsSync(mainJs)) {
    build.remove();
    throw new Error(`the build has no ${mainJs}`);
  }
  return { mainJs, workerJs: build.workerJs, remove: build.remove };
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const MAX_KEPT = 32 * 1024 * 1024;

/**
 * `node <script>` as an operator runs it: exactly `env` (plus PATH), its stdout and stderr kept
 * whole and apart (the logs are what some tests read), stopped through `NodeProcess`.
 */
export class LoggedProcess {
  readonly proc: NodeProcess;
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  private outSize = 0;
  private errSize = 0;
  private signalledAt: number | null = null;

  constructor(name: string, script: string, env: Record<string, string>) {
    const child = spawn(process.execPath, [script], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b: Buffer) => {
      if ((this.outSize += b.length) <= MAX_KEPT) this.out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if ((this.errSize += b.length) <= MAX_KEPT) this.err.push(b);
    });
    this.proc = new NodeProcess(name, child);
  }

  get stdout(): string {
    return Buffer.concat(this.out).toString('utf8');
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString('utf8');
  }

  /** stdout split into lines; each should be one JSON log record. */
  get stdoutLines(): string[] {
    return this.stdout.split('\n').filter((l) => l.trim() !== '');
  }

  /** The stdout lines that parse as JSON objects (the log records). */
  get records(): LogRecord[] {
    return this.stdoutLines.flatMap((l) => {
      try {
        const v = JSON.parse(l);
        return v && typeof v === 'object' ? [v as LogRecord] : [];
      } catch {
        return [];
      }
    });
  }

  get running(): boolean {
    return this.proc.running;
  }

  /** Sends `signal` without waiting; `exit()` then tells how and how fast it went. */
  signal(signal: NodeJS.Signals): void {
    this.signalledAt = Date.now();
    process.kill(this.proc.pid!, signal);
  }

  /** Waits at most `timeoutMs` for the exit (SIGKILL after that); the status and the ms since `signal()`. */
  async exit(timeoutMs: number): Promise<{ status: ExitStatus; ms: number; killed: boolean }> {
    let killed = false;
    const timer = setTimeout(() => {
      if (this.proc.running) {
        killed = true;
        process.kill(this.proc.pid!, 'SIGKILL');
      }
    }, timeoutMs);
    try {
      const status = await this.proc.exited;
      return { status, ms: Date.now() - (this.signalledAt ?? Date.now()), killed };
    } finally {
      clearTimeout(timer);
    }
  }

  /** For a failure message: the tail of both streams. */
  tail(chars = 6000): string {
    return `--- stdout of ${this.proc.name}:\n${this.stdout.slice(-chars)}\n--- stderr:\n${this.stderr.slice(-2000)}`;
  }
}

/** A pino record as the service writes it. */
export interface LogRecord {
  level: number;
  time: number;
  msg?: string;
  context?: string;
  reqId?: string;
  req?: { id?: string; method?: string; path?: string; [k: string]: unknown };
  res?: { status?: number; [k: string]: unknown };
  [k: string]: unknown;
}

export interface StartedServer {
  process: LoggedProcess;
  url: string;
  port: number;
  adminToken: string;
}

/**
 * Starts the built HTTP server (`node <build>/src/main.js`) on a free loopback port and waits
 * (at most `timeoutMs`) until `/healthz` answers; fails at once, with its output, if it exits.
 * `env` must name DATABASE_URL and DATA_DIR; the admin PAT is read from `DATA_DIR/admin.pat`.
 */
export async function startServer(
  build: ServerBuild,
  name: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<StartedServer> {
  if (!env.DATA_DIR) throw new Error('startServer needs DATA_DIR');
  const port = await freePort();
  const p = new LoggedProcess(name, build.mainJs, { HOST: '127.0.0.1', PORT: String(port), GRPC_PORT: '0', ...env });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!p.running) throw new Error(`${name} exited before it answered /healthz: ${JSON.stringify(await p.proc.exited)}\n${p.tail()}`);
    const up = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await p.proc.stop('SIGKILL');
      throw new Error(`${name} did not answer /healthz within ${timeoutMs} ms\n${p.tail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const adminToken = readFileSync(join(env.DATA_DIR, 'admin.pat'), 'utf8').trim();
  return { process: p, url, port, adminToken };
}
