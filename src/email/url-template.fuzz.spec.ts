import fc from 'fast-check';
import { compileUrlTemplate, UrlTemplateData, UrlTemplateExecError, UrlTemplateField, UrlTemplateParseError } from './url-template.js';

/**
 * Property-based fuzzing of the URL template renderer: any source either compiles or throws
 * UrlTemplateParseError; rendering either returns a string or throws UrlTemplateExecError; and
 * for templates of literal text and field actions the output is exactly the text with each value
 * escaped as Go would (url.QueryEscape in the query, url.PathEscape before it), checked against
 * an oracle written independently from the implementation.
 */

const RUNS = 500;
const FIELDS: UrlTemplateField[] = ['UserID', 'Code', 'OrgID', 'LoginName', 'DisplayName', 'PreferredLoginName', 'LastEmail'];

/** Any UTF-16 code unit, lone surrogates included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: anyUnit }));

/** Pieces of Go template syntax, valid and not, to build sources the lexer has to think about. */
const SYNTAX = [
  '{{',
  '}}',
  '{{-',
  '-}}',
  '{{- ',
  ' -}}',
  ' ',
  '\t',
  '\n',
  '\r',
  '.',
  '..',
  '.Code',
  '.UserID',
  '.OrgID',
  '.LoginName',
  '.DisplayName',
  '.PreferredLoginName',
  '.LastEmail',
  '.Nope',
  '.code',
  '.Code.X',
  '.1',
  'Code',
  '/*',
  '*/',
  '"',
  '`',
  "'",
  '$x',
  '$',
  '(',
  ')',
  '|',
  ':=',
  '=',
  '1',
  'x',
  '?',
  '#',
  '&',
  '/',
  'é',
  '\ud800',
  '{',
  '}',
  '-',
  'if',
  'end',
  'range',
  'nil',
  'printf',
  'https://x.test/',
];
const soup = fc
  .array(
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SYNTAX) }, { weight: 1, arbitrary: fc.string({ maxLength: 3, unit: anyUnit }) }),
    { maxLength: 40 },
  )
  .map((p) => p.join(''));
const source = fc.oneof(soup, anyString, fc.string({ minLength: 1000, maxLength: 5000 }));

const data: fc.Arbitrary<UrlTemplateData> = fc.record(
  Object.fromEntries(FIELDS.map((f) => [f, anyString])) as Record<UrlTemplateField, fc.Arbitrary<string>>,
);

// --- the oracle ------------------------------------------------------------------------------

/** Lone surrogates become U+FFFD, as any UTF-8 encoder (and Go's strings) would have them. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const pct = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** Go's url.QueryEscape, from encodeURIComponent: Go also escapes !'()* and writes space as '+'. */
const goQueryEscape = (s: string) =>
  encodeURIComponent(wellFormed(s))
    .replace(/[!'()*]/g, pct)
    .replace(/%20/g, '+');

/** Go's url.PathEscape, from encodeURIComponent: Go escapes !'()* too, and keeps $&+:=@ in a segment. */
const goPathEscape = (s: string) =>
  encodeURIComponent(wellFormed(s))
    .replace(/[!'()*]/g, pct)
    .replace(/%(24|26|2B|3A|3D|40)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

type Part = { text: string } | { field: UrlTemplateField; action: string };

/** What the template must render to: literal text as is, each field escaped for where it stands. */
function oracle(parts: Part[], values: UrlTemplateData): string {
  let out = '';
  let inQuery = false;
  for (const p of parts) {
    if ('text' in p) {
      out += p.text;
      if (/[?#]/.test(p.text)) inQuery = true;
    } else {
      out += (inQuery ? goQueryEscape : goPathEscape)(values[p.field]);
    }
  }
  return out;
}

/** Literal text: no `{{` (it would open an action). */
const literal = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('?', '#', '&', '=', '/', ':', '%', '{', '}', ' ', '\n', '-', '.', '*', '"') },
    { weight: 5, arbitrary: anyUnit },
  ),
  maxLength: 12,
});
const SPACE = fc.constantFrom('', ' ', '  ', '\t', '\n', '\r\n');
/** A valid field action, with Go's optional whitespace inside the delimiters (no trim markers). */
const action: fc.Arbitrary<Part> = fc
  .tuple(fc.constantFrom(...FIELDS), SPACE, SPACE)
  .map(([field, l, r]) => ({ field, action: `{{${l}.${field}${r}}}` }));
const parts = fc
  .array(
    fc.oneof(
      literal.map((text): Part => ({ text })),
      action,
    ),
    { maxLength: 12 },
  )
  .map(mergeLiterals)
  .filter(literalsStayLiteral);

/** Adjacent literals are one text in the template; merge them so the oracle sees what the lexer sees. */
function mergeLiterals(ps: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of ps) {
    const last = out[out.length - 1];
    if ('text' in p && last && 'text' in last) out[out.length - 1] = { text: last.text + p.text };
    else if (!('text' in p) || p.text !== '') out.push(p);
  }
  return out;
}

/** No literal holds `{{`, and none that precedes an action ends with `{` (which would make `{{{`). */
function literalsStayLiteral(ps: Part[]): boolean {
  return ps.every((p, i) => !('text' in p) || (!p.text.includes('{{') && !(p.text.endsWith('{') && i + 1 < ps.length)));
}

const sourceOf = (ps: Part[]) => ps.map((p) => ('text' in p ? p.text : p.action)).join('');

describe('compileUrlTemplate, fuzzed', () => {
  it('any source compiles or throws UrlTemplateParseError; rendering returns a string or throws UrlTemplateExecError', () => {
    fc.assert(
      fc.property(source, data, (src, values) => {
        let compiled;
        try {
          compiled = compileUrlTemplate(src);
        } catch (e) {
          if (!(e instanceof UrlTemplateParseError))
            throw new Error(`compile threw ${(e as Error)?.name}: ${(e as Error)?.message} for ${JSON.stringify(src)}`);
          return;
        }
        let first: string | undefined;
        try {
          first = compiled.render(values);
        } catch (e) {
          if (!(e instanceof UrlTemplateExecError))
            throw new Error(`render threw ${(e as Error)?.name}: ${(e as Error)?.message} for ${JSON.stringify(src)}`);
          return;
        }
        expect(typeof first).toBe('string');
        // compiled once, rendered many times: the same data renders the same text
        expect(compiled.render(values)).toBe(first);
      }),
      { numRuns: RUNS },
    );
  });

  it('literal text and field actions render to the text with each value escaped as Go would (oracle)', () => {
    fc.assert(
      fc.property(parts, data, (ps, values) => {
        expect(compileUrlTemplate(sourceOf(ps)).render(values)).toBe(oracle(ps, values));
      }),
      { numRuns: RUNS },
    );
  });

  it('a value in the query is exactly Go’s url.QueryEscape of it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), anyString, (field, value) => {
        const values = Object.fromEntries(FIELDS.map((f) => [f, f === field ? value : 'x'])) as UrlTemplateData;
        const rendered = compileUrlTemplate(`https://verify.test/v?${field}={{.${field}}}&end=1`).render(values);
        expect(rendered).toBe(`https://verify.test/v?${field}=${goQueryEscape(value)}&end=1`);
        // what it escapes, a URL parser reads back as the value (lone surrogates as U+FFFD)
        expect(new URL(rendered).searchParams.get(field)).toBe(wellFormed(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('the oracle itself agrees with Go on known values', () => {
    // from Go: url.QueryEscape / url.PathEscape
    expect(goQueryEscape("a b!'()*~-_.")).toBe('a+b%21%27%28%29%2A~-_.');
    expect(goQueryEscape('ä/?&=+@$')).toBe('%C3%A4%2F%3F%26%3D%2B%40%24');
    expect(goPathEscape("a b!'()*~-_.")).toBe('a%20b%21%27%28%29%2A~-_.');
    expect(goPathEscape('ä/?&=+@$:;,')).toBe('%C3%A4%2F%3F&=+@$:%3B%2C');
    expect(goQueryEscape('\ud800')).toBe('%EF%BF%BD');
  });
});
