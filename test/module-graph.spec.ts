import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The shape of the Nest modules, read from the source (STYLE.md: one folder per domain module, a
 * module exports only its services, each repository owned by its module):
 * - the graph of module imports has no cycle, neither between modules nor between the folders
 *   they are in: a second module in a folder that only exists to break a cycle between two
 *   domains is still a cycle between those domains;
 * - no module exports a repository, and each repository is provided by one module only;
 * - no file outside a repository's folder imports it: other modules use the services.
 * Static: what `@Module` and the dynamic modules of `forRoot` name in `imports`, `exports` and
 * `providers` (forwardRef and lazily imported modules included), so no database is needed.
 */

const SRC = resolve(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !/\.(spec|e2e-spec|int-spec)\.ts$/.test(e.name) ? [path] : [];
  });
}

interface NestModule {
  name: string;
  /** The folder under src/ ('.' for src/ itself). */
  folder: string;
  /** Every `imports`, `exports` and `providers` list of the decorator and of the class's static methods. */
  lists: Record<'imports' | 'exports' | 'providers', ts.Expression[]>;
}

const files = sourceFiles(SRC).map((path) => ({
  path,
  source: ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true),
}));

const isModuleDecorator = (d: ts.Decorator) =>
  ts.isCallExpression(d.expression) && ts.isIdentifier(d.expression.expression) && d.expression.expression.text === 'Module';

const modules = new Map<string, NestModule>();
for (const { path, source } of files) {
  source.forEachChild(function visit(node) {
    if (ts.isClassDeclaration(node) && node.name && ts.getDecorators(node)?.some(isModuleDecorator)) {
      const m: NestModule = {
        name: node.name.text,
        folder: relative(SRC, dirname(path)) || '.',
        lists: { imports: [], exports: [], providers: [] },
      };
      // the decorator's metadata and the DynamicModule objects its static methods return
      node.forEachChild(function collect(n: ts.Node) {
        if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text in m.lists) {
          m.lists[n.name.text as keyof NestModule['lists']].push(n.initializer);
        }
        n.forEachChild(collect);
      });
      modules.set(m.name, m);
    }
    node.forEachChild(visit);
  });
}

/** The names a list refers to: identifiers and property names (`m.DeliveryModule` of a lazy import, `ConfigModule.forRoot`). */
function namesIn(lists: ts.Expression[]): Set<string> {
  const names = new Set<string>();
  const walk = (n: ts.Node) => {
    if (ts.isIdentifier(n)) names.add(n.text);
    n.forEachChild(walk);
  };
  lists.forEach(walk);
  return names;
}

const imports = new Map(
  [...modules.values()].map((m) => [m.name, [...namesIn(m.lists.imports)].filter((n) => modules.has(n) && n !== m.name)]),
);

/** The groups of nodes that reach each other (Tarjan's strongly connected components of more than one node), sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const group = stack.splice(stack.indexOf(node));
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found.sort();
}

describe('the Nest module graph', () => {
  it('is read from the source (a parse that finds nothing would pass everything)', () => {
    expect(modules.size).toBeGreaterThan(10);
    expect(imports.get('AppModule')).toEqual(
      expect.arrayContaining(['ConfigModule', 'DatabaseModule', 'AccountsModule', 'EmailModule', 'DeliveryModule']),
    );
    expect(imports.get('WorkerModule')).toEqual(expect.arrayContaining(['DeliveryModule', 'ActionDeliveryModule']));
  });

  it('has no cycle between modules', () => {
    expect(cycles(imports)).toEqual([]);
  });

  it('has no cycle between the folders of the modules (domains)', () => {
    const folders = new Map<string, string[]>();
    for (const [name, targets] of imports) {
      const from = modules.get(name)!.folder;
      const to = targets.map((t) => modules.get(t)!.folder).filter((f) => f !== from);
      folders.set(from, [...new Set([...(folders.get(from) ?? []), ...to])]);
    }
    // each group of folders that import each other, with the module imports that tie them
    const tied = cycles(folders).map((group) =>
      [...imports].flatMap(([m, targets]) => {
        const from = modules.get(m)!.folder;
        if (!group.includes(from)) return [];
        return targets
          .filter((t) => modules.get(t)!.folder !== from && group.includes(modules.get(t)!.folder))
          .map((t) => `${from}/${m} → ${modules.get(t)!.folder}/${t}`);
      }),
    );
    expect(tied).toEqual([]);
  });

  it('exports no repository', () => {
    const exported = [...modules.values()].flatMap((m) =>
      [...namesIn(m.lists.exports)].filter((n) => n.endsWith('Repository')).map((n) => `${m.name} exports ${n}`),
    );
    expect(exported).toEqual([]);
  });

  it('provides each repository in one module only', () => {
    const owners = new Map<string, string[]>();
    for (const m of modules.values()) {
      for (const n of namesIn(m.lists.providers)) if (n.endsWith('Repository')) owners.set(n, [...(owners.get(n) ?? []), m.name]);
    }
    expect(owners.size).toBeGreaterThan(5);
    expect([...owners].filter(([, by]) => by.length > 1).map(([repo, by]) => `${repo} in ${by.join(', ')}`)).toEqual([]);
  });

  it('lets no file outside a repository’s folder import it', () => {
    const outside: string[] = [];
    for (const { path, source } of files) {
      for (const statement of source.statements) {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const target = statement.moduleSpecifier.text;
        if (!target.startsWith('.') || !/\.repository\.js$/.test(target)) continue;
        const repository = resolve(dirname(path), target);
        if (dirname(repository) !== dirname(path)) outside.push(`${relative(SRC, path)} imports ${relative(SRC, repository)}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
