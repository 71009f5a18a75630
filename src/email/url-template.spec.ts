import { compileUrlTemplate, UrlTemplateExecError, UrlTemplateParseError, type UrlTemplateData } from './url-template.js';

const DATA: UrlTemplateData = {
  UserID: 'u123',
  Code: 'ABC-123',
  OrgID: 'o456',
  LoginName: 'jdoe',
  DisplayName: 'John Doe',
  PreferredLoginName: 'jdoe@example.com',
  LastEmail: 'old@example.com',
};

function render(template: string, overrides: Partial<UrlTemplateData> = {}): string {
  return compileUrlTemplate(template).render({ ...DATA, ...overrides });
}

describe('compileUrlTemplate: rendering', () => {
  const cases: Array<[name: string, template: string, overrides: Partial<UrlTemplateData>, expected: string]> = [
    // --- plain substitution, all seven fields
    [
      'ZITADEL example',
      'https://example.com/verify?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}',
      {},
      'https://example.com/verify?userID=u123&code=ABC-123&orgID=o456',
    ],
    ['UserID', 'https://x/?u={{.UserID}}', {}, 'https://x/?u=u123'],
    ['Code', 'https://x/?c={{.Code}}', {}, 'https://x/?c=ABC-123'],
    ['OrgID', 'https://x/?o={{.OrgID}}', {}, 'https://x/?o=o456'],
    ['LoginName', 'https://x/?l={{.LoginName}}', {}, 'https://x/?l=jdoe'],
    ['DisplayName', 'https://x/?d={{.DisplayName}}', {}, 'https://x/?d=John+Doe'],
    ['PreferredLoginName', 'https://x/?p={{.PreferredLoginName}}', {}, 'https://x/?p=jdoe%40example.com'],
    ['LastEmail', 'https://x/?e={{.LastEmail}}', {}, 'https://x/?e=old%40example.com'],
    [
      'all seven fields together',
      '/v?a={{.UserID}}&b={{.Code}}&c={{.OrgID}}&d={{.LoginName}}&e={{.DisplayName}}&f={{.PreferredLoginName}}&g={{.LastEmail}}',
      {},
      '/v?a=u123&b=ABC-123&c=o456&d=jdoe&e=John+Doe&f=jdoe%40example.com&g=old%40example.com',
    ],
    ['same field twice', '{{.Code}}?{{.Code}}', {}, 'ABC-123?ABC-123'],
    ['adjacent actions', '?{{.UserID}}{{.OrgID}}', {}, '?u123o456'],
    ['empty value', '?c={{.Code}}&x', { Code: '' }, '?c=&x'],
    // --- whitespace inside actions
    ['spaces inside action', '?c={{ .Code }}', {}, '?c=ABC-123'],
    ['several spaces and tab inside action', '?c={{  .Code\t}}', {}, '?c=ABC-123'],
    ['newlines inside action', '?c={{\n.Code\r\n}}', {}, '?c=ABC-123'],
    // --- trim markers
    ['left trim', 'a \n\t {{- .Code}} b', {}, 'aABC-123 b'],
    ['right trim', 'a {{.Code -}} \n\t b', {}, 'a ABC-123b'],
    ['both trims', 'a \r\n {{- .Code -}} \t\n b', {}, 'aABC-123b'],
    ['trim markers with tab/newline as separator', 'a\n{{-\t.Code\n-}}\nb', {}, 'aABC-123b'],
    ['trim marker with extra spaces', 'a  {{-   .Code   -}}  b', {}, 'aABC-123b'],
    ['left trim only reaches back to previous action', '{{.UserID}} {{- .OrgID}} x', {}, 'u123o456 x'],
    ['right trim consumes only whitespace', '{{.Code -}}   \n?x', {}, 'ABC-123?x'],
    ['trim with nothing to trim', '{{- .Code -}}', {}, 'ABC-123'],
    // --- comments
    ['comment', 'a{{/* comment */}}b', {}, 'ab'],
    ['empty comment', 'a{{/**/}}b', {}, 'ab'],
    ['comment keeps surrounding spaces', 'a {{/* c */}} b', {}, 'a  b'],
    ['comment with trim markers', 'a \n {{- /* c */ -}} \n b', {}, 'ab'],
    ['comment with left trim only', 'a \n {{- /* c */}} b', {}, 'a b'],
    ['comment with right trim only', 'a {{/* c */ -}} \n b', {}, 'a b'],
    ['multi-line comment containing delimiters', 'a{{/* line1\n {{.Code}} }} \n line3 */}}b', {}, 'ab'],
    ['comment then field', '?x={{/* the code */}}{{.Code}}', {}, '?x=ABC-123'],
    // --- literal text
    ['no actions', 'https://example.com/verify?x=1#frag', {}, 'https://example.com/verify?x=1#frag'],
    ['empty template', '', {}, ''],
    ['lone }} is literal', 'a}}b', {}, 'a}}b'],
    ['lone }} before an action', '}} {{.Code}} }}', {}, '}} ABC-123 }}'],
    ['single braces are literal', '{a} {.Code} }{', {}, '{a} {.Code} }{'],
    ['extra closing brace after action', '{{.Code}}}', {}, 'ABC-123}'],
    ['percent signs and unicode in text are untouched', '/ä%20ö?q=%ZZ&r={{.Code}}', {}, '/ä%20ö?q=%ZZ&r=ABC-123'],
    // --- escaping: query vs path vs fragment
    [
      'unicode and spaces in the query',
      'https://x/v?name={{.DisplayName}}',
      { DisplayName: 'Jörg Müller & Co' },
      'https://x/v?name=J%C3%B6rg+M%C3%BCller+%26+Co',
    ],
    [
      'unicode and spaces in the path',
      'https://x/v/{{.DisplayName}}/done',
      { DisplayName: 'Jörg Müller & Co' },
      'https://x/v/J%C3%B6rg%20M%C3%BCller%20&%20Co/done',
    ],
    ['emoji (surrogate pair) in the query', '?n={{.DisplayName}}', { DisplayName: 'hi 😀' }, '?n=hi+%F0%9F%98%80'],
    ['emoji (surrogate pair) in the path', '/n/{{.DisplayName}}', { DisplayName: 'hi 😀' }, '/n/hi%20%F0%9F%98%80'],
    ['lone surrogate becomes U+FFFD', '?n={{.DisplayName}}', { DisplayName: 'a\uD800b' }, '?n=a%EF%BF%BDb'],
    ['unreserved chars kept in query', '?v={{.Code}}', { Code: 'AZaz09-_.~' }, '?v=AZaz09-_.~'],
    ['unreserved chars kept in path', '/{{.Code}}', { Code: 'AZaz09-_.~' }, '/AZaz09-_.~'],
    [
      'reserved chars in the query (QueryEscape)',
      '?v={{.Code}}',
      { Code: "$&+,/:;=?@!'()*#%[] " },
      '?v=%24%26%2B%2C%2F%3A%3B%3D%3F%40%21%27%28%29%2A%23%25%5B%5D+',
    ],
    [
      'reserved chars in the path (PathEscape)',
      '/p/{{.Code}}',
      { Code: "$&+,/:;=?@!'()*#%[] " },
      '/p/$&+%2C%2F:%3B=%3F@%21%27%28%29%2A%23%25%5B%5D%20',
    ],
    ['control chars escaped', '?v={{.Code}}', { Code: 'a\nb\tc\u0000' }, '?v=a%0Ab%09c%00'],
    ['slash in path value is escaped', '/users/{{.UserID}}/verify', { UserID: '../admin' }, '/users/..%2Fadmin/verify'],
    ['value in the fragment (QueryEscape)', 'https://x/app#/verify/{{.Code}}', { Code: 'a b/c' }, 'https://x/app#/verify/a+b%2Fc'],
    ['fragment after query', 'https://x/?a={{.UserID}}#c={{.DisplayName}}', { DisplayName: 'é f' }, 'https://x/?a=u123#c=%C3%A9+f'],
    ['host part uses PathEscape', 'https://{{.OrgID}}.example.com/', { OrgID: 'a b' }, 'https://a%20b.example.com/'],
    ['before the scheme uses PathEscape', '{{.Code}}://x/?y', { Code: 'a b' }, 'a%20b://x/?y'],
    ['a ? after the action does not make it query', '/x/{{.Code}}?q=1', { Code: 'a b' }, '/x/a%20b?q=1'],
    ['a ? in text before a comment still switches to query', '/x?{{/* c */}}{{.Code}}', { Code: 'a b' }, '/x?a+b'],
    ['a ? inside a value does not switch context', '/{{.UserID}}/{{.Code}}', { UserID: '?', Code: 'a b' }, '/%3F/a%20b'],
  ];

  it.each(cases)('%s', (_name, template, overrides, expected) => {
    expect(render(template, overrides)).toBe(expected);
  });

  it('renders repeatedly with different data from one compiled template', () => {
    const t = compileUrlTemplate('/u/{{.UserID}}?c={{.Code}}');
    expect(t.render({ ...DATA, UserID: 'a', Code: 'b c' })).toBe('/u/a?c=b+c');
    expect(t.render({ ...DATA, UserID: 'x y', Code: 'z' })).toBe('/u/x%20y?c=z');
  });
});

describe('compileUrlTemplate: parse errors', () => {
  const cases: Array<[name: string, template: string]> = [
    ['unclosed action', '{{.Code'],
    ['unclosed action with trailing space', 'https://x/?c={{ .Code '],
    ['lone {{ at end', 'abc {{'],
    ['unclosed action with single }', '{{.Code}'],
    ['single } inside action', '{{.Code}x}}'],
    ['empty action', '{{}}'],
    ['blank action', '{{ }}'],
    ['empty action with trim markers', '{{- -}}'],
    ['empty action with left trim', '{{- }}'],
    ['if keyword alone', '{{if}}'],
    ['if/end block', '{{if .Code}}x{{end}}'],
    ['range', '{{range .Code}}x{{end}}'],
    ['with', '{{with .Code}}{{.}}{{end}}'],
    ['end alone', '{{end}}'],
    ['else alone', '{{else}}'],
    ['template', '{{template "x"}}'],
    ['define', '{{define "x"}}y{{end}}'],
    ['block', '{{block "x" .}}y{{end}}'],
    ['pipeline to function', '{{.Code | urlquery}}'],
    ['function call', '{{urlquery .Code}}'],
    ['printf', '{{printf "%s" .Code}}'],
    ['variable declaration', '{{$x := 1}}'],
    ['variable', '{{$}}'],
    ['parenthesised field', '{{(.Code)}}'],
    ['two operands', '{{.Code .UserID}}'],
    ['string literal', '{{"x"}}'],
    ['number literal', '{{3}}'],
    ['negative number / no space after left trim', '{{-3}}'],
    ['no space after left trim marker', '{{-.Code}}'],
    ['no space before right trim marker', '{{.Code-}}'],
    ['decimal number after dot', '{{.5}}'],
    ['bool literal', '{{true}}'],
    ['nil', '{{nil}}'],
    ['double dot', '{{..Code}}'],
    ['trailing dot after field', '{{.Code.}}'],
    ['empty chain element', '{{.Code..X}}'],
    ['numeric chain element', '{{.Code.1}}'],
    ['bad character in field', '{{.Co@de}}'],
    ['comma after field', '{{.Code,}}'],
    ['non-breaking space is not whitespace', '{{.Code\u00a0}}'],
    ['triple opening brace', '{{{.Code}}}'],
    ['bare identifier without dot', '{{Code}}'],
    ['unclosed comment', 'a{{/* never closed'],
    ['unclosed comment with }}', 'a{{/* never closed }}'],
    ['comment not followed by delimiter', '{{/* c */ }}'],
    ['comment not touching left delimiter', '{{ /* c */}}'],
    ['comment with trim marker but no space', '{{-/* c */}}'],
    ['comment with right trim marker but no space', '{{/* c */-}}'],
    ['comment followed by field', '{{/* c */ .Code}}'],
    ['valid action then broken one', '{{.Code}}&x={{.UserID'],
  ];

  it.each(cases)('%s', (_name, template) => {
    expect(() => compileUrlTemplate(template)).toThrow(UrlTemplateParseError);
  });

  it('parse errors are not exec errors', () => {
    let caught: unknown;
    try {
      compileUrlTemplate('{{if}}');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UrlTemplateParseError);
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(UrlTemplateExecError);
    expect((caught as Error).name).toBe('UrlTemplateParseError');
  });
});

describe('compileUrlTemplate: exec errors', () => {
  const cases: Array<[name: string, template: string]> = [
    ['unknown field', 'https://x/?f={{.Foo}}'],
    ['lowercase field', 'https://x/?c={{.code}}'],
    ['wrong case field', 'https://x/?u={{.UserId}}'],
    ['field on string', 'https://x/?c={{.Code.X}}'],
    ['unknown nested field', '{{.Foo.Bar}}'],
    ['bare dot', '{{.}}'],
    ['bare dot with spaces and trims', 'a {{- . -}} b'],
    ['underscore field', '{{._}}'],
    ['unicode field name', '{{.Código}}'],
    ['unknown field after a valid one', '?c={{.Code}}&f={{.Foo}}'],
  ];

  it.each(cases)('%s', (_name, template) => {
    const compiled = compileUrlTemplate(template); // must not throw
    expect(() => compiled.render(DATA)).toThrow(UrlTemplateExecError);
  });

  it('exec errors are not parse errors and name the field', () => {
    const compiled = compileUrlTemplate('{{.Foo}}');
    let caught: unknown;
    try {
      compiled.render(DATA);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UrlTemplateExecError);
    expect(caught).not.toBeInstanceOf(UrlTemplateParseError);
    expect((caught as Error).message).toContain('Foo');
    expect((caught as Error).name).toBe('UrlTemplateExecError');
  });

  it('throws UrlTemplateExecError when a value is not a string at runtime', () => {
    const compiled = compileUrlTemplate('?c={{.Code}}');
    const bad = { ...DATA, Code: undefined } as unknown as UrlTemplateData;
    expect(() => compiled.render(bad)).toThrow(UrlTemplateExecError);
  });
});

describe('compileUrlTemplate: properties', () => {
  // Small deterministic PRNG (mulberry32) so failures are reproducible.
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const ALPHABET = [...'abcXYZ019 \t\r\n{}-/*.?#&=%+:@$!\'"()|,;~_', 'é', 'ß', '中', '😀', '}}', '{', ' -}}', '*/', '/*'];
  function randomString(rand: () => number, maxLen: number): string {
    const len = Math.floor(rand() * maxLen);
    let s = '';
    for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
    return s;
  }

  it('renders 500 random literal texts without "{{" unchanged', () => {
    const rand = prng(0xc0ffee);
    let checked = 0;
    while (checked < 500) {
      const text = randomString(rand, 40);
      if (text.includes('{{')) continue;
      expect(compileUrlTemplate(text).render(DATA)).toBe(text);
      checked++;
    }
  });

  it('escaped values decode back to the original (300 random values, query and path)', () => {
    const rand = prng(42);
    const query = compileUrlTemplate('https://x/v?d={{.DisplayName}}');
    const path = compileUrlTemplate('https://x/v/{{.DisplayName}}');
    for (let i = 0; i < 300; i++) {
      const value = randomString(rand, 20);
      const q = query.render({ ...DATA, DisplayName: value }).slice('https://x/v?d='.length);
      const p = path.render({ ...DATA, DisplayName: value }).slice('https://x/v/'.length);
      expect(q).toMatch(/^[A-Za-z0-9\-_.~%+]*$/);
      expect(p).toMatch(/^[A-Za-z0-9\-_.~%$&+:=@]*$/);
      expect(decodeURIComponent(q.replace(/\+/g, ' '))).toBe(value);
      expect(decodeURIComponent(p)).toBe(value);
    }
  });
});
