/**
 * Helpers of the benchmark (bench/run.ts): child processes with their peak RSS, free ports,
 * HTTP set-up calls, the autocannon load, the SMTP sink and the CPU-profile summary.
 * Loopback only; every wait is bounded.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** CPU time (user + system) a process has used so far, in ms; 0 when unavailable (not Linux, process gone). */
export function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // fields after the command's closing parenthesis: state is field 3, utime 14, stime 15 (clock ticks, 100/s)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/** kB value of a /proc/<pid>/status line, or 0 when unavailable (not Linux, process gone). */
function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// children still running when this process exits (an error, Ctrl-C) are not left behind
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface Proc {
  name: string;
  child: ChildProcess;
  port: number;
  /** Peak resident set size in MB so far (VmHWM, and VmRSS sampled every 100 ms as a fallback). */
  peakRssMb(): number;
  /** The last lines the process wrote (for failure reports). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ peakRssMb: number; code: number | null; signal: string | null }>;
}

/**
 * Starts `node <args>` with exactly `env` (plus PATH/HOME), waits until GET /healthz answers
 * (bounded), and samples its memory. Its stdout and stderr go to `logFile` (as an operator's
 * log collection would take them), so that reading its logs costs the load generator nothing.
 */
export async function startProc(
  name: string,
  nodeArgs: string[],
  env: Record<string, string>,
  port: number | null,
  logFile: string,
  timeoutMs = 60_000,
): Promise<Proc> {
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[k]) base[k] = process.env[k]!;
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, nodeArgs, { env: { ...base, ...env }, stdio: ['ignore', log, log] });
  closeSync(log);
  live.add(child);
  const tailOf = () => {
    try {
      const size = statSync(logFile).size;
      const fd = openSync(logFile, 'r');
      try {
        const buf = Buffer.alloc(Math.min(size, 6000));
        readSync(fd, buf, 0, buf.length, size - buf.length);
        return buf.toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      return '';
    }
  };
  let exited: { code: number | null; signal: string | null } | null = null;
  const exitPromise = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve(exited);
    }),
  );
  let peakKb = 0;
  const sample = () => {
    if (exited || child.pid === undefined) return;
    peakKb = Math.max(peakKb, procStatusKb(child.pid, 'VmHWM'), procStatusKb(child.pid, 'VmRSS'));
  };
  const sampler = setInterval(sample, 100);
  sampler.unref();
  const proc: Proc = {
    name,
    child,
    port: port ?? 0,
    peakRssMb: () => {
      sample();
      return peakKb / 1024;
    },
    output: tailOf,
    async stop(graceMs = 15_000) {
      sample();
      clearInterval(sampler);
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exitPromise;
        clearTimeout(t);
      }
      return { peakRssMb: peakKb / 1024, ...(exited ?? { code: null, signal: null }) };
    },
  };
  if (port === null) return proc;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${name} exited during start-up (${JSON.stringify(exited)}):\n${tailOf()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return proc;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${name} did not answer /healthz within ${timeoutMs / 1000} s:\n${tailOf()}`);
    }
    await sleep(100);
  }
}

export async function post<T = any>(base: string, token: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** An organisation and `count` users in it through the API (returnCode: no mail), with a progress line. */
export async function createUsers(
  base: string,
  token: string,
  tag: string,
  count: number,
  parallel = 20,
): Promise<{ orgId: string; userIds: string[] }> {
  const org = await post<{ organizationId: string }>(base, token, '/v2/organizations', { name: `bench-${tag}` });
  const orgId = org.organizationId;
  const userIds: string[] = new Array(count);
  let next = 0;
  let done = 0;
  const progress = () => process.stdout.write(`\r  users ${done}/${count}`);
  progress();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = await post<{ userId: string }>(base, token, '/v2/users/human', {
          username: `bench-${i}`,
          organization: { orgId },
          profile: { givenName: 'Bench', familyName: `User${i}` },
          email: { email: `u${i}@bench.test`, returnCode: {} },
        });
        userIds[i] = r.userId;
        if (++done % 100 === 0 || done === count) progress();
      }
    }),
  );
  process.stdout.write('\n');
  return { orgId, userIds };
}

export interface Figures {
  rps: number;
  /** CPU time of the server process per answered request, in µs (user + system). */
  cpuUsPerReq: number;
  p50: number;
  p99: number;
  total: number;
  ok: number;
  /** non-2xx + socket errors/timeouts + GraphQL `errors` in a 200 answer */
  errors: number;
  sample?: string;
}

export type Mode = 'sendCode' | 'returnCode';

const SET_EMAIL_MUTATION: Record<Mode, string> = {
  sendCode: 'mutation($i: SetContactEmailInput!){ setContactEmail(input:$i){ details { sequence changeDate resourceOwner } } }',
  returnCode:
    'mutation($i: SetContactEmailInput!){ setContactEmail(input:$i){ details { sequence changeDate resourceOwner } verificationCode } }',
};

export const UPDATE_USER_MUTATION = 'mutation($i: UpdateUserInput!){ updateUser(input:$i){ changeDate emailCode details { sequence } } }';

/**
 * SetEmail under load: `connections` connections for `duration` s, each request a new address
 * for the next user (round-robin); sendCode is the default (no verification field in the body),
 * returnCode asks for the code in the answer (no outbox row). `pid`: the server process, whose
 * CPU time is read before and after.
 */
export async function drive(opts: {
  base: string;
  token: string;
  userIds: string[];
  kind: 'rest' | 'graphql';
  mode: Mode;
  tag: string;
  connections: number;
  duration: number;
  pid?: number;
  /** `updateUser`: the same change through UpdateUser's human.email (PATCH / updateUser) instead of SetEmail. */
  op?: 'setEmail' | 'updateUser';
}): Promise<Figures> {
  const { base, token, userIds, kind, tag, mode } = opts;
  const update = opts.op === 'updateUser';
  const cpuBefore = procCpuMs(opts.pid);
  let n = 0;
  let gqlErrors = 0;
  let sample: string | undefined;
  const result = await autocannon({
    url: base,
    connections: opts.connections,
    duration: opts.duration,
    timeout: 10,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => {
          const i = n++;
          const userId = userIds[i % userIds.length]!;
          const email = `${tag}-${i}@bench.test`;
          if (update) {
            // UpdateUser's human.email: SetHumanEmail with the same verification choice
            const human = { email: mode === 'returnCode' ? { email, returnCode: kind === 'rest' ? {} : true } : { email } };
            if (kind === 'rest') {
              req.method = 'PATCH';
              req.path = `/v2/users/${userId}`;
              req.body = JSON.stringify({ human });
            } else {
              req.path = '/graphql';
              req.body = JSON.stringify({ query: UPDATE_USER_MUTATION, variables: { i: { userId, human } } });
            }
          } else if (kind === 'rest') {
            req.path = `/v2/users/${userId}/email`;
            req.body = JSON.stringify(mode === 'returnCode' ? { email, returnCode: {} } : { email });
          } else {
            req.path = '/graphql';
            const i = mode === 'returnCode' ? { userId, email, returnCode: true } : { userId, email };
            req.body = JSON.stringify({ query: SET_EMAIL_MUTATION[mode], variables: { i } });
          }
          return req;
        },
        onResponse: (status, body) => {
          const gqlError = kind === 'graphql' && body.includes('"errors"');
          if (gqlError) gqlErrors++;
          if (status < 200 || status > 299 || gqlError) sample ??= `${status} ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  const errors = result.non2xx + result.errors + gqlErrors;
  const cpuMs = procCpuMs(opts.pid) - cpuBefore;
  return {
    rps: result.requests.mean,
    cpuUsPerReq: opts.pid !== undefined && result.requests.total > 0 ? (cpuMs * 1000) / result.requests.total : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    ok: result['2xx'] - gqlErrors,
    errors,
    sample,
  };
}

/** A local SMTP sink (no TLS, no auth) that counts the messages it is handed. */
export async function startSmtpSink(): Promise<{
  port: number;
  count(): number;
  firstAt(): number | null;
  lastAt(): number | null;
  close(): Promise<void>;
}> {
  let count = 0;
  let first: number | null = null;
  let last: number | null = null;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    banner: 'bench sink',
    maxClients: 200,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        count++;
        const now = Date.now();
        first ??= now;
        last = now;
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    count: () => count,
    firstAt: () => first,
    lastAt: () => last,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * Self time of a .cpuprofile: the top functions (function name + script:line) and the share per
 * package (node_modules/<pkg>, the service's dist/src, node internals, GC, idle).
 */
export function summariseCpuProfile(
  path: string,
  top = 15,
  skipMs = 0,
): { functions: { name: string; ms: number; pct: number }[]; packages: { name: string; ms: number; pct: number }[]; totalMs: number } {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let total = 0;
  let at = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    at += (prof.timeDeltas[i] ?? 0) / 1000;
    if (at < skipMs) continue;
    const node = byId.get(prof.samples[i]!);
    // the time until the next sample belongs to this one
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    if (!node) continue;
    const raw = node.callFrame.url;
    const url = raw.replace(/^file:\/\/.*?\/node_modules\//, 'node_modules/').replace(/^file:\/\/.*?\/dist\//, 'dist/');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${node.callFrame.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.startsWith('dist/')
        ? url.split('/').slice(0, 3).join('/')
        : url.startsWith('node:')
          ? 'node internals'
          : node.callFrame.functionName.startsWith('(')
            ? node.callFrame.functionName
            : `native ${node.callFrame.functionName || '(anonymous)'}`);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + dt);
    total += dt;
  }
  const rank = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms, pct: (100 * ms) / total }));
  return { functions: rank(self, top), packages: rank(pkgs, 15), totalMs: total };
}
