// `npm test`: the whole jest suite on SQLite, then on PostgreSQL (a fresh database per test
// file on the server at TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test).
// TEST_DB=sqlite or TEST_DB=postgres runs just one. Extra arguments go to jest.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// the browser tests drive Debian's Chromium; install it when missing (needs root)
if (spawnSync('bash', ['scripts/ensure-chromium.sh'], { stdio: 'inherit' }).status !== 0) process.exit(1);

const dbs = process.env.TEST_DB ? [process.env.TEST_DB] : ['sqlite', 'postgres'];
const args = process.argv.slice(2);
const out = mkdtempSync(join(tmpdir(), 'ces-jest-'));
let passed = 0;
let failed = 0;
let ok = true;
for (const db of dbs) {
  console.log(`\n=== test suite on ${db} ===`);
  const file = join(out, `${db}.json`);
  const r = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', '--json', `--outputFile=${file}`, ...args], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DB: db },
  });
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    if (report.numTotalTests === 0) ok = false;
    console.log(`${db}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  } catch {
    ok = false;
    console.log(`${db}: jest produced no report`);
  }
  if (r.status !== 0) ok = false;
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
