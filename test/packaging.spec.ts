import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import semver from 'semver';

/**
 * What package.json and package-lock.json promise about the install: the Node the project
 * claims is accepted by every locked package (no EBADENGINE), every install script is reviewed,
 * the stubbed-out optional packages resolve to the stub, and every dependency is used or
 * explained in docs/dependencies.md.
 */
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const lockedPackages = Object.entries(lock.packages as Record<string, any>).filter(([path]) => path !== '');
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('the Node the project claims', () => {
  const claimed: string = pkg.engines.node;

  it('is Node 24 LTS, and .nvmrc names a version within it', () => {
    expect(semver.minVersion(claimed)?.major).toBe(24);
    expect(semver.satisfies(readFileSync('.nvmrc', 'utf8').trim(), claimed)).toBe(true);
  });

  it('is accepted by every locked package', () => {
    const refusing = lockedPackages
      .filter(([, m]) => m.engines?.node && !semver.subset(claimed, m.engines.node))
      .map(([path, m]) => `${nameOf(path)}@${m.version} wants node ${m.engines.node}`);
    expect(refusing).toEqual([]);
  });

  it('is the one these tests run on', () => {
    expect(semver.satisfies(process.versions.node, claimed)).toBe(true);
  });
});

describe('install scripts', () => {
  it('every locked package with an install script is approved or denied in allowScripts, and no entry is stale', () => {
    const withScripts = new Set(lockedPackages.filter(([, m]) => m.hasInstallScript).map(([path]) => nameOf(path)));
    const reviewed = new Set(Object.keys(pkg.allowScripts));
    expect([...withScripts].filter((n) => !reviewed.has(n))).toEqual([]);
    expect([...reviewed].filter((n) => !withScripts.has(n))).toEqual([]);
    expect(pkg.allowScripts['@scarf/scarf']).toBe(false);
    expect(pkg.allowScripts['better-sqlite3']).toBe(true);
  });
});

describe('optional packages replaced by stubs/not-installed', () => {
  const stub = realpathSync('stubs/not-installed');
  const stubbed = Object.entries(pkg.overrides as Record<string, Record<string, string>>).flatMap(([parent, children]) =>
    Object.keys(children).map((child) => ({ parent, child })),
  );

  it.each(stubbed)('$child, from $parent, is the stub and fails to load as a missing package', ({ parent, child }) => {
    const fromParent = createRequire(join(resolve('node_modules', parent), 'package.json'));
    // nested under the parent, or hoisted to the top
    const installed = [join(resolve('node_modules', parent), 'node_modules', child), resolve('node_modules', child)].find((p) =>
      statSync(p, { throwIfNoEntry: false }),
    );
    expect(installed && realpathSync(installed)).toBe(stub);
    expect(() => fromParent(child)).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND' }));
  });

  it('the mailer still loads without them', () => {
    expect(() => createRequire(resolve('package.json'))('@nestjs-modules/mailer')).not.toThrow();
  });
});

describe('every production dependency', () => {
  /** Source under src/ and scripts/. */
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sources(path) : /\.(ts|mjs)$/.test(path) ? [readFileSync(path, 'utf8')] : [];
    });
  const code = [...sources('src'), ...sources('scripts'), readFileSync('ormconfig.ts', 'utf8')].join('\n');
  const explained = readFileSync('docs/dependencies.md', 'utf8').split('## Dependencies no code imports')[1]!.split('\n## ')[0]!;

  it.each(Object.keys(pkg.dependencies))('%s is imported, or docs/dependencies.md says why it stays', (name) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const imported = new RegExp(`(from |import\\(|import |require\\()'${escaped}(/[^']*)?'`).test(code);
    expect(imported || explained.includes(`\`${name}\``)).toBe(true);
  });
});
