/**
 * Renderer for the subset of Go's `text/template` syntax that ZITADEL accepts in
 * verification URL templates, e.g.
 *
 *   https://example.com/verify?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}
 *
 * Supported (with Go's lexing rules):
 *   - literal text, passed through unchanged (a lone `}}` in text is literal, as in Go);
 *   - field actions `{{.Field}}` with optional whitespace (space, tab, CR, LF) inside;
 *   - trim markers `{{- ` / ` -}}` (the marker must be separated from the action by whitespace);
 *   - comments `{{/* ... *\/}}`, also `{{- /* ... *\/ -}}` (must touch the delimiters, as in Go).
 *
 * Everything else Go would lex as a different construct (keywords, pipelines, functions,
 * variables, literals, parentheses, several operands) is rejected with UrlTemplateParseError,
 * so whatever we accept Go's `template.Parse` accepts too. Templates Go parses but cannot
 * execute against ZITADEL's data struct (unknown or lowercase fields, `.Code.X` on a string,
 * bare `{{.}}` which would print the whole struct) compile fine and throw UrlTemplateExecError
 * from render(), mirroring Go's split between Parse and Execute.
 *
 * The template is compiled once into a list of literal strings and field slots; render() only
 * concatenates.
 */

export type UrlTemplateField = 'UserID' | 'Code' | 'OrgID' | 'LoginName' | 'DisplayName' | 'PreferredLoginName' | 'LastEmail';

export type UrlTemplateData = Record<UrlTemplateField, string>;

/** The template would make Go's `template.Parse` fail, or uses syntax outside the supported subset. */
export class UrlTemplateParseError extends Error {
  override name = 'UrlTemplateParseError';
  constructor(
    message: string,
    /** Where in the source (UTF-16 offset) the problem is. */
    readonly offset = 0,
  ) {
    super(message);
  }
}

/** The template parses, but executing it (Go's `Execute`) would fail. */
export class UrlTemplateExecError extends Error {
  override name = 'UrlTemplateExecError';
  constructor(
    message: string,
    /** Where in the source the action that cannot be executed starts. */
    readonly offset = 0,
  ) {
    super(message);
  }
}

export interface CompiledUrlTemplate<D = UrlTemplateData> {
  /** Renders the template; throws UrlTemplateExecError. */
  render(data: D): string;
  /** The first action that cannot be executed, as render() would throw it; null when there is none. */
  readonly execError: UrlTemplateExecError | null;
}

const KNOWN_FIELDS: ReadonlySet<string> = new Set<UrlTemplateField>([
  'UserID',
  'Code',
  'OrgID',
  'LoginName',
  'DisplayName',
  'PreferredLoginName',
  'LastEmail',
]);

// ---------------------------------------------------------------------------------------------
// Escaping
//
// ZITADEL itself inserts the raw values into the URL. We escape them instead: codes and IDs are
// URL-safe anyway (so the result is identical for them), while display and login names are not.
// The context is decided at compile time from the literal text preceding the action:
//   - after the first `?` (query) or a `#` (fragment): like Go's url.QueryEscape — keep
//     `A-Za-z0-9-_.~`, space becomes `+`, every other UTF-8 byte becomes %XX (uppercase hex);
//   - anywhere before that (scheme, host, path): like Go's url.PathEscape — keep
//     `A-Za-z0-9-_.~` and `$&+:=@`, everything else (including space, `/`, `;`, `,`, `?`, and
//     `!'()*`) becomes %XX.
// ---------------------------------------------------------------------------------------------

const HEX = '0123456789ABCDEF';
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';
/** Reserved characters Go's url.PathEscape (encodePathSegment) leaves unescaped. */
const PATH_SEGMENT_EXTRA = '$&+:=@';

function buildByteTable(keep: string, spaceAsPlus: boolean): readonly string[] {
  const table: string[] = [];
  for (let b = 0; b < 256; b++) {
    const ch = String.fromCharCode(b);
    if (b < 0x80 && keep.includes(ch)) table.push(ch);
    else if (b === 0x20 && spaceAsPlus) table.push('+');
    else table.push('%' + HEX[b >> 4] + HEX[b & 0x0f]);
  }
  return table;
}

const QUERY_TABLE = buildByteTable(UNRESERVED, true);
const PATH_TABLE = buildByteTable(UNRESERVED + PATH_SEGMENT_EXTRA, false);
const QUERY_SAFE = /^[A-Za-z0-9\-_.~]*$/;
const PATH_SAFE = /^[A-Za-z0-9\-_.~$&+:=@]*$/;
const utf8 = new TextEncoder();

function escapeBytes(value: string, table: readonly string[]): string {
  // Lone surrogates become U+FFFD (EF BF BD), like any UTF-8 encoder would.
  const bytes = utf8.encode(value);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += table[bytes[i]!];
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(value: string): string {
  return QUERY_SAFE.test(value) ? value : escapeBytes(value, QUERY_TABLE);
}

/** Go's url.PathEscape. */
function pathEscape(value: string): string {
  return PATH_SAFE.test(value) ? value : escapeBytes(value, PATH_TABLE);
}

// ---------------------------------------------------------------------------------------------
// Compiled form
// ---------------------------------------------------------------------------------------------

interface FieldSlot {
  readonly field: string;
  readonly escape: (value: string) => string;
}

/** An action that parses but cannot be executed; render() throws its message. */
interface ErrorSlot {
  readonly execError: string;
  readonly offset: number;
}

type Part = string | FieldSlot | ErrorSlot;

class CompiledTemplate<D extends Record<string, string>> implements CompiledUrlTemplate<D> {
  readonly execError: UrlTemplateExecError | null;

  constructor(private readonly parts: readonly Part[]) {
    const first = parts.find((p): p is ErrorSlot => typeof p !== 'string' && 'execError' in p);
    this.execError = first ? new UrlTemplateExecError(first.execError, first.offset) : null;
  }

  render(data: D): string {
    const parts = this.parts;
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (typeof part === 'string') {
        out += part;
      } else if ('field' in part) {
        const value: unknown = data[part.field];
        if (typeof value !== 'string') {
          throw new UrlTemplateExecError(`url template: value for field ${part.field} is not a string`);
        }
        out += part.escape(value);
      } else {
        throw new UrlTemplateExecError(part.execError, part.offset);
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Lexing / parsing (follows text/template/parse/lex.go for the constructs we accept)
// ---------------------------------------------------------------------------------------------

const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const TRIM_MARKER = 0x2d; // '-'
const TRIM_MARKER_LEN = 2; // marker plus the whitespace before/after it

/** Go's lexer notion of space: ' ', '\t', '\r', '\n'. NaN (out of range) is not a space. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return s.charCodeAt(i) === TRIM_MARKER && isSpace(s.charCodeAt(i + 1));
}

function hasRightTrimMarker(s: string, i: number): boolean {
  return isSpace(s.charCodeAt(i)) && s.charCodeAt(i + 1) === TRIM_MARKER;
}

/** Result of atRightDelim: no delimiter, `}}`, or ` -}}` (trim). */
type RightDelim = 0 | 1 | 2;
const RightDelim = { None: 0, Plain: 1, Trim: 2 } as const;

function atRightDelim(s: string, i: number): RightDelim {
  if (hasRightTrimMarker(s, i) && s.startsWith(RIGHT_DELIM, i + TRIM_MARKER_LEN)) return RightDelim.Trim;
  if (s.startsWith(RIGHT_DELIM, i)) return RightDelim.Plain;
  return RightDelim.None;
}

/** Index just past the right delimiter (and past following whitespace for `-}}`). */
function skipRightDelim(s: string, i: number, kind: RightDelim): number {
  if (kind === RightDelim.Plain) return i + RIGHT_DELIM.length;
  let p = i + TRIM_MARKER_LEN + RIGHT_DELIM.length;
  while (p < s.length && isSpace(s.charCodeAt(p))) p++;
  return p;
}

function trimTrailingSpace(text: string): string {
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Go's isAlphaNumeric: '_' or unicode.IsLetter or unicode.IsDigit. */
const IDENTIFIER = /[_\p{L}\p{Nd}]+/uy;

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function describeChar(s: string, i: number): string {
  const cp = s.codePointAt(i)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(cp)}'`;
}

function parseError(message: string, offset: number): UrlTemplateParseError {
  return new UrlTemplateParseError(`url template: ${message} at offset ${offset}`, offset);
}

type ActionNode = { kind: 'dot' } | { kind: 'field'; chain: string[] };

interface ParsedAction {
  node: ActionNode;
  end: number;
}

/**
 * Parses the inside of an action starting at `p` (just after `{{` and any left trim marker)
 * up to and including its right delimiter. `start` is the offset of the `{{`.
 */
function parseAction(src: string, p: number, start: number): ParsedAction {
  let node: ActionNode | null = null;
  for (;;) {
    const delim = atRightDelim(src, p);
    if (delim !== RightDelim.None) {
      if (node === null) throw parseError('missing value for command', start);
      return { node, end: skipRightDelim(src, p, delim) };
    }
    if (p >= src.length) throw parseError('unclosed action', start);
    const c = src.charCodeAt(p);
    if (isSpace(c)) {
      // Like Go's lexSpace: stop before a space that begins a ` -}}`.
      p++;
      while (p < src.length && isSpace(src.charCodeAt(p)) && atRightDelim(src, p) !== RightDelim.Trim) p++;
      continue;
    }
    if (c !== 0x2e /* '.' */) {
      throw parseError(`unexpected ${describeChar(src, p)} in action (only {{.Field}} is supported)`, p);
    }
    if (node !== null) {
      // Go would parse this as an argument to the first operand; not part of our subset.
      throw parseError('unexpected second operand in action (only {{.Field}} is supported)', p);
    }
    const chain: string[] = [];
    for (;;) {
      // src[p] === '.'
      if (isAsciiDigit(src.charCodeAt(p + 1))) {
        throw parseError('numbers are not supported in actions', p);
      }
      IDENTIFIER.lastIndex = p + 1;
      const match = IDENTIFIER.exec(src);
      if (match === null) {
        if (chain.length > 0) throw parseError(`unexpected "." after field .${chain.join('.')}`, p);
        p++;
        break; // bare dot; whatever follows must be whitespace or the right delimiter
      }
      chain.push(match[0]);
      p = IDENTIFIER.lastIndex;
      if (src.charCodeAt(p) !== 0x2e) break;
    }
    node = chain.length === 0 ? { kind: 'dot' } : { kind: 'field', chain };
  }
}

function execErrorFor(node: ActionNode, fields: ReadonlySet<string>): string | null {
  if (node.kind === 'dot') {
    return 'url template: {{.}} would print the whole data struct; use a field such as {{.Code}}';
  }
  const [first, ...rest] = node.chain;
  if (!fields.has(first!)) {
    return `url template: can't evaluate field ${first} (known fields: ${[...fields].join(', ')})`;
  }
  if (rest.length > 0) {
    return `url template: can't evaluate field ${rest[0]} in type string (.${node.chain.join('.')})`;
  }
  return null;
}

/** Compiles a ZITADEL URL template; throws UrlTemplateParseError. */
export function compileUrlTemplate(source: string): CompiledUrlTemplate {
  return compileGoTemplate<UrlTemplateData>(source, KNOWN_FIELDS, (inQuery) => (inQuery ? queryEscape : pathEscape));
}

const verbatim = (value: string) => value;

/**
 * The same template subset over other data (message texts, spec §8): `fields` are the known
 * names, and values go in verbatim (the caller escapes the rendered text for its medium).
 */
export function compileTextTemplate<D extends Record<string, string>>(source: string, fields: ReadonlySet<string>): CompiledUrlTemplate<D> {
  return compileGoTemplate<D>(source, fields, () => verbatim);
}

function compileGoTemplate<D extends Record<string, string>>(
  source: string,
  fields: ReadonlySet<string>,
  escapeFor: (inQuery: boolean) => (value: string) => string,
): CompiledUrlTemplate<D> {
  if (typeof source !== 'string') throw new UrlTemplateParseError('url template: source must be a string');

  const parts: Part[] = [];
  let pending = ''; // literal text not yet pushed (merges text around comments)
  let inQuery = false; // a '?' or '#' has appeared in the literal text so far
  let pos = 0;

  const flushText = (): void => {
    if (pending.length === 0) return;
    if (!inQuery && (pending.includes('?') || pending.includes('#'))) inQuery = true;
    parts.push(pending);
    pending = '';
  };

  for (;;) {
    const left = source.indexOf(LEFT_DELIM, pos);
    if (left < 0) {
      pending += source.slice(pos);
      break;
    }
    let p = left + LEFT_DELIM.length;
    let text = source.slice(pos, left);
    if (hasLeftTrimMarker(source, p)) {
      text = trimTrailingSpace(text);
      p += TRIM_MARKER_LEN;
    }
    pending += text;

    if (source.startsWith(LEFT_COMMENT, p)) {
      const close = source.indexOf(RIGHT_COMMENT, p + LEFT_COMMENT.length);
      if (close < 0) throw parseError('unclosed comment', left);
      const after = close + RIGHT_COMMENT.length;
      const delim = atRightDelim(source, after);
      if (delim === RightDelim.None) throw parseError('comment ends before closing delimiter', after);
      pos = skipRightDelim(source, after, delim);
      continue;
    }

    const action = parseAction(source, p, left);
    flushText();
    const node = action.node;
    const execError = execErrorFor(node, fields);
    if (execError !== null || node.kind !== 'field') {
      parts.push({ execError: execError ?? 'url template: cannot execute action', offset: left });
    } else {
      parts.push({ field: node.chain[0]!, escape: escapeFor(inQuery) });
    }
    pos = action.end;
  }
  flushText();
  return new CompiledTemplate<D>(parts);
}
