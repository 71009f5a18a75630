import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { configurationRows, generateDocs, type GeneratedDocs, REGENERATE, scanErrors } from '../scripts/docs.js';

/**
 * The documentation the code generates (scripts/docs.ts) is checked in: the OpenAPI document,
 * schema.gql, the tables of docs/api.md and .env.example. A change to routes, resolvers, Connect
 * methods, error IDs or configuration fails here until `npm run docs` has been run.
 */
describe('generated documentation', () => {
  let docs: GeneratedDocs;

  beforeAll(async () => {
    docs = await generateDocs();
  });

  it.each(['docs/openapi.json', 'schema.gql', 'docs/api.md', '.env.example'])('%s is what the code generates', (file) => {
    const checkedIn = readFileSync(file, 'utf8');
    if (checkedIn !== docs.get(file))
      throw new Error(`${file} differs from what the code generates: run \`${REGENERATE}\` and commit the result`);
  });

  it('every error ID in src/ is in the table, by a form the generator reads', () => {
    const { rows, unmatched } = scanErrors();
    expect(unmatched).toEqual([]);
    // sanity: the table holds the IDs the README's examples use, with their statuses
    expect(rows.find((r) => r.id === 'COMMAND-ieJ2e')).toMatchObject({ code: 5, status: 404 });
    expect(rows.find((r) => r.id === 'REQUEST-m3Dia')).toMatchObject({ code: 3, status: 415 });
    expect(rows.find((r) => r.id === 'EMAIL-d4ily')).toMatchObject({ code: 8, status: 429 });
  });

  it('the permission table names every GraphQL operation and every Connect method the service serves', () => {
    const api = readFileSync('docs/api.md', 'utf8');
    const table = api.split('### Who may call what')[1]!.split('\n## ')[0]!;
    const graphql = [...docs.get('docs/api.md')!.matchAll(/^\| (?:query|mutation|subscription) \| `(\w+)\(/gm)].map((m) => m[1]!);
    const connect = [...api.matchAll(/^\| `\/(?:\w+\.)+\w+\/(\w+)` \|/gm)].map((m) => m[1]!);
    expect(graphql.length).toBeGreaterThan(0);
    expect(connect.length).toBeGreaterThan(0);
    const missing = [...graphql, ...connect].filter((name) => !table.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

/** Every variable src/config reads: those loadConfig asks the environment for, and those named in its source. */
function configVariables(): string[] {
  const read = new Set<string>();
  loadConfig(
    new Proxy({} as Record<string, string | undefined>, {
      get: (_t, key) => {
        if (typeof key === 'string') read.add(key);
        return undefined;
      },
    }),
  );
  for (const file of readdirSync('src/config').filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const source = readFileSync(join('src/config', file), 'utf8');
    for (const m of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)|\benv\[\s*'([A-Z][A-Z0-9_]*)'|\(\s*env\s*,\s*'([A-Z][A-Z0-9_]*)'/g))
      read.add(m[1] ?? m[2] ?? m[3]!);
  }
  return [...read].sort();
}

describe('configuration variables', () => {
  const vars = configVariables();

  it('are found (the scan works)', () => {
    expect(vars).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'CODE_HMAC_KEY', 'AUTH_JWKS_URL', 'CORS_ALLOWED_ORIGINS']));
  });

  it("each has a row in the README's Configuration table, and the table names no other", () => {
    expect(
      configurationRows()
        .map((r) => r.name)
        .sort(),
    ).toEqual(vars);
  });

  it('each has a line in .env.example', () => {
    const listed = [...readFileSync('.env.example', 'utf8').matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!).sort();
    expect(listed).toEqual(vars);
  });
});

describe('the documentation stays inside the project', () => {
  it('README.md, CONTRIBUTING.md and docs/ link to no file outside the repository', () => {
    const files = [
      'README.md',
      'CONTRIBUTING.md',
      ...readdirSync('docs')
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, outside: text.match(/shared\/|\]\(\.\.\/\.\.\/|\]\(\/(?!\/)/g) }).toEqual({ file, outside: null });
    }
  });
});
