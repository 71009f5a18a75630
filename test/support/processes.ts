import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (this file is test/support/processes.ts). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface WorkerBuild {
  /** The compiled standalone worker entry (`src/worker.js` of the build). */
  workerJs: string;
  remove(): void;
}

/** Runs a command to its end, at most `timeoutMs`; resolves with its exit code and output. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; timeoutMs: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (b: Buffer) => {
      output = (output + b.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} took more than ${opts.timeoutMs} ms:\n${output}`));
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

/**
 * Compiles the service as `npm run build` does (tsconfig.build.json, templates copied beside the
 * code), but into a private directory instead of dist/: a shared dist/ is wiped by every build
 * and may be in use by someone else. The directory resolves packages from the repository's
 * node_modules and is an ES module scope like the repository.
 */
export async function buildWorker(): Promise<WorkerBuild> {
  const out = mkdtempSync(join(tmpdir(), 'ces-worker-build-'));
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // its own build info too: tsconfig.build.json keeps dist/'s in dist/, and a build into `out`
  // that wrote it would tell the next `npm run build` that dist/ is up to date when it is not
  const r = await run(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', out, '--tsBuildInfoFile', join(out, 'tsconfig.build.tsbuildinfo')],
    {
      cwd: REPO_ROOT,
      timeoutMs: 180_000,
    },
  );
  // tsc exits 2 when it found type errors but wrote the JavaScript anyway: the worker under test
  // is still the code of src/, so run it, and show the errors rather than hide them
  if (r.code === 2) console.warn(`the build has type errors (the JavaScript was emitted):\n${r.output.slice(0, 4000)}`);
  else if (r.code !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`the build failed (exit ${r.code}):\n${r.output}`);
  }
  cpSync(join(REPO_ROOT, 'src', 'email', 'templates'), join(out, 'src', 'email', 'templates'), { recursive: true });
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  const workerJs = join(out, 'src', 'worker.js');
  if (!existsSync(workerJs)) throw new Error(`the build has no ${workerJs}`);
  return { workerJs, remove: () => rmSync(out, { recursive: true, force: true }) };
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output is kept (the last 256 KB) for the failure message. */
export class NodeProcess {
  private out = '';
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | null = null;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (b: Buffer) => {
      this.out = (this.out + b.toString('utf8')).slice(-256 * 1024);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolvePromise) => {
      child.once('exit', (code, signal) => {
        this.status = { code, signal };
        resolvePromise(this.status);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.status === null;
  }

  get output(): string {
    return this.out;
  }

  /** Sends `signal` and waits for the exit, SIGKILL after `graceMs` if it has not gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<ExitStatus> {
    if (!this.running) return this.status!;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Starts `node <script>` with exactly `env` (plus PATH), so nothing of the test runner's own
 * environment (DATABASE_URL, TEST_DB...) leaks into the process under test.
 */
export function startNode(name: string, script: string, env: Record<string, string>): NodeProcess {
  const child = spawn(process.execPath, [script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new NodeProcess(name, child);
}
