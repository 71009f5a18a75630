import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.js';
import { rest } from './support/client.js';
import { freshDatabase, TestDatabase } from './support/database.js';

describe('first start on an empty database', () => {
  // each case starts from its own empty database: neither relies on what the other left
  let db: TestDatabase;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(() => db.drop());

  /** An instance on the case's database, with the PAT file at one place for every instance. */
  const configFor = (n: number) =>
    loadConfig({
      DATABASE_URL: db.url,
      DATA_DIR: join(db.dir, `data${n}`),
      ADMIN_PAT_PATH: join(db.dir, 'admin.pat'),
      CODE_HMAC_KEY: 'bootstrap-test-key-0123456789abcdef-xyz',
      LOG_LEVEL: 'silent',
      MAIL_WORKER: 'off',
    });

  it('two instances starting at once create one default organisation and one admin; the PAT file works', async () => {
    const apps = await Promise.all([createApp(configFor(1)), createApp(configFor(2))]);
    try {
      // init runs the bootstrap hooks; both at once
      await Promise.all(apps.map((a) => a.init()));
      const ds = apps[0]!.get(DataSource);
      const orgs = await ds.query('SELECT name FROM organizations');
      expect(orgs).toEqual([{ name: 'DEFAULT' }]);
      const admins = await ds.query("SELECT id FROM users WHERE username = 'admin'");
      expect(admins).toHaveLength(1);

      const patPath = join(db.dir, 'admin.pat');
      expect(existsSync(patPath)).toBe(true);
      expect(statSync(patPath).mode & 0o777).toBe(0o600);
      const token = readFileSync(patPath, 'utf8').trim();
      await apps[1]!.listen(0, '127.0.0.1');
      const url = (await apps[1]!.getUrl()).replace('[::1]', '127.0.0.1');
      const me = await rest(url, 'GET', `/v2/users/${admins[0].id}`, undefined, token);
      expect(me.status).toBe(200);
      expect(me.body.user.username).toBe('admin');
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
  });

  it('a second start on the same database creates nothing and leaves the PAT file alone', async () => {
    const patPath = join(db.dir, 'admin.pat');
    const first = await createApp(configFor(1));
    await first.init();
    await first.close();
    const before = readFileSync(patPath, 'utf8');
    const app = await createApp(configFor(2));
    try {
      await app.init();
      const [{ n }] = await app.get(DataSource).query('SELECT COUNT(*) AS n FROM organizations');
      expect(Number(n)).toBe(1);
      expect(readFileSync(patPath, 'utf8')).toBe(before);
    } finally {
      await app.close();
    }
  });
});
