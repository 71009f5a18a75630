import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startApp } from './support/app.js';
import { Api, rest } from './support/client.js';
import { freshDatabase } from './support/database.js';
import { REPO_ROOT, startNode } from './support/processes.js';
import { buildServer, ServerBuild, startServer } from './support/server-process.js';
import { SmtpSink } from './support/smtp-sink.js';

/**
 * Spec §7.8 (secrets at rest: key material, atomic key creation, file modes) and the start-time
 * refusals of §7.5 and §7.12, against the built service as an operator runs it.
 */

const mode = (path: string) => statSync(path).mode & 0o777;
const scratch = () => mkdtempSync(join(tmpdir(), 'ces-secrets-'));

describe('§7.8 file modes: secrets readable by the service user only', () => {
  it('a pre-existing 0644 admin PAT file is 0600 after the first start wrote the token, and again after a later start', async () => {
    const dir = scratch();
    const patPath = join(dir, 'admin.pat');
    writeFileSync(patPath, 'left over\n', { mode: 0o644 });
    chmodSync(patPath, 0o644);
    const t = await startApp({ ADMIN_PAT_PATH: patPath });
    try {
      expect(mode(patPath)).toBe(0o600);
      expect(readFileSync(patPath, 'utf8').trim()).toBe(t.adminToken);
      await t.app.close();
      chmodSync(patPath, 0o644);
      const again = await startApp({ ADMIN_PAT_PATH: patPath }, { db: t.db, sink: t.sink });
      await again.app.close();
      expect(mode(patPath)).toBe(0o600);
    } finally {
      await t.sink.close();
      await t.db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mails written to MAIL_DIR are 0600 in a 0700 folder (even a folder that was 0755)', async () => {
    const dir = scratch();
    const mailDir = join(dir, 'mail');
    mkdirSync(mailDir, { mode: 0o755 });
    chmodSync(mailDir, 0o755);
    const t = await startApp({ SMTP_URL: '', MAIL_DIR: mailDir });
    try {
      const api = new Api(t.url, t.adminToken);
      const userId = await api.addUser(await api.addOrganization('Mail Dir Org'), 'eml-user');
      expect(
        (await rest(t.url, 'POST', `/v2/users/${userId}/email`, { email: 'eml-new@example.com', sendCode: {} }, t.adminToken)).status,
      ).toBe(200);
      for (let i = 0; i < 100 && readdirSync(mailDir).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const files = readdirSync(mailDir);
      expect(files.length).toBeGreaterThan(0);
      expect(mode(mailDir)).toBe(0o700);
      for (const f of files) expect([f, mode(join(mailDir, f))]).toEqual([f, 0o600]);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the SQLite database, its -wal and -shm files and the generated key file are 0600 (an older 0644 database too)', async () => {
    // SQLite whatever TEST_DB says: the rule is about SQLite's files
    const dir = scratch();
    const dbPath = join(dir, 'app.db');
    const first = await startApp({ DATABASE_URL: `sqlite:${dbPath}`, DATA_DIR: join(dir, 'data') });
    try {
      const api = new Api(first.url, first.adminToken);
      await api.addUser(await api.addOrganization('SQLite Org'), 'sqlite-user');
      for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, join(dir, 'data', 'code-hmac.key')]) {
        expect([f, existsSync(f) && mode(f)]).toEqual([f, 0o600]);
      }
      await first.app.close();
      for (const f of [dbPath, join(dir, 'data', 'code-hmac.key')]) chmodSync(f, 0o644);
      const again = await startApp({ DATABASE_URL: `sqlite:${dbPath}`, DATA_DIR: join(dir, 'data') }, { db: first.db, sink: first.sink });
      await again.app.close();
      for (const f of [dbPath, join(dir, 'data', 'code-hmac.key')]) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      await first.sink.close();
      await first.db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('against the built service', () => {
  let build: ServerBuild;

  beforeAll(async () => {
    build = await buildServer();
  }, 240_000);
  afterAll(() => build?.remove());

  /** Starts an entry with `env` and waits for its exit: it must stop at once with one line on stderr. */
  async function refusedStart(script: string, env: Record<string, string>): Promise<string> {
    const p = startNode('refused', script, env);
    const timer = setTimeout(() => void p.stop('SIGKILL'), 30_000);
    const status = await p.exited;
    clearTimeout(timer);
    expect(status.code).toBe(1);
    const lines = p.output.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  describe('the start stops with one clear line', () => {
    let dir: string;
    beforeEach(() => {
      dir = scratch();
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const env = (extra: Record<string, string>) => ({
      DATABASE_URL: `sqlite:${join(dir, 'app.db')}`,
      DATA_DIR: join(dir, 'data'),
      PORT: '0',
      GRPC_PORT: '0',
      HOST: '127.0.0.1',
      ...extra,
    });

    it.each(['main', 'worker'])('§7.8 %s: an empty code-hmac.key (HMAC with an empty key) is refused', async (entry) => {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'code-hmac.key'), '');
      const line = await refusedStart(entry === 'main' ? build.mainJs : build.workerJs, env({}));
      expect(line).toBe(
        `configuration error: the code key file ${join(dir, 'data', 'code-hmac.key')} holds 0 bytes, at least 32 are needed (base64url); restore it, or set CODE_HMAC_KEY`,
      );
    });

    it('§7.8 a key file of 31 bytes is refused', async () => {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'code-hmac.key'), Buffer.alloc(31, 7).toString('base64url'));
      expect(await refusedStart(build.mainJs, env({}))).toContain('holds 31 bytes, at least 32 are needed');
    });

    it.each([
      ['§7.8', { CODE_HMAC_KEY: 'k'.repeat(31) }, 'configuration error: CODE_HMAC_KEY must be at least 32 bytes'],
      ['§7.5', { TRUST_PROXY: 'true' }, 'configuration error: TRUST_PROXY must be the number of proxies in front'],
      [
        '§7.12',
        { EMAIL_CODE_LENGTH: '4' },
        'configuration error: EMAIL_CODE_LENGTH × log2(EMAIL_CODE_ALPHABET size) must be at least 30 bits',
      ],
      ['§7.12', { EMAIL_CODE_MAX_ATTEMPTS: '1000' }, 'configuration error: EMAIL_CODE_MAX_ATTEMPTS must be at most 10, got 1000'],
    ])('%s %j', async (_, extra, start) => {
      const line = await refusedStart(build.mainJs, env(extra));
      expect(line.startsWith(start)).toBe(true);
    });
  });

  it('§7.8 six processes creating the key on one empty directory at once all end up with one key', async () => {
    // the compiled SecretBox, as the API and the worker construct it at start
    const secretBox = pathToFileURL(join(dirname(build.mainJs), 'common', 'secret-box.js')).href;
    const script = `import('reflect-metadata').then(() => import(${JSON.stringify(secretBox)})).then((m) => {
      const box = new m.SecretBox({ codeHmacKey: undefined, dataDir: process.env.DATA_DIR });
      process.stdout.write('HMAC=' + box.hmac('probe') + '\\n');
    });`;
    for (let round = 0; round < 3; round++) {
      const dataDir = join(scratch(), 'data');
      const outputs = await Promise.all(
        Array.from(
          { length: 6 },
          () =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
                cwd: REPO_ROOT,
                env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, NODE_PATH: join(REPO_ROOT, 'node_modules') },
                stdio: ['ignore', 'pipe', 'pipe'],
              });
              let out = '';
              let err = '';
              child.stdout.on('data', (b: Buffer) => (out += b.toString()));
              child.stderr.on('data', (b: Buffer) => (err += b.toString()));
              // the one that created the key also logs that it did: only the probe's line counts
              child.on('exit', (code) =>
                code === 0 ? resolve(/^HMAC=(.*)$/m.exec(out)?.[1] ?? out) : reject(new Error(`exit ${code}: ${err}`)),
              );
            }),
        ),
      );
      expect(new Set(outputs).size).toBe(1);
      expect(outputs[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const keyFile = join(dataDir, 'code-hmac.key');
      expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64url')).toHaveLength(32);
      expect(mode(keyFile)).toBe(0o600);
      // no temporary files left behind
      expect(readdirSync(dataDir)).toEqual(['code-hmac.key']);
      rmSync(dirname(dataDir), { recursive: true, force: true });
    }
  }, 120_000);

  it('§7.8 an API and a mail worker started together on an empty DATA_DIR share one key: the worker delivers what the API sealed', async () => {
    const db = await freshDatabase();
    const sink = await new SmtpSink().start();
    const dataDir = join(db.dir, 'data');
    const env = {
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      LOG_LEVEL: 'warn',
      OUTBOX_POLL_MS: '100',
      EMAIL_RESEND_COOLDOWN_SECONDS: '0',
    };
    const worker = startNode('worker', build.workerJs, env);
    try {
      const api = await startServer(build, 'api', { ...env, MAIL_WORKER: 'off' });
      try {
        const client = new Api(api.url, api.adminToken);
        const userId = await client.addUser(await client.addOrganization('Race Org'), 'race-user');
        const to = 'race-user-new@example.com';
        expect((await rest(api.url, 'POST', `/v2/users/${userId}/email`, { email: to, sendCode: {} }, api.adminToken)).status).toBe(200);
        const mail = await sink.waitForMailTo(to, 1, 20_000);
        expect(mail.text).toMatch(/\(Code [A-Z0-9]{6}\)/);
        expect(readdirSync(dataDir).filter((f) => f.includes('code-hmac'))).toEqual(['code-hmac.key']);
      } finally {
        await api.process.proc.stop();
      }
    } finally {
      await worker.stop();
      await sink.close();
      await db.drop();
    }
  }, 120_000);
});
