// The generated parts of the documentation, from the code: `npm run docs` writes them, and
// test/docs.e2e-spec.ts fails when a checked-in copy differs from what the code generates.
//   docs/openapi.json   the OpenAPI document that GET /openapi.json serves
//   schema.gql          the GraphQL schema the code-first resolvers produce
//   docs/api.md         the tables between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`:
//                       HTTP routes, GraphQL operations, Connect methods, error IDs, configuration
import 'reflect-metadata';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { isNonNullType, printSchema, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createApp, httpRoutes } from '../src/app.factory.js';
import { AppError, Code } from '../src/common/errors/app-error.js';
import { codeName, statusOfError } from '../src/common/errors/error-mapping.js';
import { loadConfig } from '../src/config/config.js';
import { connectServices } from '../src/connect/connect-handlers.js';
import { ROLE_PERMISSIONS } from '../src/auth/permissions.js';
import { buildOpenApiDocument } from '../src/openapi/openapi.js';

export const REGENERATE = 'npm run docs';

/** Files (relative to the repository root) and their generated content. */
export type GeneratedDocs = Map<string, string>;

/** The app, built but not listening, on a throw-away SQLite database, without a mail worker. */
async function withApp<T>(fn: (app: NestFastifyApplication) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ces-docs-'));
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'docs.db')}`, DATA_DIR: dir, MAIL_WORKER: 'off', LOG_LEVEL: 'silent' });
  const app = await createApp(config);
  try {
    await app.init();
    return await fn(app);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function routesTable(app: NestFastifyApplication): string {
  const methods = new Map<string, Set<string>>();
  for (const { method, url } of httpRoutes(app)) {
    if (method === 'HEAD') continue; // Fastify answers HEAD beside every GET
    methods.set(url, (methods.get(url) ?? new Set()).add(method));
  }
  const rows = [...methods].sort(([a], [b]) => a.localeCompare(b)).map(([url, m]) => [`\`${url}\``, [...m].sort().join(', ')]);
  return table(['path', 'methods'], rows);
}

function graphqlTable(app: NestFastifyApplication): string {
  const schema = app.get(GraphQLSchemaHost).schema;
  const rows: string[][] = [];
  for (const [kind, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const) {
    if (!type) continue;
    const fields = Object.values((type as GraphQLObjectType).getFields()) as GraphQLField<unknown, unknown>[];
    for (const f of fields.sort((a, b) => a.name.localeCompare(b.name))) {
      const args = f.args.map((a) => `${a.name}${isNonNullType(a.type) ? '' : '?'}: ${String(a.type)}`).join(', ');
      rows.push([kind, `\`${f.name}(${args})\``, `\`${String(f.type)}\``, cell(f.description ?? '')]);
    }
  }
  return table(['kind', 'operation', 'returns', 'description'], rows);
}

function connectTable(): string {
  const rows: string[][] = [];
  // the implementations are only listed, never called: no pipeline needed
  for (const { service, implementation } of connectServices(null as never)) {
    for (const method of service.methods) {
      const served = Object.prototype.hasOwnProperty.call(implementation, method.localName);
      if (served) rows.push([`\`/${service.typeName}/${method.name}\``, method.methodKind]);
    }
  }
  return `${table(['path (Connect, gRPC-web on PORT; gRPC on GRPC_PORT)', 'kind'], rows)}\n\nEvery other method of these services answers \`Unimplemented\` (code 12).`;
}

function rolesTable(): string {
  return table(
    ['role', 'permissions'],
    Object.entries(ROLE_PERMISSIONS).map(([role, permissions]) => [`\`${role}\``, permissions.map((p) => `\`${p}\``).join(', ')]),
  );
}

/** Every file under src/ that is not a test. */
function sourceFiles(dir = 'src'): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** An error ID: AREA-xxxxx (house rule: 5 to 10 characters after the dash). */
export const ERROR_ID = /^[A-Z]+-[A-Za-z0-9]{5,10}$/;

const FACTORY_CODES: Record<string, Code> = {
  invalidArgument: Code.INVALID_ARGUMENT,
  notFound: Code.NOT_FOUND,
  alreadyExists: Code.ALREADY_EXISTS,
  permissionDenied: Code.PERMISSION_DENIED,
  failedPrecondition: Code.FAILED_PRECONDITION,
  unauthenticated: Code.UNAUTHENTICATED,
  aborted: Code.ABORTED,
  resourceExhausted: Code.RESOURCE_EXHAUSTED,
  unavailable: Code.UNAVAILABLE,
  internal: Code.INTERNAL,
  unimplemented: Code.UNIMPLEMENTED,
};

export interface ErrorRow {
  id: string;
  code: Code;
  status: number;
  message: string;
  files: string[];
}

/**
 * The error IDs the source raises, from the ways src/common/errors/app-error.ts offers to make
 * one: its factories (`notFound('COMMAND-ieJ2e', 'Email not found')`), `badRequestBody(415, ...)`
 * and `new AppError(Code.X, 'ID', ...)`, and extensions written as `{ grpcCode: Code.X, ..., id: 'ID' }`. `unmatched` lists ID-like string literals that none of
 * these forms explains (the test fails on them, so a new form cannot slip past the table).
 */
export function scanErrors(): { rows: ErrorRow[]; unmatched: string[] } {
  // a message in quotes, or a template literal (its \${...} shown as {...})
  const str = `(?:'((?:[^'\\\\]|\\\\.)*)'|\`((?:[^\`\\\\]|\\\\.)*)\`)`;
  const text = (m: RegExpExecArray, i: number) => (m[i] ?? m[i + 1]?.replace(/\$\{([^}]*)\}/g, '{$1}'))?.replace(/\\(.)/g, '$1');
  const forms: { re: RegExp; row: (m: RegExpExecArray) => Omit<ErrorRow, 'files' | 'status'> & { httpStatus?: number } }[] = [
    {
      re: new RegExp(`\\b(${Object.keys(FACTORY_CODES).join('|')})\\(\\s*'([A-Z]+-[A-Za-z0-9]+)'(?:\\s*,\\s*${str})?`, 'g'),
      row: (m) => ({
        id: m[2]!,
        code: FACTORY_CODES[m[1]!]!,
        message: text(m, 3) ?? (m[1] === 'internal' ? 'Internal error' : '(varies)'),
      }),
    },
    {
      re: new RegExp(`\\bbadRequestBody\\(\\s*(\\d{3})\\s*,\\s*'([A-Z]+-[A-Za-z0-9]+)'\\s*,\\s*${str}`, 'g'),
      row: (m) => ({ id: m[2]!, code: Code.INVALID_ARGUMENT, message: text(m, 3)!, httpStatus: Number(m[1]) }),
    },
    {
      // an error made directly in a transport's own shape, e.g. GraphQL's extensions; its message varies
      re: /\bgrpcCode:\s*Code\.([A-Z_]+)\b[^}]*?\bid:\s*'([A-Z]+-[A-Za-z0-9]+)'/g,
      row: (m) => ({ id: m[2]!, code: Code[m[1]! as keyof typeof Code], message: '(varies)' }),
    },
    {
      re: new RegExp(`\\bnew AppError\\(\\s*Code\\.([A-Z_]+)\\s*,\\s*'([A-Z]+-[A-Za-z0-9]+)'\\s*,\\s*${str}`, 'g'),
      row: (m) => ({ id: m[2]!, code: Code[m[1]! as keyof typeof Code], message: text(m, 3)! }),
    },
  ];
  const byId = new Map<string, ErrorRow>();
  const literals = new Map<string, string>();
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8');
    const name = relative('.', file);
    for (const m of text.matchAll(/'([A-Z]+-[A-Za-z0-9]+)'/g)) literals.set(m[1]!, name);
    for (const form of forms) {
      for (const m of text.matchAll(form.re)) {
        const { httpStatus, ...row } = form.row(m);
        const status = statusOfError(new AppError(row.code, row.id, row.message, { httpStatus }));
        const known = byId.get(row.id);
        if (known) {
          if (!known.files.includes(name)) known.files.push(name);
        } else byId.set(row.id, { ...row, status, files: [name] });
      }
    }
  }
  const unmatched = [...literals].filter(([id]) => ERROR_ID.test(id) && !byId.has(id)).map(([id, file]) => `${id} (${file})`);
  const rows = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { rows, unmatched };
}

function errorsTable(): string {
  return table(
    ['ID', 'code', 'HTTP', 'message', 'raised in'],
    scanErrors().rows.map((r) => [
      `\`${r.id}\``,
      `${r.code} ${codeName(r.code)}`,
      String(r.status),
      cell(r.message),
      r.files.map((f) => `\`${f}\``).join(', '),
    ]),
  );
}

/** The README's Configuration table, as it stands (its rows are checked against src/config by the test). */
export function readmeConfigurationTable(readme = readFileSync('README.md', 'utf8')): string {
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .join('\n');
}

/** The variables of the README's Configuration table: name, default cell, meaning. */
export function configurationRows(readme?: string): { name: string; def: string; meaning: string }[] {
  return readmeConfigurationTable(readme)
    .split('\n')
    .slice(2)
    .map((line) => line.split(/(?<!\\)\|/).map((c) => c.trim()))
    .map(([, name, def, ...meaning]) => ({ name: name!.replace(/`/g, ''), def: def!, meaning: meaning.slice(0, -1).join(' | ') }));
}

/** Markdown to plain text, for comments. */
const plain = (md: string) =>
  md
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .replace(/\\\|/g, '|');

/** .env.example: every variable, commented out with its default, so a copy changes nothing until edited. */
export function envExample(readme?: string): string {
  const head = [
    '# Every setting of the service, with its default. The service reads its process environment only',
    '# (it loads no .env file): copy this for your process manager or container (e.g. docker --env-file)',
    "# and remove the # of the lines you change. Generated from the README's Configuration table by",
    `# \`${REGENERATE}\`.`,
  ];
  const blocks = configurationRows(readme).map(({ name, def, meaning }) => {
    const value = /^`[^`]*`$/.test(def) && !def.includes('–') ? def.slice(1, -1) : '';
    return `# ${plain(meaning)}${value ? '' : ` (default: ${plain(def)})`}\n#${name}=${value}`;
  });
  return `${head.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}

const BEGIN = (name: string) => `<!-- generated:${name} (${REGENERATE}) -->`;
const END = (name: string) => `<!-- /generated:${name} -->`;

/** `text` with every generated section replaced by its content from `sections`. */
export function fillSections(text: string, sections: Record<string, string>): string {
  let out = text;
  for (const [name, content] of Object.entries(sections)) {
    const start = out.indexOf(BEGIN(name));
    const end = out.indexOf(END(name));
    if (start < 0 || end < start) throw new Error(`docs/api.md has no section ${BEGIN(name)} ... ${END(name)}`);
    out = `${out.slice(0, start + BEGIN(name).length)}\n${content}\n${out.slice(end)}`;
  }
  return out;
}

export async function generateDocs(): Promise<GeneratedDocs> {
  return withApp(async (app) => {
    const openapi = buildOpenApiDocument(app);
    const sdl = printSchema(app.get(GraphQLSchemaHost).schema);
    const api = fillSections(readFileSync('docs/api.md', 'utf8'), {
      routes: routesTable(app),
      graphql: graphqlTable(app),
      connect: connectTable(),
      errors: errorsTable(),
      roles: rolesTable(),
      configuration: readmeConfigurationTable(),
    });
    return new Map([
      ['docs/openapi.json', `${JSON.stringify(openapi, null, 2)}\n`],
      [
        'schema.gql',
        `# The GraphQL schema of this service, generated from the code-first resolvers by \`${REGENERATE}\`; do not edit.\n\n${sdl}\n`,
      ],
      ['docs/api.md', api],
      ['.env.example', envExample()],
    ]);
  });
}
