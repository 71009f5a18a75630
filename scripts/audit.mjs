// `node scripts/audit.mjs`: `npm audit --omit=dev --json` for the production dependencies.
//   - the advisory service answers: exit 1 when any vulnerability is high or critical (each one
//     is printed), else print a summary and exit 0;
//   - the advisory service cannot be reached or refuses (some registries and mirrors answer
//     the bulk-advisory POST with 405): print one line saying so and exit 0 — nothing was checked;
//   - npm audit fails for another reason (no lockfile, broken install): print it and exit 1.
// `--input <file>` reads a saved `npm audit --json` report instead of running npm (to check
// this script itself, or to judge a report made elsewhere).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TIMEOUT_MS = 120_000;
const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'];
const BLOCKING = new Set(['high', 'critical']);
// npm's and Node's codes for a registry that is not there or not answering
const NETWORK_CODES = /^(E(NOTFOUND|CONNREFUSED|CONNRESET|TIMEDOUT|AI_AGAIN|HOSTUNREACH|NETUNREACH|PIPE|PROTO)|ERR_SOCKET_TIMEOUT|UND_ERR_\w+|ECONNABORTED)$/;

function unavailable(reason) {
  console.log(`npm audit: advisory service unavailable here (${reason}); not checked`);
  process.exit(0);
}

function fail(message) {
  console.error(`npm audit: ${message}`);
  process.exit(1);
}

/** The report and how npm ended, from `--input` or from running npm. */
function runAudit() {
  const i = process.argv.indexOf('--input');
  if (i !== -1) {
    const file = process.argv[i + 1];
    if (!file) fail('--input needs a file');
    return { stdout: readFileSync(file, 'utf8'), stderr: '', status: null };
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  if (r.error?.code === 'ETIMEDOUT') unavailable(`no answer within ${TIMEOUT_MS / 1000} s`);
  if (r.error) fail(`could not run npm: ${r.error.message}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const { stdout, stderr, status } = runAudit();
const firstLine = (text) => text.split('\n').map((l) => l.replace(/^npm (error|warn|ERR!)\s*/, '').trim()).find(Boolean) ?? '';

let report;
try {
  report = JSON.parse(stdout);
} catch {
  // no JSON at all: npm itself could not talk to the registry, or failed before auditing
  const line = firstLine(stderr) || `npm exited with ${status}`;
  if (/audit endpoint|ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|socket hang up|network/i.test(line)) unavailable(line);
  fail(line);
}

const counts = report?.metadata?.vulnerabilities;
if (!counts || typeof counts !== 'object') {
  // an error report: `{ statusCode, message }` for an HTTP refusal, `{ error: { code, summary } }` otherwise
  const code = report?.error?.code ?? report?.code;
  const httpStatus = report?.statusCode ?? report?.error?.statusCode;
  const message = String(report?.message ?? report?.error?.summary ?? firstLine(stderr) ?? 'no report').split('\n')[0];
  if (typeof httpStatus === 'number') unavailable(`the registry answered ${message.includes(String(httpStatus)) ? message : `${httpStatus} ${message}`}`);
  if (typeof code === 'string' && NETWORK_CODES.test(code)) unavailable(`${code}: ${message}`);
  fail(`no audit report (${code ? `${code}: ` : ''}${message})`);
}

// npm ≥ 7 (auditReportVersion 2): one entry per vulnerable package; `via` holds advisories or the
// names of the vulnerable packages it depends on
const blocking = Object.values(report.vulnerabilities ?? {}).filter((v) => BLOCKING.has(v.severity));
const summary = SEVERITIES.map((s) => `${s} ${counts[s] ?? 0}`).join(', ');
const total = counts.total ?? SEVERITIES.reduce((n, s) => n + (counts[s] ?? 0), 0);

if (blocking.length > 0 || (counts.high ?? 0) + (counts.critical ?? 0) > 0) {
  console.log(`npm audit: ${total} vulnerabilities in production dependencies (${summary})`);
  for (const v of blocking.sort((x, y) => SEVERITIES.indexOf(y.severity) - SEVERITIES.indexOf(x.severity) || x.name.localeCompare(y.name))) {
    const advisories = (v.via ?? []).map((a) => (typeof a === 'string' ? `via ${a}` : `${a.title ?? 'advisory'}${a.url ? ` (${a.url})` : ''}`));
    const fix = v.fixAvailable === true ? 'fix available' : v.fixAvailable && typeof v.fixAvailable === 'object' ? `fix: ${v.fixAvailable.name}@${v.fixAvailable.version}` : 'no fix available';
    console.log(`  ${v.severity.toUpperCase()} ${v.name} ${v.range ?? ''} — ${advisories.join('; ') || 'no details'} — ${fix}`);
  }
  process.exit(1);
}
console.log(`npm audit: ${total} vulnerabilities in production dependencies (${summary}); none high or critical`);
process.exit(0);
